"""The Django admin names every section in Chinese, the third-party apps' too (django-axes,
django-otp's TOTP devices, django-tasks' database backend), and their pages still work."""

from __future__ import annotations

import pytest

from sscard.testing.factories import StaffFactory
from sscard.testing.otp import otp_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    return otp_login(client, StaffFactory(username="root", role="admin", is_superuser=True))


def test_the_admin_index_names_the_third_party_sections_in_chinese(admin_client):
    html = admin_client.get("/admin/").content.decode()

    for name in ("登录失败锁定", "登录失败计数", "登录记录", "动态验证码（TOTP）"):
        assert name in html, name
    for name in ("后台任务", "任务执行结果", "动态验证码设备"):
        assert name in html, name
    for english in ("Axes", "Otp_Totp", "Task Results", "TOTP devices", "access attempts"):
        assert english not in html, english


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/admin/axes/accessattempt/", "登录失败计数"),
        ("/admin/axes/accesslog/", "登录记录"),
        ("/admin/otp_totp/totpdevice/", "动态验证码设备"),
        ("/admin/django_tasks_database/dbtaskresult/", "任务执行结果"),
    ],
)
def test_the_renamed_sections_still_open_under_their_chinese_names(admin_client, url, name):
    response = admin_client.get(url)
    assert response.status_code == 200
    title = response.content.decode().split("<title>", 1)[1].split("</title>", 1)[0]
    assert name in title
