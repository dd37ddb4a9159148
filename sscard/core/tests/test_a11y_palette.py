"""Colours, headings, landmarks and reflow as axe-core finds them in Debian's chromium: the
portal and the employers' pages at a phone's size, the back office on a 1280 × 800 screen and
at 320 px wide (that screen at 400 % zoom), and the back office's single-key shortcuts, which a
member of staff can switch off (WCAG 2.1.4)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from sscard.accounts.models import User
from sscard.backoffice.roles import staff_groups_ensure
from sscard.core.trust import Action
from sscard.portal.tests.conftest import open_item, password_login
from sscard.regions.selectors import region_settings
from sscard.testing.a11y import axe_violations
from sscard.testing.browser import open_page, shot
from sscard.testing.factories import (
    ApplicationFactory,
    CardFactory,
    EmployerAgentFactory,
    PersonFactory,
    StaffFactory,
    UserFactory,
)
from sscard.testing.otp import otp_browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_PASSWORD = "Staff-password-2026"
# what this test holds the pages to; the full scan of every page is the harness's
CHECKED = {"color-contrast", "page-has-heading-one", "region", "scrollable-region-focusable"}


def assert_accessible(page, screen: str) -> None:
    """No contrast, heading or landmark violation, and exactly one h1 (the page's title)."""
    page.wait_for_load_state("networkidle")
    shot(page, f"a11y-{screen}")
    found = {
        rule: targets
        for rule, targets in axe_violations(page).items()
        if rule in CHECKED or rule.startswith("landmark-")
    }
    assert found == {}, screen
    assert page.locator("h1").count() == 1, screen


def staff_page(browser, live_server, width: int) -> Iterator[object]:
    yield from open_page(browser, live_server, {"width": width, "height": 800}, mobile=False)


@pytest.fixture
def screen(browser, live_server) -> Iterator[object]:
    """The back office on a 1280 × 800 screen."""
    yield from staff_page(browser, live_server, 1280)


@pytest.fixture
def zoomed(browser, live_server) -> Iterator[object]:
    """The same screen at 400 % zoom: 320 CSS pixels wide."""
    yield from staff_page(browser, live_server, 320)


@pytest.fixture
def queue_reviewer(db, partners) -> User:
    """A reviewer with a queue: one 申领 waiting to be accepted, one accepted."""
    staff_groups_ensure()
    bank, outlet = partners
    ApplicationFactory(bank=bank, outlet=outlet)
    ApplicationFactory(accepted=True, bank=bank, outlet=outlet)
    return StaffFactory(username="reviewer", role=User.Role.REVIEWER, password=STAFF_PASSWORD)


def test_the_citizens_screens_pass_axe_in_the_darker_green(phone, partners):
    bank, outlet = partners
    region = region_settings()
    region.action_levels = dict.fromkeys(Action, "L3")
    region.save()
    citizen = UserFactory(username="zhangsan")
    CardFactory(person=citizen.person, bank=bank)
    # a 办件 for a family member, returned for correction: the red status badge
    ApplicationFactory(
        applicant=citizen, subject=PersonFactory(), returned=True, bank=bank, outlet=outlet
    )

    phone.goto("/")
    assert_accessible(phone, "home")
    # the title bar's title is the page's one h1, in the look it had
    expect(phone.get_by_role("heading", level=1)).to_have_text("智慧人社")
    # the banner's lines are full white on its gradient (at 95 % they were 4.28:1 on the green)
    opacities = phone.locator(".banner p").evaluate_all(
        "(lines) => lines.map((p) => getComputedStyle(p).opacity)"
    )
    assert opacities and set(opacities) == {"1"}
    phone.goto("/login/")
    phone.get_by_label("账号", exact=True).fill("nobody_here")
    phone.get_by_label("密码", exact=True).fill("wrong-password-1")
    phone.get_by_label("验证码").fill("PASSED")
    phone.get_by_role("button", name="登录").click()
    expect(phone.locator("#error-summary")).to_be_focused()
    assert_accessible(phone, "login-error")
    # the primary button: white on the darker green, 4.57:1
    button = phone.get_by_role("button", name="登录")
    assert button.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(5, 136, 63)"

    password_login(phone, "zhangsan")
    phone.goto("/me/")
    assert_accessible(phone, "center")
    phone.goto("/my/")
    assert_accessible(phone, "applications")
    open_item(phone, "社会保障卡补换卡")
    phone.get_by_label("本人的社会保障卡").check()
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("button", name="下一步").click()  # nothing chosen: errors on the page
    expect(phone.locator("#error-summary")).to_be_focused()
    assert_accessible(phone, "item-error")
    expect(phone.get_by_role("heading", level=1)).to_have_text("社会保障卡补换卡")

    phone.goto("/no-such-page/")
    assert_accessible(phone, "404")
    # 退出 is a button's POST: the address opened as a link answers a page, not an empty 405
    response = phone.goto("/logout/")
    assert response is not None and response.status == 405
    expect(phone.get_by_role("heading", level=1)).to_have_text("无法直接打开此页面")
    assert_accessible(phone, "405")


def test_the_employers_pages_pass_axe(phone, partners):
    EmployerAgentFactory(username="hr_jieyang", employer__name="揭阳市示例制造有限公司")

    phone.goto("/employer/")
    assert_accessible(phone, "employer-welcome")
    password_login(phone, "hr_jieyang")
    phone.goto("/employer/")
    assert_accessible(phone, "employer-home")
    phone.goto("/employer/batches/")
    assert_accessible(phone, "employer-batches")


def test_the_back_office_passes_axe_on_a_desktop_screen(screen, queue_reviewer):
    screen.goto("/staff/login/")
    assert_accessible(screen, "staff-login")
    otp_browser_login(screen, queue_reviewer, STAFF_PASSWORD)
    screen.get_by_role("link", name="审核队列").click()
    assert_accessible(screen, "staff-queue")
    screen.locator("#results tbody tr a").first.click()
    assert_accessible(screen, "staff-application")


def test_at_400_percent_zoom_the_back_office_reflows_into_320_pixels(zoomed, queue_reviewer):
    otp_browser_login(zoomed, queue_reviewer, STAFF_PASSWORD)
    menu = zoomed.get_by_role("navigation", name="主菜单")
    line = menu.get_by_role("link", name="工作台").bounding_box()
    for link in menu.get_by_role("link").all():
        # each item whole on one line (the menu wraps between items, never inside one)
        box = link.bounding_box()
        assert box is not None and line is not None and box["height"] <= line["height"] + 1
    for path in ("/staff/queue/", "/staff/"):
        zoomed.goto(path)
        overflow = zoomed.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, path
    # the wide table scrolls inside its own labelled region, which a keyboard can reach
    zoomed.goto("/staff/queue/")
    table = zoomed.get_by_role("region", name="办件列表")
    assert table.evaluate("e => e.scrollWidth > e.clientWidth")
    assert table.get_attribute("tabindex") == "0"
    assert_accessible(zoomed, "staff-queue-reflow-320")
    zoomed.locator("#results tbody tr a").first.click()
    assert_accessible(zoomed, "staff-application-reflow-320")


def test_a_member_of_staff_can_switch_the_single_key_shortcuts_off(screen, queue_reviewer):
    otp_browser_login(screen, queue_reviewer, STAFF_PASSWORD)
    screen.goto("/staff/queue/")
    search = screen.get_by_label("受理编号或完整证件号码")
    switch = screen.get_by_role("button", name="单键快捷键")
    expect(switch).to_have_attribute("aria-pressed", "true")
    screen.keyboard.press("/")
    expect(search).to_be_focused()

    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "false")
    expect(switch).to_have_text("单键快捷键：关")
    shot(screen, "a11y-staff-shortcuts-off")
    screen.reload()  # the choice is kept
    expect(switch).to_have_attribute("aria-pressed", "false")
    screen.get_by_role("heading", name="审核队列").click()
    screen.keyboard.press("/")
    screen.keyboard.press("j")
    expect(search).not_to_be_focused()
    expect(screen.locator("#results tbody tr.is-current")).to_have_count(0)

    switch.click()
    screen.get_by_role("heading", name="审核队列").click()
    screen.keyboard.press("j")
    expect(screen.locator("#results tbody tr.is-current")).to_have_count(1)
