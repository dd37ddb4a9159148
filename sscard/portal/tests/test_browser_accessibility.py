"""The main screens, in every way a holder may meet them: 标准 and 长辈模式, on a 390 × 844
phone, on a 320 × 568 one and with the text at 200 % (a phone's accessibility setting). Each
screen is checked with axe-core (the browser fixture does it on every page:
``sscard.testing.a11y``), must not scroll sideways, and must not cut a control off at the
edge. The 长辈模式 and 200 % versions are photographed: ``var/screenshots/a11y-*.png``."""

from __future__ import annotations

import re

import pytest

from sscard.applications.tests.helpers import submit_apply
from sscard.portal.tests.conftest import password_login
from sscard.testing.a11y import check_layout, scan
from sscard.testing.browser import PHONE, SMALL_PHONE, shot
from sscard.testing.factories import CardFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def slug(path: str) -> str:
    path = re.sub(r"\d{6,}", "receipt", path)  # one name for a screen whatever its number
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def visit_every_way(page, path: str, *, elder: bool) -> None:
    """One screen at 390 px, at 320 px and at 200 % text; axe checks each state."""
    mode = "elder" if elder else "standard"
    page.set_viewport_size(PHONE)
    page.goto(path)
    check_layout(page, f"{path} [{mode}, 390 px]")
    if elder:
        shot(page, f"a11y-{slug(path)}-elder")
    page.set_viewport_size(SMALL_PHONE)
    scan(page)
    check_layout(page, f"{path} [{mode}, 320 px]")
    page.set_viewport_size(PHONE)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    check_layout(page, f"{path} [{mode}, 200 % text]")
    shot(page, f"a11y-{slug(path)}-{mode}-200pct")


@pytest.fixture
def holder(citizen_user, partners):
    """A citizen with a card and a 申领 in review, so every 个人中心 page has content."""
    bank, outlet = partners
    application = submit_apply(citizen_user, bank, outlet)
    CardFactory(person=citizen_user.person, bank=bank)
    return citizen_user, application


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_the_main_screens_are_usable_in_every_mode_and_size(phone, live_server, holder, elder):
    _user, application = holder
    if elder:
        phone.context.add_cookies([{"name": "elder", "value": "1", "url": live_server.url}])
    for path in ("/", "/login/", "/register/", "/bundles/sscard/", "/no-such-page/"):
        visit_every_way(phone, path, elder=elder)

    password_login(phone, "zhangsan")
    for path in (
        "/me/",
        "/my/",
        f"/my/{application.receipt_number}/",
        "/messages/",
        "/bundles/sscard/status/",
        "/bundles/sscard/progress/",
        "/bundles/sscard/loss/",
        "/bundles/sscard/change/",
    ):
        visit_every_way(phone, path, elder=elder)
