"""``manage.py bench_profile [SCENARIO ...]``: every benchmark scenario (or the ones named)
prepared afresh and replayed in-process: CPU ms and statements a request, and where the time
goes (``sscard.bench.profile``). Run it with the benchmark server's environment
(``scripts/bench.py --profile`` does; ``--print-env`` prints it), ``CACHE_URL`` included
for the Redis cache. ``--plan DIR`` profiles one plan ``bench_prepare`` already wrote."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sscard.bench import prepare
from sscard.bench.profile import Profile, profile_plan, table

SCENARIOS = [*prepare.READ_SCENARIOS, *prepare.WRITE_SCENARIOS]


def prepare_for(scenario: str, out: Path, *, seed: int, requests: int) -> dict[str, Any]:
    """A plan with enough requests for a warm-up, the timed pass and the profiled pass."""
    needed = 2 * requests + 1
    if scenario in prepare.READ_SCENARIOS:
        return prepare.prepare_reads(scenario, out, seed=seed)
    if scenario == "loss":  # 挂失 page, 确认, 解挂 page, 确认
        return prepare.prepare_loss(out, seed=seed, threads=1, cycles=math.ceil(needed / 4))
    if scenario in ("apply", "apply_photo"):  # a person each: the page, 确认
        return prepare.prepare_apply(
            out,
            seed=seed,
            threads=1,
            per_thread=math.ceil(needed / 2),
            photo=scenario == "apply_photo",
        )
    # the orders go through 制卡中, 市银行签收 and 网点签收 in turn, a third of the requests each
    return prepare.prepare_partner(
        out, seed=seed, threads=1, per_thread=needed, orders=math.ceil(needed / 3)
    )


class Command(BaseCommand):
    help = "剖析性能基准场景：每个请求的 CPU 毫秒数、SQL 语句数与耗时最多的函数。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "scenarios", nargs="*", help=f"default: every scenario ({', '.join(SCENARIOS)})"
        )
        parser.add_argument("--plan", type=Path, help="profile this prepared plan instead")
        parser.add_argument("--requests", type=int, default=50, help="timed, then profiled")
        parser.add_argument("--seed", type=int, default=1, help="the generated data's seed")
        parser.add_argument("--tree", action="store_true", help="print each call tree")
        parser.add_argument(
            "--queries", action="store_true", help="list one request's statements a step"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        unknown = set(options["scenarios"]) - set(SCENARIOS)
        if unknown:
            raise CommandError(f"no such scenario: {', '.join(sorted(unknown))}")
        requests: int = options["requests"]
        tree: bool = options["tree"] or options["plan"] is not None
        profiles: list[Profile] = []
        if options["plan"] is not None:
            profiles.append(profile_plan(options["plan"], requests=requests, tree=tree))
        for scenario in [] if options["plan"] else options["scenarios"] or SCENARIOS:
            with tempfile.TemporaryDirectory(prefix=f"bench-{scenario}-") as work:
                out = Path(work)
                meta = prepare_for(scenario, out, seed=options["seed"], requests=requests)
                try:
                    profiles.append(
                        profile_plan(out, requests=requests, scenario=scenario, tree=tree)
                    )
                finally:
                    prepare.restore_region(meta)
            self.stderr.write(f"{scenario}: done")
        self.stdout.write(table(profiles))
        for p in profiles:
            if options["queries"]:
                for step, sqls in p.queries.items():
                    self.stdout.write(f"\n{p.scenario}, {step}: {len(sqls)} statements")
                    self.stdout.write("".join(f"  {sql[:300]}\n" for sql in sqls))
            if p.tree:
                self.stdout.write(f"\n## {p.scenario}\n\n{p.tree}")
