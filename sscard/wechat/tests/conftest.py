"""A phone inside WeChat, driven by Django's test client: WeChat's browser (the User-Agent
says MicroMessenger) going through the simulated WeChat at /wechat-sim/, whose back channel
(code → access_token → userinfo) is answered in-process over httpx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from sscard.testing.http import BackChannel, back_channel_routed

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x18003231) NetType/WIFI"
)


@pytest.fixture
def back_channel() -> Iterator[BackChannel]:
    with back_channel_routed(BackChannel()) as transport:
        yield transport


@pytest.fixture
def wechat(back_channel) -> Client:
    """WeChat's in-app browser on one phone."""
    return Client(HTTP_USER_AGENT=WECHAT_UA)


def later_visit(phone: Client) -> Client:
    """The same phone coming back another day: the portal's session has ended, WeChat
    (the simulator's cookie) still knows its user."""
    again = Client(HTTP_USER_AGENT=WECHAT_UA)
    again.cookies["wxsim_user"] = phone.cookies["wxsim_user"].value
    return again


def allow_page(response) -> bool:
    return "申请获得以下权限" in response.content.decode()


def answer(phone: Client, response, decision: str, *, follow: bool = True):
    """Tap 允许 or 拒绝 on the simulated WeChat's authorize page."""
    from html.parser import HTMLParser

    fields: dict[str, str] = {}

    class Hidden(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found = dict(attrs)
            if tag == "input" and found.get("type") == "hidden":
                fields[found["name"]] = found.get("value") or ""

    Hidden().feed(response.content.decode())
    return phone.post(
        "/wechat-sim/connect/oauth2/authorize", {**fields, "decision": decision}, follow=follow
    )


@pytest.fixture
def wechat_phone(browser, live_server):
    """A phone-sized page in WeChat's in-app browser (its User-Agent says MicroMessenger)."""
    from sscard.testing.browser import PHONE, open_page

    yield from open_page(browser, live_server, PHONE, mobile=True, user_agent=WECHAT_UA)
