"""The uncollected-card reminder: a month before the region's 逾期封存, once per occasion
however often the scheduler runs it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from sscard.applications.tests.helpers import approve, produce_to_outlet, submit_apply
from sscard.core.workdays import months_before
from sscard.notifications.constants import Channel, Event
from sscard.notifications.models import Message
from sscard.production.models import ProductionEvent
from sscard.production.reminders import remind_uncollected_cards

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Shanghai")


def inbox(event: str) -> list[Message]:
    return list(Message.objects.filter(channel=Channel.INBOX, notification__event=event))


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


def test_the_reminder_is_a_periodic_task():
    assert "sscard.production.tasks.remind_uncollected_cards_task" in settings.SSCARD_PERIODIC_TASKS
