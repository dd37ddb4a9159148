"""The booking's reminder the day before: tomorrow's bookings still standing (a 领卡 only while
its card still waits at the outlet). Safe to run often: each booking is told once for the half
hour it holds (``Notification.dedupe_key``; moved to another day, it is told again).
Scheduled by ``run_periodic`` (``remind_appointments_task`` in ``SSCARD_PERIODIC_TASKS``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sscard.appointments.constants import AppointmentStatus, Purpose
from sscard.appointments.models import Appointment
from sscard.notifications.constants import Event
from sscard.notifications.models import Notification
from sscard.notifications.services import notify
from sscard.notifications.wording import absolute_url, local_day
from sscard.production.constants import Stage


def remind_appointments(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    due = (
        Appointment.objects.filter(status=AppointmentStatus.BOOKED, day=tomorrow)
        .filter(~Q(purpose=Purpose.COLLECT) | Q(order__stage=Stage.OUTLET))
        .select_related("person", "outlet")
    )
    told = 0
    for appointment in due:
        key = f"appointment:{appointment.pk}:{appointment.day:%Y%m%d}{appointment.starts:%H%M}"
        if Notification.objects.filter(dedupe_key=key).exists():
            continue
        values = {
            "item": appointment.get_purpose_display(),
            "outlet_name": appointment.outlet.name,
            "outlet_address": appointment.outlet.address,
            "outlet_phone": appointment.outlet.phone,
            "slot": f"{local_day(appointment.day)} {appointment.slot_label}",
            "code": appointment.code,
            "link": absolute_url(reverse("portal:appointment", args=[appointment.code])),
        }
        with transaction.atomic():
            told += bool(
                notify(
                    Event.APPOINTMENT_TOMORROW,
                    person=appointment.person,
                    values=values,
                    applicant_id=appointment.booked_by_id,
                    dedupe_key=key,
                    now=now,
                )
            )
    return told
