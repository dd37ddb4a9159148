"""The reminder the day before a booking: once per booking and half hour, however often the
scheduler runs; none for a cancelled booking or a card already collected."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import time_machine
from django.conf import settings

from sscard.appointments import services
from sscard.appointments.constants import Purpose
from sscard.appointments.reminders import remind_appointments
from sscard.appointments.tasks import remind_appointments_task
from sscard.appointments.tests.conftest import LOCAL
from sscard.notifications.constants import Channel, Event
from sscard.notifications.models import Message
from sscard.production.constants import Stage

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2026, 9, 30)


def reminders() -> list[Message]:
    return list(
        Message.objects.filter(
            channel=Channel.INBOX, notification__event=Event.APPOINTMENT_TOMORROW
        )
    )


def at(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=LOCAL)


def test_the_holder_is_reminded_the_day_before_once(monday, hours, holder, waiting):
    appointment = services.appointment_book(
        user=holder, purpose=Purpose.COLLECT, order=waiting, day=WEDNESDAY, starts=time(9, 30)
    )
    assert remind_appointments() == 0  # Monday: not yet
    with time_machine.travel(at(date(2026, 9, 29)), tick=False):
        assert remind_appointments() == 1
        assert remind_appointments() == 0  # the scheduler runs again: told once
    [message] = reminders()
    assert "榕城区社保卡服务中心" in message.body and "领卡" in message.body
    assert "2026年09月30日 09:30-10:00" in message.body and appointment.code in message.body
    assert message.user_id == holder.pk


def test_a_moved_booking_is_reminded_again_and_a_cancelled_one_not(monday, hours, holder, waiting):
    appointment = services.appointment_book(
        user=holder, purpose=Purpose.FORMAL_LOSS, outlet=hours, day=WEDNESDAY, starts=time(9, 30)
    )
    with time_machine.travel(at(date(2026, 9, 29)), tick=False):
        assert remind_appointments() == 1
    with time_machine.travel(at(date(2026, 9, 29), 9), tick=False):
        services.appointment_reschedule(
            appointment=appointment, user=holder, day=date(2026, 10, 8), starts=time(10, 0)
        )
    with time_machine.travel(at(date(2026, 10, 7)), tick=False):
        assert remind_appointments() == 1
        services.appointment_reschedule(
            appointment=appointment, user=holder, day=date(2026, 10, 9), starts=time(10, 0)
        )
        services.appointment_cancel(appointment=appointment, user=holder)
    with time_machine.travel(at(date(2026, 10, 8)), tick=False):
        assert remind_appointments() == 0
    assert len(reminders()) == 2


def test_no_reminder_for_a_card_collected_meanwhile(monday, hours, holder, waiting):
    services.appointment_book(
        user=holder, purpose=Purpose.COLLECT, order=waiting, day=WEDNESDAY, starts=time(9, 30)
    )
    waiting.stage = Stage.COLLECTED
    waiting.save(update_fields=["stage"])
    with time_machine.travel(at(date(2026, 9, 29)), tick=False):
        assert remind_appointments() == 0


def test_the_reminder_runs_as_a_task_scheduled_by_run_periodic():
    assert "sscard.appointments.tasks.remind_appointments_task" in settings.SSCARD_PERIODIC_TASKS
    assert remind_appointments_task.enqueue().return_value == 0
