"""长辈模式 as a visitor switches it: in the top bar of every portal page (首页 first) and in
个人中心, by a plain form that works without JavaScript, kept by the browser in a cookie for a
year — so it holds before login, after logout and after an automatic logout, and on the error
pages — and the switch only ever leads back into this site."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from sscard.core.elder import ELDER_COOKIE
from sscard.portal.tests.helpers import Page, login_post
from sscard.testing.factories import UserFactory
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db

SIGNED_OUT_PAGES = ("/", "/me/", "/login/", "/register/", "/bundles/", "/bundles/sscard/")


def _classes(html: str) -> set[str]:
    """The root element's classes (长辈模式 is one: every size in rem scales with it)."""
    root = next(Page(html).find("html"))
    return set(root.attrs.get("class", "").split())


def _elder(client: Client, url: str) -> bool:
    return "elder" in _classes(client.get(url).content.decode())


def _switch(html: str) -> tuple[dict[str, str], str]:
    """The top bar's switch: its form's fields, and what its button says (and is called for a
    screen reader: what it does)."""
    page = Page(html)
    bars = [e for e in page.find("header") if "topbar" in e.attrs.get("class", "")]
    forms = [f for f in page.find("form") if bars[0] in f.parents]
    assert len(forms) == 1
    form = forms[0]
    assert form.attrs["method"] == "post" and form.attrs["action"] == "/elder/"
    fields = {
        e.attrs["name"]: e.attrs.get("value", "")
        for e in page.find("input")
        if form in e.parents and e.attrs.get("name")
    }
    buttons = [e for e in page.find("button") if form in e.parents]
    assert len(buttons) == 1 and buttons[0].attrs.get("type") == "submit"
    said, name = buttons[0].text, buttons[0].attrs["aria-label"]
    assert name == f"切换到{said}"
    return fields, said


def test_home_has_the_switch_in_its_top_bar_and_it_turns_the_mode_on_for_every_page(client):
    fields, said = _switch(client.get("/").content.decode())
    assert said == "长辈模式"
    assert fields["on"] == "1" and fields["next"] == "/"

    answer = client.post("/elder/", fields)

    assert answer.status_code == 302 and answer["Location"] == "/"
    cookie = answer.cookies[ELDER_COOKIE]
    assert cookie.value == "1"
    assert cookie["max-age"] == int(timedelta(days=365).total_seconds())
    assert cookie["samesite"] == "Lax" and cookie["path"] == "/"
    for url in SIGNED_OUT_PAGES:
        assert _elder(client, url), url
    fields, said = _switch(client.get("/bundles/").content.decode())
    assert said == "标准模式"
    assert fields["on"] == "0" and fields["next"] == "/bundles/"

    back = client.post("/elder/", fields)

    assert back["Location"] == "/bundles/"
    assert back.cookies[ELDER_COOKIE]["max-age"] == 0  # forgotten: the standard mode
    assert not any(_elder(client, url) for url in SIGNED_OUT_PAGES)


def test_the_cookie_is_secure_where_the_session_cookie_is():
    with override_settings(SESSION_COOKIE_SECURE=True):
        answer = Client().post("/elder/", {"on": "1"}, secure=True)
    cookie = answer.cookies[ELDER_COOKIE]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True  # no script reads it: the page's class says the mode


def test_signed_out_pages_honour_the_cookie():
    client = Client()
    client.cookies[ELDER_COOKIE] = "1"
    for url in SIGNED_OUT_PAGES:
        assert _elder(client, url), url
    client.cookies[ELDER_COOKIE] = "yes"  # only the value the switch writes counts
    assert not _elder(client, "/")


def test_the_mode_holds_through_login_logout_and_an_automatic_logout(client):
    UserFactory(username="laoren")
    client.post("/elder/", {"on": "1", "next": "/login/"})
    assert login_post(client, "laoren").status_code == 200
    assert _elder(client, "/me/")
    client.post("/logout/")
    assert _elder(client, "/me/")

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, UserFactory())
        assert _elder(client, "/my/")
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert client.get("/my/").status_code == 302  # logged out for inactivity
        center = client.get("/me/").content.decode()
        assert "已自动退出" in center and "elder" in _classes(center)


@pytest.mark.parametrize("signed_in", [False, True])
def test_center_switches_the_same_cookie_and_the_latest_choice_wins(client, signed_in):
    if signed_in:
        sign_in(client, UserFactory())
    client.post("/elder/", {"on": "1", "next": "/"})  # on, in the top bar
    page = Page(client.get("/me/").content.decode())
    cells = [
        f
        for f in page.find("form")
        if f.attrs.get("action") == "/elder/" and "cells" in f.attrs.get("class", "")
    ]
    assert len(cells) == 1
    button = next(e for e in page.find("button") if cells[0] in e.parents)
    assert button.attrs["aria-pressed"] == "true"
    fields = {
        e.attrs["name"]: e.attrs.get("value", "")
        for e in page.find("input")
        if cells[0] in e.parents and e.attrs.get("name")
    }

    answer = client.post("/elder/", fields)  # off, in 个人中心

    assert answer["Location"] == "/me/"
    assert answer.cookies[ELDER_COOKIE]["max-age"] == 0
    assert not _elder(client, "/me/")
    assert not _elder(client, "/")
    client.post("/elder/", {**fields, "on": "1"})  # and on again: the browser keeps it
    client.post("/logout/")
    assert _elder(client, "/me/")


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "http://testserver.evil.example/", "/\\evil"],
)
def test_the_switch_never_leads_to_another_site(client, next_url):
    answer = client.post("/elder/", {"on": "1", "next": next_url})
    assert answer["Location"] == "/"
    assert client.post("/elder/", {"on": "1"}, headers={"referer": next_url})["Location"] == "/"


def test_without_next_the_switch_goes_back_to_the_page_it_was_sent_from(client):
    """An error page names no ``next`` (it shows nothing of its address): the browser's
    Referer, on this site only, leads back to it."""
    answer = client.post(
        "/elder/", {"on": "1"}, headers={"referer": "http://testserver/no-such/page/?a=1"}
    )
    assert answer["Location"] == "/no-such/page/?a=1"


def test_the_switch_answers_htmx_in_place(client):
    answer = client.post("/elder/", {"on": "1"}, headers={"hx-request": "true"})
    assert answer.status_code == 204
    assert answer["HX-Trigger"] == '{"elderMode": {"on": true}}'
    assert answer.cookies[ELDER_COOKIE].value == "1"


def test_the_switch_takes_a_form_post_only(client):
    client.cookies[ELDER_COOKIE] = "1"
    answer = client.get("/elder/")
    assert answer.status_code == 405
    assert answer["Allow"] == "POST"
    # a page saying what to do, in the visitor's mode, not a blank one
    html = answer.content.decode()
    assert "无法直接打开此页面" in html and "elder" in _classes(html)
