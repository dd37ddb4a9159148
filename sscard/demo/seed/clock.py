"""The story clock: the moment of the current step of a story, never later than the real time."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.utils import timezone


def local(day: date, at: time) -> datetime:
    """``at`` o'clock on ``day`` in the region's time zone."""
    return timezone.make_aware(datetime.combine(day, at))


class StoryClock:
    """Stands in for ``timezone.now`` while the stories run: the moment of the current step,
    never later than the real time at which seeding began."""

    def __init__(self, real_now: datetime) -> None:
        self.ceiling = real_now - timedelta(minutes=5)
        self.at = self.ceiling

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        """The day of the current step in the region's time zone."""
        return timezone.localdate(self.at)

    def set(self, moment: datetime) -> None:
        self.at = min(moment, self.ceiling)

    def advance_to(self, moment: datetime) -> None:
        """Forward only: within one story a step never precedes the one before it."""
        self.at = max(min(moment, self.ceiling), self.at + timedelta(seconds=1))


@contextmanager
def quiet_audit_log() -> Iterator[None]:
    """Every service call logs its audit row at INFO; a few thousand of them are noise here
    (the rows themselves are written as always)."""
    audit_logger = logging.getLogger("sscard.audit")
    level = audit_logger.level
    audit_logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        audit_logger.setLevel(level)


@contextmanager
def story_time(clock: StoryClock) -> Iterator[None]:
    """``timezone.now`` reads ``clock`` while the stories run. The seeder itself passes the
    clock's time where it stamps a row or a service takes one (``date_joined``, ``today=``,
    ``now=``); the patch remains for the services that read the time themselves: the
    ``auto_now``/``auto_now_add`` stamps of accounts, applications, cards, production, audit
    and notification rows, and the times and dates the services compute (receipt and batch
    numbers, 受理/decision/completion times, legal deadlines, card issue dates, temporary loss
    expiry, message placeholders)."""
    with mock.patch.object(timezone, "now", clock.now):
        yield
