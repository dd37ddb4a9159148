"""Deliver the outbox from the command line: one sweep, or a loop (``--every``) for a
deployment that runs delivery apart from the task worker."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sscard.notifications.delivery import outbox_deliver


class Command(BaseCommand):
    help = "发送消息待发送队列中到期的消息（一次，或以 --every 秒为间隔循环）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=0, help="seconds between sweeps")

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        while True:
            sent = outbox_deliver()
            if options["verbosity"] > 1:
                self.stdout.write(f"sent {sent}")
            if every <= 0:
                return
            time.sleep(every)
