import logging
from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sscard.core import workdays
from sscard.core.workdays import (
    Deadline,
    WorkCalendar,
    compute_deadline,
    paused_working_days,
)

CALENDAR = WorkCalendar()


def official_days_2026(*, working: bool, on_weekend: bool) -> list[date]:
    """2026 dates as chinese_calendar itself sees them, so the tests follow its data."""
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    days = (
        chinese_calendar.get_workdays(start, end, include_weekends=True)
        if working
        else chinese_calendar.get_holidays(start, end, include_weekends=True)
    )
    return [d for d in days if (d.weekday() >= 5) == on_weekend]


@pytest.fixture
def fresh_warnings(monkeypatch):
    """Forget which years were already warned about in this process."""
    monkeypatch.setattr(workdays, "_warned_years", set())


# --- the official calendar -------------------------------------------------------------


def test_chinese_calendar_knows_2026_but_not_2027():
    assert CALENDAR.knows_year(2026)
    assert not CALENDAR.knows_year(2027)


def test_a_make_up_saturday_counts_as_a_working_day():
    # Pinned facts of chinesecalendar 1.11: 调休 Saturdays around Spring Festival 2026.
    for saturday in (date(2026, 2, 14), date(2026, 2, 28)):
        assert saturday.weekday() == 5
        assert CALENDAR.is_workday(saturday)


def test_every_official_make_up_weekend_day_of_2026_is_a_working_day():
    make_up_days = official_days_2026(working=True, on_weekend=True)
    assert date(2026, 2, 14) in make_up_days
    assert all(CALENDAR.is_workday(d) for d in make_up_days)


def test_every_official_weekday_holiday_of_2026_is_not_a_working_day():
    weekday_holidays = official_days_2026(working=False, on_weekend=False)
    assert date(2026, 10, 1) in weekday_holidays
    assert not any(CALENDAR.is_workday(d) for d in weekday_holidays)


def test_national_day_2026_is_a_week_without_working_days():
    national_day = [date(2026, 10, 1) + timedelta(days=i) for i in range(7)]
    assert not any(CALENDAR.is_workday(d) for d in national_day)
    assert CALENDAR.working_days_between(date(2026, 9, 30), date(2026, 10, 7)) == 0


def test_spring_festival_2026_weekdays_are_not_working_days():
    festival = [d for d in official_days_2026(working=False, on_weekend=False) if d.month == 2]
    assert date(2026, 2, 17) in festival  # 春节 (Lunar New Year's Day) is a Tuesday
    assert not any(CALENDAR.is_workday(d) for d in festival)


def test_an_ordinary_monday_and_sunday_keep_their_usual_meaning():
    assert CALENDAR.is_workday(date(2026, 3, 2))
    assert not CALENDAR.is_workday(date(2026, 3, 1))


# --- adding and counting working days ---------------------------------------------------


def test_zero_working_days_after_acceptance_is_the_acceptance_day():
    assert CALENDAR.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)


def test_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError, match="n must be >= 0"):
        CALENDAR.add_working_days(date(2026, 3, 2), -1)


def test_the_acceptance_day_itself_is_not_counted():
    assert CALENDAR.add_working_days(date(2026, 3, 2), 1) == date(2026, 3, 3)


def test_one_working_day_after_the_mid_autumn_friday_is_the_next_monday():
    # 2026-09-25 (Fri) is a Mid-Autumn holiday; the weekend follows.
    assert CALENDAR.add_working_days(date(2026, 9, 25), 1) == date(2026, 9, 28)


def test_the_working_day_after_national_day_2026_is_october_8():
    assert CALENDAR.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_twenty_five_working_days_from_just_before_national_day_land_after_the_holiday():
    accepted = date(2026, 9, 24)
    due = CALENDAR.add_working_days(accepted, 25)
    naive_due = accepted + timedelta(days=25 * 7 // 5)  # as if every week had 5 working days
    assert due > date(2026, 10, 7)
    assert due > naive_due
    assert CALENDAR.is_workday(due)
    assert CALENDAR.working_days_between(accepted, due) == 25


def test_counting_a_make_up_saturday_brings_the_due_date_forward():
    # Fri 2026-02-13 -> the next working day is the 调休 Saturday 2026-02-14.
    assert CALENDAR.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)


