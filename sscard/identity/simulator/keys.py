"""The simulated provider's identity: its issuer URL, its one registered client, its signing
key and its subject identifiers — all derived from SECRET_KEY, so nothing is stored and every
process of one deployment agrees."""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import cache

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from sscard.core.crypto import blind_index

CLIENT_ID = "sscard-portal"
ALGORITHM = "ES256"
NAME_CLAIM = "name"
ID_NUMBER_CLAIM = "id_number"
ACR = "urn:sscard:idp-sim:face"

# Order of the P-256 group: a private scalar lies in [1, n - 1].
_P256_ORDER = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)


def issuer_for(request: HttpRequest) -> str:
    """``<scheme>://<host>/idp-sim``: the simulator is an issuer on this site's own host."""
    return request.build_absolute_uri(reverse("idp_sim:index")).rstrip("/")


def _derive(purpose: bytes, length: int = 32) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=b"sscard.idp-sim", info=purpose
    ).derive(settings.SECRET_KEY.encode())


def client_secret() -> str:
    return _derive(b"client-secret").hex()


@cache
def _private_key(secret_key: str) -> ec.EllipticCurvePrivateKey:
    seed = int.from_bytes(_derive(b"es256-signing-key", 48), "big")
    return ec.derive_private_key(seed % (_P256_ORDER - 1) + 1, ec.SECP256R1())


def private_key() -> ec.EllipticCurvePrivateKey:
    return _private_key(settings.SECRET_KEY)


def public_jwk() -> dict[str, str]:
    jwk: dict[str, str] = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private_key().public_key()))
    # RFC 7638 thumbprint as the key id: it changes when SECRET_KEY (and so the key) does.
    canonical = json.dumps(
        {k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True
    )
    thumbprint = jwt.utils.base64url_encode(hashlib.sha256(canonical.encode()).digest())
    return jwk | {"kid": thumbprint.decode(), "use": "sig", "alg": ALGORITHM}


def subject_for(id_number: str) -> str:
    """A pairwise-stable pseudonym: the same person always gets the same ``sub``, and the
    ``sub`` does not reveal the ID number."""
    return blind_index(id_number, purpose="idp-sim-subject")


def sign(claims: dict[str, object]) -> str:
    return jwt.encode(
        claims, private_key(), algorithm=ALGORITHM, headers={"kid": public_jwk()["kid"]}
    )


def secret_matches(candidate: str) -> bool:
    return hmac.compare_digest(candidate.encode(), client_secret().encode())
