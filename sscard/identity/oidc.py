"""An OpenID Connect client for the real-name identity provider (人脸识别登录).

Authorization code flow with PKCE (S256), ``state`` and ``nonce``; the ID token's signature is
checked against the provider's JWKS and its ``iss``/``aud``/``exp``/``iat``/``nonce`` (and, when
configured, ``acr``) before anything is believed. One code path for every provider: the
built-in simulator is just another issuer.

HTTP goes through :func:`http_client`, built by a replaceable factory, so that tests route the
back channel to the Django application in-process (``httpx.WSGITransport``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
import jwt
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from sscard.core.http import http_client

logger = logging.getLogger("sscard.identity")

# Seconds of clock difference tolerated between the provider and us.
LEEWAY = 60
# How long a started login may take to come back, and how long discovery and keys are cached.
PENDING_MAX_AGE = 10 * 60
METADATA_TTL = 60 * 60
# How the client authenticates at the token endpoint (RFC 6749 §2.3.1; names, not secrets).
SECRET_BASIC = "client_secret_basic"  # noqa: S105
SECRET_POST = "client_secret_post"  # noqa: S105
# Never accepted, whatever the settings say: unsigned tokens and shared-secret signatures
# (a client secret must not be able to mint identities).
FORBIDDEN_ALGORITHMS = frozenset({"none", "HS256", "HS384", "HS512"})


class OIDCError(Exception):
    """The login cannot go on. ``code`` is a stable reason for logs, audit and tests;
    ``message`` is the Chinese sentence the citizen reads."""

    MESSAGES = {
        "unavailable": "人脸识别登录暂未开通，请使用账号密码登录。",
        "unreachable": "实名认证服务暂时无法访问，请稍后再试。",
        "denied": "您已取消人脸识别登录。",
        "state": "登录请求已失效或不是从本站发起的，请重新登录。",
        "expired_request": "登录请求已超时，请重新登录。",
        "provider_error": "实名认证服务未能完成认证，请重新登录。",
        "token": "实名认证服务未能完成登录，请重新登录。",
    }
    DEFAULT = "实名认证结果无法验证，请重新登录。"

    def __init__(self, code: str, *, detail: str = "") -> None:
        self.code = code
        self.message = self.MESSAGES.get(code, self.DEFAULT)
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass(frozen=True)
class Provider:
    """Where and how to log in; built from settings by :func:`provider_for`."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    scopes: str = "openid profile"
    name_claim: str = "name"
    id_number_claim: str = "id_number"
    algorithms: tuple[str, ...] = ("RS256", "ES256", "PS256")
    token_auth_method: str = SECRET_BASIC
    acr_values: tuple[str, ...] = ()
    authorization_endpoint: str = ""
    token_endpoint: str = ""
    jwks_uri: str = ""
    timeout: float = 5.0


@dataclass(frozen=True)
class Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(frozen=True)
class VerifiedIdentity:
    """What a verified ID token says about the person. Personal data stays out of ``repr``."""

    issuer: str
    subject: str
    name: str = field(repr=False)
    id_number: str = field(repr=False)
    acr: str = ""


# --- configuration -------------------------------------------------------------------------


def provider_for(request: HttpRequest) -> Provider | None:
    """The configured provider, the built-in simulator when it is on and no issuer is set,
    or ``None`` when face login is not available here."""
    redirect_uri = settings.SSCARD_OIDC_REDIRECT_URI or request.build_absolute_uri(
        reverse("identity:callback")
    )
    common: dict[str, Any] = {
        "redirect_uri": redirect_uri,
        "timeout": settings.SSCARD_OIDC_TIMEOUT,
        "acr_values": tuple(settings.SSCARD_OIDC_ACR_VALUES),
    }
    if settings.SSCARD_OIDC_ISSUER:
        return Provider(
            issuer=settings.SSCARD_OIDC_ISSUER,
            client_id=settings.SSCARD_OIDC_CLIENT_ID,
            client_secret=settings.SSCARD_OIDC_CLIENT_SECRET,
            scopes=settings.SSCARD_OIDC_SCOPES,
            name_claim=settings.SSCARD_OIDC_NAME_CLAIM,
            id_number_claim=settings.SSCARD_OIDC_ID_NUMBER_CLAIM,
            algorithms=tuple(
                a for a in settings.SSCARD_OIDC_ALGORITHMS if a not in FORBIDDEN_ALGORITHMS
            ),
            token_auth_method=settings.SSCARD_OIDC_TOKEN_AUTH_METHOD,
            authorization_endpoint=settings.SSCARD_OIDC_AUTHORIZATION_ENDPOINT,
            token_endpoint=settings.SSCARD_OIDC_TOKEN_ENDPOINT,
            jwks_uri=settings.SSCARD_OIDC_JWKS_URI,
            **common,
        )
    if settings.SSCARD_IDP_SIMULATOR:
        from sscard.identity.simulator import keys

        return Provider(
            issuer=keys.issuer_for(request),
            client_id=keys.CLIENT_ID,
            client_secret=keys.client_secret(),
            scopes="openid profile",
            name_claim=keys.NAME_CLAIM,
            id_number_claim=keys.ID_NUMBER_CLAIM,
            algorithms=(keys.ALGORITHM,),
            **common,
        )
    return None


