"""The benchmark report: each scenario as a ratio to the baseline and to the floor, a table for
each cache configuration and the configurations side by side, and the targets, each mark
following the figure measured (no server, no data)."""

from __future__ import annotations

from typing import Any

from sscard.bench.report import markdown, measured, target_marks

ROWS = {"rows": 10, "confirmed": 10, "lost": 0, "duplicated": 0}


def scenario(ratio: float, p99_ms: float = 20.0, **extra: Any) -> dict[str, Any]:
    return {"rps": 100.0, "ratio": ratio, "p50_ms": 3.0, "p99_ms": p99_ms, "errors": 0, **extra}


def size(people: int, **scenarios: dict[str, Any]) -> dict[str, Any]:
    return {
        "size": people,
        "baseline": {"rps": 1000.0, "p50_ms": 1.0, "p99_ms": 2.0},
        "rows": {"accounts.Person": people},
        "scenarios": scenarios,
    }


def test_a_read_meets_its_target_only_fast_enough_at_the_big_size():
    marks = target_marks(
        [size(100_000, progress=scenario(0.25), queue=scenario(0.5, p99_ms=260.0))]
    )
    assert marks == [
        "- ✅ read `progress` at 100,000: ratio 0.25 (≥ 0.25), p99 20.0 ms (< 250)",
        "- ❌ read `queue` at 100,000: ratio 0.50 (≥ 0.12), p99 260.0 ms (< 250)",
    ]


def test_a_write_that_lost_a_row_misses_its_target_whatever_its_rate():
    lost = {**ROWS, "lost": 1}
    marks = target_marks([size(100_000, loss=scenario(0.9, rows=lost))])
    assert marks == [
        "- ❌ write `loss` at 100,000: ratio 0.90 (≥ 0.1), errors 0, lost 1, duplicated 0"
    ]


def test_the_partners_events_must_also_answer_half_within_100_ms():
    slow = scenario(0.5, rows=ROWS) | {"p50_ms": 120.0}
    marks = target_marks([size(10_000, partner_events=slow, apply_photo=scenario(0.03, rows=ROWS))])
    assert marks == [
        "- ❌ write `partner_events` at 10,000: ratio 0.50 (≥ 0.1), errors 0, lost 0, "
        "duplicated 0, p50 120.0 ms (< 100)",
        "- ✅ write `apply_photo` at 10,000: ratio 0.03 (≥ 0.03), errors 0, lost 0, duplicated 0",
    ]


def test_a_read_costing_more_than_1_3_times_at_the_big_size_misses_the_scaling_target():
    marks = target_marks(
        [size(10_000, status=scenario(0.8)), size(1_000_000, status=scenario(0.5))]
    )
    assert marks[-1].startswith("- ❌ `status` cost at 1,000,000 is 1.60 × the 10,000 figure")


def report_of(*runs: dict[str, Any]) -> dict[str, Any]:
    return {
        "started": "20261205T000000Z",
        "machine": {
            "nproc": 2,
            "cpu": "cpu",
            "memory_gb": 4.0,
            "os": "Linux",
            "python": "3.11",
            "django": "5.2",
            "granian": "granian 2",
            "wrk": "wrk 4",
            "sqlite": "3.40",
        },
        "load_start": [0.1],
        "load_end": [0.2],
        "workers": 2,
        "connections": 32,
        "duration": 3,
        "quick": True,
        "seconds": 60.0,
        "db": "sqlite",
        "sizes": list(runs),
    }


def test_the_markdown_names_each_scenario_and_flags_a_plan_spent_early():
    text = markdown(report_of(size(10_000, apply=scenario(0.2, rows=ROWS, plan_exhausted=True))))
    assert "## 10,000 people (sqlite, cache: locmem)" in text
    assert "| 申领 提交（免照片：页面 + 确认） (`apply`) | 100.0 | 0.20 |" in text
    assert "(plan spent early: rate is a lower bound)" in text
    assert "Mode: quick" in text


def _wrk(rps: float, p99_ms: float = 20.0) -> dict[str, Any]:
    return {"rps": rps, "p50_ms": 3.0, "p99_ms": p99_ms, "errors": 0}


def test_each_scenario_is_a_ratio_to_the_baseline_and_to_the_floor_of_its_own_run():
    run = measured(
        10_000,
        "locmem",
        {},
        [_wrk(900.0), _wrk(1100.0)],
        {"floor": _wrk(400.0), "progress": _wrk(100.0), "loss": _wrk(50.0)},
        {"accounts.Person": 10_000},
    )
    ratios = {n: (r["ratio"], r["floor_ratio"]) for n, r in run["scenarios"].items()}
    assert ratios == {"floor": (0.4, 1.0), "progress": (0.1, 0.25), "loss": (0.05, 0.125)}
    assert run["baseline"]["rps"] == 1000.0 and run["cache"] == "locmem"
    text = markdown(report_of(run))
    assert "| × baseline | × floor |" in text
    assert "| 制卡进度查询（已登录） (`progress`) | 100.0 | 0.10 | 0.25 |" in text


def test_a_run_without_the_floor_shows_no_floor_ratio():
    run = measured(10_000, "locmem", {}, [_wrk(1000.0)], {"progress": _wrk(100.0)}, {})
    assert run["scenarios"]["progress"]["floor_ratio"] is None
    assert "| 制卡进度查询（已登录） (`progress`) | 100.0 | 0.10 | – |" in markdown(report_of(run))


def test_each_cache_configuration_has_its_table_and_they_stand_side_by_side():
    def run(cache: str, progress: float, p99_ms: float) -> dict[str, Any]:
        results = {"floor": _wrk(400.0), "progress": _wrk(progress, p99_ms)}
        return measured(10_000, cache, {}, [_wrk(1000.0)], results, {})

    text = markdown(report_of(run("locmem", 100.0, 30.0), run("redis", 150.0, 25.0)))
    assert "## 10,000 people (sqlite, cache: locmem)" in text
    assert "## 10,000 people (sqlite, cache: redis)" in text
    assert "## 10,000 people (sqlite): locmem and redis side by side" in text
    assert (
        "| scenario | req/s locmem | req/s redis | redis / locmem | × floor locmem "
        "| × floor redis | p99 ms locmem | p99 ms redis |"
    ) in text
    assert "| `progress` | 100.0 | 150.0 | 1.50 | 0.25 | 0.38 | 30.0 | 25.0 |" in text
    # each configuration is held to the targets on its own
    assert "## Targets, cache: locmem" in text
    assert "## Targets, cache: redis" in text


def test_the_floor_is_a_reference_without_redis_and_a_target_with_it():
    runs = [size(10_000, floor=scenario(0.9)), size(100_000, floor=scenario(0.1, p99_ms=90.0))]
    assert target_marks(runs) == []
    assert target_marks(runs, "redis") == ["- ❌ floor at 100,000: ratio 0.10 (≥ 0.35, with Redis)"]
