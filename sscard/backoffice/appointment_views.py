"""网点柜员's 预约: the outlet's bookings of a day; the holder shows the QR of their booking
(a signed token, which the scanner types into the search and the service verifies) or reads
out its code, and the clerk marks them 已到 — a 领卡 goes straight on to the handover, where
the identity document is checked — or, once the half hour has passed without them, 未到."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sscard.accounts.requests import AuthedHttpRequest
from sscard.appointments.constants import Purpose
from sscard.appointments.models import Appointment
from sscard.appointments.qr import appointment_find
from sscard.appointments.selectors import outlet_day_list
from sscard.appointments.services import appointment_mark
from sscard.backoffice import roles
from sscard.backoffice.access import staff_view
from sscard.core.errors import DomainError
from sscard.core.signing import MAX_TOKEN_LENGTH
from sscard.production.constants import Stage


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return timezone.localdate()


def _list_url(day: date) -> str:
    return f"{reverse('backoffice:appointments')}?day={day.isoformat()}"


@staff_view(roles.OUTLET_WORK)
@require_http_methods(["GET", "POST"])
def appointments_day(request: AuthedHttpRequest) -> HttpResponse:
    """The day's bookings at the clerk's outlet; 预约码 (typed or scanned) finds one."""
    user = request.user
    day = _day(request.GET.get("day", ""))
    rows = outlet_day_list(user.outlet_id or 0, day)
    code = (
        request.POST.get("code", "").strip()[:MAX_TOKEN_LENGTH] if request.method == "POST" else ""
    )
    found: Appointment | None = None
    error = ""
    status = 200
    if code:
        try:
            found = appointment_find(text=code, clerk=user)
        except DomainError as exc:
            error = exc.message
            status = 404 if exc.code == "not_found" else 400
        else:
            day = found.day
            rows = outlet_day_list(user.outlet_id or 0, day)
    return render(
        request,
        "backoffice/appointments.html",
        {
            "outlet": user.outlet,
            "day": day,
            "today": timezone.localdate(),
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "rows": rows,
            "found": found,
            "code": code,
            "error": error,
        },
        status=status,
    )


def _mark(request: AuthedHttpRequest, pk: int, *, arrived: bool) -> Appointment | None:
    appointment = get_object_or_404(Appointment, pk=pk, outlet_id=request.user.outlet_id or 0)
    try:
        return appointment_mark(appointment=appointment, clerk=request.user, arrived=arrived)
    except DomainError as exc:
        messages.error(request, exc.message)
        return None


@staff_view(roles.OUTLET_WORK)
@require_POST
def appointment_arrived(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """已到: a 领卡 goes on to the handover of its card; another matter to the counter."""
    appointment = _mark(request, pk, arrived=True)
    if appointment is None:
        return redirect("backoffice:appointments")
    if (
        appointment.purpose == Purpose.COLLECT
        and appointment.order is not None
        and appointment.order.stage == Stage.OUTLET
    ):
        messages.success(request, "已确认到达，请核验领卡人的身份证件后发卡")
        return redirect("backoffice:handover", pk=appointment.order_id)
    messages.success(request, f"已确认到达：{appointment.get_purpose_display()}，请按柜台流程办理")
    return redirect(_list_url(appointment.day))


@staff_view(roles.OUTLET_WORK)
@require_POST
def appointment_no_show(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    appointment = _mark(request, pk, arrived=False)
    if appointment is None:
        return redirect("backoffice:appointments")
    messages.success(request, f"已标记未到：{appointment.slot_label}")
    return redirect(_list_url(appointment.day))
