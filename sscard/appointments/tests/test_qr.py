"""The booking's QR code: the service's signed token of the booking's code, outlet and day.
The clerk's list finds a booking by it only when the service signed it, for the clerk's outlet,
for the day the booking is on, and that day is today; the code read out still finds it."""

from __future__ import annotations

import base64
import json
from datetime import date, time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sscard.accounts.models import User
from sscard.appointments.constants import Purpose
from sscard.appointments.models import Appointment
from sscard.appointments.qr import (
    CANCELLED,
    FORGED,
    NOT_FOUND,
    TOKEN_TYPE,
    appointment_find,
    appointment_qr_token,
)
from sscard.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from sscard.audit.models import AuditRecord
from sscard.core import signing
from sscard.core.errors import DomainError
from sscard.testing.factories import OutletFactory, StaffFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 28)  # the monday fixture's day
TOMORROW = date(2026, 9, 29)


@pytest.fixture
def clerk(outlet):
    return StaffFactory(role=User.Role.CLERK, outlet=outlet)


def _book(holder, waiting, day=TODAY, starts=time(14, 30)) -> Appointment:
    return appointment_book(
        user=holder, purpose=Purpose.COLLECT, order=waiting, day=day, starts=starts
    )


def _refusal(text, clerk) -> DomainError:
    with pytest.raises(DomainError) as refused:
        appointment_find(text=text, clerk=clerk)
    assert refused.value.field == "code"
    return refused.value


def _tampered(token: str, **changes) -> str:
    head, body, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return ".".join([head, signing.b64url(json.dumps(payload | changes).encode()), sig])


def test_the_qr_carries_a_signed_token_of_the_code_outlet_and_day(monday, hours, holder, waiting):
    booked = _book(holder, waiting)
    token = appointment_qr_token(booked)
    assert booked.code not in token  # not the bare code: it is inside the signed payload
    assert signing.verify_token(token, typ=TOKEN_TYPE) == {
        "c": booked.code,
        "o": hours.code,
        "d": "2026-09-28",
    }
    assert signing.token_key_id(token) == "ts2"  # the current signing key names itself


def test_a_scanned_qr_of_todays_booking_at_this_outlet_finds_it(
    monday, hours, holder, waiting, clerk
):
    booked = _book(holder, waiting)
    assert appointment_find(text=appointment_qr_token(booked), clerk=clerk) == booked
    # pasted with the spaces and line end a scanner may add
    assert appointment_find(text=f"  {appointment_qr_token(booked)}\n", clerk=clerk) == booked


def test_a_forged_or_tampered_qr_is_refused_and_audited(monday, hours, holder, waiting, clerk):
    booked = _book(holder, waiting)
    claims = {"c": booked.code, "o": hours.code, "d": "2026-09-28"}
    impostor = signing.Ed25519Signer("ts2", Ed25519PrivateKey.generate())  # a known key id
    stranger = signing.Ed25519Signer("zz9", Ed25519PrivateKey.generate())  # an unknown one
    other = OutletFactory(bank=hours.bank)
    forgeries = [
        signing.sign_token(claims, typ=TOKEN_TYPE, signer=impostor),
        signing.sign_token(claims, typ=TOKEN_TYPE, signer=stranger),
        # a genuine token with another booking's day or outlet written in
        _tampered(appointment_qr_token(booked), d="2026-09-29"),
        _tampered(appointment_qr_token(booked), o=other.code),
        # another of the service's signed codes (a receipt's) is not a booking's
        signing.sign_token(claims, typ="sscard-receipt+jws"),
        signing.sign_token({"c": booked.code}, typ=TOKEN_TYPE),  # signed, but says too little
        "a.b.c",
    ]
    for forged in forgeries:
        refused = _refusal(forged, clerk)
        assert (refused.code, refused.message) == ("forged", FORGED)
    refusals = AuditRecord.objects.filter(
        action="appointment.scan", result=AuditRecord.Result.REFUSED, actor_id=clerk.pk
    )
    assert refusals.count() == len(forgeries)
    assert {r.detail["refused"] for r in refusals} == {"forged"}
    assert booked.code not in str([r.detail for r in refusals])


def test_another_outlets_booking_is_refused_naming_its_outlet(monday, hours, holder, waiting):
    booked = _book(holder, waiting)
    elsewhere = StaffFactory(
        role=User.Role.CLERK, outlet=OutletFactory(code="PN01", name="普宁市社保卡服务中心")
    )
    refused = _refusal(appointment_qr_token(booked), elsewhere)
    assert refused.code == "wrong_outlet"
    assert refused.message == (
        f"该预约不在本网点：预约的办理网点为{hours.name}，请引导预约人前往该网点办理"
    )
    assert AuditRecord.objects.filter(
        action="appointment.scan", actor_id=elsewhere.pk, detail__refused="wrong_outlet"
    ).exists()
    # its code read out does not find it there either
    assert _refusal(booked.code, elsewhere).code == "not_found"


def test_a_genuine_qr_of_a_booking_not_on_record_is_not_found(monday, hours, clerk):
    token = signing.sign_token(
        {"c": "0000000000000000", "o": hours.code, "d": "2026-09-28"}, typ=TOKEN_TYPE
    )
    refused = _refusal(token, clerk)
    assert (refused.code, refused.message) == ("not_found", NOT_FOUND)


def test_the_qr_of_a_booking_since_moved_is_refused_with_the_new_time(
    hours, holder, waiting, clerk, time_machine
):
    time_machine.move_to("2026-09-25 10:00 +08:00")  # the Friday before
    booked = _book(holder, waiting, day=date(2026, 9, 29))
    old = appointment_qr_token(booked)
    appointment_reschedule(appointment=booked, user=holder, day=TODAY, starts=time(15))
    time_machine.move_to("2026-09-28 09:00 +08:00")
    refused = _refusal(old, clerk)
    assert refused.code == "moved"
    assert "预约已改至2026年09月28日 15:00-15:30" in refused.message
    booked.refresh_from_db()
    assert appointment_find(text=appointment_qr_token(booked), clerk=clerk) == booked


def test_the_qr_of_another_days_booking_is_refused_but_its_code_finds_it(
    monday, hours, holder, waiting, clerk
):
    booked = _book(holder, waiting, day=TOMORROW, starts=time(9))
    refused = _refusal(appointment_qr_token(booked), clerk)
    assert refused.code == "not_today"
    assert refused.message.startswith("该预约为2026年09月29日 09:00-09:30，不是今天的预约")
    # the code typed as read out finds it on its day's list (the clerk sees when it is)
    assert appointment_find(text=booked.code.lower(), clerk=clerk) == booked


def test_a_cancelled_booking_is_refused_whether_scanned_or_typed(
    hours, holder, waiting, clerk, time_machine
):
    time_machine.move_to("2026-09-25 10:00 +08:00")
    booked = _book(holder, waiting)
    token = appointment_qr_token(booked)
    appointment_cancel(appointment=booked, user=holder)
    time_machine.move_to("2026-09-28 09:00 +08:00")
    for text in (token, booked.code):
        refused = _refusal(text, clerk)
        assert (refused.code, refused.message) == ("cancelled", CANCELLED)


def test_a_typed_code_that_names_nothing_is_not_found(monday, hours, clerk):
    for text in ("0000000000000000", "not-a-code", ""):
        assert _refusal(text, clerk).code == "not_found"
