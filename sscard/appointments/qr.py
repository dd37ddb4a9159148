"""The booking's QR code and what the clerk's list makes of it.

The QR carries a compact JWS signed like the 电子社保卡's code (``sscard.core.signing``: the
service's Ed25519 key, its ``kid`` in the header, ``typ`` :data:`TOKEN_TYPE`) of::

    {"c": booking code, "o": outlet code, "d": booked day (ISO)}

so the outlet knows the code was issued by the service for this outlet and this day, without
trusting what a phone shows. Moving the booking to another day changes the code on its page;
the old one is refused. The 16-character booking code stays the fallback a holder reads out.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from sscard.accounts.models import User
from sscard.appointments.constants import AppointmentStatus
from sscard.appointments.models import Appointment
from sscard.audit.models import AuditRecord
from sscard.audit.services import audit_record
from sscard.core import signing
from sscard.core.errors import DomainError
from sscard.regions.models import Outlet

TOKEN_TYPE = "appointment"  # noqa: S105 — the JWS "typ", not a secret

FORGED = (
    "该二维码无法验证：不是本系统签发的预约二维码，或内容已被改动。"
    "请勿据此办理；可请预约人报出预约码查找"
)
NOT_FOUND = "未找到该预约码在本网点的预约，请核对"
CANCELLED = "该预约已取消，请预约人重新预约或按现场排队办理"


def appointment_qr_token(appointment: Appointment) -> str:
    """What the booking's QR code carries (the same for the same booking, outlet and day)."""
    return signing.sign_token(
        {"c": appointment.code, "o": appointment.outlet.code, "d": appointment.day.isoformat()},
        typ=TOKEN_TYPE,
    )


def _when(appointment: Appointment) -> str:
    return f"{appointment.day:%Y年%m月%d日} {appointment.slot_label}"


def _by_code(code: str, outlet_id: int) -> Appointment:
    """The outlet's booking with ``code``, not cancelled; else :class:`DomainError`."""
    found = (
        Appointment.objects.filter(code=code, outlet_id=outlet_id)
        .select_related("person", "outlet", "order__card")
        .first()
        if code
        else None
    )
    if found is None:
        raise DomainError(NOT_FOUND, field="code", code="not_found")
    if found.status == AppointmentStatus.CANCELLED:
        raise DomainError(CANCELLED, field="code", code="cancelled")
    return found


def _refuse(message: str, code: str, *, clerk: User, token: str, now: datetime) -> DomainError:
    """A scanned code refused: audited with the reason and the key it names (never the code)."""
    audit_record(
        actor=clerk,
        action="appointment.scan",
        target=clerk.outlet,
        detail={"refused": code, "key": signing.token_key_id(token)[:32]},
        result=AuditRecord.Result.REFUSED,
        at=now,
    )
    return DomainError(message, field="code", code=code)


def appointment_find(*, text: str, clerk: User, now: datetime | None = None) -> Appointment:
    """The booking at the clerk's outlet that ``text`` names: the scanned QR's token (checked:
    signed by the service, for this outlet, for the day the booking is now on, and that day is
    today) or the 预约码 typed as read out (any day of this outlet, as the list shows it).
    A :class:`DomainError` (field ``code``) says why not."""
    now = now or timezone.now()
    text = text.strip()
    outlet_id = clerk.outlet_id or 0
    if "." not in text:
        return _by_code(text.upper()[:16], outlet_id)
    try:
        payload = signing.verify_token(text, typ=TOKEN_TYPE)
        code, outlet_code, day = (str(payload[k]) for k in ("c", "o", "d"))
        booked_day = date.fromisoformat(day)
    except (signing.TokenError, KeyError, ValueError):
        raise _refuse(FORGED, "forged", clerk=clerk, token=text, now=now) from None
    if clerk.outlet is None or outlet_code != clerk.outlet.code:
        named = Outlet.objects.filter(code=outlet_code).values_list("name", flat=True).first()
        raise _refuse(
            f"该预约不在本网点：预约的办理网点为{named or '其他网点'}，请引导预约人前往该网点办理",
            "wrong_outlet",
            clerk=clerk,
            token=text,
            now=now,
        )
    found = _by_code(code, outlet_id)
    if found.day != booked_day:
        raise DomainError(
            f"该二维码已失效：预约已改至{_when(found)}，请预约人出示“我的预约”中最新的二维码",
            field="code",
            code="moved",
        )
    if found.day != timezone.localdate(now):
        raise DomainError(
            f"该预约为{_when(found)}，不是今天的预约；请预约人按预约日期前来，或现场排队办理",
            field="code",
            code="not_today",
        )
    return found
