"""Signing staff in with both factors, as the staff login leaves them: a test client
(:func:`otp_login`) or a browser page (:func:`otp_browser_login`)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from sscard.accounts.models import User
from sscard.testing.factories import PASSWORD


def otp_login(client: Client, user: User) -> Client:
    from sscard.backoffice.otp import staff_totp_enrol

    device = staff_totp_enrol(user=user, actor=None)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def otp_browser_login(page: Any, user: User, password: str = PASSWORD) -> None:
    """Sign in on the staff login page with the password and the TOTP code the account's
    authenticator shows now (enrolling one if it has none); ends on the 工作台."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sscard.backoffice.otp import staff_totp_enrol, totp_code_now

    device = TOTPDevice.objects.filter(user=user).first() or staff_totp_enrol(user=user, actor=None)
    page.goto("/staff/")
    page.wait_for_url("**/staff/login/**")  # not signed in yet: the staff login
    page.get_by_label("账号").fill(user.username)
    page.get_by_label("密码").fill(password)
    page.get_by_label("动态验证码").fill(totp_code_now(device))
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="工作台").wait_for()
