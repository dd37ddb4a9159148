"""What every response says about caching and methods, whichever view answers."""

from __future__ import annotations

from typing import Any

import pytest
from csp import utils as csp_utils
from csp.constants import NONCE
from csp.decorators import csp_exempt, csp_update
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.utils.module_loading import import_string
from django.views.decorators.cache import cache_control

from sscard.core.middleware import PrivateNoStoreMiddleware
from sscard.testing.sessions import sign_in


@pytest.mark.django_db
def test_a_signed_in_persons_message_centre_is_never_stored(client: Client, citizen):
    sign_in(client, citizen)
    response = client.get("/messages/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_an_anonymous_visitors_home_page_is_left_as_the_view_made_it(client: Client):
    response = client.get("/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["TRACE", "TRACK", "CONNECT", "PUT", "DELETE", "PROPFIND"])
def test_methods_no_view_serves_answer_405_with_allow(client: Client, method: str):
    response = client.generic(method, "/")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"


@pytest.mark.django_db
def test_trace_is_refused_on_the_partner_api_and_the_back_office_too(client: Client):
    for path in ("/partner/api/v1/batches", "/staff/", "/messages/"):
        assert client.generic("TRACE", path).status_code == 405, path


def test_a_view_that_may_be_cached_says_so_and_the_middleware_leaves_it_alone(
    django_user_model,
):
    @cache_control(private=True, max_age=300)
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = django_user_model(pk=1)  # an authenticated user (not saved: no database)
    response = PrivateNoStoreMiddleware(view)(request)
    assert "no-store" not in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    plain = PrivateNoStoreMiddleware(lambda r: HttpResponse("ok"))(request)
    assert plain["Cache-Control"] == "private, no-store"


# --- Content-Security-Policy: built once per process, a nonce still new in every response -----


def _policy(response: Any) -> dict[str, str]:
    """The response's Content-Security-Policy by directive (their order is not fixed)."""
    parts = (part.strip().partition(" ") for part in response["Content-Security-Policy"].split(";"))
    return {name: value for name, _, value in parts}


def _csp_middleware(view: Any) -> Any:
    """The CSP middleware the settings install, around ``view``."""
    path = next(name for name in settings.MIDDLEWARE if name.endswith("CSPMiddleware"))
    return import_string(path)(view)


@pytest.mark.django_db
def test_the_policy_is_built_once_however_many_pages_are_served(
    client: Client, settings, monkeypatch
):
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": ["'self'"], "object-src": ["'none'"]}
    }
    built = []
    original = csp_utils.default_config

    def counted(directives: Any) -> Any:
        built.append(directives)
        return original(directives)

    monkeypatch.setattr(csp_utils, "default_config", counted)
    for _ in range(3):
        response = client.get("/")
        assert _policy(response) == {"default-src": "'self'", "object-src": "'none'"}
    assert len(built) == 1


def test_a_nonce_a_page_uses_is_in_its_own_header_and_new_every_time(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}

    def page(request: HttpRequest) -> HttpResponse:
        return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')  # type: ignore[attr-defined]

    middleware = _csp_middleware(page)
    nonces = []
    for _ in range(2):
        response = middleware(RequestFactory().get("/"))
        nonce = response.content.decode().split('"')[1]
        assert _policy(response)["script-src"] == f"'self' 'nonce-{nonce}'"
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_a_page_that_changes_the_policy_gets_its_own_and_the_next_one_the_settings(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"img-src": ["'self'"]}}

    @csp_update({"img-src": "https://maps.example"})
    def map_page(request: HttpRequest) -> HttpResponse:
        return HttpResponse("map")

    changed = _csp_middleware(map_page)(RequestFactory().get("/"))
    assert _policy(changed)["img-src"] == "'self' https://maps.example"
    plain = _csp_middleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
    assert _policy(plain)["img-src"] == "'self'"


def test_a_page_exempt_from_the_policy_or_under_an_excluded_prefix_has_none(settings):
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"img-src": ["'self'"]},
        "EXCLUDE_URL_PREFIXES": ["/plain/"],
    }

    @csp_exempt()
    def exempt(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    assert "Content-Security-Policy" not in _csp_middleware(exempt)(RequestFactory().get("/"))
    excluded = _csp_middleware(lambda request: HttpResponse("ok"))
    assert "Content-Security-Policy" not in excluded(RequestFactory().get("/plain/x"))
    assert _policy(excluded(RequestFactory().get("/x")))["img-src"] == "'self'"