# --- discovery and keys --------------------------------------------------------------------

_cache_lock = threading.Lock()
_metadata_cache: dict[str, tuple[float, Metadata]] = {}
_jwks_cache: dict[str, tuple[float, jwt.PyJWKSet]] = {}


def clear_caches() -> None:
    with _cache_lock:
        _metadata_cache.clear()
        _jwks_cache.clear()


def _get_json(url: str, *, timeout: float, what: str) -> dict[str, Any]:
    try:
        with http_client(timeout) as client:
            response = client.get(url)
    except httpx.HTTPError as exc:
        logger.warning("oidc.unreachable what=%s error=%s", what, type(exc).__name__)
        raise OIDCError("unreachable", detail=what) from exc
    if response.status_code != 200:
        logger.warning("oidc.unreachable what=%s status=%s", what, response.status_code)
        raise OIDCError("unreachable", detail=f"{what} {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise OIDCError("unreachable", detail=f"{what} not JSON") from exc
    if not isinstance(body, dict):
        raise OIDCError("unreachable", detail=f"{what} not an object")
    return body


def metadata(provider: Provider) -> Metadata:
    """The provider's endpoints: explicit ones from the settings, else discovery (cached)."""
    if provider.authorization_endpoint and provider.token_endpoint and provider.jwks_uri:
        return Metadata(
            provider.issuer,
            provider.authorization_endpoint,
            provider.token_endpoint,
            provider.jwks_uri,
        )
    now = time.monotonic()
    with _cache_lock:
        cached = _metadata_cache.get(provider.issuer)
    if cached and cached[0] > now:
        return cached[1]
    url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
    doc = _get_json(url, timeout=provider.timeout, what="discovery")
    # OpenID Connect Discovery §4.3: the document must name the issuer we asked.
    if doc.get("issuer") != provider.issuer:
        logger.warning("oidc.rejected reason=discovery_issuer issuer=%s", provider.issuer)
        raise OIDCError("issuer", detail="discovery issuer mismatch")
    try:
        found = Metadata(
            issuer=doc["issuer"],
            authorization_endpoint=str(doc["authorization_endpoint"]),
            token_endpoint=str(doc["token_endpoint"]),
            jwks_uri=str(doc["jwks_uri"]),
        )
    except KeyError as exc:
        raise OIDCError("unreachable", detail="discovery incomplete") from exc
    endpoints = (found.authorization_endpoint, found.token_endpoint, found.jwks_uri)
    if settings.SSCARD_ENV == "production" and any(
        urlsplit(url).scheme != "https" for url in endpoints
    ):
        logger.warning("oidc.rejected reason=endpoint_not_https issuer=%s", provider.issuer)
        raise OIDCError("unreachable", detail="discovered endpoint without https")
    with _cache_lock:
        _metadata_cache[provider.issuer] = (now + METADATA_TTL, found)
    return found


def _jwks(provider: Provider, meta: Metadata, *, refresh: bool = False) -> jwt.PyJWKSet:
    now = time.monotonic()
    with _cache_lock:
        cached = _jwks_cache.get(meta.jwks_uri)
    if cached and cached[0] > now and not refresh:
        return cached[1]
    doc = _get_json(meta.jwks_uri, timeout=provider.timeout, what="jwks")
    try:
        keyset = jwt.PyJWKSet.from_dict(doc)
    except jwt.PyJWTError as exc:
        raise OIDCError("unreachable", detail="jwks unusable") from exc
    with _cache_lock:
        _jwks_cache[meta.jwks_uri] = (now + METADATA_TTL, keyset)
    return keyset


def _signing_key(provider: Provider, meta: Metadata, kid: str | None) -> jwt.PyJWK:
    """The provider's key named by the token; the key set is fetched again once when the kid
    is unknown (the provider rotated its keys)."""
    for refresh in (False, True):
        keys = _jwks(provider, meta, refresh=refresh).keys
        if kid is None and len(keys) == 1:
            return keys[0]
        for key in keys:
            if kid is not None and key.key_id == kid:
                return key
    raise OIDCError("signature", detail="unknown key id")


# --- the flow ------------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def pkce_challenge(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode()).digest())


def begin(provider: Provider, *, next_url: str) -> tuple[str, dict[str, Any]]:
    """The provider's authorization URL to send the browser to, and what the callback needs
    to check the answer (kept server-side in the session, keyed by ``state``)."""
    meta = metadata(provider)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": provider.redirect_uri,
        "scope": provider.scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": pkce_challenge(verifier),
        "code_challenge_method": "S256",
    }
    if provider.acr_values:
        params["acr_values"] = " ".join(provider.acr_values)
    separator = "&" if "?" in meta.authorization_endpoint else "?"
    pending = {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "issuer": provider.issuer,
        "redirect_uri": provider.redirect_uri,
        "next": next_url,
        "started": time.time(),
    }
    return meta.authorization_endpoint + separator + urlencode(params), pending


