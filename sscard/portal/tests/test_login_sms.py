"""看不清？改用短信验证码: the login's way round the image captcha, through the Django test
client — the code goes only to the phone on file, the page never tells whether the account
exists, a wrong code never reaches the password check, and the code lives by the one-time-code
rules (single use, five minutes, five tries, sending limits)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.utils import timezone

from sscard.accounts.models import User
from sscard.audit.models import AuditRecord
from sscard.core.trust import TrustLevel
from sscard.portal.login_views import LOGIN_CODE_KEY
from sscard.portal.tests.helpers import Page
from sscard.testing.factories import (
    PASSWORD,
    EmployerAgentFactory,
    PersonFactory,
    StaffFactory,
    UserFactory,
)
from sscard.testing.sms import code_sent_to
from sscard.verification.models import Challenge, Purpose
from sscard.verification.services import challenge_send, challenge_start
from sscard.web.forms import BAD_CREDENTIALS
from sscard.web.sms_login import CODE_SENT, login_code_check, login_code_send

pytestmark = pytest.mark.django_db

ON_FILE = "13800005678"
HERE = "203.0.113.7"


@pytest.fixture
def holder():
    return UserFactory(username="zhangsan", person=PersonFactory(phone=ON_FILE))


def _send(client, username: str, **extra):
    return client.post("/login/", {"action": "send_code", "username": username}, **extra)


def _login(client, username: str, code: str, password: str = PASSWORD, **extra):
    data = {"way": "sms", "username": username, "password": password, "code": code}
    return client.post("/login/", data, **extra)


def _messages(html: str) -> list[str]:
    """What the page says about the code and the login: the status line and every error."""
    return [
        e.text.strip()
        for e in Page(html).elements
        if {"form-error", "field-error"} & set(e.attrs.get("class", "").split())
        or e.attrs.get("role") == "status"
    ]


def _by_id(html: str) -> dict[str, dict[str, str]]:
    return {e.attrs["id"]: e.attrs for e in Page(html).elements if e.attrs.get("id")}


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# ---------------------------------------------------------------------------------------------
# The switch and the field


def test_the_switch_keeps_the_account_typed_and_asks_for_the_code_instead_of_the_captcha(client):
    captcha_page = client.get("/login/").content.decode()
    switch = _by_id(captcha_page)["sms-switch"]
    assert switch["name"] == "action" and switch["value"] == "use_sms"
    assert "看不清？改用短信验证码" in captcha_page

    answer = client.post(
        "/login/", {"action": "use_sms", "username": "zhangsan", "password": "typed secret"}
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    fields = _by_id(html)
    assert fields["id_username"]["value"] == "zhangsan"
    assert "typed secret" not in html  # a password is never written back into a page
    assert "id_captcha_1" not in fields
    code = fields["id_code"]
    assert code["autocomplete"] == "one-time-code"
    assert code["inputmode"] == "numeric"
    assert "sms-code-help" in code["aria-describedby"]
    labels = {e.attrs["for"]: e.text for e in Page(html).find("label") if e.attrs.get("for")}
    assert labels["id_code"] == "短信验证码"
    # the next thing to do is to ask for the code
    assert "autofocus" in fields["sms-code-send"]
    # and back again
    back = client.post("/login/", {"action": "use_captcha", "username": "zhangsan"})
    assert "id_captcha_1" in _by_id(back.content.decode())


def test_enter_logs_in_rather_than_pressing_a_switch(client):
    """The form's first submit button — the one Enter presses — is an unseen 登录."""
    page = Page(client.get("/login/?way=sms").content.decode())
    form = next(e for e in page.find("form") if e.attrs.get("id") == "login-form")
    buttons = [b for b in page.find("button") if form in b.parents]
    first = buttons[0]
    assert first.attrs.get("type") == "submit" and "name" not in first.attrs
    assert first.attrs.get("aria-hidden") == "true" and first.attrs.get("tabindex") == "-1"
    assert [b.attrs.get("value") for b in buttons[1:3]] == ["send_code", "use_captcha"]


def test_with_htmx_only_the_form_comes_back_and_the_password_box_stays(client, holder, texts):
    answer = _send(client, "zhangsan", HTTP_HX_REQUEST="true")
    html = answer.content.decode()
    assert answer.status_code == 200
    assert html.lstrip().startswith('<form method="post"') and "<html" not in html
    assert _by_id(html)["id_password"]["hx-preserve"] == "true"
    assert CODE_SENT in html


# ---------------------------------------------------------------------------------------------
# Sending: only to the phone on file, the same answer for anyone


