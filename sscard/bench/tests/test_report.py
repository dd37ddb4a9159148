"""The benchmark report's targets: each mark follows the figure measured (no server, no data)."""

from __future__ import annotations

from typing import Any

from sscard.bench.report import markdown, target_marks

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
    marks = target_marks([size(100_000, progress=scenario(0.35), queue=scenario(0.5, p99_ms=60.0))])
    assert marks == [
        "- ✅ read `progress` at 100,000: ratio 0.35 (≥ 0.35), p99 20.0 ms (< 50)",
        "- ❌ read `queue` at 100,000: ratio 0.50 (≥ 0.35), p99 60.0 ms (< 50)",
    ]


def test_a_write_that_lost_a_row_misses_its_target_whatever_its_rate():
    lost = {**ROWS, "lost": 1}
    marks = target_marks([size(100_000, loss=scenario(0.9, rows=lost))])
    assert marks == [
        "- ❌ write `loss` at 100,000: ratio 0.90 (≥ 0.15), errors 0, lost 1, duplicated 0"
    ]


def test_a_read_costing_more_than_1_3_times_at_the_big_size_misses_the_scaling_target():
    marks = target_marks(
        [size(10_000, status=scenario(0.8)), size(1_000_000, status=scenario(0.5))]
    )
    assert marks[-1].startswith("- ❌ `status` cost at 1,000,000 is 1.60 × the 10,000 figure")


def test_the_markdown_names_each_scenario_and_flags_a_plan_spent_early():
    report = {
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
        "sizes": [size(10_000, apply=scenario(0.2, rows=ROWS, plan_exhausted=True))],
    }
    text = markdown(report)
    assert "## 10,000 people (sqlite)" in text
    assert "| 申领 提交（免照片：页面 + 确认） (`apply`) | 100.0 | 0.20 |" in text
    assert "(plan spent early: rate is a lower bound)" in text
    assert "Mode: quick" in text
