"""Signing a test client in as staff with both factors, as the staff login leaves it."""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from sscard.accounts.models import User


def otp_login(client: Client, user: User) -> Client:
    from sscard.backoffice.otp import staff_totp_enrol

    device = staff_totp_enrol(user=user, actor=None)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
