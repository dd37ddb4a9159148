"""网点预约: the holder books a half hour at an outlet — to collect their card once it is
signed in there (网点签收), or for a matter done only at a counter — sees it in 我的办件 with
the QR the clerk scans, moves or cancels it up to the day before. A guardian does the same
for the cards of the minors in their confirmed care. Every URL that names a booking answers
404 unless it is the visitor's own or their ward's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sscard.accounts.models import User
from sscard.accounts.requests import AuthedHttpRequest
from sscard.appointments.constants import VISIT_PURPOSES, AppointmentStatus, Purpose
from sscard.appointments.models import Appointment
from sscard.appointments.qr import appointment_qr_token
from sscard.appointments.selectors import (
    Slot,
    acts_for,
    bookable_days,
    bookable_outlets,
    booking_pause,
    collectable_orders_in_care,
    collectable_orders_of,
    day_slots,
    hours_text,
    people_in_care,
    person_appointments,
)
from sscard.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from sscard.core.errors import DomainError
from sscard.core.qrcodes import qr_svg
from sscard.production.constants import Stage
from sscard.production.models import ProductionOrder
from sscard.regions.models import Outlet
from sscard.regions.selectors import region_settings
from sscard.web.auth import portal_login_required

WEEKDAY = "一二三四五六日"


@dataclass(frozen=True)
class DayChoice:
    value: str
    label: str


def _day_choices(days: list[date], kept: date | None) -> list[DayChoice]:
    """The days to choose from, and the one posted (kept on the page with its error)."""
    if kept is not None and kept not in days:
        days = sorted([*days, kept])
    return [
        DayChoice(d.isoformat(), f"{d.month}月{d.day}日 周{WEEKDAY[d.weekday()]}") for d in days
    ]


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _parse_slot(value: str) -> time | None:
    try:
        return time.fromisoformat(value.strip()[:5])
    except ValueError:
        return None


def _slot_context(outlet: Outlet | None, day: date | None, exclude: int | None) -> list[Slot]:
    return day_slots(outlet, day, exclude=exclude) if outlet is not None and day else []


@portal_login_required
@require_http_methods(["GET", "POST"])
def appointment_new(request: AuthedHttpRequest) -> HttpResponse:
    """预约: choose the card (领卡) or the outlet (a counter matter), the day, the half hour.
    “查看可约时段” shows the chosen day's half hours without booking (no script needed)."""
    user = request.user
    person = user.person
    if person is None:
        raise Http404
    values = request.POST if request.method == "POST" else request.GET
    purpose = values.get("purpose", Purpose.COLLECT)
    if purpose not in Purpose.values:
        raise Http404
    # the user's own card and those of the minors in their care, each named by its holder
    orders = collectable_orders_in_care(user) if purpose == Purpose.COLLECT else []
    outlets = list(bookable_outlets()) if purpose in VISIT_PURPOSES else []
    order: ProductionOrder | None = None
    outlet: Outlet | None = None
    if purpose == Purpose.COLLECT:
        wanted = values.get("order", "")
        if wanted.isdigit():
            # any order named is passed on: the service refuses one not in the user's care
            order = next((o for o in orders if o.pk == int(wanted)), None) or (
                ProductionOrder.objects.select_related("outlet").filter(pk=wanted).first()
            )
        elif orders:
            order = orders[0]  # the one the card list shows first
        if order is not None and order in orders:
            outlet = order.outlet
    else:
        outlet = next((o for o in outlets if o.code == values.get("outlet")), None)
    days = bookable_days(outlet) if outlet is not None else []
    day = _parse_day(values.get("day", "")) or (days[0] if days else None)
    starts = _parse_slot(values.get("slot", ""))
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and values.get("action") == "book":
        key = _parse_key(values.get("key", ""))
        try:
            if purpose == Purpose.COLLECT and order is None:
                raise DomainError("请选择要领取的社保卡", field="order")
            if day is None:
                raise DomainError("请选择预约日期", field="day")
            if starts is None:
                raise DomainError("请选择预约时段", field="slot")
            appointment = appointment_book(
                user=user,
                purpose=purpose,
                order=order,
                outlet=outlet,
                day=day,
                starts=starts,
                submission_key=key,
            )
        except DomainError as exc:
            errors = dict(exc.errors or {}) or {"slot": exc.message}
            status = 400
        else:
            messages.success(request, "预约成功，请按时携带有效身份证件前往网点")
            return redirect("portal:appointment", code=appointment.code)
    # the no-show pause is the card holder's (a ward's own record when booking for them)
    pause = booking_pause(order.person if order is not None and order in orders else person)
    return render(
        request,
        "portal/appointment_new.html",
        {
            "purpose": purpose,
            "purpose_label": Purpose(purpose).label,
            "orders": orders,
            "outlets": outlets,
            "order": order,
            "outlet": outlet,
            "hours": hours_text(outlet) if outlet is not None else "",
            "days": _day_choices(days, day if errors else None),
            "day": day.isoformat() if day else "",
            "slots": _slot_context(outlet, day, None),
            "slot": f"{starts:%H:%M}" if starts else "",
            "key": values.get("key") or uuid.uuid4(),
            "errors": errors,
            "pause": pause.message if pause and not errors else "",
            "formal_loss_at_counter": region_settings().formal_loss_at_counter,
        },
        status=status,
    )


