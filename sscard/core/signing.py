"""The service's signatures that anyone can check: the 电子社保卡's QR code, the receipts'
verification codes and the QR codes of 网点预约 bookings. Asymmetric (Ed25519 from
``cryptography``), so a verifier needs only the public keys, which the service publishes as a
JWKS (``/.well-known/jwks.json``).

Keys come from the environment like the data keys: ``SSCARD_SIGNING_KEYS`` is a comma-separated
list of ``id:base64(32-byte Ed25519 private key)``. The first key signs; every listed key
verifies, so a key rotates by putting a new one first and keeping the old one listed until the
tokens it signed have lapsed (an ID card token lasts a minute; a receipt as long as the old key
stays listed). ``SSCARD_SIGNING_RETIRED_KEYS`` lists public keys only (``id:base64(32 bytes)``):
keys whose private half is gone, still published and still verifying.

Tokens are compact JWS (RFC 7515): ``base64url(header).base64url(payload).base64url(sig)`` with
the header ``{"alg": "EdDSA", "kid": …, "typ": …}``, so standard libraries (PyJWT, jose) verify
them offline. The signer sits behind :class:`Signer`: a national SM2 signer (a certified
crypto device) replaces :class:`Ed25519Signer` by giving the same three things.
"""

from __future__ import annotations

import base64
import binascii
import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ALGORITHM = "EdDSA"
# a token longer than this is refused unread (a QR code holds at most ~3 KB anyway)
MAX_TOKEN_LENGTH = 2048


class Signer(Protocol):
    """What the tokens need of a signing key: its id, its JWS algorithm, a signature."""

    @property
    def key_id(self) -> str: ...

    @property
    def algorithm(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


class PublicKey(Protocol):
    """What verifying needs of a public key, and its entry in the JWKS."""

    @property
    def key_id(self) -> str: ...

    @property
    def algorithm(self) -> str: ...

    def verify(self, signature: bytes, data: bytes) -> bool: ...

    def jwk(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class Ed25519Verifier:
    key_id: str
    key: Ed25519PublicKey
    algorithm: str = ALGORITHM

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            self.key.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def jwk(self) -> dict[str, str]:
        raw = self.key.public_bytes_raw()
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "kid": self.key_id,
            "alg": self.algorithm,
            "use": "sig",
            "x": b64url(raw),
        }


@dataclass(frozen=True)
class Ed25519Signer:
    key_id: str
    key: Ed25519PrivateKey
    algorithm: str = ALGORITHM

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)

    def public(self) -> Ed25519Verifier:
        return Ed25519Verifier(self.key_id, self.key.public_key())


