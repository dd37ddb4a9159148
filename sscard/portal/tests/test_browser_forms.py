"""The forms at the sizes our users read them: a 320 px phone, and 200% text (many of our users
are elderly and turn the phone's text size up). Nothing may run off the side, no text box may
shrink to a sliver, and a refused form says what is wrong where a screen reader finds it: an
error summary takes the focus and links every error to its field.

200% text is emulated as a phone's text-size setting acts on our pages, whose sizes are all in
rem and em: the root font size doubled (``html { font-size: 200% }``, 32 px), set by a script
the browser runs on every page it opens, so that it holds across form posts too. (DevTools'
``Page.setFontSizes`` would double the browser's default font size instead, but Playwright's
full-page screenshot resets it.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from sscard.portal.tests.conftest import password_login
from sscard.portal.tests.test_browser_items import _password_is_enough
from sscard.testing.a11y import FOCUS_RING, LAYOUT, axe_violations, focus_ring
from sscard.testing.browser import open_page, shot
from sscard.testing.factories import ApplicationFactory, CardFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 568}
PHONE = {"width": 390, "height": 844}
# (name, viewport, text size in %)
SIZES = [
    ("320px", NARROW, 100),
    ("200pct", PHONE, 200),
    ("320px-200pct", NARROW, 200),
]
TEXT_SIZE = """(() => {
  const size = () => {
    if (document.documentElement) document.documentElement.style.fontSize = "%d%%";
  };
  size();
  document.addEventListener("readystatechange", size);
})();"""

# Every visible text box and list narrower than 10 of its own em and narrower than the row it
# sits in (a field stacked under its label fills the row); and how far the page scrolls sideways.
LAYOUT_PROBLEMS = """() => {
  const root = document.documentElement;
  const problems = [];
  const overflow = root.scrollWidth - root.clientWidth;
  if (overflow > 0) {
    const wide = [...document.body.querySelectorAll("*")]
      .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1)
      .map((e) => e.tagName.toLowerCase() + "." + [...e.classList].join("."));
    problems.push(`scrolls ${overflow}px sideways: ${wide.slice(-5).join(" ")}`);
  }
  const boxes = document.querySelectorAll("input:not([type=hidden]):not([type=checkbox])"
    + ":not([type=radio]):not([type=file]), select, textarea");
  for (const box of boxes) {
    const rect = box.getBoundingClientRect();
    if (!rect.width) continue;
    const em = parseFloat(getComputedStyle(box).fontSize);
    const row = box.parentElement;
    const style = getComputedStyle(row);
    const room = row.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (rect.width < 10 * em - 1 && rect.width < room - 1) {
      const width = Math.round(rect.width);
      problems.push(`#${box.id} is ${width}px wide (10em = ${10 * em}px, row ${room}px)`);
    }
  }
  return problems;
}"""

# What the error summary links to: for each link, its target and how the target points back
# at its message (on the field, or on the radio group around it).
SUMMARY_LINKS = """() => [...document.querySelectorAll("#error-summary a")].map((a) => {
  const id = a.getAttribute("href").slice(1);
  const field = document.getElementById(id);
  const holder = field && (field.hasAttribute("aria-invalid") ? field : field.closest("fieldset"));
  const described = holder ? (holder.getAttribute("aria-describedby") || "").split(" ") : [];
  const messages = described.map((d) => document.getElementById(d)).filter(Boolean);
  return {
    link: a.textContent.trim(), id,
    field: field ? field.tagName.toLowerCase() : null,
    invalid: holder ? holder.getAttribute("aria-invalid") : null,
    messages: messages.map((m) => m.textContent.trim()),
  };
})"""


def with_text_size(page, percent: int) -> None:
    """The pages' root font size at ``percent`` on every page opened from now on."""
    if percent != 100:
        page.context.add_init_script(TEXT_SIZE % percent)


