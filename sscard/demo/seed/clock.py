"""The story clock: the moment of the current step of a story, never later than the real time."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from django.utils import timezone


def local(day: date, at: time) -> datetime:
    """``at`` o'clock on ``day`` in the region's time zone."""
    return timezone.make_aware(datetime.combine(day, at))


class StoryClock:
    """The moment of the current step of a story, never later than the real time at which
    seeding began: the seeder passes it to every service it calls (``now=``)."""

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
