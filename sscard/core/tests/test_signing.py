"""The service's public signatures: a token verifies with the published keys only, names the
key that signed it, and keeps verifying after its key is rotated out of first place."""

from __future__ import annotations

import base64

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from sscard.core import signing
from sscard.core.signing import Ed25519Signer, TokenError, b64url, sign_token, verify_token
from sscard.testing.tokens import crafted_tokens, segment

NEW = "new1:" + signing.generate_key()


def test_a_token_names_its_key_and_verifies_with_the_published_keys():
    token = sign_token({"a": 1}, typ="test")
    assert signing.token_key_id(token) == "ts2"  # the first key signs
    assert verify_token(token, typ="test") == {"a": 1}
    # a standard JWS: PyJWT verifies it with the JWKS entry alone
    [jwk] = [k for k in signing.jwks()["keys"] if k["kid"] == "ts2"]
    key = jwt.PyJWK(jwk)
    assert jwt.decode(token, key=key, algorithms=["EdDSA"]) == {"a": 1}


def test_a_rotated_key_still_verifies_what_it_signed_and_the_new_one_signs():
    old = sign_token({"a": 1}, typ="test")
    with override_settings(
        SSCARD_SIGNING_KEYS=[NEW, "ts2:74Ip8+8M+0hu3MlUuld0R5muQu6O01XrBkwCSIw8S5M="]
    ):
        assert verify_token(old, typ="test") == {"a": 1}
        assert signing.token_key_id(sign_token({"a": 1}, typ="test")) == "new1"
        assert [k["kid"] for k in signing.jwks()["keys"]] == ["new1", "ts2"]


def test_a_retired_public_key_still_verifies_but_signs_nothing():
    old = sign_token({"a": 1}, typ="test")
    public = signing.keyring().public["ts2"].jwk()["x"]
    raw = base64.urlsafe_b64decode(public + "=")
    retired = "ts2:" + base64.b64encode(raw).decode()
    with override_settings(SSCARD_SIGNING_KEYS=[NEW], SSCARD_SIGNING_RETIRED_KEYS=[retired]):
        assert verify_token(old, typ="test") == {"a": 1}
        assert "ts2" in {k["kid"] for k in signing.jwks()["keys"]}


@pytest.mark.parametrize(
    ("mangle", "code"),
    [
        (lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"), "bad_signature"),
        (lambda t: "garbage", "malformed"),
        (lambda t: "a.b.c", "malformed"),
        (lambda t: t + "." + t, "malformed"),
        (lambda t: "x" * 5000, "malformed"),
    ],
)
def test_a_tampered_or_garbage_token_is_refused_with_its_reason(mangle, code):
    token = sign_token({"a": 1}, typ="test")
    with pytest.raises(TokenError) as refused:
        verify_token(mangle(token), typ="test")
    assert refused.value.code == code


def test_a_token_signed_by_an_unknown_key_or_for_another_use_is_refused():
    stranger = Ed25519Signer("ts2", Ed25519PrivateKey.generate())  # same id, other key
    with pytest.raises(TokenError) as refused:
        verify_token(sign_token({"a": 1}, typ="test", signer=stranger), typ="test")
    assert refused.value.code == "bad_signature"
    unknown = Ed25519Signer("zz9", Ed25519PrivateKey.generate())
    with pytest.raises(TokenError) as refused:
        verify_token(sign_token({"a": 1}, typ="test", signer=unknown), typ="test")
    assert refused.value.code == "unknown_key"
    with pytest.raises(TokenError) as refused:
        verify_token(sign_token({"a": 1}, typ="receipt"), typ="test")
    assert refused.value.code == "wrong_type"


def test_a_malformed_key_setting_is_refused():
    with (
        override_settings(SSCARD_SIGNING_KEYS=["k1:dG9vLXNob3J0"]),
        pytest.raises(ImproperlyConfigured),
    ):
        signing.keyring()


@pytest.mark.django_db
def test_the_jwks_is_published_without_private_parts(client):
    answer = client.get("/.well-known/jwks.json")
    assert answer.status_code == 200
    keys = answer.json()["keys"]
    assert {k["kid"] for k in keys} == {"ts1", "ts2"}
    assert all(set(k) == {"kty", "crv", "kid", "alg", "use", "x"} for k in keys)
    assert "max-age=3600" in answer["Cache-Control"]


CRAFTED = crafted_tokens("test")


@pytest.mark.parametrize("token", CRAFTED.values(), ids=CRAFTED.keys())
def test_a_crafted_token_is_refused_as_not_ours_and_raises_nothing_else(token):
    with pytest.raises(TokenError) as refused:
        verify_token(token, typ="test")
    assert refused.value.code in {"malformed", "unknown_key", "wrong_type"}
    assert signing.token_key_id(token) in {"", "ts2"}


def test_the_key_id_is_read_only_from_a_token_of_readable_length():
    header = segment({"alg": "EdDSA", "kid": "ts2", "typ": "test"})
    assert signing.token_key_id(f"{header}.e30.AAAA") == "ts2"
    assert signing.token_key_id(f"{header}.{'A' * 5000}.AAAA") == ""


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.text(max_size=2100),
        st.tuples(st.binary(max_size=600), st.binary(max_size=600), st.binary(max_size=80)).map(
            lambda parts: ".".join(b64url(p) for p in parts)
        ),
        st.tuples(_json, _json).map(lambda parts: f"{segment(parts[0])}.{segment(parts[1])}.AAAA"),
        st.tuples(_json, st.sampled_from(["test", "other"])).map(
            lambda kid: segment({"alg": "EdDSA", "kid": kid[0], "typ": kid[1]}) + ".e30.AAAA"
        ),
    )
)
def test_no_token_makes_the_verifier_raise_anything_but_its_refusal(token):
    with pytest.raises(TokenError):
        verify_token(token, typ="test")
    kid = signing.token_key_id(token)
    assert kid == "" or (len(kid) <= 32 and kid.isascii())