def test_the_code_goes_to_the_phone_on_file_and_the_page_does_not_show_it(client, holder, texts):
    answer = _send(client, "zhangsan", REMOTE_ADDR=HERE)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert CODE_SENT in _messages(html)
    assert ON_FILE[-4:] not in html  # not even masked: that would tell the account exists
    assert [t["address"] for t in texts] == [ON_FILE]
    assert "用于登录" in texts[0]["body"]
    # the cursor goes to the code's box, which reads out what was done
    code = _by_id(html)["id_code"]
    assert "autofocus" in code and "sms-code-sent" in code["aria-describedby"]
    challenge = Challenge.objects.get()
    assert challenge.purpose == Purpose.LOGIN and challenge.user == holder
    assert AuditRecord.objects.filter(action="sms_code.sent").count() == 1


@pytest.mark.parametrize("who", ["nobody", "no_phone", "employer", "staff", "inactive"])
def test_the_answer_is_the_same_whoever_the_name_is(client, holder, texts, who):
    if who == "no_phone":
        UserFactory(username="lisi", person=PersonFactory(phone=""))
    elif who == "employer":
        EmployerAgentFactory(username="lisi")
    elif who == "staff":
        StaffFactory(username="lisi", person=PersonFactory())  # a phone on file, too
    elif who == "inactive":
        UserFactory(username="lisi", is_active=False)
    real = _send(client, "zhangsan", REMOTE_ADDR=HERE)
    other = _send(client, "lisi", REMOTE_ADDR=HERE)
    assert real.status_code == other.status_code == 200
    assert _messages(real.content.decode()) == _messages(other.content.decode()) == [CODE_SENT]
    assert [t["address"] for t in texts] == [ON_FILE]  # nothing for "lisi"
    # and the code typed reads the same: a decoy is refused like a wrong code
    wrong = _login(client, "lisi", "123456")
    assert _messages(wrong.content.decode()) == ["验证码错误，还可尝试4次"]


def test_without_an_account_name_no_code_is_sent(client, texts):
    answer = _send(client, "  ")
    html = answer.content.decode()
    assert "请先填写账号，再获取短信验证码" in _messages(html)
    assert "e-code" in _by_id(html)["id_code"]["aria-describedby"]
    assert "autofocus" in _by_id(html)["id_username"]
    assert not texts and not Challenge.objects.exists()


def test_the_limits_shown_count_by_the_name_typed_not_by_the_account(client, holder, texts):
    """One code a minute for a name, whether or not it is an account: the refusal reads the
    same for both, and letter case makes no new name."""
    assert _send(client, "zhangsan").status_code == 200
    assert _send(client, "nobody").status_code == 200
    again = _send(client, "ZhangSan")
    stranger = _send(client, "nobody")
    assert again.status_code == stranger.status_code == 429
    assert _messages(again.content.decode()) == _messages(stranger.content.decode())
    assert any("秒后再获取验证码" in m for m in _messages(again.content.decode()))
    assert len(texts) == 1
    # the button says how long to wait
    assert "disabled" in _by_id(again.content.decode())["sms-code-send"]


def test_a_phone_that_had_its_codes_gets_no_more_but_the_page_does_not_tell(client, holder, texts):
    """The account's phone had a code a moment ago (a step-up): the login's code is a decoy,
    and the page says what it says to anyone."""
    challenge_send(
        challenge_start(purpose=Purpose.STEP_UP, phone=ON_FILE, user=holder, person=holder.person)
    )
    answer = _send(client, "zhangsan")
    assert answer.status_code == 200
    assert CODE_SENT in _messages(answer.content.decode())
    assert len(texts) == 1  # the step-up's only
    assert Challenge.objects.get(purpose=Purpose.LOGIN).is_decoy


def test_one_address_cannot_text_many_accounts(client, texts):
    for n in range(20):  # the address's hourly limit
        assert _send(client, f"name{n:02d}", REMOTE_ADDR=HERE).status_code == 200
    assert _send(client, "one_more", REMOTE_ADDR=HERE).status_code == 429
    assert _send(client, "one_more", REMOTE_ADDR="198.51.100.9").status_code == 200


# ---------------------------------------------------------------------------------------------
# Logging in with the code


def test_password_and_the_code_log_in_at_l3_plus(client, holder, texts):
    _send(client, "zhangsan")
    done = _login(client, "zhangsan", code_sent_to(ON_FILE))
    assert done.status_code == 200, _messages(done.content.decode())
    assert "登录成功" in done.content.decode()
    assert client.session["_auth_user_id"] == str(holder.pk)
    assert client.session["trust"] == TrustLevel.L3_PLUS
    assert LOGIN_CODE_KEY not in client.session
    record = AuditRecord.objects.get(action="login.password")
    assert record.actor_id == holder.pk
    assert record.detail == {"method": "sms_code", "trust": "L3+"}
    # an item that needs L3+ asks no step-up: the SMS check sends the person straight on
    assert client.get("/verify/sms/?next=/me/").status_code == 302


