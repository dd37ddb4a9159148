"""Working-day rules for 办理时限 (statutory time limits). Pure: no database access.

A working day (工作日) follows the PRC official calendar, including 调休 make-up working
days on weekends, as shipped by the ``chinesecalendar`` package. For a year that package
does not know, the administrator's holiday table (``WorkCalendar.overrides``) decides for
the dates it lists, and otherwise Monday-Friday are working days; when a whole year falls
back to Monday-Friday a warning is logged once per process so administrators can fill in
the table.

The clock starts on the day of acceptance (that day itself is not counted) and stops while
an application is returned for correction (补正): the working days spent paused are added
to the limit.
"""

from __future__ import annotations

import functools
import logging
from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar

logger = logging.getLogger("sscard.workdays")

_ONE_DAY = timedelta(days=1)
_warned_years: set[int] = set()


@functools.lru_cache(maxsize=8192)
def _official_workday(day: date) -> bool | None:
    """The official answer for ``day``, or None when chinese_calendar has no data for its year."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def _warn_year_unknown(year: int) -> None:
    if year not in _warned_years:
        _warned_years.add(year)
        logger.warning("calendar.year_unknown year=%s", year)


@dataclass(frozen=True)
class WorkCalendar:
    """The official calendar, completed by the administrator's holiday table.

    ``overrides`` maps a date to True (working day) or False (holiday). It is consulted only
    for years chinese_calendar does not know; dates of such a year that it does not list
    are working days from Monday to Friday.
    """

    overrides: Mapping[date, bool] = field(default_factory=dict)
    _override_years: frozenset[int] = field(init=False, repr=False, compare=False)
    # working days counted so far: (first day, running counts), so that many countdowns in
    # one page (the review queue) walk each day once, not once per application
    _ranks: dict[str, tuple[date, list[int]]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_override_years", frozenset(d.year for d in self.overrides))

    def knows_year(self, year: int) -> bool:
        """True if chinese_calendar ships official data for ``year``."""
        return _official_workday(date(year, 1, 1)) is not None

    def is_workday(self, day: date) -> bool:
        official = _official_workday(day)
        if official is not None:
            return official
        listed = self.overrides.get(day)
        if listed is not None:
            return bool(listed)
        if day.year not in self._override_years:
            _warn_year_unknown(day.year)
        return day.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day strictly after ``start``; ``start`` itself when n == 0."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day = start
        while n > 0:
            day += _ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days d with start < d <= end (0 when end <= start)."""
        if end <= start:
            return 0
        first, counts = self._span(start, end)
        return counts[(end - first).days] - counts[(start - first).days]

    def _count(self, first: date, last: date, offset: int = 0) -> list[int]:
        counts, n, day = [], offset, first
        while day <= last:
            n += self.is_workday(day)
            counts.append(n)
            day += _ONE_DAY
        return counts

    def _span(self, start: date, end: date) -> tuple[date, list[int]]:
        """Running counts of working days over a span covering ``start`` to ``end``: the
        difference of two counts is the number of working days between them."""
        if "span" not in self._ranks:
            self._ranks["span"] = (start, self._count(start, end))
        first, counts = self._ranks["span"]
        if start < first:  # extend backwards: the days before shift every count
            before = self._count(start, first - _ONE_DAY)
            counts = before + [c + before[-1] for c in counts]
            first = start
        last = first + timedelta(days=len(counts) - 1)
        if end > last:
            counts = counts + self._count(last + _ONE_DAY, end, counts[-1])
        self._ranks["span"] = (first, counts)
        return first, counts

    def unknown_years(self, start: date, end: date) -> list[int]:
        """Years in [start.year, end.year] that fall back to Monday-Friday entirely.

        That is: chinese_calendar does not know them and the holiday table lists no date
        in them. Callers show these to administrators as a warning.
        """
        return [
            year
            for year in range(start.year, end.year + 1)
            if not self.knows_year(year) and year not in self._override_years
        ]


@dataclass(frozen=True)
class Deadline:
    """Where an application stands against its time limit on a given day.

    ``remaining`` counts working days from today (exclusive) to ``due`` (inclusive); once
    overdue it is -(working days from ``due`` exclusive to today inclusive), which is 0 on
    a non-working day right after the due date. ``overdue`` means today is after ``due``.
    """

    due: date | None
    paused: bool
    remaining: int | None
    overdue: bool
    warning: bool


def compute_deadline(
    calendar: WorkCalendar,
    *,
    accepted_on: date,
    limit_days: int,
    paused_days: int,
    paused_since: date | None,
    today: date,
    warn_days: int,
) -> Deadline:
    """The deadline for an application accepted on ``accepted_on``.

    ``paused_days`` are the working days of completed pauses; while ``paused_since`` is set
    the clock is stopped and there is no due date.
    """
    if paused_since is not None:
        return Deadline(due=None, paused=True, remaining=None, overdue=False, warning=False)
    due = calendar.add_working_days(accepted_on, limit_days + paused_days)
    if today > due:
        remaining = -calendar.working_days_between(due, today)
        return Deadline(due=due, paused=False, remaining=remaining, overdue=True, warning=False)
    remaining = calendar.working_days_between(today, due)
    return Deadline(
        due=due,
        paused=False,
        remaining=remaining,
        overdue=False,
        warning=remaining <= warn_days,
    )


def paused_working_days(calendar: WorkCalendar, *, paused_on: date, resumed_on: date) -> int:
    """Working days the clock was stopped: d with paused_on < d <= resumed_on."""
    return calendar.working_days_between(paused_on, resumed_on)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day when it is
    shorter): 逾期封存 and the reminder a month before it count back the same way."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))
