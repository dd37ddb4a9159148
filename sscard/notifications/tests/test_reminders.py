"""The periodic reminders: once per occasion however often the scheduler runs them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from sscard.applications.tests.helpers import approve, produce_to_outlet, submit_apply
from sscard.core.workdays import months_before
from sscard.notifications import tasks
from sscard.notifications.constants import Channel, Event
from sscard.notifications.models import Message
from sscard.notifications.reminders import (
    remind_temporary_losses_lapsing,
    remind_uncollected_cards,
)
from sscard.production.models import ProductionEvent
from sscard.testing.factories import CardFactory

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


def test_the_lapse_reminder_is_sent_once_however_often_the_job_runs(citizen, sent):
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
        tasks.deliver_due_messages_task.enqueue()

    assert len(inbox(Event.LOSS_LAPSES_TOMORROW)) == 1
    assert [s["channel"] for s in sent] == ["sms"]


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


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 20), date(2025, 12, 20)),
        (date(2027, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 29), date(2027, 2, 28)),
        (date(2028, 1, 30), date(2027, 2, 28)),
    ],
)
def test_eleven_months_back_keeps_to_real_dates(today, expected):
    assert months_before(today, 11) == expected


def test_the_reminder_comes_a_month_before_the_regions_seal(
    citizen, bank, outlet, reviewer, producer, region
):
    region.uncollected_seal_months = 6
    region.save()
    signed_in = datetime(2026, 1, 20, 10, 0, tzinfo=LOCAL)
    with time_machine.travel(signed_in, tick=False):
        produce_to_outlet(approve(submit_apply(citizen, bank, outlet), reviewer), producer)

    with time_machine.travel(datetime(2026, 6, 19, 9, 0, tzinfo=LOCAL), tick=False):
        assert remind_uncollected_cards() == 0
    with time_machine.travel(datetime(2026, 6, 20, 9, 0, tzinfo=LOCAL), tick=False):
        assert remind_uncollected_cards() == 1  # five months on: a month before 逾期封存


def test_a_card_waiting_at_the_outlet_for_eleven_months_is_reminded_once(
    citizen, bank, outlet, reviewer, producer
):
    signed_in = datetime(2025, 12, 20, 10, 0, tzinfo=LOCAL)
    with time_machine.travel(signed_in, tick=False):
        application = produce_to_outlet(
            approve(submit_apply(citizen, bank, outlet), reviewer), producer
        )
    assert ProductionEvent.objects.filter(order=application.production_order).exists()

    with time_machine.travel(signed_in + timedelta(days=330), tick=False):  # 2026-11-15
        assert remind_uncollected_cards() == 0
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=LOCAL), tick=False):
        assert remind_uncollected_cards() == 1
        assert remind_uncollected_cards() == 0

    (message,) = inbox(Event.CARD_UNCOLLECTED)
    assert "已于2025年12月20日到达" in message.body
    assert outlet.name in message.body


def test_the_reminders_and_the_delivery_sweep_are_periodic_tasks():
    for name in (
        "deliver_due_messages_task",
        "remind_temporary_losses_lapsing_task",
        "remind_uncollected_cards_task",
    ):
        assert f"sscard.notifications.tasks.{name}" in settings.SSCARD_PERIODIC_TASKS