def test_the_code_is_not_the_password(client, holder, texts):
    """The code stands in for the captcha, not for the password."""
    _send(client, "zhangsan")
    refused = _login(client, "zhangsan", code_sent_to(ON_FILE), password="")
    assert refused.status_code == 400
    assert "请输入密码" in _messages(refused.content.decode())
    assert not _logged_in(client)
    # the code was not tried (the password was missing): it is kept in its box, still good
    assert _by_id(refused.content.decode())["id_code"]["value"] == code_sent_to(ON_FILE)
    assert _login(client, "zhangsan", code_sent_to(ON_FILE)).status_code == 200


def test_a_wrong_code_never_reaches_the_password_check(client, holder, texts, monkeypatch):
    tried = []
    monkeypatch.setattr("sscard.web.forms.authenticate", lambda *a, **k: tried.append(1))
    _send(client, "zhangsan", REMOTE_ADDR=HERE)
    for left in (4, 3, 2, 1):
        refused = _login(client, "zhangsan", "000000", password="not the password")
        assert refused.status_code == 400
        html = refused.content.decode()
        assert _messages(html) == [f"验证码错误，还可尝试{left}次"]  # not "账号或密码错误"
        assert _by_id(html)["id_code"]["aria-invalid"] == "true"
        assert "e-code" in _by_id(html)["id_code"]["aria-describedby"]
        assert _by_id(html)["id_code"]["value"] == ""
    assert not tried
    assert AccessAttempt.objects.count() == 0
    # the fifth wrong try voids the code: even the right one opens nothing now
    _login(client, "zhangsan", "000000")
    void = _login(client, "zhangsan", code_sent_to(ON_FILE))
    assert _messages(void.content.decode()) == ["验证码已失效，请重新获取"]
    assert not tried and not _logged_in(client)


def test_a_wrong_password_after_the_right_code_counts_and_uses_the_code_up(client, holder, texts):
    _send(client, "zhangsan", REMOTE_ADDR=HERE)
    code = code_sent_to(ON_FILE)
    refused = _login(client, "zhangsan", code, password="not the password", REMOTE_ADDR=HERE)
    assert refused.status_code == 400
    assert _messages(refused.content.decode()) == [BAD_CREDENTIALS]
    assert AccessAttempt.objects.get().failures_since_start == 1  # django-axes counted it
    # one attempt per code, as with the captcha: the next asks for a new one
    again = _login(client, "zhangsan", code, REMOTE_ADDR=HERE)
    assert _messages(again.content.decode()) == ["请先获取短信验证码"]
    assert not _logged_in(client)


def test_the_code_opens_once(holder, texts):
    challenge = login_code_send(username="zhangsan", client_ip=HERE)
    code = code_sent_to(ON_FILE)
    login_code_check(challenge_id=challenge.pk, username="zhangsan", code=code)
    with pytest.raises(Exception, match="验证码已失效"):
        login_code_check(challenge_id=challenge.pk, username="zhangsan", code=code)


def test_the_code_lasts_five_minutes(client, holder, texts):
    _send(client, "zhangsan")
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)):
        late = _login(client, "zhangsan", code_sent_to(ON_FILE))
    assert _messages(late.content.decode()) == ["验证码已失效，请重新获取"]
    assert not _logged_in(client)


def test_a_code_sent_for_one_account_does_not_log_in_another(client, holder, texts):
    UserFactory(username="lisi")
    _send(client, "zhangsan")
    refused = _login(client, "lisi", code_sent_to(ON_FILE))
    assert _messages(refused.content.decode()) == ["验证码已失效，请重新获取"]
    assert not _logged_in(client)


def test_no_code_asked_for_is_said_beside_the_field(client, holder):
    refused = _login(client, "zhangsan", "123456")
    assert refused.status_code == 400
    assert _messages(refused.content.decode()) == ["请先获取短信验证码"]
    empty = _login(client, "zhangsan", "")
    assert "请输入短信验证码" in _messages(empty.content.decode())


def test_a_phone_changed_since_the_code_was_sent_logs_in_at_l3_only(client, holder, texts):
    _send(client, "zhangsan")
    code = code_sent_to(ON_FILE)
    holder.person.phone = "13900001111"
    holder.person.save()
    assert _login(client, "zhangsan", code).status_code == 200
    assert client.session["trust"] == TrustLevel.L3


def test_a_staff_account_gets_no_code_and_no_session(client, texts):
    StaffFactory(username="shenhe01")
    _send(client, "shenhe01")
    assert not texts
    refused = _login(client, "shenhe01", "123456")
    assert refused.status_code == 400 and not _logged_in(client)
    assert not User.objects.filter(username="shenhe01", last_login__isnull=False).exists()
