"""The 临时挂失 reminder: the day before a report lapses, once per occasion however often the
scheduler runs it, and once when jobs run it in parallel."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from sscard.cards import tasks
from sscard.cards.reminders import remind_temporary_losses_lapsing
from sscard.notifications import tasks as notification_tasks
from sscard.notifications.constants import Channel, Event
from sscard.notifications.models import Message, Notification
from sscard.testing.factories import CardFactory
from sscard.testing.races import results, run_at_once

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Shanghai")

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=LOCAL)


def inbox(event: str) -> list[Message]:
    return list(Message.objects.filter(channel=Channel.INBOX, notification__event=event))


@pytest.mark.parametrize(
    ("expires", "reminded"),
    [
        (datetime(2026, 11, 21, 9, 0, tzinfo=LOCAL), True),  # tomorrow morning
        (datetime(2026, 11, 21, 23, 59, tzinfo=LOCAL), True),  # tomorrow night
        (datetime(2026, 11, 20, 18, 0, tzinfo=LOCAL), True),  # today: missed, tell now
        (datetime(2026, 11, 22, 0, 0, tzinfo=LOCAL), False),  # the day after tomorrow
        (datetime(2026, 11, 20, 11, 0, tzinfo=LOCAL), False),  # already past
    ],
)
def test_a_temporary_loss_report_lapsing_tomorrow_is_reminded(citizen, expires, reminded):
    card = CardFactory(lost_temporarily=True, person=citizen.person, loss_expires_at=expires)

    with time_machine.travel(NOON, tick=False):
        assert remind_temporary_losses_lapsing() == int(reminded)

    messages = inbox(Event.LOSS_LAPSES_TOMORROW)
    assert len(messages) == int(reminded)
    if reminded:
        assert card.masked_number in messages[0].body
        assert timezone.localtime(expires).strftime("%Y年%m月%d日 %H:%M") in messages[0].body


def test_the_lapse_reminder_is_sent_once_however_often_the_job_runs(citizen, texts):
    CardFactory(
        lost_temporarily=True,
        person=citizen.person,
        loss_expires_at=NOON + timedelta(hours=20),
    )

    with time_machine.travel(NOON, tick=False):
        for _ in range(3):
            tasks.remind_temporary_losses_lapsing_task.enqueue()
    with time_machine.travel(NOON + timedelta(hours=6), tick=False):
        tasks.remind_temporary_losses_lapsing_task.enqueue()
        notification_tasks.deliver_due_messages_task.enqueue()

    assert len(inbox(Event.LOSS_LAPSES_TOMORROW)) == 1
    assert [s["channel"] for s in texts] == ["sms"]


def test_a_new_report_after_a_lifted_one_is_reminded_again(citizen):
    card = CardFactory(
        lost_temporarily=True, person=citizen.person, loss_expires_at=NOON + timedelta(hours=20)
    )
    with time_machine.travel(NOON, tick=False):
        remind_temporary_losses_lapsing()
    card.loss_expires_at = NOON + timedelta(days=10, hours=20)
    card.save()

    with time_machine.travel(NOON + timedelta(days=10), tick=False):
        assert remind_temporary_losses_lapsing() == 1

    assert len(inbox(Event.LOSS_LAPSES_TOMORROW)) == 2


def test_the_reminder_is_a_periodic_task():
    assert "sscard.cards.tasks.remind_temporary_losses_lapsing_task" in (
        settings.SSCARD_PERIODIC_TASKS
    )


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_reminder_jobs_running_in_parallel_remind_once():
    CardFactory(lost_temporarily=True, loss_expires_at=timezone.now() + timedelta(hours=20))
    results(run_at_once(*[remind_temporary_losses_lapsing] * 8))

    assert Notification.objects.filter(event=Event.LOSS_LAPSES_TOMORROW).count() == 1
    assert Message.objects.filter(notification__event=Event.LOSS_LAPSES_TOMORROW).count() == 1
