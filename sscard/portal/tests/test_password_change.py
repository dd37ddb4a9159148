"""个人中心 → 修改密码: the old password, the new one twice by the password rules; audited,
told to the holder (by SMS, with the “不是本人操作？” link), and the session stays."""

from __future__ import annotations

import pytest
from django.test import Client

from sscard.accounts.models import User
from sscard.audit.models import AuditRecord
from sscard.notifications.constants import Channel, Event
from sscard.notifications.models import Message
from sscard.portal.tests.helpers import PASSWORD
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db

NEW = "Lantern-river-2026"


def change(client: Client, old: str = PASSWORD, new: str = NEW, again: str | None = None):
    return client.post(
        "/me/password/",
        {"old_password": old, "password1": new, "password2": new if again is None else again},
    )


def test_the_entry_is_in_the_personal_centre(citizen):
    assert 'href="/me/password/"' in sign_in(Client(), citizen).get("/me/").content.decode()


def test_changing_the_password_keeps_the_session_is_audited_and_told_by_sms(citizen):
    client = sign_in(Client(), citizen)

    response = change(client)

    assert response.status_code == 302 and response["Location"] == "/me/"
    citizen.refresh_from_db()
    assert citizen.check_password(NEW)
    assert client.get("/my/").status_code == 200  # still signed in
    assert AuditRecord.objects.filter(
        action="account.password_changed", result="ok", target_id=str(citizen.pk)
    ).exists()
    (sms,) = Message.objects.filter(notification__event=Event.PASSWORD_CHANGED, channel=Channel.SMS)
    assert sms.address == citizen.person.phone and "/report/" in sms.body


def test_a_wrong_old_password_is_refused_beside_its_field_and_changes_nothing(citizen):
    response = change(sign_in(Client(), citizen), old="not the password")

    assert response.status_code == 400
    assert "原密码不正确" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)
    assert AuditRecord.objects.filter(action="account.password_changed", result="refused").exists()
    assert not Message.objects.filter(notification__event=Event.PASSWORD_CHANGED).exists()


@pytest.mark.parametrize(
    ("new", "again", "error"),
    [
        (NEW, "Lantern-river-2027", "两次输入的新密码不一致"),
        ("Ab1-x", None, "密码太短"),
        ("8302946175203", None, "密码不能全为数字"),
        (PASSWORD, None, "新密码不能与原密码相同"),
    ],
    ids=["mismatch", "short", "numeric", "same"],
)
def test_a_new_password_breaking_the_rules_is_refused(citizen, new, again, error):
    response = change(sign_in(Client(), citizen), new=new, again=again)

    assert response.status_code == 400
    assert error in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_five_wrong_old_passwords_end_the_session(citizen):
    client = sign_in(Client(), citizen)
    for _ in range(4):
        assert change(client, old="wrong one").status_code == 400

    response = change(client, old="wrong one")

    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/me/password/").status_code == 302  # signed out


def test_an_account_without_a_password_is_told_it_has_none(citizen):
    citizen.set_unusable_password()
    citizen.save()

    response = sign_in(Client(), citizen).get("/me/password/")

    assert "未设置登录密码" in response.content.decode()
    assert not User.objects.get(pk=citizen.pk).has_usable_password()


def test_an_anonymous_visitor_is_sent_to_the_login():
    response = Client().get("/me/password/")

    assert response.status_code == 302 and response["Location"].startswith("/login/")