def test_working_days_between_is_zero_when_the_end_is_not_after_the_start():
    assert CALENDAR.working_days_between(date(2026, 3, 4), date(2026, 3, 4)) == 0
    assert CALENDAR.working_days_between(date(2026, 3, 4), date(2026, 3, 2)) == 0


def test_working_days_between_excludes_the_start_and_includes_the_end():
    assert CALENDAR.working_days_between(date(2026, 3, 2), date(2026, 3, 6)) == 4


# --- years chinese_calendar does not know ------------------------------------------------


def test_a_2027_date_never_raises_and_uses_monday_to_friday():
    assert CALENDAR.is_workday(date(2027, 3, 1))  # Monday
    assert CALENDAR.is_workday(date(2027, 3, 5))  # Friday
    assert not CALENDAR.is_workday(date(2027, 3, 6))  # Saturday
    assert not CALENDAR.is_workday(date(2027, 3, 7))  # Sunday
    assert CALENDAR.add_working_days(date(2027, 3, 5), 1) == date(2027, 3, 8)


def test_a_date_far_outside_the_known_years_never_raises():
    assert CALENDAR.is_workday(date(2003, 6, 2))
    assert not CALENDAR.knows_year(2003)


def test_2027_overrides_make_a_monday_a_holiday_and_a_saturday_a_working_day():
    calendar = WorkCalendar(overrides={date(2027, 10, 4): False, date(2027, 10, 9): True})
    assert not calendar.is_workday(date(2027, 10, 4))  # Monday
    assert calendar.is_workday(date(2027, 10, 9))  # Saturday
    assert calendar.is_workday(date(2027, 10, 5))  # unlisted Tuesday stays a working day
    assert calendar.add_working_days(date(2027, 10, 1), 1) == date(2027, 10, 5)


def test_overrides_do_not_change_a_year_chinese_calendar_knows():
    calendar = WorkCalendar(overrides={date(2026, 10, 1): True, date(2026, 3, 2): False})
    assert not calendar.is_workday(date(2026, 10, 1))
    assert calendar.is_workday(date(2026, 3, 2))


def test_unknown_years_reports_2027_when_it_has_no_overrides():
    assert CALENDAR.unknown_years(date(2026, 11, 1), date(2027, 2, 1)) == [2027]


def test_unknown_years_is_silent_for_2027_once_it_has_overrides():
    calendar = WorkCalendar(overrides={date(2027, 1, 1): False})
    assert calendar.unknown_years(date(2026, 11, 1), date(2028, 2, 1)) == [2028]
    assert calendar.unknown_years(date(2026, 1, 1), date(2027, 12, 31)) == []


def test_falling_back_to_monday_to_friday_logs_a_warning_once_per_year(fresh_warnings, caplog):
    with caplog.at_level(logging.WARNING, logger="sscard.workdays"):
        CALENDAR.add_working_days(date(2027, 1, 1), 20)
        CALENDAR.is_workday(date(2027, 6, 1))
    warnings = [r for r in caplog.records if r.name == "sscard.workdays"]
    assert [r.getMessage() for r in warnings] == ["calendar.year_unknown year=2027"]
    assert warnings[0].levelno == logging.WARNING


def test_no_warning_is_logged_for_a_known_year_or_a_year_with_overrides(fresh_warnings, caplog):
    calendar = WorkCalendar(overrides={date(2027, 1, 1): False})
    with caplog.at_level(logging.WARNING, logger="sscard.workdays"):
        calendar.add_working_days(date(2026, 12, 1), 40)
    assert not [r for r in caplog.records if r.name == "sscard.workdays"]


