"""Identity assurance, end to end in a phone-sized browser with the texts going over real HTTP
to the simulated SMS gateway and read in its 短信收件箱 (/sms-sim/), as a person trying the
demo reads them: a holder with no account proves possession of the phone on file to register
and to step up for 正式挂失; an attacker who knows the holder's name and ID number gets
nowhere."""

import re
from datetime import date, timedelta

import pytest
from django.db.models import F
from playwright.sync_api import expect

from sscard.accounts.models import User
from sscard.cards.constants import CardStatus
from sscard.portal.tests.conftest import open_item
from sscard.testing.browser import shot
from sscard.testing.factories import CardFactory, PersonFactory
from sscard.testing.ids import resident_id
from sscard.verification.models import Challenge

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ON_FILE = "13800001234"  # the phone in the holder's record
ATTACKER = "13900009876"
FORMAL = re.compile(r"^正式挂失")
CODE = re.compile(r"验证码为(\d{6})")


@pytest.fixture
def gateway(settings, live_server):
    """Texts leave through the HTTP gateway client, to the simulated gateway of this server."""
    settings.SSCARD_SMS_BACKEND = "sscard.notifications.backends.HttpSmsBackend"
    settings.SSCARD_SMS_GATEWAY_URL = f"{live_server.url}/sms-sim/api/send"
    settings.SSCARD_SMS_GATEWAY_KEY = "browser-test-key"


@pytest.fixture
def holder(db, partners):
    """A holder whose card came through the employer: on record, no portal account."""
    bank, _outlet = partners
    person = PersonFactory(
        name="陈秀英", doc_number=resident_id(date(1985, 3, 14), male=False), phone=ON_FILE
    )
    CardFactory(person=person, bank=bank)
    return person


def sms_inbox(page, phone: str) -> list[str]:
    """The 短信收件箱's texts to ``phone``, newest first (opened in its own tab)."""
    inbox = page.context.new_page()
    try:
        inbox.goto(f"/sms-sim/?phone={phone}")
        return [text.strip() for text in inbox.locator(".sms-body").all_inner_texts()]
    finally:
        inbox.close()


def newest_code(page, phone: str) -> str:
    for text in sms_inbox(page, phone):
        if match := CODE.search(text):
            return match.group(1)
    raise AssertionError(f"no code in the 短信收件箱 for {phone[:3]}****")


def register(page, *, name: str, doc_number: str, phone: str, username: str) -> str:
    """注册个人账号, first step; returns what the page says was done."""
    page.goto("/")
    page.get_by_role("link", name="个人中心").first.click()
    page.get_by_role("link", name="点击登录").click()
    page.get_by_role("link", name="没有账号？注册个人账号").click()
    page.get_by_label("姓名").fill(name)
    page.get_by_label("证件号码").fill(doc_number)
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("账号", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill("榕江夜雨2026")
    page.get_by_label("确认密码").fill("榕江夜雨2026")
    page.get_by_label("本人已阅读并同意").check()
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="下一步").click()
    return page.get_by_role("status").first.inner_text()


def test_a_holder_registers_with_the_code_to_the_phone_on_file_then_steps_up_for_formal_loss(
    phone, gateway, holder
):
    said = register(
        phone, name="陈秀英", doc_number=holder.doc_number, phone=ATTACKER, username="chenxy"
    )
    # the same words whoever the number names; the code goes to the phone on file, not the
    # one typed
    assert "如信息匹配，验证码已发送至您在社保卡档案中预留的手机" in said
    assert not sms_inbox(phone, ATTACKER)
    shot(phone, "identity-register-code")
    phone.get_by_label("验证码").fill(newest_code(phone, ON_FILE))
    phone.get_by_role("button", name="完成注册").click()
    expect(phone.get_by_text("注册成功，已为您登录")).to_be_visible()
    expect(phone.get_by_text("陈*")).to_be_visible()
    assert User.objects.get(username="chenxy").person == holder
    # a few minutes later (one code a minute to a phone: the registration's is behind us)
    Challenge.objects.update(created_at=F("created_at") - timedelta(minutes=3))

    # 正式挂失 with only the password: the step-up, by a code to the phone on file
    open_item(phone, "社会保障卡挂失与解挂")
    phone.get_by_label("本人的社会保障卡").check()
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("radio", name=FORMAL).check()
    phone.get_by_label("我已知晓：正式挂失后不能解挂").check()
    phone.get_by_role("button", name="下一步").click()
    expect(phone.get_by_role("heading", name="请先验证本人身份")).to_be_visible()
    shot(phone, "identity-step-up")
    phone.get_by_role("link", name="短信验证码验证").click()
    expect(phone.get_by_text("138****1234")).to_be_visible()
    phone.get_by_role("button", name="获取验证码").click()
    expect(phone.get_by_text("验证码已发送至 138****1234")).to_be_visible()
    phone.get_by_label("验证码").fill(newest_code(phone, ON_FILE))
    phone.get_by_role("button", name="验证").click()
    # back on the item, the choice kept
    expect(phone.get_by_role("radio", name=FORMAL)).to_be_checked()
    if not phone.get_by_label("我已知晓：正式挂失后不能解挂").is_checked():
        phone.get_by_label("我已知晓：正式挂失后不能解挂").check()
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_role("heading", name="办理成功")).to_be_visible()
    card = holder.cards.get()
    assert card.status == CardStatus.LOST

    # the holder is told: in the 消息中心, and by a text to the phone on file
    phone.goto("/messages/")
    expect(phone.get_by_text("正式挂失").first).to_be_visible()
    shot(phone, "identity-messages")


def test_an_attacker_with_the_name_and_id_number_gets_nowhere(phone, gateway, holder):
    wrong_name = register(
        phone, name="陈秀芳", doc_number=holder.doc_number, phone=ATTACKER, username="evil1"
    )
    shot(phone, "identity-attack-wrong-name")
    Challenge.objects.update(created_at=F("created_at") - timedelta(minutes=3))  # and later
    right_name = register(
        phone, name="陈秀英", doc_number=holder.doc_number, phone=ATTACKER, username="evil2"
    )
    # the same answer for a wrong name and a right one: nothing confirms the pair
    assert right_name == wrong_name
    # no code reaches the attacker's phone; guessing voids the code after 5 tries
    assert not sms_inbox(phone, ATTACKER)
    for guess in ("000000", "111111", "222222", "333333", "444444"):
        phone.get_by_label("验证码").fill(guess)
        phone.get_by_role("button", name="完成注册").click()
        expect(phone.locator("#e-code")).to_be_visible()
    phone.get_by_label("验证码").fill(newest_code(phone, ON_FILE))  # even the right one, now
    phone.get_by_role("button", name="完成注册").click()
    expect(phone.locator("#e-code")).to_be_visible()
    shot(phone, "identity-attack-refused")

    # no account, no session: 个人中心 still asks for a login; the card is untouched
    assert not User.objects.filter(person=holder).exists()
    assert not User.objects.filter(username__in=["evil1", "evil2"]).exists()
    phone.goto("/me/")
    expect(phone.get_by_role("link", name="点击登录")).to_be_visible()
    assert holder.cards.get().status == CardStatus.ACTIVE
