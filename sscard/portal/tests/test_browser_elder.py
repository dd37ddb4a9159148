"""长辈模式 in a phone's browser: switched on in 首页's top bar, it holds on every page a citizen
goes through — login, an item, 个人中心, an error page, after logout — with no text under
18 px and no control under 60 × 60; switched back, every control is still at least 44 × 44.
Nothing scrolls sideways on a 320 px wide phone either. What counts as a control and what is
exempt: sscard.testing.targets. Screenshots: var/screenshots/elder-*.png, standard-*.png."""

import re

import pytest
from playwright.sync_api import expect

from sscard.portal.tests.conftest import password_login
from sscard.testing.a11y import FOCUS_RING, focus_ring
from sscard.testing.browser import PHONE, shot
from sscard.testing.factories import CardFactory
from sscard.testing.targets import sideways_overflow, too_small

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 568}
ELDER = re.compile(r"\belder\b")  # the root element's class (beside "js")


def _fits(page, name: str, *, elder: bool) -> None:
    """The page as it is, at 390 and at 320 px wide: sizes by the mode's rules, no sideways
    scrolling in either mode."""
    mode = "elder" if elder else "standard"
    for viewport in (PHONE, NARROW):
        page.set_viewport_size(viewport)
        found = too_small(page, elder=elder)
        assert found == {"texts": [], "targets": []}, (name, viewport["width"], found)
        assert sideways_overflow(page) <= 0, (name, mode, viewport["width"])
        shot(page, f"{mode}-{name}-{viewport['width']}")
    page.set_viewport_size(PHONE)


def _walk(page, card, *, elder: bool) -> None:
    """首页 → login → an item → 个人中心 → an address that does not exist → logout."""
    page.goto("/")
    _fits(page, "home", elder=elder)
    page.goto("/login/")
    _fits(page, "login", elder=elder)
    password_login(page, "zhangsan")
    page.goto(f"/bundles/sscard/loss/card-{card.pk}/")
    expect(page.get_by_role("radio", name="临时挂失")).to_be_visible()
    _fits(page, "item-loss", elder=elder)
    page.goto("/me/")
    _fits(page, "center", elder=elder)
    page.goto("/no-such-page/")
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    _fits(page, "404", elder=elder)
    page.goto("/me/")
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("link", name="点击登录")).to_be_visible()
    _fits(page, "logged-out", elder=elder)


def test_elder_mode_from_the_home_top_bar_on_every_page(phone, citizen_user, partners):
    bank, _outlet = partners
    card = CardFactory(person=citizen_user.person, bank=bank)
    phone.goto("/")
    phone.get_by_role("banner").get_by_role("button", name="切换到长辈模式").click()
    expect(phone.locator("html")).to_have_class(ELDER)
    expect(phone.get_by_role("button", name="切换到标准模式")).to_be_visible()

    _walk(phone, card, elder=True)

    phone.get_by_role("button", name="切换到标准模式").click()
    expect(phone.locator("html")).not_to_have_class(ELDER)
    _walk(phone, card, elder=False)


def test_switching_in_place_keeps_what_was_typed(phone):
    phone.goto("/login/")
    phone.get_by_label("账号", exact=True).fill("zhangsan")
    phone.get_by_role("button", name="切换到长辈模式").click()
    expect(phone.locator("html")).to_have_class(ELDER)
    assert phone.get_by_label("账号", exact=True).input_value() == "zhangsan"
    phone.reload()  # and the browser keeps the choice
    expect(phone.locator("html")).to_have_class(ELDER)


def test_the_switch_shows_the_two_tone_focus_ring_when_tabbed_to(phone):
    phone.goto("/")
    switch = phone.get_by_role("banner").get_by_role("button", name="切换到长辈模式")
    for _ in range(10):
        phone.keyboard.press("Tab")
        if switch.evaluate("(e) => e === document.activeElement"):
            break
    expect(switch).to_be_focused()
    assert focus_ring(switch) == FOCUS_RING


def test_the_switch_works_without_javascript(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False, locale="zh-CN"
    )
    page = context.new_page()
    try:
        page.goto("/bundles/")
        page.get_by_role("button", name="切换到长辈模式").click()
        expect(page.locator("html")).to_have_class(ELDER)
        assert page.url == f"{live_server.url}/bundles/"
        page.get_by_role("button", name="切换到标准模式").click()
        expect(page.locator("html")).not_to_have_class(ELDER)
    finally:
        context.close()
