"""``{% url %}`` reverses a link without arguments once a process (``linked_once``): the links
must still follow the URL configuration in force and the prefix the site is served under."""

from __future__ import annotations

import re

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, path, set_script_prefix, set_urlconf


def view(request: HttpRequest, n: int = 0) -> HttpResponse:
    return HttpResponse()


class First:
    urlpatterns = [path("first/", view, name="page"), path("item/<int:n>/", view, name="item")]


class Second:
    urlpatterns = [path("second/", view, name="page"), path("thing/<int:n>/", view, name="item")]


LINKS = Template("{% url 'page' %} {% url 'item' 7 %}")


def links() -> str:
    return LINKS.render(Context())


def test_links_follow_the_url_configuration_in_force():
    with override_settings(ROOT_URLCONF=First):
        assert links() == "/first/ /item/7/"
    with override_settings(ROOT_URLCONF=Second):
        assert links() == "/second/ /thing/7/"
    with override_settings(ROOT_URLCONF=First):
        assert links() == "/first/ /item/7/"
        set_urlconf(Second)  # a request's own URL configuration (request.urlconf)
        try:
            assert links() == "/second/ /thing/7/"
        finally:
            set_urlconf(None)
        assert links() == "/first/ /item/7/"


def test_links_carry_the_prefix_the_site_is_served_under():
    with override_settings(ROOT_URLCONF=First):
        set_script_prefix("/city/")
        try:
            assert links() == "/city/first/ /city/item/7/"
        finally:
            set_script_prefix("/")
        assert links() == "/first/ /item/7/"


def test_a_missing_name_fails_loudly_or_leaves_the_variable_empty():
    with override_settings(ROOT_URLCONF=First):
        with pytest.raises(NoReverseMatch):
            Template("{% url 'nowhere' %}").render(Context())
        kept = Template("[{% url 'nowhere' as there %}{{ there }}]")
        assert kept.render(Context()) == "[]"
        assert Template("{% url 'page' as p %}<{{ p }}>").render(Context()) == "</first/>"


def home_page(script_name: str) -> str:
    """The home page as a WSGI server hands it over (Django's test client sets no prefix)."""
    environ = RequestFactory().get("/", SCRIPT_NAME=script_name).environ
    statuses: list[str] = []
    body = WSGIHandler()(environ, lambda status, headers, *exc: statuses.append(status))
    assert statuses == ["200 OK"]
    return b"".join(body).decode()


@pytest.mark.django_db
def test_the_portal_behind_a_path_prefix_links_under_it():
    """Served by a proxy under /shebao/, the home page's 首页 / 我的办件 / 个人中心 tabs point
    under it; served at the root again, at the root."""
    tabs = re.compile(r'<a href="([^"]*)" class="tab')
    assert tabs.findall(home_page("/shebao")) == ["/shebao/", "/shebao/my/", "/shebao/me/"]
    assert tabs.findall(home_page("")) == ["/", "/my/", "/me/"]
