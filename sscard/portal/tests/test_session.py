"""The session as a citizen lives it: logged out after 30 idle minutes (and told so in
个人中心), kept while in use; logout only by the button (POST). (长辈模式 is not the session's:
test_elder_mode.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from sscard.core.trust import TrustLevel
from sscard.testing.factories import StaffFactory, UserFactory
from sscard.testing.otp import otp_login
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db

IDLE_NOTICE = "您已超过30分钟未操作，为保障账户安全已自动退出，请重新登录。"


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_idle_limit_is_thirty_minutes():
    assert timedelta(minutes=30) == settings.SSCARD_IDLE_TIMEOUT


def test_idle_for_more_than_thirty_minutes_logs_out_and_center_says_so(client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, UserFactory())
        assert client.get("/my/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=30, seconds=30), tick=False):
        answer = client.get("/my/")
        assert answer.status_code == 302
        assert answer["Location"].startswith("/login/?next=/my/")
        assert not _logged_in(client)
        center = client.get("/me/").content.decode()
        assert IDLE_NOTICE in center
        assert "点击登录" in center
        # said once: the next visit to 个人中心 does not repeat it
        assert IDLE_NOTICE not in client.get("/me/").content.decode()


def test_idle_logout_on_center_itself(client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, UserFactory())
        assert "退出登录" in client.get("/me/").content.decode()
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        center = client.get("/me/").content.decode()
        assert IDLE_NOTICE in center
        assert "退出登录" not in center


def test_activity_within_thirty_minutes_keeps_the_session(client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, UserFactory())
        client.get("/me/")
    for minutes in (20, 40, 60, 89):  # never 30 minutes apart
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/my/").status_code == 200, minutes
    with time_machine.travel(start + timedelta(minutes=89 + 29), tick=False):
        assert client.get("/my/").status_code == 200
    assert _logged_in(client)


def test_logout_is_post_only(client):
    sign_in(client, UserFactory())
    assert client.get("/logout/").status_code == 405
    assert _logged_in(client)
    answer = client.post("/logout/")
    assert answer.status_code == 302
    assert answer["Location"] == "/me/"
    assert not _logged_in(client)
    assert client.get("/my/").status_code == 302


def test_logout_forgets_the_trust_level(client):
    sign_in(client, UserFactory())
    session = client.session
    session["trust"] = int(TrustLevel.L4)
    session.save()
    client.post("/logout/")
    assert "trust" not in client.session


EXPIRED_NOTICE = "本次登录已超过8小时，为保障账户安全已自动退出，请重新登录。"


def test_a_session_in_constant_use_still_ends_after_eight_hours(client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, UserFactory())
    minutes = 20
    while minutes <= 8 * 60:  # never idle, one request every 20 minutes
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/my/").status_code == 200, minutes
        minutes += 20
    with time_machine.travel(start + timedelta(hours=8, minutes=1), tick=False):
        answer = client.get("/my/")
        assert answer.status_code == 302 and answer["Location"].startswith("/login/")
        assert not _logged_in(client)
        assert EXPIRED_NOTICE in client.get("/me/").content.decode()


def test_staff_are_logged_out_after_fifteen_idle_minutes_citizens_are_not(client):
    staff_client = otp_login(Client(), StaffFactory())
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, UserFactory())
        client.get("/my/")
        assert staff_client.get("/staff/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert client.get("/my/").status_code == 200
        answer = staff_client.get("/staff/")
        assert answer.status_code == 302 and answer["Location"].startswith("/staff/login/")
        assert "_auth_user_id" not in staff_client.session
