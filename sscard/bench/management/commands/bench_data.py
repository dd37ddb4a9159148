"""``manage.py bench_data N --seed S``: N people with cards, production orders and
applications over every state, in bulk (see ``sscard.bench.generate``)."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from sscard.accounts.models import User
from sscard.bench.generate import USERNAME_PREFIX, generate


class Progress:
    """A one-line progress bar on stderr (rows done, rate, time left)."""

    def __init__(self, stream: Any, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed else 0.0
        left = (total - done) / rate if rate else 0.0
        filled = int(30 * done / total) if total else 30
        bar = "#" * filled + "-" * (30 - filled)
        self.stream.write(f"\r[{bar}] {done:,}/{total:,} 人  {rate:,.0f}/s  剩余 {left:,.0f}s ")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "生成性能基准数据：N 名持卡人及其社保卡、制卡订单、办件（覆盖所有状态）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int, help="number of people")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--chunk", type=int, default=5000, help="people per transaction")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--jobs",
            type=int,
            help="writer processes (default: one a core on PostgreSQL, 1 on SQLite)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["count"]
        seed: int = options["seed"]
        if count < 1:
            raise CommandError("N must be at least 1")
        # generated card and receipt numbers follow the person's index: one data set a database
        if (
            User.objects.filter(username__startswith=USERNAME_PREFIX)
            .exclude(username=f"{USERNAME_PREFIX}counter")
            .exists()
        ):
            raise CommandError("this database already holds bench data: use a fresh database")
        started = time.monotonic()
        progress = Progress(sys.stderr, enabled=not options["no_progress"])
        jobs = options["jobs"] or (
            1 if connection.vendor == "sqlite" else min(4, max(1, os.cpu_count() or 1))
        )
        counts = generate(count, seed=seed, chunk=options["chunk"], progress=progress, jobs=jobs)
        # planner statistics for the new rows, as autovacuum would gather them in production
        # (and the visibility map the review queue's index-only count reads)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                cursor.execute("VACUUM ANALYZE applications_application")
            cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"bench_data: {counts.people:,} people, {counts.accounts:,} accounts, "
            f"{sum(counts.cards.values()):,} cards, "
            f"{sum(counts.applications.values()):,} applications in {elapsed:.1f}s, "
            f"{jobs} writer process(es)"
        )
        self.stdout.write(f"  cards: {dict(sorted(counts.cards.items()))}")
        self.stdout.write(f"  applications: {dict(sorted(counts.applications.items()))}")
        self.stdout.write(f"  production stages: {dict(sorted(counts.stages.items()))}")
