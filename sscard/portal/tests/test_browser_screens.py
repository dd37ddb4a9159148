"""The portal's remaining screens, as a visitor meets them: home, 个人中心 before and after
login, registration, 长辈模式, the pages at 200% text size and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from sscard.accounts.models import User
from sscard.cards.constants import CardStatus
from sscard.portal.tests.conftest import open_item, password_login
from sscard.testing.browser import PHONE, shot
from sscard.testing.factories import CardFactory
from sscard.testing.ids import resident_id
from sscard.testing.sms import code_sent_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_citizen_registers_from_the_home_page(phone, texts):
    from datetime import date

    phone.goto("/")
    shot(phone, "home")
    phone.get_by_role("link", name="个人中心").first.click()
    shot(phone, "center-guest")
    phone.get_by_role("link", name="点击登录").click()
    phone.get_by_role("link", name="没有账号？注册个人账号").click()
    phone.get_by_label("姓名").fill("李四")
    phone.get_by_label("证件号码").fill(resident_id(date(1990, 1, 2)))
    phone.get_by_label("手机号码").fill("13800138000")
    phone.get_by_label("账号", exact=True).fill("lisi2026")
    phone.get_by_label("密码", exact=True).fill("12345678")
    phone.get_by_label("确认密码").fill("12345678")
    phone.get_by_label("验证码").fill("PASSED")
    phone.get_by_role("button", name="下一步").click()
    # all digits: refused beside the password, the other entries kept
    assert phone.get_by_label("账号", exact=True).input_value() == "lisi2026"
    expect(phone.locator("#e-password1")).to_be_visible()
    expect(phone.locator("#e-consent")).to_have_text("请阅读并勾选同意后再注册")
    shot(phone, "register-errors")
    phone.get_by_label("密码", exact=True).fill("榕江夜雨2026")
    phone.get_by_label("确认密码").fill("榕江夜雨2026")
    phone.get_by_label("本人已阅读并同意").check()
    phone.get_by_label("验证码").fill("PASSED")
    phone.get_by_role("button", name="下一步").click()
    # the same answer whoever the number names; a number nobody holds: the code to this phone
    expect(phone.get_by_text("如信息匹配，验证码已发送至", exact=False)).to_be_visible()
    shot(phone, "register-code")
    phone.get_by_label("验证码").fill(code_sent_to("13800138000"))
    phone.get_by_role("button", name="完成注册").click()
    expect(phone.get_by_text("注册成功，已为您登录")).to_be_visible()
    expect(phone.get_by_text("李*")).to_be_visible()
    shot(phone, "center-registered")
    user = User.objects.get(username="lisi2026")
    assert user.person.name == "李四" and user.person.phone == "13800138000"


def test_wrong_password_says_the_same_as_an_unknown_account(phone, citizen_user):
    said = []
    for account in ("nobody_here", "zhangsan"):
        phone.goto("/login/")
        phone.get_by_label("账号", exact=True).fill(account)
        phone.get_by_label("密码", exact=True).fill("wrong-password-1")
        phone.get_by_label("验证码").fill("PASSED")
        phone.get_by_role("button", name="登录").click()
        said.append(phone.locator("#error-summary-title").inner_text())
        assert phone.get_by_label("账号", exact=True).input_value() == account
    assert said == ["账号或密码错误，请重新输入"] * 2
    shot(phone, "login-wrong")


def test_elder_mode_and_200_percent_text_keep_the_page_usable(phone, citizen_user, partners):
    bank, _outlet = partners
    CardFactory(person=citizen_user.person, bank=bank)
    password_login(phone, "zhangsan")
    phone.goto("/me/")
    phone.get_by_role("button", name=re.compile("^长辈模式")).click()  # 个人中心's own switch
    expect(phone.locator("html")).to_have_class(re.compile(r"\belder\b"))  # in place (htmx)
    shot(phone, "center-elder")
    open_item(phone, "社保卡应用状态查询")
    shot(phone, "select-elder")
    # 200% text size, as a phone's accessibility setting gives it: nothing runs off the side
    for path in ("/", "/me/", "/bundles/sscard/", "/my/"):
        phone.goto(path)
        phone.evaluate("document.documentElement.style.fontSize = '200%'")
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at 200% text size"
    shot(phone, "my-200-percent")


def test_an_item_works_without_javascript(browser, live_server, citizen_user, partners):
    bank, _outlet = partners
    card = CardFactory(person=citizen_user.person, bank=bank)
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False, locale="zh-CN"
    )
    page = context.new_page()
    try:
        password_login(page, "zhangsan")
        open_item(page, "社会保障卡挂失与解挂")
        page.get_by_label("本人的社会保障卡").check()
        page.get_by_role("button", name="下一步").click()
        page.get_by_role("radio", name="临时挂失").check()
        page.get_by_role("button", name="下一步").click()
        page.get_by_role("button", name="确认提交").click()
        expect(page.get_by_role("heading", name="办理成功")).to_be_visible()
    finally:
        context.close()
    card.refresh_from_db()
    assert card.status == CardStatus.TEMP_LOST


def test_another_captcha_replaces_the_image_in_place(phone):
    phone.goto("/login/", wait_until="networkidle")  # the first image has arrived
    phone.get_by_label("账号", exact=True).fill("zhangsan")
    first = phone.locator("img.captcha").get_attribute("src")
    phone.get_by_role("link", name="换一张").click()
    # (a locator assertion: a polled page function would need eval, which the CSP forbids)
    expect(phone.locator("img.captcha")).not_to_have_attribute("src", first, timeout=20_000)
    phone.wait_for_load_state("networkidle")  # and the new one
    # swapped in place by htmx: the account typed before stays
    assert phone.get_by_label("账号", exact=True).input_value() == "zhangsan"


def test_the_photo_control_is_worded_in_chinese_and_says_what_was_chosen(
    browser, live_server, phone, citizen_user, partners
):
    from sscard.testing.photos import compliant_photo

    password_login(phone, "zhangsan")
    open_item(phone, "社会保障卡申领")
    phone.get_by_role("radio", name="本人").check()
    phone.get_by_role("button", name="下一步").click()
    control = phone.locator("#f-photo")
    expect(phone.get_by_text("拍照或选择照片")).to_be_visible()
    # the browser's own control, worded in the browser's language, is out of sight
    assert control.bounding_box()["width"] <= 1
    control.set_input_files(
        {"name": "本人照片.jpg", "mimeType": "image/jpeg", "buffer": compliant_photo()}
    )
    expect(phone.get_by_text("已选择：本人照片.jpg")).to_be_visible()
    shot(phone, "apply-photo-chosen")

    # without JavaScript the native control is there to use
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False, locale="zh-CN"
    )
    page = context.new_page()
    try:
        password_login(page, "zhangsan")
        open_item(page, "社会保障卡申领")
        page.get_by_role("radio", name="本人").check()
        page.get_by_role("button", name="下一步").click()
        expect(page.locator("#f-photo")).to_be_visible()
        expect(page.get_by_text("拍照或选择照片")).not_to_be_visible()
    finally:
        context.close()


def test_the_outlet_list_follows_the_chosen_bank(phone, citizen_user, partners):
    from sscard.testing.factories import BankFactory, OutletFactory

    abc = BankFactory(code="ABC", name="中国农业银行")
    OutletFactory(code="RC02", name="榕城区农行网点", bank=abc)
    password_login(phone, "zhangsan")
    open_item(phone, "社会保障卡申领")
    phone.get_by_role("radio", name="本人").check()
    phone.get_by_role("button", name="下一步").click()
    phone.wait_for_load_state("load")  # the page's scripts have run
    outlets = phone.get_by_label("领卡网点")
    outlets.select_option("RC01")  # 中国工商银行's, chosen before the bank

    phone.get_by_label("合作银行").select_option("ABC")

    # another bank's outlet is forgotten and no longer offered
    expect(outlets).to_have_value("")
    offered = outlets.locator("optgroup:not([disabled]) option").all_inner_texts()
    assert offered and all("农行" in text for text in offered)
    outlets.select_option("RC02")
    phone.get_by_label("合作银行").select_option("ICBC")
    expect(outlets).to_have_value("")
