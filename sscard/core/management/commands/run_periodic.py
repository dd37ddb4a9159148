"""Enqueue the periodic tasks named in ``SSCARD_PERIODIC_TASKS``: once (for cron), or every
``--every`` seconds until stopped (beside the task worker).

One runner at a time, however many are started (one beside each web server, say): a runner
enqueues only while it holds the ``periodic`` lease (``sscard.core.leases``: in Redis when the
cache is shared, else in the database). Looping, it keeps the lease by renewing it before each
task and lets it go when stopped; the others find it held and skip their rounds, and one of
them takes it over once it lapses — ``--lease`` seconds after a holder that died without
letting go (by default twice ``--every``, at least two minutes). Once (cron), a runner holds
the lease for its round only."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string

from sscard.core.leases import Lease

logger = logging.getLogger("sscard.periodic")
LEASE_KEY = "periodic"


def _stop(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)  # through the `finally` that lets the lease go


class Command(BaseCommand):
    help = "Enqueue periodic background tasks (once, or in a loop with --every)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help="seconds between rounds; 0 runs one round and exits",
        )
        parser.add_argument(
            "--lease",
            type=float,
            default=0,
            help="seconds the lease outlives a runner that stops renewing it "
            "(default: twice --every, at least 120)",
        )

    def handle(self, *args: Any, every: int, lease: float, **options: Any) -> None:
        held = Lease(LEASE_KEY, seconds=lease or max(2 * every, 120))
        if every > 0 and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _stop)
        try:
            while True:
                try:
                    self.round(held)
                except Exception:
                    if every <= 0:
                        raise
                    # the database or the cache away for a moment: the next round tries again
                    logger.exception("periodic.round_failed")
                if every <= 0:
                    return
                time.sleep(every)
        except KeyboardInterrupt:
            pass
        finally:
            held.release()

    def round(self, lease: Lease) -> None:
        """Enqueue each periodic task while the lease is held (checked and renewed before
        each: a runner that lost it midway stops there)."""
        for path in settings.SSCARD_PERIODIC_TASKS:
            if not lease.hold():
                logger.info("periodic.skipped lease=held-by-another-runner")
                return
            result = import_string(path).enqueue()
            logger.info("periodic.enqueued task=%s id=%s", path, result.id)