@pytest.fixture(params=SIZES, ids=[size[0] for size in SIZES])
def sized(request, browser, live_server) -> Iterator[tuple[Any, str]]:
    name, viewport, percent = request.param
    for page in open_page(browser, live_server, viewport, mobile=True):
        with_text_size(page, percent)
        yield page, name


def layout_problems(page, what: str, size: str) -> list[str]:
    page.wait_for_load_state()
    root = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    assert root == ("32px" if "200pct" in size else "16px"), (what, root)
    shot(page, f"forms-{size}-{what}")
    problems = page.evaluate(LAYOUT_PROBLEMS)
    # a control partly outside the window (not inside a box that scrolls on its own)
    problems += [f"cuts a control off: {cut}" for cut in page.evaluate(LAYOUT)["cut"]]
    return [f"{what}: {problem}" for problem in problems]


def submit_empty_login(page) -> None:
    page.goto("/login/")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#error-summary")).to_be_visible()


def submit_empty_register(page) -> None:
    page.goto("/register/")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#error-summary")).to_be_visible()


def submit_empty_apply(page, person) -> None:
    page.goto(f"/bundles/sscard/apply/person-{person.pk}/")
    page.get_by_role("button", name="下一步").first.click()
    expect(page.locator("#error-summary")).to_be_visible()


@pytest.fixture
def holder(db, partners) -> Any:
    """zhangsan, with a card (for 应用状态查询) and a returned 办件 (办件详情)."""
    _password_is_enough()
    bank, outlet = partners
    user = UserFactory(username="zhangsan")
    card = CardFactory(person=user.person, bank=bank)
    application = ApplicationFactory(
        applicant=user, subject=user.person, bank=bank, outlet=outlet, returned=True
    )
    return user, card, application


def test_forms_and_pages_fit_a_narrow_phone_and_200_percent_text(sized, holder):
    page, size = sized
    user, card, application = holder
    newcomer = UserFactory(username="lisi2026", person=PersonFactory())
    problems: list[str] = []

    page.goto("/login/")
    problems += layout_problems(page, "login", size)
    submit_empty_login(page)
    problems += layout_problems(page, "login-refused", size)
    submit_empty_register(page)
    problems += layout_problems(page, "register-refused", size)

    password_login(page, newcomer.username)
    submit_empty_apply(page, newcomer.person)
    problems += layout_problems(page, "apply-refused", size)
    page.context.clear_cookies()  # signed out

    password_login(page, user.username)
    page.goto("/me/")
    problems += layout_problems(page, "center", size)
    page.goto(f"/bundles/sscard/status/card-{card.pk}/")
    expect(page.get_by_text("社保应用状态")).to_be_visible()
    problems += layout_problems(page, "status", size)
    page.goto(f"/my/{application.receipt_number}/")
    expect(page.get_by_text("退回补正").first).to_be_visible()
    problems += layout_problems(page, "application", size)
    assert problems == []


def _summary_is_focused_and_linked(page) -> list[dict[str, Any]]:
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    assert focused == "error-summary"
    heading = page.locator("#error-summary-title").inner_text()
    links = page.evaluate(SUMMARY_LINKS)
    assert heading == f"请修改以下 {len(links)} 处后再提交", heading
    for link in links:
        assert link["field"] in {"input", "select", "textarea"}, link
        assert link["invalid"] == "true", link
        assert link["messages"] and link["messages"][0] in link["link"], link
    return links


def test_a_refused_login_puts_the_focus_on_the_summary_linked_to_each_field(phone):
    submit_empty_login(phone)
    links = _summary_is_focused_and_linked(phone)
    assert [link["id"] for link in links] == ["id_username", "id_password", "id_captcha_1"]
    # the focused summary wears the two-tone ring, as every focused control does
    assert focus_ring(phone.locator("#error-summary")) == FOCUS_RING
    assert links[2]["link"] == "请输入验证码"  # the label said in the message: not repeated
    # the link puts the cursor in the captcha's text box
    phone.get_by_role("link", name="请输入验证码").click()
    assert phone.evaluate("document.activeElement.id") == "id_captcha_1"
    alt = phone.locator("img.captcha").get_attribute("alt")
    assert alt.startswith("图形验证码"), alt
    expect(phone.get_by_role("link", name="人脸识别登录").last).to_be_visible()