def appointments_context(user: User) -> dict[str, Any]:
    """我的办件's 网点预约: the holder's bookings and those of the minors in their care
    (coming first), whether a card of theirs waits at its outlet with no booking to collect it
    yet, and whether the region has 正式挂失 done at the counter only."""
    at_counter = region_settings().formal_loss_at_counter
    people = people_in_care(user)
    if not people:
        return {"appointments": [], "to_book": False, "formal_loss_at_counter": at_counter}
    rows = person_appointments(people)
    booked_orders = {
        a.order_id for a in rows if a.status == AppointmentStatus.BOOKED and a.order_id
    }
    waiting = collectable_orders_of([p.pk for p in people]).exclude(pk__in=booked_orders).exists()
    return {"appointments": rows, "to_book": waiting, "formal_loss_at_counter": at_counter}


def _parse_key(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _own(request: AuthedHttpRequest, code: str) -> Appointment:
    appointment = (
        Appointment.objects.select_related("outlet", "order", "order__card", "person")
        .filter(code=code)
        .first()
    )
    if appointment is None or not acts_for(request.user, appointment.person):
        raise Http404
    return appointment


def _qr(appointment: Appointment) -> str:
    """The booking's QR (an inline SVG): the service's signed token of its code, outlet and
    day, which the clerk's scanner types into the day's list and the list verifies."""
    return qr_svg(appointment_qr_token(appointment), title="预约码二维码")


@portal_login_required
def appointment_detail(request: AuthedHttpRequest, code: str) -> HttpResponse:
    appointment = _own(request, code)
    collected = appointment.order is not None and appointment.order.stage == Stage.COLLECTED
    live = appointment.status == AppointmentStatus.BOOKED and not collected
    return render(
        request,
        "portal/appointment.html",
        {
            "appointment": appointment,
            "hours": hours_text(appointment.outlet),
            "qr": _qr(appointment) if live else "",
            "live": live,
            "collected": collected,
        },
    )


@portal_login_required
@require_http_methods(["GET", "POST"])
def appointment_reschedule_view(request: AuthedHttpRequest, code: str) -> HttpResponse:
    """改约: another day or half hour at the same outlet, up to the day before."""
    appointment = _own(request, code)
    values: Any = request.POST if request.method == "POST" else request.GET
    days = bookable_days(appointment.outlet)
    day = _parse_day(values.get("day", "")) or appointment.day
    starts = _parse_slot(values.get("slot", ""))
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and values.get("action") == "book":
        try:
            if starts is None:
                raise DomainError("请选择预约时段", field="slot")
            appointment_reschedule(
                appointment=appointment, user=request.user, day=day, starts=starts
            )
        except DomainError as exc:
            errors = dict(exc.errors or {}) or {"slot": exc.message}
            status = 400
        else:
            messages.success(request, "已改约")
            return redirect("portal:appointment", code=code)
    return render(
        request,
        "portal/appointment_reschedule.html",
        {
            "appointment": appointment,
            "days": _day_choices(days, day),
            "day": day.isoformat(),
            "slots": _slot_context(appointment.outlet, day, appointment.pk),
            "slot": f"{starts:%H:%M}" if starts else "",
            "errors": errors,
        },
        status=status,
    )


@portal_login_required
@require_POST
def appointment_cancel_view(request: AuthedHttpRequest, code: str) -> HttpResponse:
    appointment = _own(request, code)
    try:
        appointment_cancel(appointment=appointment, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "预约已取消")
    return redirect("portal:appointment", code=code)