def finish(provider: Provider, *, pending: dict[str, Any], code: str) -> VerifiedIdentity:
    """Redeem ``code`` at the token endpoint and verify the ID token it returns."""
    if pending.get("issuer") != provider.issuer:
        raise OIDCError("state", detail="started with another provider")
    if time.time() - float(pending.get("started", 0)) > PENDING_MAX_AGE:
        raise OIDCError("expired_request")
    meta = metadata(provider)
    tokens = _redeem(provider, meta, code=code, pending=pending)
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise OIDCError("token", detail="no id_token")
    claims = verify_id_token(provider, meta, id_token, nonce=str(pending["nonce"]))
    name = claims.get(provider.name_claim)
    id_number = claims.get(provider.id_number_claim)
    if not isinstance(name, str) or not name or not isinstance(id_number, str) or not id_number:
        logger.warning("oidc.rejected reason=claims_missing issuer=%s", provider.issuer)
        raise OIDCError("claims", detail="name or ID number missing")
    return VerifiedIdentity(
        issuer=provider.issuer,
        subject=claims["sub"],
        name=name,
        id_number=id_number,
        acr=str(claims.get("acr", "")),
    )


def _redeem(
    provider: Provider, meta: Metadata, *, code: str, pending: dict[str, Any]
) -> dict[str, Any]:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": pending["redirect_uri"],
        "code_verifier": pending["verifier"],
    }
    headers: dict[str, str] = {}
    if provider.token_auth_method == SECRET_POST:
        data |= {"client_id": provider.client_id, "client_secret": provider.client_secret}
    else:  # client_secret_basic: RFC 6749 §2.3.1 form-encodes both before Basic
        pair = f"{quote(provider.client_id, safe='')}:{quote(provider.client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    try:
        with http_client(provider.timeout) as client:
            response = client.post(meta.token_endpoint, data=data, headers=headers)
    except httpx.HTTPError as exc:
        logger.warning("oidc.unreachable what=token error=%s", type(exc).__name__)
        raise OIDCError("unreachable", detail="token") from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or not isinstance(body, dict):
        error = body.get("error", "") if isinstance(body, dict) else ""
        logger.warning(
            "oidc.rejected reason=token_endpoint status=%s error=%s",
            response.status_code,
            str(error)[:40],
        )
        raise OIDCError("token", detail=f"{response.status_code} {error}")
    return body


def verify_id_token(
    provider: Provider, meta: Metadata, token: str, *, nonce: str
) -> dict[str, Any]:
    """The token's claims, or :class:`OIDCError` naming the first check it failed."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise _rejected(provider, "malformed") from exc
    alg = header.get("alg")
    if alg not in provider.algorithms or alg in FORBIDDEN_ALGORITHMS:
        raise _rejected(provider, "algorithm")
    key = _signing_key(provider, meta, header.get("kid"))
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key.key,
            algorithms=[alg],
            audience=provider.client_id,
            issuer=provider.issuer,
            leeway=LEEWAY,
            options={"require": ["iss", "sub", "aud", "exp", "iat", "nonce"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise _rejected(provider, "expired") from exc
    except jwt.InvalidAudienceError as exc:
        raise _rejected(provider, "audience") from exc
    except jwt.InvalidIssuerError as exc:
        raise _rejected(provider, "issuer") from exc
    except jwt.InvalidSignatureError as exc:
        raise _rejected(provider, "signature") from exc
    except jwt.ImmatureSignatureError as exc:  # iat (or nbf) in the future
        raise _rejected(provider, "issued_at") from exc
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise _rejected(provider, "invalid") from exc
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != provider.client_id:
        raise _rejected(provider, "audience")
    if not isinstance(claims["iat"], int | float) or claims["iat"] > time.time() + LEEWAY:
        raise _rejected(provider, "issued_at")
    if not hmac.compare_digest(str(claims["nonce"]), nonce):
        raise _rejected(provider, "nonce")
    subject = claims["sub"]
    if not isinstance(subject, str) or not 0 < len(subject) <= 255:
        raise _rejected(provider, "subject")
    if provider.acr_values and claims.get("acr") not in provider.acr_values:
        raise _rejected(provider, "acr")
    return claims


def _rejected(provider: Provider, reason: str) -> OIDCError:
    logger.warning("oidc.rejected reason=%s issuer=%s", reason, provider.issuer)
    return OIDCError(reason)
