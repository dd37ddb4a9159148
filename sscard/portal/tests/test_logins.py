"""账号密码绑定 and registration through the Django test client: what a citizen reads and
what an attacker can learn."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.utils import timezone

from sscard.accounts.models import Person, User, identity_hash
from sscard.audit.models import AuditRecord
from sscard.core.trust import TrustLevel
from sscard.portal.tests.helpers import Page, login_post
from sscard.testing.factories import EmployerAgentFactory, StaffFactory, UserFactory
from sscard.testing.ids import resident_id
from sscard.testing.sms import code_sent_to
from sscard.web.forms import BAD_CREDENTIALS

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多，该账号已在本设备暂停登录15分钟"
HERE, THERE = "203.0.113.7", "198.51.100.9"


def _error_text(html: str) -> list[str]:
    page = Page(html)
    return [
        element.text.strip()
        for element in page.elements
        if {"form-error", "field-error"} & set(element.attrs.get("class", "").split())
    ]


def _continue_href(html: str) -> str:
    links = [a for a in Page(html).find("a") if a.text.strip() == "继续访问"]
    assert len(links) == 1, html
    return links[0].attrs["href"]


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# ---------------------------------------------------------------------------------------------
# One message for every failure


def test_unknown_account_and_wrong_password_read_the_same(client):
    UserFactory(username="zhangsan")
    unknown = login_post(client, "nobody_here")
    wrong = login_post(client, "zhangsan", "not the password")
    assert unknown.status_code == wrong.status_code == 400
    assert _error_text(unknown.content.decode()) == _error_text(wrong.content.decode())
    assert _error_text(wrong.content.decode()) == [BAD_CREDENTIALS]
    assert not _logged_in(client)


def test_the_right_password_logs_in_at_trust_3(client):
    user = UserFactory(username="zhangsan")
    done = login_post(client, "zhangsan")
    assert done.status_code == 200
    assert "登录成功" in done.content.decode()
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session["trust"] == TrustLevel.L3


def test_the_session_key_changes_at_login_and_logout(client):
    """No session fixation: the key a visitor had before logging in is not the one after."""
    UserFactory(username="zhangsan")
    client.get("/login/")
    before = client.session.session_key  # a session exists before the login
    assert before
    login_post(client, "zhangsan")
    during = client.session.session_key
    assert during != before
    client.post("/logout/")
    assert client.session.session_key != during


def test_an_employer_logs_in_with_a_password(client):
    EmployerAgentFactory(username="danwei01")
    assert login_post(client, "danwei01").status_code == 200
    assert _logged_in(client)


def test_an_inactive_account_reads_the_same_as_a_wrong_password(client):
    UserFactory(username="zhangsan", is_active=False)
    refused = login_post(client, "zhangsan")
    assert refused.status_code == 400
    assert _error_text(refused.content.decode()) == [BAD_CREDENTIALS]
    assert not _logged_in(client)


def test_a_failed_login_is_audited_without_what_was_typed(client):
    UserFactory(username="zhangsan")
    login_post(client, "zhangsan", "not the password", REMOTE_ADDR=HERE)
    failed = AuditRecord.objects.exclude(result=AuditRecord.Result.OK)
    assert failed.count() == 1
    assert "not the password" not in str(failed.get().detail)


def test_a_successful_login_is_audited(client):
    user = UserFactory(username="zhangsan")
    login_post(client, "zhangsan")
    record = AuditRecord.objects.get(action="login.password")
    assert record.actor_id == user.pk
    assert "correct horse" not in str(record.detail)


def test_a_wrong_captcha_never_reaches_the_password_check(client):
    UserFactory(username="zhangsan")
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        refused = login_post(
            client, "zhangsan", "not the password", data={"captcha_1": "WRONG"}, REMOTE_ADDR=HERE
        )
        assert refused.status_code == 400
        assert _error_text(refused.content.decode()) == ["验证码错误，请重新输入"]
    assert AccessAttempt.objects.count() == 0
    # no lockout either: the right password with the right captcha still works
    assert login_post(client, "zhangsan", REMOTE_ADDR=HERE).status_code == 200


def test_a_missing_captcha_is_asked_for(client):
    UserFactory(username="zhangsan")
    refused = login_post(client, "zhangsan", data={"captcha_1": ""})
    assert refused.status_code == 400
    assert "请输入验证码" in _error_text(refused.content.decode())
    assert AccessAttempt.objects.count() == 0


def test_an_empty_account_or_password_is_asked_for_beside_its_field(client):
    refused = login_post(client, "", "", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert refused.status_code == 400
    html = refused.content.decode()
    assert _field_errors(html) == {"username": "请输入账号", "password": "请输入密码"}
    assert "这个字段" not in html
    assert AccessAttempt.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Lockout per account and address, 15 minutes


def _fail_until_locked(client, username: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_post(client, username, "not the password", REMOTE_ADDR=HERE)


def test_lockout_after_the_failure_limit_and_its_cool_off(client):
    UserFactory(username="zhangsan")
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        answer = login_post(client, "zhangsan", "not the password", REMOTE_ADDR=HERE)
        assert answer.status_code == 400, attempt
    locked = login_post(client, "zhangsan", "not the password", REMOTE_ADDR=HERE)
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()

    # the right password is refused during the cool-off, with the same page
    refused = login_post(client, "zhangsan", REMOTE_ADDR=HERE)
    assert refused.status_code == 429
    assert LOCKED in refused.content.decode()
    assert not _logged_in(client)

    # the same account from another address is not locked out
    elsewhere = login_post(client, "zhangsan", REMOTE_ADDR=THERE)
    assert elsewhere.status_code == 200
    assert _logged_in(client)
    client.logout()

    with time_machine.travel(timezone.now() + timedelta(minutes=14)):
        assert login_post(client, "zhangsan", REMOTE_ADDR=HERE).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=5)):
        assert login_post(client, "zhangsan", REMOTE_ADDR=HERE).status_code == 200
        assert _logged_in(client)


def test_another_account_from_the_locked_address_still_logs_in(client):
    UserFactory(username="zhangsan")
    UserFactory(username="lisi")
    _fail_until_locked(client, "zhangsan")
    assert login_post(client, "zhangsan", REMOTE_ADDR=HERE).status_code == 429
    assert login_post(client, "lisi", REMOTE_ADDR=HERE).status_code == 200


def test_failures_during_the_lockout_do_not_extend_it(client):
    UserFactory(username="zhangsan")
    _fail_until_locked(client, "zhangsan")
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=10)):
        assert login_post(client, "zhangsan", "guess", REMOTE_ADDR=HERE).status_code == 429
    with time_machine.travel(start + timedelta(minutes=15, seconds=5)):
        assert login_post(client, "zhangsan", REMOTE_ADDR=HERE).status_code == 200


# ---------------------------------------------------------------------------------------------
# Where a login goes next


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/my/", "/my/"),
        ("/bundles/sscard/loss/", "/bundles/sscard/loss/"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("//evil.example/my/", "/"),
        ("http://testserver.evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("", "/"),
    ],
)
def test_next_is_followed_only_within_the_portal(client, next_url, expected):
    UserFactory(username="zhangsan")
    page = Page(client.get("/login/", {"next": next_url}).content.decode())
    form = next(f for f in page.find("form") if f.attrs.get("action") == "/login/")
    hidden = [i for i in page.find("input") if form in i.parents and i.attrs["name"] == "next"]
    assert hidden[0].attrs["value"] == expected
    done = login_post(client, "zhangsan", data={"next": next_url})
    assert done.status_code == 200
    assert _continue_href(done.content.decode()) == expected


def test_a_staff_account_logging_in_at_the_portal_is_sent_to_the_staff_login(client):
    """Staff sign in with both factors at the back office; their password at the portal opens
    no session (it would skip the TOTP)."""
    StaffFactory(username="reviewer1")
    done = login_post(client, "reviewer1")
    assert done.status_code == 302
    assert done["Location"] == "/staff/login/"
    assert SESSION_KEY not in client.session
    assert client.get("/staff/").status_code == 302  # still to the login


# ---------------------------------------------------------------------------------------------
# Registration


def _registration(**overrides):
    return {
        "name": "李小明",
        "doc_type": "resident_id",
        "doc_number": resident_id(date(1990, 4, 12), serial=17),
        "phone": "13812345678",
        "username": "lixiaoming",
        "password1": "Qing-shan 2026",
        "password2": "Qing-shan 2026",
        "consent": "on",
        "captcha_0": "test",
        "captcha_1": "PASSED",
        **overrides,
    }


def _field_errors(html: str) -> dict[str, str]:
    """field name → the error shown right after its cell (id="e-<name>")."""
    page = Page(html)
    return {
        element.attrs["id"].removeprefix("e-"): element.text.strip()
        for element in page.find("p")
        if element.attrs.get("id", "").startswith("e-")
    }


def _kept(html: str) -> dict[str, str]:
    page = Page(html)
    return {i.attrs["name"]: i.attrs.get("value", "") for i in page.find("input")}


def _complete(client, phone: str = "13812345678"):
    """注册个人账号 → 下一步 → the code texted to ``phone`` → 完成注册."""
    return client.post("/register/code/", {"action": "verify", "code": code_sent_to(phone)})


def test_registration_creates_the_person_and_logs_in_at_trust_3(client, texts):
    data = _registration()
    asked = client.post("/register/", data)
    assert asked.status_code == 302 and asked["Location"] == "/register/code/"
    assert not User.objects.exists()  # nothing until the code comes back
    done = _complete(client)
    assert done.status_code == 302
    assert done["Location"] == "/me/"
    user = User.objects.get(username="lixiaoming")
    assert user.role == User.Role.CITIZEN and user.possession == User.Possession.SMS
    person = Person.objects.get(identity_hash=identity_hash("resident_id", data["doc_number"]))
    assert user.person == person
    assert (person.name, person.phone, person.gender) == ("李小明", "13812345678", "M")
    assert person.birth_date == date(1990, 4, 12)
    # stored encrypted: the raw columns do not hold the numbers
    with connection.cursor() as cursor:
        cursor.execute("SELECT doc_number, phone FROM accounts_person WHERE id = %s", [person.pk])
        raw_doc, raw_phone = cursor.fetchone()
    assert data["doc_number"] not in raw_doc and data["doc_number"][-8:] not in raw_doc
    assert "13812345678" not in raw_phone and "12345678" not in raw_phone
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session["trust"] == TrustLevel.L3
    center = client.get("/me/").content.decode()
    assert "注册成功，已为您登录" in center
    assert "账号密码登录" in center
    assert data["doc_number"] not in center


BAD_CHECK = resident_id(date(1990, 4, 12), serial=17)[:-1] + (
    "0" if resident_id(date(1990, 4, 12), serial=17)[-1] != "0" else "1"
)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"doc_number": BAD_CHECK}, "doc_number", "校验"),
        ({"doc_number": "44520219900412"}, "doc_number", "18位"),
        ({"phone": "1381234"}, "phone", "手机号码"),
        ({"username": "1abc"}, "username", "以字母开头"),
        ({"password1": "Qs1-abc", "password2": "Qs1-abc"}, "password1", "密码太短，至少需要8位"),
        ({"password1": "20261129190412", "password2": "20261129190412"}, "password1", "全为数字"),
        ({"password1": "password123", "password2": "password123"}, "password1", "过于常见"),
        ({"password1": "lixiaoming1", "password2": "lixiaoming1"}, "password1", "过于相近"),
        ({"password2": "Qing-shan 2027"}, "password2", "两次输入的密码不一致"),
        ({"name": ""}, "name", "请填写姓名"),
        # one digit too many: the ID rules' words, not Django's "确保该变量包含不超过 18 字符"
        ({"doc_number": "4452021990041212345"}, "doc_number", "身份证号码应为18位，您输入了19位"),
        # past what the field takes at all: the same words
        ({"doc_number": "4" * 41}, "doc_number", "证件号码不超过18位，您输入了41位"),
        # a plain length limit, said the way a citizen reads it
        ({"phone": "138123456789"}, "phone", "最多填写11个字符，您填写了12个。"),
    ],
)
@pytest.mark.parametrize("language", ["zh-CN,zh;q=0.9", "en-US,en;q=0.9"])
def test_registration_errors_stand_beside_their_field(client, overrides, field, words, language):
    """In Chinese whatever the phone's language (the page around them is Chinese)."""
    data = _registration(**overrides)
    answer = client.post("/register/", data, HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 400
    html = answer.content.decode()
    errors = _field_errors(html)
    assert field in errors, errors
    assert words in errors[field], errors[field]
    kept = _kept(html)
    for name in ("name", "doc_number", "phone", "username"):
        assert kept[name] == data[name]
    assert kept["password1"] == kept["password2"] == ""
    assert "Qing-shan" not in html
    assert not User.objects.filter(username="lixiaoming").exists()


def test_a_form_posted_from_a_stale_page_is_refused_in_chinese_on_an_english_phone():
    """The refusal page speaks the service's language, not the phone's (sscard.core.errorpages)."""
    guard = Client(enforce_csrf_checks=True)
    answer = guard.post("/register/", _registration(), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert answer.status_code == 403
    html = answer.content.decode()
    assert "页面已失效" in html
    assert "verification failed" not in html
    assert "返回首页" in html


def test_registration_without_consent_is_refused_and_keeps_the_entries(client):
    data = _registration()
    del data["consent"]
    answer = client.post("/register/", data)
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "请阅读并勾选同意后再注册" in _error_text(html)
    assert _kept(html)["doc_number"] == data["doc_number"]
    assert not User.objects.exists()


def test_a_taken_account_name_is_refused(client):
    UserFactory(username="LiXiaoMing")
    answer = client.post("/register/", _registration())
    assert answer.status_code == 400
    assert "该账号已被使用" in _field_errors(answer.content.decode())["username"]


def test_a_registered_account_logs_in_with_its_password(client, texts):
    client.post("/register/", _registration())
    _complete(client)
    client.post("/logout/")
    assert login_post(client, "lixiaoming", "Qing-shan 2026").status_code == 200
