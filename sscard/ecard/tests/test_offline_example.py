"""The README's offline verification example, run as written against the service's JWKS: a
fresh code verifies, the same code again is refused, an expired or foreign one too."""

from __future__ import annotations

import io
import re
import urllib.request
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from sscard.core import signing
from sscard.ecard.services import TOKEN_TYPE, ecard_show
from sscard.testing.factories import CardFactory, UserFactory
from sscard.testing.factories.people import requester_for

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[3] / "README.md"


def _example() -> str:
    section = README.read_text().split("## 电子社保卡 and verifiable receipts", 1)[1]
    [code] = re.findall(r"```python\n(.*?)```", section.split("### Receipts", 1)[0], re.S)
    return code


def test_the_readme_example_is_about_twenty_lines_and_verifies_offline(client, monkeypatch):
    code = _example()
    assert len(code.strip().splitlines()) <= 30
    jwks = client.get("/.well-known/jwks.json").content
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: io.BytesIO(jwks))
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 — the README's own code
    verify = namespace["verify"]

    user = UserFactory()
    card = CardFactory(person=user.person)
    token = ecard_show(requester=requester_for(user), card=card).token
    claims = verify(token)
    assert claims["card"] == card.pk and set(claims) == {"card", "hh", "iat", "exp", "nonce"}
    with pytest.raises(ValueError, match="已核验过"):
        verify(token)
    late = ecard_show(requester=requester_for(user), card=card).token
    with (
        time_machine.travel(timezone.now() + timedelta(seconds=120)),
        pytest.raises(jwt.ExpiredSignatureError),
    ):
        verify(late)
    stranger = signing.Ed25519Signer("zz9", Ed25519PrivateKey.generate())
    with pytest.raises(ValueError, match="签名密钥未知"):
        verify(signing.sign_token(dict(claims, nonce="x"), typ=TOKEN_TYPE, signer=stranger))
    impostor = signing.Ed25519Signer("ts2", Ed25519PrivateKey.generate())
    with pytest.raises(jwt.InvalidSignatureError):
        verify(signing.sign_token(dict(claims, nonce="y"), typ=TOKEN_TYPE, signer=impostor))