class TokenError(Exception):
    """A token that does not verify; ``code`` says why (the callers word it for people)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


MALFORMED = "malformed"
UNKNOWN_KEY = "unknown_key"
BAD_SIGNATURE = "bad_signature"
WRONG_TYPE = "wrong_type"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_BASE64URL = frozenset(string.ascii_letters + string.digits + "-_")


def b64url_decode(text: str) -> bytes:
    if not text or not _BASE64URL.issuperset(text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_key() -> str:
    """A new private key as ``SSCARD_SIGNING_KEYS`` holds it (without the id)."""
    from cryptography.hazmat.primitives import serialization

    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.b64encode(raw).decode()


def _parse(entry: str, name: str) -> tuple[str, bytes]:
    key_id, _, encoded = entry.strip().partition(":")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if not key_id or len(key_id) > 32 or not key_id.replace("-", "").isalnum() or len(raw) != 32:
        raise ImproperlyConfigured(f"each {name} entry is id:base64(32 bytes)")
    return key_id, raw


@dataclass(frozen=True)
class Keyring:
    signer: Signer
    public: Mapping[str, PublicKey]


@cache
def _keyring(active: tuple[str, ...], retired: tuple[str, ...]) -> Keyring:
    if not active:
        raise ImproperlyConfigured("SSCARD_SIGNING_KEYS must name at least one key")
    signers = [
        Ed25519Signer(key_id, Ed25519PrivateKey.from_private_bytes(raw))
        for key_id, raw in (_parse(e, "SSCARD_SIGNING_KEYS") for e in active)
    ]
    public: dict[str, PublicKey] = {s.key_id: s.public() for s in signers}
    for entry in retired:
        key_id, raw = _parse(entry, "SSCARD_SIGNING_RETIRED_KEYS")
        public.setdefault(key_id, Ed25519Verifier(key_id, Ed25519PublicKey.from_public_bytes(raw)))
    return Keyring(signer=signers[0], public=public)


def keyring() -> Keyring:
    return _keyring(
        tuple(e for e in settings.SSCARD_SIGNING_KEYS if e.strip()),
        tuple(e for e in getattr(settings, "SSCARD_SIGNING_RETIRED_KEYS", ()) if e.strip()),
    )


def jwks() -> dict[str, Any]:
    """The public keys, as a JSON Web Key Set (RFC 7517), the signing key first."""
    ring = keyring()
    return {"keys": [key.jwk() for key in ring.public.values()]}


def _json(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def sign_token(payload: Mapping[str, Any], *, typ: str, signer: Signer | None = None) -> str:
    """A compact JWS of ``payload`` signed by the current key (or ``signer``)."""
    signer = signer or keyring().signer
    header = {"alg": signer.algorithm, "kid": signer.key_id, "typ": typ}
    signing_input = b64url(_json(header)) + "." + b64url(_json(payload))
    return signing_input + "." + b64url(signer.sign(signing_input.encode()))


def _segments(token: str) -> list[str]:
    """The three parts of a compact JWS; :class:`TokenError` ``malformed`` for anything that
    cannot be one (empty, too long to read, another number of parts)."""
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise TokenError(MALFORMED)
    return token.split(".")


def _json_object(segment: str) -> dict[str, Any]:
    """A base64url segment holding a JSON object, in UTF-8 as RFC 7515 says; every way a
    crafted segment can fail to be one is ``malformed``: not base64url, not UTF-8, not JSON, a
    number too long to convert, nesting deeper than Python's recursion limit (the length cap
    leaves room for some 1,500 ``[``), or JSON that is not an object."""
    try:
        value = json.loads(b64url_decode(segment).decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise TokenError(MALFORMED) from exc
    if not isinstance(value, dict):
        raise TokenError(MALFORMED)
    return value


def _key_id(header: Mapping[str, Any]) -> str:
    """The header's ``kid`` when it can name a key (the characters the key settings allow);
    '' otherwise — a crafted id (a list, a NUL, a megabyte) never reaches a log or the audit."""
    kid = header.get("kid")
    if isinstance(kid, str) and 0 < len(kid) <= 32 and _BASE64URL.issuperset(kid):
        return kid
    return ""


def token_key_id(token: str) -> str:
    """The key id a token names (before any check), or '' when it names none or is not a
    token at all (read with the same limits as :func:`verify_token`)."""
    try:
        return _key_id(_json_object(_segments(token)[0]))
    except TokenError:
        return ""


def verify_token(token: str, *, typ: str) -> dict[str, Any]:
    """The payload of a token this service signed for ``typ``; :class:`TokenError` with
    ``malformed``, ``wrong_type``, ``unknown_key`` or ``bad_signature`` otherwise, and no
    other exception whatever the token holds. Times are the caller's to check (their answers
    differ)."""
    head, body, sig = _segments(token)
    header = _json_object(head)
    payload = _json_object(body)
    try:
        signature = b64url_decode(sig)
    except ValueError as exc:
        raise TokenError(MALFORMED) from exc
    if header.get("typ") != typ:
        raise TokenError(WRONG_TYPE)
    key = keyring().public.get(_key_id(header))
    if key is None:
        raise TokenError(UNKNOWN_KEY)
    if header.get("alg") != key.algorithm or not key.verify(signature, f"{head}.{body}".encode()):
        raise TokenError(BAD_SIGNATURE)
    return payload
