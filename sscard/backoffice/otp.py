"""Staff TOTP devices (django-otp): enrolment and, for the demo only, today's code."""

from __future__ import annotations

from base64 import b32encode
from binascii import unhexlify

from django.conf import settings
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sscard.accounts.models import User
from sscard.audit.services import audit_record
from sscard.backoffice.access import STAFF_ROLES
from sscard.core.errors import DomainError

DEVICE_NAME = "身份验证器"


@transaction.atomic
def staff_totp_enrol(*, user: User, key_hex: str | None = None, actor: User | None) -> TOTPDevice:
    """A confirmed TOTP device for a staff account, replacing any it had. ``key_hex`` fixes the
    secret (the published demo accounts); otherwise a random 20-byte secret is generated."""
    if user.role not in STAFF_ROLES:
        raise DomainError("只有工作人员账号需要绑定动态验证码", code="not_staff")
    TOTPDevice.objects.filter(user=user).delete()
    extra = {"key": key_hex} if key_hex else {}
    device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True, **extra)
    audit_record(actor=actor, action="staff.totp_enrolled", target=user)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The base32 secret an authenticator app takes."""
    return b32encode(unhexlify(device.key)).decode()


def totp_code_now(device: TOTPDevice) -> str:
    """The code the device shows now. Only outside production (the demo and the tests):
    in production the code exists on the staff member's authenticator only."""
    if settings.SSCARD_ENV == "production":
        raise DomainError("生产环境不提供动态验证码", code="forbidden")
    totp = TOTP(unhexlify(device.key), device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
