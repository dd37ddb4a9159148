"""The OpenID Connect client refuses every answer it cannot trust (SECURITY A-5): each check
is exercised against the simulated provider in-process, with the provider's answer doctored
on the back channel where a test plays a forger."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta

import httpx
import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client, override_settings
from django.utils import timezone

from sscard.accounts.models import Person, User
from sscard.audit.models import AuditRecord
from sscard.core.http import http_client
from sscard.identity import oidc
from sscard.identity.models import ExternalIdentity
from sscard.identity.simulator import keys
from sscard.testing.ids import resident_id

pytestmark = pytest.mark.django_db

NAME = "陈志强"
ID_NUMBER = resident_id(date(1985, 11, 2), male=True, serial=41)


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def resigned(**changes):
    """A provider that signs, with its real key, claims it should not have."""

    def rewrite(token: str) -> str:
        return keys.sign(_claims(token) | changes)

    return rewrite


def signed_with_another_key(token: str) -> str:
    other = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode(_claims(token), other, "ES256", headers={"kid": keys.public_jwk()["kid"]})


def payload_swapped(token: str) -> str:
    header, _, signature = token.split(".")
    forged = _claims(token) | {keys.ID_NUMBER_CLAIM: resident_id(date(1970, 1, 1), serial=3)}
    payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    return f"{header}.{payload}.{signature}"


def unsigned(token: str) -> str:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    return f"{header}.{token.split('.')[1]}."


def hmac_with_client_secret(token: str) -> str:
    return jwt.encode(_claims(token), keys.client_secret(), "HS256")


def _assert_refused(response, reason: str) -> None:
    assert response.status_code == 400
    body = response.content.decode()
    assert "登录未完成" in body and "点击登录" in body
    assert "_auth_user_id" not in response.wsgi_request.session
    assert not ExternalIdentity.objects.exists()
    refused = AuditRecord.objects.filter(action="identity.face_login", result="refused").get()
    assert refused.detail["reason"] == reason
    assert ID_NUMBER not in json.dumps(refused.detail, ensure_ascii=False)


@pytest.mark.parametrize(
    ("rewrite", "reason"),
    [
        (resigned(nonce="not-the-nonce-we-sent"), "nonce"),
        (resigned(aud="another-client"), "audience"),
        (resigned(aud=[keys.CLIENT_ID, "another-client"]), "audience"),
        (resigned(iss="http://testserver/another-idp"), "issuer"),
        (resigned(exp=1_700_000_000, iat=1_699_999_000), "expired"),
        (resigned(iat=2_000_000_000 + 10**9, exp=2_000_000_000 + 10**9 + 300), "issued_at"),
        (signed_with_another_key, "signature"),
        (payload_swapped, "signature"),
        (unsigned, "algorithm"),
        (hmac_with_client_secret, "algorithm"),
    ],
    ids=[
        "wrong-nonce",
        "wrong-audience",
        "second-audience-without-azp",
        "wrong-issuer",
        "expired",
        "issued-in-the-future",
        "signed-with-another-key",
        "tampered-payload",
        "alg-none",
        "hs256-with-the-client-secret",
    ],
)
def test_an_id_token_that_fails_a_check_logs_nobody_in(walk, back_channel, rewrite, reason):
    back_channel.rewrite_id_token = rewrite
    response = walk.login(NAME, ID_NUMBER)
    _assert_refused(response, reason)
    assert not User.objects.exists()


def test_the_unchanged_token_is_accepted_so_the_refusals_above_are_the_checks(walk, back_channel):
    back_channel.rewrite_id_token = resigned()
    response = walk.login(NAME, ID_NUMBER)
    assert response.status_code == 302
    assert ExternalIdentity.objects.count() == 1


def test_a_callback_with_a_state_this_browser_did_not_start_is_refused(walk):
    url = walk.to_return_url(NAME, ID_NUMBER)
    response = walk.callback(url.replace("state=", "state=x"))
    _assert_refused(response, "state")


def test_a_callback_from_another_browser_is_refused(walk):
    url = walk.to_return_url(NAME, ID_NUMBER)
    response = type(walk)(Client()).callback(url)
    _assert_refused(response, "state")


def test_each_login_answers_once_a_replayed_callback_is_refused(walk, client):
    url = walk.to_return_url(NAME, ID_NUMBER)
    assert walk.callback(url).status_code == 302
    client.logout()
    response = walk.callback(url)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_pkce_verifier_that_does_not_match_is_refused_at_the_token_endpoint(walk, client):
    url = walk.to_return_url(NAME, ID_NUMBER)
    session = client.session
    pending = session["identity_oidc_pending"]
    for entry in pending.values():
        entry["verifier"] = "A" * 64
    session["identity_oidc_pending"] = pending
    session.save()
    response = walk.callback(url)
    _assert_refused(response, "token")


def test_a_login_left_waiting_longer_than_ten_minutes_is_refused(walk):
    url = walk.to_return_url(NAME, ID_NUMBER)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = walk.callback(url)
    _assert_refused(response, "expired_request")


def test_cancelling_at_the_provider_comes_back_to_a_plain_page(walk, client):
    walk.authorize(walk.start())
    response = client.post("/idp-sim/cancel/")
    assert response.status_code == 302 and "error=access_denied" in response["Location"]
    page = walk.callback(response["Location"])
    assert page.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "您已取消人脸识别登录" in page.content.decode()


def test_the_provider_down_gives_a_retry_message_not_a_server_error(walk, back_channel, client):
    back_channel.fail_with = httpx.ConnectTimeout("timed out")
    response = client.get("/login/face/")
    assert response.status_code == 502
    assert "实名认证服务暂时无法访问，请稍后再试" in response.content.decode()


def test_every_call_to_the_provider_has_a_timeout():
    with http_client(3.0) as client:
        assert client.timeout == httpx.Timeout(3.0)


@override_settings(SSCARD_IDP_SIMULATOR=False, SSCARD_OIDC_ISSUER="")
def test_without_a_provider_face_login_says_it_is_not_available(client):
    response = client.get("/login/face/")
    assert response.status_code == 503
    assert "人脸识别登录暂未开通，请使用账号密码登录" in response.content.decode()


@pytest.mark.parametrize("method", [oidc.SECRET_BASIC, oidc.SECRET_POST])
def test_a_provider_configured_by_settings_is_discovered_and_used(walk, method):
    with override_settings(
        SSCARD_OIDC_ISSUER="http://testserver/idp-sim",
        SSCARD_OIDC_CLIENT_ID=keys.CLIENT_ID,
        SSCARD_OIDC_CLIENT_SECRET=keys.client_secret(),
        SSCARD_OIDC_TOKEN_AUTH_METHOD=method,
        SSCARD_OIDC_ALGORITHMS=["ES256", "none", "HS256"],
    ):
        response = walk.login(NAME, ID_NUMBER)
    assert response.status_code == 302
    assert Person.objects.get().name == NAME


def test_a_wrong_client_secret_is_refused_by_the_provider(walk):
    with override_settings(
        SSCARD_OIDC_ISSUER="http://testserver/idp-sim",
        SSCARD_OIDC_CLIENT_ID=keys.CLIENT_ID,
        SSCARD_OIDC_CLIENT_SECRET="not-the-secret",
    ):
        response = walk.login(NAME, ID_NUMBER)
    _assert_refused(response, "token")


def test_a_discovery_document_for_another_issuer_is_refused(walk, client):
    with override_settings(
        SSCARD_OIDC_ISSUER="http://testserver/idp-sim/",  # the document says no slash
        SSCARD_OIDC_CLIENT_ID=keys.CLIENT_ID,
        SSCARD_OIDC_CLIENT_SECRET=keys.client_secret(),
    ):
        response = client.get("/login/face/")
    assert response.status_code == 502
    assert "实名认证结果无法验证" in response.content.decode()


def test_in_production_a_provider_endpoint_without_https_is_not_used(walk, client):
    with override_settings(SSCARD_ENV="production"):
        response = client.get("/login/face/")
    assert response.status_code == 502


def test_explicit_endpoints_need_no_discovery(walk, back_channel):
    with override_settings(
        SSCARD_OIDC_ISSUER="http://testserver/idp-sim",
        SSCARD_OIDC_CLIENT_ID=keys.CLIENT_ID,
        SSCARD_OIDC_CLIENT_SECRET=keys.client_secret(),
        SSCARD_OIDC_AUTHORIZATION_ENDPOINT="http://testserver/idp-sim/authorize",
        SSCARD_OIDC_TOKEN_ENDPOINT="http://testserver/idp-sim/token",
        SSCARD_OIDC_JWKS_URI="http://testserver/idp-sim/jwks",
    ):
        assert walk.login(NAME, ID_NUMBER).status_code == 302
    assert not any("well-known" in str(r.url) for r in back_channel.requests)


@pytest.mark.parametrize(("required", "accepted"), [([keys.ACR], True), (["urn:other"], False)])
def test_a_required_authentication_class_is_checked(walk, required, accepted):
    with override_settings(SSCARD_OIDC_ACR_VALUES=required):
        response = walk.login(NAME, ID_NUMBER)
    if accepted:
        assert response.status_code == 302
    else:
        _assert_refused(response, "acr")
