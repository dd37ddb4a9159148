"""Enqueue the periodic tasks named in ``SSCARD_PERIODIC_TASKS``: once (for cron), or every
``--every`` seconds until stopped (beside the task worker)."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string

logger = logging.getLogger("sscard.periodic")


class Command(BaseCommand):
    help = "Enqueue periodic background tasks (once, or in a loop with --every)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help="seconds between rounds; 0 runs one round and exits",
        )

    def handle(self, *args: Any, every: int, **options: Any) -> None:
        while True:
            for path in settings.SSCARD_PERIODIC_TASKS:
                result = import_string(path).enqueue()
                logger.info("periodic.enqueued task=%s id=%s", path, result.id)
            if every <= 0:
                return
            time.sleep(every)
