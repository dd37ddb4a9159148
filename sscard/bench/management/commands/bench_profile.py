"""``manage.py bench_profile PLAN_DIR``: profile a prepared benchmark scenario in-process
(pyinstrument) and count its queries a request (``sscard.bench.profile``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sscard.bench.profile import profile


class Command(BaseCommand):
    help = "剖析一个已准备的性能基准场景（pyinstrument）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan", type=Path)
        parser.add_argument("--requests", type=int, default=50)
        parser.add_argument("--queries", action="store_true", help="list one request's queries")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(
            profile(options["plan"], requests=options["requests"], verbose=options["queries"])
        )
