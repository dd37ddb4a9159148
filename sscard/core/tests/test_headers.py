"""What every response says about caching and methods, whichever view answers."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
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
