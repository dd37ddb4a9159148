"""The service's public signatures: a token verifies with the published keys only, names the
key that signed it, and keeps verifying after its key is rotated out of first place."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import jwt
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from sscard.core import signing
from sscard.core.signing import Ed25519Signer, TokenError, b64url, sign_token, verify_token
from sscard.ecard.services import Outcome, ecard_show, ecard_verify
from sscard.testing.factories import CardFactory, UserFactory
from sscard.testing.factories.people import requester_for
from sscard.testing.tokens import crafted_tokens, segment

NEW = "new1:" + signing.generate_key()
TS2 = "74Ip8+8M+0hu3MlUuld0R5muQu6O01XrBkwCSIw8S5M="  # the test settings' second key
ED25519_TS2 = Ed25519PrivateKey.from_private_bytes(base64.b64decode(TS2))


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
    with override_settings(SSCARD_SIGNING_KEYS=[NEW, f"ts2:{TS2}"]):
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


# ---------------------------------------------------------------------------------------------
# The signer is replaceable: an ECDSA P-256 key (JWS "ES256") behind the same two interfaces
# stands in for a national SM2 device; nothing that makes or checks tokens changes.


@dataclass(frozen=True)
class P256Verifier:
    key_id: str
    key: ec.EllipticCurvePublicKey
    algorithm: str = "ES256"

    def verify(self, signature: bytes, data: bytes) -> bool:
        if len(signature) != 64:  # JWS: r and s, 32 bytes each (RFC 7518 §3.4)
            return False
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        try:
            self.key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True

    def jwk(self) -> dict[str, str]:
        numbers = self.key.public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "kid": self.key_id,
            "alg": self.algorithm,
            "use": "sig",
            "x": b64url(numbers.x.to_bytes(32, "big")),
            "y": b64url(numbers.y.to_bytes(32, "big")),
        }


@dataclass(frozen=True)
class P256Signer:
    key_id: str
    key: ec.EllipticCurvePrivateKey
    algorithm: str = "ES256"

    def sign(self, data: bytes) -> bytes:
        r, s = decode_dss_signature(self.key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def public(self) -> P256Verifier:
        return P256Verifier(self.key_id, self.key.public_key())


@pytest.fixture
def p256(monkeypatch):
    """The service's keyring made of a P-256 key (and the Ed25519 key before it, retired)."""
    signer = P256Signer("p256-1", ec.generate_private_key(ec.SECP256R1()))
    ring = signing.Keyring(
        signer=signer,
        public={"p256-1": signer.public(), "ts2": signing.keyring().public["ts2"]},
    )
    monkeypatch.setattr(signing, "keyring", lambda: ring)
    return signer


@pytest.mark.django_db
def test_an_ecdsa_p256_signer_plugs_in_behind_the_same_interface(client, p256):
    older = sign_token({"a": 1}, typ="test", signer=Ed25519Signer("ts2", ED25519_TS2))
    token = sign_token({"a": 2}, typ="test")
    assert signing.token_key_id(token) == "p256-1"
    assert verify_token(token, typ="test") == {"a": 2}
    assert verify_token(older, typ="test") == {"a": 1}  # the key it replaced still verifies
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(TokenError) as refused:
        verify_token(tampered, typ="test")
    assert refused.value.code == "bad_signature"
    # published in the JWKS, and a standard ES256 JWS to anyone holding it
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert [k["kid"] for k in keys] == ["p256-1", "ts2"] and keys[0]["kty"] == "EC"
    assert jwt.decode(token, key=jwt.PyJWK(keys[0]), algorithms=["ES256"]) == {"a": 2}


@pytest.mark.django_db
def test_an_e_card_code_signed_by_the_replacement_verifies_at_the_counter(p256):
    user = UserFactory()
    card = CardFactory(person=user.person)
    shown = ecard_show(requester=requester_for(user), card=card)
    assert jwt.get_unverified_header(shown.token)["alg"] == "ES256"
    answer = ecard_verify(token=shown.token, verifier="staff:1", actor=None)
    assert answer.outcome == Outcome.VALID
