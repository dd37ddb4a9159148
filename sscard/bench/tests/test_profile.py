"""manage.py bench_profile: every scenario the benchmark measures, prepared afresh and replayed
in-process, one row each with its CPU time and statements a request, counted as the pins count
them."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from sscard.bench.generate import generate
from sscard.bench.management.commands.bench_profile import SCENARIOS
from sscard.bench.report import READS, WRITES
from sscard.bench.tests.test_query_pins import PINS, SEED


def test_the_profile_covers_every_scenario_the_benchmark_measures():
    assert {"floor", *READS, *WRITES} <= set(SCENARIOS)


@pytest.mark.django_db(transaction=True)
def test_each_scenario_gets_a_row_with_its_cpu_time_and_statements_a_request(bench_pages, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    generate(60, seed=SEED, chunk=60)
    out = io.StringIO()
    call_command(
        "bench_profile", "floor", "loss", "--requests", "8", "--seed", str(SEED), stdout=out
    )
    rows = {
        m["scenario"]: m
        for m in re.finditer(
            r"^\| `(?P<scenario>\w+)` \| (?P<requests>\d+) \((?P<statuses>[^)]*)\) "
            r"\| (?P<cpu>[\d.]+) \| (?P<statements>[^|]+) \| (?P<where>[^|]+) \|",
            out.getvalue(),
            re.MULTILINE,
        )
    }
    assert set(rows) == {"floor", "loss"}
    assert rows["floor"]["statuses"] == "8× 200" and rows["loss"]["statuses"] == "8× 302"
    assert float(rows["floor"]["cpu"]) > 0
    # the floor's statements as its pin counts them; each step of a write shown on its own
    assert rows["floor"]["statements"].strip() == f"{PINS['floor']:.1f}"
    loss = rows["loss"]["statements"].strip()
    assert re.fullmatch(r"[\d.]+ \(page [\d.]+, submit [\d.]+\)", loss), loss
    assert "django." in rows["floor"]["where"]
