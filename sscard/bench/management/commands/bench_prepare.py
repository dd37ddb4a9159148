"""``manage.py bench_prepare SCENARIO --out DIR``: the sessions and request plans of one
benchmark scenario (``sscard.bench.prepare``); ``--check`` counts the rows a write scenario
left against what the server confirmed. Used by ``scripts/bench.py``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sscard.bench import prepare


class Command(BaseCommand):
    help = "准备一个性能基准场景的会话与请求（scripts/bench.py 调用）。"

    def add_arguments(self, parser: CommandParser) -> None:
        scenarios = [*prepare.READ_SCENARIOS, *prepare.WRITE_SCENARIOS]
        parser.add_argument("scenario", choices=scenarios)
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--threads", type=int, default=32)
        parser.add_argument("--per-thread", type=int, default=50, help="requests (writes)")
        parser.add_argument(
            "--check", type=int, metavar="SUBMITTED", help="count rows after the run"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scenario: str = options["scenario"]
        out: Path = options["out"]
        seed: int = options["seed"]
        threads: int = options["threads"]
        per_thread: int = options["per_thread"]
        if options["check"] is not None:
            meta = json.loads((out / "meta.json").read_text())
            locations = out / "locations.txt"
            result = prepare.check_rows(
                meta, options["check"], locations.read_text() if locations.exists() else ""
            )
            (out / "rows.json").write_text(json.dumps(result, default=str))
            self.stdout.write(json.dumps(result, default=str))
            return
        if scenario in prepare.READ_SCENARIOS:
            meta = prepare.prepare_reads(scenario, out, seed=seed)
        elif scenario == "loss":
            # a cycle is four requests: 挂失 page, 确认, 解挂 page, 确认
            cycles = max(1, per_thread // 4)
            meta = prepare.prepare_loss(out, seed=seed, threads=threads, cycles=cycles)
        elif scenario in ("apply", "apply_photo"):
            meta = prepare.prepare_apply(
                out,
                seed=seed,
                threads=threads,
                per_thread=max(1, per_thread // 2),
                photo=scenario == "apply_photo",
            )
        elif scenario == "partner_events":
            meta = prepare.prepare_partner(out, seed=seed, threads=threads, per_thread=per_thread)
        else:  # pragma: no cover — argparse's choices
            raise CommandError(scenario)
        (out / "meta.json").write_text(json.dumps(meta, default=str))
        self.stdout.write(f"{scenario}: prepared in {out}")
