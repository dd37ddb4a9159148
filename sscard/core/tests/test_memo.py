"""The settings row and the holiday table are read once per request, and a change made in the
request is read back at once."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sscard.core import memo
from sscard.regions.models import HolidayOverride
from sscard.regions.selectors import region_settings, work_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_request():
    memo.begin()  # what request_started does
    yield
    memo.end()


def test_a_request_reads_the_settings_once():
    region_settings()  # the row exists, as it does after the first request
    memo.begin()
    with CaptureQueriesContext(connection) as ctx:
        first = region_settings()
        for _ in range(3):
            assert region_settings() is first
        work_calendar(start=date(2026, 1, 5))
        work_calendar(start=date(2026, 6, 1))
    memo.end()
    assert len(ctx.captured_queries) == 2  # the settings row once, the holiday table once


def test_a_change_saved_in_the_request_is_read_back(in_request):
    row = region_settings()
    row.temporary_loss_days = row.temporary_loss_days + 3
    row.save()
    assert region_settings().temporary_loss_days == row.temporary_loss_days
    day = date(2030, 11, 20)  # a Wednesday of a year the official calendar does not know yet
    assert work_calendar(start=day).is_workday(day) is True
    HolidayOverride.objects.create(date=day, is_workday=False)
    assert work_calendar(start=day).is_workday(day) is False


def test_outside_a_request_a_save_is_read_at_once():
    row = region_settings()
    row.temporary_loss_days += 1
    row.save()
    assert region_settings().temporary_loss_days == row.temporary_loss_days


def test_an_answer_found_along_with_something_else_is_not_asked_again(in_request):
    asked = []

    @memo.per_request
    def in_force(guardian_id: int, ward_id: int) -> bool:
        asked.append((guardian_id, ward_id))
        return False

    memo.remember(in_force, True, 1, 2)
    assert in_force(1, 2) is True
    assert in_force(1, 3) is False
    assert asked == [(1, 3)]


def test_outside_a_request_nothing_told_is_kept():
    @memo.per_request
    def in_force(guardian_id: int, ward_id: int) -> bool:
        return False

    memo.remember(in_force, True, 1, 2)
    assert in_force(1, 2) is False
