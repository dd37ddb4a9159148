"""The face login's back channel (discovery, token, JWKS) routed in-process to the Django
application with ``httpx.WSGITransport``, and a walker for the simulated provider's screens
driven by Django's test client, as a browser would: the fixtures ``back_channel`` and ``walk``
(the conftests of sscard/identity/tests and sscard/web/tests import them)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import Client

from sscard.identity import oidc
from sscard.testing import faces, http

Rewrite = Callable[[str], str]


class BackChannel(http.BackChannel):
    """The provider as the client reaches it; ``rewrite_id_token`` lets a test play a
    provider (or a man in the middle) that returns a doctored ID token."""

    def __init__(self) -> None:
        super().__init__()
        self.rewrite_id_token: Rewrite | None = None

    def rewrite(self, request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path.endswith("/token") and self.rewrite_id_token is not None:
            response.read()
            if response.status_code == 200:
                body = json.loads(response.content)
                body["id_token"] = self.rewrite_id_token(body["id_token"])
                return httpx.Response(200, json=body)
        return response


@pytest.fixture
def back_channel() -> Iterator[BackChannel]:
    transport = BackChannel()
    oidc.clear_caches()
    try:
        with http.back_channel_routed(transport):
            yield transport
    finally:
        oidc.clear_caches()


@dataclass
class Walk:
    """One browser going through 人脸识别登录 with the simulated provider."""

    client: Client

    def start(self, next_url: str | None = "/") -> httpx.URL:
        response = self.client.get("/login/face/", {"next": next_url} if next_url else {})
        assert response.status_code == 302, response.content.decode()[:500]
        return httpx.URL(response["Location"])

    def authorize(self, url: httpx.URL):
        return self.client.get(url.path, dict(url.params))

    def identity(self, name: str, id_number: str, *, consent: bool = True):
        data = {"name": name, "id_number": id_number} | ({"consent": "on"} if consent else {})
        return self.client.post("/idp-sim/identity/", data)

    def face(self, photo: bytes | None = None, *, consent: bool = True, name="selfie.jpg"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data: dict[str, object] = {"consent": "on"} if consent else {}
        if photo is not None:
            data["selfie"] = SimpleUploadedFile(name, photo, content_type="image/jpeg")
        return self.client.post("/idp-sim/face/", data)

    def callback(self, url: str):
        parts = urlsplit(url)
        return self.client.get(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})

    def to_return_url(self, name: str, id_number: str, next_url: str | None = "/") -> str:
        """Everything up to the provider's “返回揭阳智慧人社” link."""
        response = self.authorize(self.start(next_url))
        if response["Location"].endswith("/identity/"):
            self.identity(name, id_number)
        done = self.face(faces.one_face())
        assert done.status_code == 200, _errors(done)
        return done.context["return_url"]

    def login(self, name: str, id_number: str, next_url: str | None = "/"):
        return self.callback(self.to_return_url(name, id_number, next_url))


def _errors(response) -> str:
    return " ".join(re.findall(r'class="idp-error"[^>]*>([^<]*)<', response.content.decode()))


@pytest.fixture
def walk(client, back_channel) -> Walk:
    return Walk(client)


def page_errors(response) -> list[str]:
    return re.findall(r'class="idp-error"[^>]*>([^<]*)<', response.content.decode())
