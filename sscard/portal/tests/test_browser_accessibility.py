"""The main screens, in every way a holder may meet them: 标准 and 长辈模式, on a 390 × 844
phone, on a 320 × 568 one and with the text at 200 % (a phone's accessibility setting: the
root's size doubled from the mode's own, 32 px standard, 40 px in 长辈模式). Each screen is
checked with axe-core (the browser fixture does it on every page: ``sscard.testing.a11y``),
must not scroll sideways, must not cut a control off at the edge, and must keep the title
bar's title at least five characters wide; at 390 and 320 px its texts and controls are
measured (``sscard.testing.targets``: in 长辈模式 every text at least 18 px and every control
60 × 60, in the standard mode every control 44 × 44). The 长辈模式 and 200 % versions are
photographed: ``var/screenshots/a11y-*.png``."""

from __future__ import annotations

import re

import pytest

from sscard.applications.tests.helpers import submit_apply
from sscard.portal.tests.conftest import password_login
from sscard.testing.a11y import check_layout, scan
from sscard.testing.browser import PHONE, SMALL_PHONE, shot
from sscard.testing.factories import CardFactory
from sscard.testing.targets import too_small

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def slug(path: str) -> str:
    path = re.sub(r"\d{6,}", "receipt", path)  # one name for a screen whatever its number
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


# the text at 200 %: the root's size doubled from what the mode makes it (16 px in the
# standard mode, 20 px in 长辈模式), as a phone's text-size setting scales the whole page
DOUBLE_TEXT = """() => {
  const root = document.documentElement;
  const size = parseFloat(getComputedStyle(root).fontSize);
  root.style.fontSize = `${2 * size}px`;
  return parseFloat(getComputedStyle(root).fontSize);
}"""


# the title's width in its own characters (em)
TITLE_WIDTH = "(e) => e.getBoundingClientRect().width / parseFloat(getComputedStyle(e).fontSize)"


def visit_every_way(page, path: str, *, elder: bool) -> None:
    """One screen at 390 px, at 320 px and at 200 % text; axe checks each state, and the
    sizes of its texts and controls are measured by the mode's rules at both widths."""
    mode = "elder" if elder else "standard"
    page.set_viewport_size(PHONE)
    page.goto(path)
    assert ("elder" in (page.locator("html").get_attribute("class") or "")) == elder, path
    check_layout(page, f"{path} [{mode}, 390 px]")
    assert too_small(page, elder=elder) == {"texts": [], "targets": []}, (path, mode, 390)
    if elder:
        shot(page, f"a11y-{slug(path)}-elder")
    page.set_viewport_size(SMALL_PHONE)
    scan(page)
    check_layout(page, f"{path} [{mode}, 320 px]")
    assert too_small(page, elder=elder) == {"texts": [], "targets": []}, (path, mode, 320)
    page.set_viewport_size(PHONE)
    assert page.evaluate(DOUBLE_TEXT) == (40 if elder else 32), path
    check_layout(page, f"{path} [{mode}, 200 % text]")
    # the title bar's title keeps a usable width: at least five of its characters a line
    assert page.locator(".topbar .topbar-title").evaluate(TITLE_WIDTH) >= 5, (path, mode)
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