def test_a_wrong_password_is_the_summary_s_heading_and_takes_the_focus(phone, citizen_user):
    phone.goto("/login/")
    phone.get_by_label("账号", exact=True).fill("zhangsan")
    phone.get_by_label("密码", exact=True).fill("wrong-password-1")
    phone.get_by_label("验证码").fill("PASSED")
    phone.get_by_role("button", name="登录").click()
    expect(phone.locator("#error-summary-title")).to_have_text("账号或密码错误，请重新输入")
    assert phone.evaluate("document.activeElement.id") == "error-summary"


def test_the_summary_takes_the_focus_without_javascript(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False, locale="zh-CN"
    )
    page = context.new_page()
    try:
        submit_empty_register(page)
        assert page.evaluate("document.activeElement.id") == "error-summary"
    finally:
        context.close()


def test_a_refused_registration_links_every_error_and_marks_the_required_fields(phone):
    submit_empty_register(phone)
    links = {link["id"]: link for link in _summary_is_focused_and_linked(phone)}
    assert {"id_name", "id_doc_number", "id_phone", "id_consent", "id_captcha_1"} <= set(links)
    assert links["id_consent"]["messages"] == ["请阅读并勾选同意后再注册"]
    required = phone.evaluate("[...document.querySelectorAll('[required]')].map((e) => e.id)")
    assert {"id_name", "id_doc_number", "id_phone", "id_username", "id_consent"} <= set(required)
    assert "id_gender" not in required
    shot(phone, "forms-register-summary")


def test_a_refused_item_form_links_its_fields_and_its_radio_group(phone, holder):
    user, card, _application = holder
    newcomer = UserFactory(username="lisi2026", person=PersonFactory())
    password_login(phone, newcomer.username)
    submit_empty_apply(phone, newcomer.person)
    links = {link["id"]: link for link in _summary_is_focused_and_linked(phone)}
    assert {"f-bank", "f-outlet", "f-photo"} <= set(links), links
    shot(phone, "forms-apply-summary")

    phone.context.clear_cookies()
    password_login(phone, user.username)
    phone.goto(f"/bundles/sscard/loss/card-{card.pk}/")
    phone.get_by_role("button", name="下一步").click()
    links = {link["id"]: link for link in _summary_is_focused_and_linked(phone)}
    # 请选择办理的业务: the link goes to the first radio, the group carries the error
    assert links["f-action"]["messages"] == ["请选择办理的业务"], links
    group = phone.get_by_role("radiogroup", name="请选择办理的业务")
    expect(group).to_have_attribute("aria-invalid", "true")
    shot(phone, "forms-loss-summary")


@pytest.mark.parametrize("form", ["login", "register", "apply"])
def test_axe_finds_nothing_on_the_refused_forms(phone, partners, form):
    if form == "login":
        submit_empty_login(phone)
    elif form == "register":
        submit_empty_register(phone)
    else:
        _password_is_enough()
        newcomer = UserFactory(username="lisi2026", person=PersonFactory())
        password_login(phone, newcomer.username)
        submit_empty_apply(phone, newcomer.person)
    assert axe_violations(phone) == {}


def test_another_captcha_keeps_the_focus_on_the_link(phone):
    phone.goto("/login/", wait_until="networkidle")
    first = phone.locator("img.captcha").get_attribute("src")
    phone.get_by_role("link", name="换一张").focus()
    phone.keyboard.press("Enter")
    expect(phone.locator("img.captcha")).not_to_have_attribute("src", first, timeout=20_000)
    assert phone.evaluate("document.activeElement.id") == "captcha-refresh"
    assert phone.locator("#captcha-help").count() == 1  # said once, not again with each image
