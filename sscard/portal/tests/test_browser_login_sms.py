"""看不清？改用短信验证码, in a phone-sized browser: a holder who cannot read the image captcha
asks for a code instead, reads it in the simulated gateway's 短信收件箱 (/sms-sim/) as on the
phone on file, and logs in with the password and the code — a login sure enough of them
(L3+) that 短信验证 is not asked again. axe-core checks every screen, the swapped form too."""

import re

import pytest
from playwright.sync_api import expect

from sscard.portal.tests.test_browser_identity import newest_code, sms_inbox
from sscard.testing.a11y import scan
from sscard.testing.browser import shot
from sscard.testing.factories import PASSWORD, PersonFactory, UserFactory
from sscard.testing.targets import sideways_overflow, too_small
from sscard.web.sms_login import CODE_SENT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ON_FILE = "13800005678"
NARROW = {"width": 320, "height": 568}


@pytest.fixture
def gateway(settings, live_server):
    """Texts leave through the HTTP gateway client, to the simulated gateway of this server."""
    settings.SSCARD_SMS_BACKEND = "sscard.notifications.backends.HttpSmsBackend"
    settings.SSCARD_SMS_GATEWAY_URL = f"{live_server.url}/sms-sim/api/send"
    settings.SSCARD_SMS_GATEWAY_KEY = "browser-test-key"


def test_a_holder_who_cannot_read_the_captcha_logs_in_with_a_code_to_the_phone_on_file(
    phone, gateway
):
    UserFactory(username="zhangsan", person=PersonFactory(phone=ON_FILE))
    phone.goto("/")
    phone.get_by_role("link", name="个人中心").first.click()
    phone.get_by_role("link", name="点击登录").click()
    phone.get_by_label("账号", exact=True).fill("zhangsan")
    phone.get_by_label("密码", exact=True).fill(PASSWORD)

    phone.get_by_role("button", name="看不清？改用短信验证码").click()
    code_box = phone.get_by_label("短信验证码")
    expect(code_box).to_be_visible()
    expect(phone.locator("img.captcha")).to_have_count(0)
    # only the form changed: the password typed is still there, the cursor on the next step
    expect(phone.get_by_label("密码", exact=True)).to_have_value(PASSWORD)
    expect(phone.get_by_role("button", name="获取短信验证码")).to_be_focused()
    scan(phone)

    phone.get_by_role("button", name="获取短信验证码").click()
    expect(phone.locator("#sms-code-sent")).to_have_text(CODE_SENT)
    expect(code_box).to_be_focused()
    expect(phone.get_by_role("button", name="重新获取")).to_be_disabled()
    expect(phone.get_by_label("密码", exact=True)).to_have_value(PASSWORD)
    assert "138****5678" not in phone.content()
    shot(phone, "login-sms-code")
    scan(phone)

    # a wrong code is said beside its box, and the password is not tried
    code_box.fill("000000")
    code_box.press("Enter")
    expect(phone.locator("#e-code")).to_have_text("验证码错误，还可尝试4次")
    expect(phone.get_by_label("短信验证码")).to_have_attribute("aria-invalid", "true")
    assert "账号或密码错误" not in phone.content()

    # the code, as the phone on file received it; Enter logs in (the password typed again:
    # a refused page never writes it back)
    [text] = sms_inbox(phone, ON_FILE)
    assert "用于登录" in text
    phone.get_by_label("密码", exact=True).fill(PASSWORD)
    phone.get_by_label("短信验证码").fill(newest_code(phone, ON_FILE))
    phone.get_by_label("短信验证码").press("Enter")
    phone.get_by_role("link", name="继续访问").click()
    expect(phone.get_by_role("link", name="点击登录")).to_have_count(0)

    # L3+ already: 短信验证 sends the person straight on
    phone.goto("/verify/sms/?next=/me/")
    expect(phone).to_have_url(re.compile(r"/me/$"))


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_the_code_s_row_fits_a_narrow_phone_in_either_mode(phone, elder):
    """At 320 px, with the switch and then the code's row and its message: nothing scrolls
    sideways, no control under the mode's size, no text under 18 px in 长辈模式."""
    phone.set_viewport_size(NARROW)
    phone.goto("/login/")
    if elder:
        phone.get_by_role("button", name="切换到长辈模式").click()
        expect(phone.locator("html")).to_have_class(re.compile(r"\belder\b"))
    mode = "elder" if elder else "standard"
    assert too_small(phone, elder=elder) == {"texts": [], "targets": []}
    phone.get_by_role("button", name="看不清？改用短信验证码").click()
    phone.get_by_role("button", name="获取短信验证码").click()  # no account typed yet
    expect(phone.locator("#e-code")).to_have_text("请先填写账号，再获取短信验证码")
    expect(phone.get_by_label("账号", exact=True)).to_be_focused()
    assert sideways_overflow(phone) <= 0
    assert too_small(phone, elder=elder) == {"texts": [], "targets": []}
    shot(phone, f"login-sms-{mode}-320")