# --- deadlines and the 补正 pause ---------------------------------------------------------


def deadline(**kwargs) -> Deadline:
    arguments = {
        "accepted_on": date(2026, 3, 2),  # Monday of an ordinary month
        "limit_days": 10,
        "paused_days": 0,
        "paused_since": None,
        "today": date(2026, 3, 2),
        "warn_days": 3,
    }
    arguments.update(kwargs)
    return compute_deadline(CALENDAR, **arguments)


def test_the_due_date_is_the_limit_in_working_days_after_acceptance():
    result = deadline()
    assert result.due == date(2026, 3, 16)
    assert result.remaining == 10
    assert not result.paused
    assert not result.overdue
    assert not result.warning


def test_a_returned_monday_resubmitted_wednesday_pauses_the_clock_for_two_days():
    assert (
        paused_working_days(CALENDAR, paused_on=date(2026, 3, 2), resumed_on=date(2026, 3, 4)) == 2
    )


def test_a_pause_over_a_holiday_counts_only_working_days():
    paused = paused_working_days(
        CALENDAR, paused_on=date(2026, 9, 30), resumed_on=date(2026, 10, 9)
    )
    assert paused == 2  # 10-08 and 10-09


def test_the_pause_moves_the_deadline_later_by_exactly_the_paused_working_days():
    paused = paused_working_days(CALENDAR, paused_on=date(2026, 3, 3), resumed_on=date(2026, 3, 6))
    before = deadline().due
    after = deadline(paused_days=paused).due
    assert paused == 3
    assert before is not None
    assert after is not None
    assert CALENDAR.working_days_between(before, after) == paused


def test_while_paused_there_is_no_due_date():
    result = deadline(paused_since=date(2026, 3, 5), today=date(2026, 4, 30))
    assert result == Deadline(due=None, paused=True, remaining=None, overdue=False, warning=False)


def test_remaining_equal_to_warn_days_raises_the_warning():
    result = deadline(today=date(2026, 3, 11))  # Wed; due Mon 03-16: Thu, Fri, Mon remain
    assert result.remaining == 3
    assert result.warning
    assert not result.overdue


def test_one_more_day_than_warn_days_raises_no_warning():
    result = deadline(today=date(2026, 3, 10))
    assert result.remaining == 4
    assert not result.warning


def test_on_the_due_date_nothing_remains_but_it_is_not_overdue():
    result = deadline(today=date(2026, 3, 16))
    assert result.remaining == 0
    assert not result.overdue
    assert result.warning


def test_the_day_after_the_due_date_is_overdue():
    result = deadline(today=date(2026, 3, 17))
    assert result.overdue
    assert result.remaining == -1
    assert not result.warning


def test_an_overdue_count_skips_non_working_days():
    result = deadline(today=date(2026, 3, 23))  # the Monday a week after the due date
    assert result.overdue
    assert result.remaining == -5


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
    n=st.integers(min_value=0, max_value=60),
)
def test_counting_back_the_working_days_added_gives_the_same_number(start, n):
    end = CALENDAR.add_working_days(start, n)
    assert CALENDAR.working_days_between(start, end) == n
    if n > 0:
        assert CALENDAR.is_workday(end)
    else:
        assert end == start


@settings(max_examples=200, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(
            st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
            st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_working_days_between_counts_like_walking_day_by_day_in_any_order_of_questions(pairs):
    # one calendar answers many questions (a page of countdowns): each answer is the count
    # of working days walked one by one, whatever was asked before
    calendar = WorkCalendar(overrides={date(2027, 1, 1): False, date(2027, 2, 6): True})
    for start, end in pairs:
        walked, day = 0, start + timedelta(days=1)
        while day <= end:
            walked += calendar.is_workday(day)
            day += timedelta(days=1)
        assert calendar.working_days_between(start, end) == walked
