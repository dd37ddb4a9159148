"""The benchmark's report (``scripts/bench.py`` measures, this writes it down): the machine it
ran on, one table a size and cache configuration with each scenario as a ratio to the bare
baseline and to the floor (a signed-in page rendering only the portal's base template), the
cache configurations side by side, and the targets, each with the figure measured. Plain
Python, no Django settings needed."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

# the scenarios scripts/bench.py measures, as the report names them
READS = {
    "floor": "底线：已登录空白页（只渲染 base.html）",
    "progress": "制卡进度查询（已登录）",
    "status": "应用状态查询（已登录）",
    "queue": "审核队列 第一页",
    "queue_filtered": "审核队列 筛选（待审核·区县·申领）",
}
WRITES = {
    "loss": "挂失 → 解挂（页面 + 确认）",
    "apply": "申领 提交（免照片：页面 + 确认）",
    "apply_photo": "申领 提交（上传照片：页面 + 确认）",
    "partner_events": "合作方接口 制卡进度上报（签名）",
}


FLOOR = "floor"

# the cache the server ran with (CACHE_URL): each is measured as a run of its own
CACHES = {
    "locmem": "each worker's own memory (locmemcache://, the default)",
    "redis": "Redis shared by the workers (CACHE_URL=redis://…)",
}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)  # noqa: S603
    except OSError:
        return "?"
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0].split(" Copyright")[0] if text else "?"


def machine(db: str, env: dict[str, str]) -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    total = next((line.split()[1] for line in meminfo if line.startswith("MemTotal")), "0")
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    import django

    info = {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(int(total) / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "granian": version([str(Path(sys.executable).parent / "granian"), "--version"]),
        "wrk": version(["wrk", "-v"]),
        "database": db,
    }
    if db == "postgres":
        info["postgres"] = version(["psql", "--version"])
    else:
        import sqlite3

        info["sqlite"] = sqlite3.sqlite_version
    return info


def measured(
    size: int,
    cache: str,
    generated: dict[str, Any],
    baselines: list[dict[str, Any]],
    results: dict[str, dict[str, Any]],
    rows: dict[str, int],
) -> dict[str, Any]:
    """One size under one cache configuration: each scenario as a ratio to the baseline (the
    mean of its runs before and after) and to the floor."""
    rps = sum(b["rps"] for b in baselines) / len(baselines)
    floor = results.get(FLOOR, {}).get("rps")
    for r in results.values():
        r["ratio"] = round(r["rps"] / rps, 3) if rps else 0.0
        r["floor_ratio"] = round(r["rps"] / floor, 3) if floor else None
    return {
        "size": size,
        "cache": cache,
        "generated": generated,
        "baseline": {
            "rps": round(rps, 1),
            "runs": baselines,
            "p50_ms": baselines[0]["p50_ms"],
            "p99_ms": baselines[0]["p99_ms"],
        },
        "scenarios": results,
        "rows": rows,
    }


# The performance issue's targets: each scenario's least ratio to the baseline; reads also
# answer 99 % within 250 ms at 32 connections, the partner's events half within 100 ms; writes
# lose and duplicate nothing. The floor is held to its target with the shared cache only.
READ_TARGETS = {"progress": 0.25, "status": 0.25, "queue": 0.12, "queue_filtered": 0.12}
WRITE_TARGETS = {"loss": 0.10, "apply": 0.10, "apply_photo": 0.03, "partner_events": 0.10}
READ_P99_MS = 250
PARTNER_P50_MS = 100
FLOOR_WITH_REDIS = 0.35


def target_marks(sizes: list[dict[str, Any]], cache: str = "locmem") -> list[str]:
    """The issue's targets, each with the figure measured."""
    lines: list[str] = []
    big = sizes[-1]
    at = f"at {big['size']:,}"
    for name, r in big["scenarios"].items():
        mark = ""
        if name == FLOOR:
            if cache == "redis":
                ok = r["ratio"] >= FLOOR_WITH_REDIS
                mark = f"floor {at}: ratio {r['ratio']:.2f} (≥ {FLOOR_WITH_REDIS}, with Redis)"
            else:
                continue  # a reference, like the baseline
        elif name in READ_TARGETS:
            least = READ_TARGETS[name]
            ok = r["ratio"] >= least and r["p99_ms"] < READ_P99_MS
            mark = (
                f"read `{name}` {at}: ratio {r['ratio']:.2f} (≥ {least}), "
                f"p99 {r['p99_ms']:.1f} ms (< {READ_P99_MS})"
            )
        elif name in WRITE_TARGETS:
            least = WRITE_TARGETS[name]
            rows = r.get("rows", {})
            ok = (
                r["ratio"] >= least
                and r["errors"] == 0
                and not rows.get("lost")
                and not rows.get("duplicated")
            )
            mark = (
                f"write `{name}` {at}: ratio {r['ratio']:.2f} (≥ {least}), errors {r['errors']}, "
                f"lost {rows.get('lost')}, duplicated {rows.get('duplicated')}"
            )
            if name == "partner_events":
                ok = ok and r["p50_ms"] < PARTNER_P50_MS
                mark += f", p50 {r['p50_ms']:.1f} ms (< {PARTNER_P50_MS})"
        else:
            continue
        lines.append(f"- {'✅' if ok else '❌'} {mark}")
    if len(sizes) > 1:
        small = sizes[0]
        for name in READS:
            if name == FLOOR:
                continue
            a, b = small["scenarios"].get(name), big["scenarios"].get(name)
            if not a or not b or not b["ratio"]:
                continue
            # as ratios to each run's own baseline: the machine's load changes between sizes
            cost = a["ratio"] / b["ratio"]
            lines.append(
                f"- {'✅' if cost <= 1.3 else '❌'} `{name}` cost at {big['size']:,} is "
                f"{cost:.2f} × the {small['size']:,} figure, each as a ratio to its baseline "
                "(≤ 1.3)"
            )
    return lines


def cache_of(run: dict[str, Any]) -> str:
    return str(run.get("cache", "locmem"))


def times(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "–"


def run_table(run: dict[str, Any]) -> list[str]:
    """One size measured with one cache configuration: a row a scenario."""
    out = [
        "| scenario | req/s | × baseline | × floor | p50 ms | p99 ms | errors "
        "| rows after the run |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in run["scenarios"].items():
        label = READS.get(name) or WRITES.get(name, name)
        rows = r.get("rows")
        rows_text = (
            f"{rows['rows']} rows, {rows['confirmed']} confirmed in the run; "
            f"lost {rows['lost']}, duplicated {rows['duplicated']}"
            if rows
            else ""
        )
        if r.get("plan_exhausted"):
            rows_text += " (plan spent early: rate is a lower bound)"
        out.append(
            f"| {label} (`{name}`) | {r['rps']:,.1f} | {r['ratio']:.2f} | "
            f"{times(r.get('floor_ratio'))} | {r['p50_ms']} | {r['p99_ms']} | {r['errors']} | "
            f"{rows_text} |"
        )
    return out


def side_by_side(runs: list[dict[str, Any]]) -> list[str]:
    """The same size under each cache configuration: requests/s, the ratio to the floor and
    p99, a column each, and how much faster (or slower) the later configurations went."""
    caches = [cache_of(r) for r in runs]
    head = ["scenario"]
    head += [f"req/s {c}" for c in caches]
    head += [f"{c} / {caches[0]}" for c in caches[1:]]
    head += [f"× floor {c}" for c in caches]
    head += [f"p99 ms {c}" for c in caches]
    out = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    names = [n for n in runs[0]["scenarios"] if all(n in r["scenarios"] for r in runs)]
    for name in names:
        each = [r["scenarios"][name] for r in runs]
        first = each[0]["rps"]
        cells = [f"`{name}`"]
        cells += [f"{e['rps']:,.1f}" for e in each]
        cells += [times(e["rps"] / first if first else None) for e in each[1:]]
        cells += [times(e.get("floor_ratio")) for e in each]
        cells += [str(e["p99_ms"]) for e in each]
        out.append("| " + " | ".join(cells) + " |")
    return out


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    out = [
        f"# sscard benchmark — {report['started']}",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gb']} GB, {m['os']}; Python "
        f"{m['python']}, Django {m['django']}, {m['granian']}, {m['wrk']}, "
        + (m.get("postgres") or f"SQLite {m.get('sqlite')}")
        + ".",
        f"Load average at start {report['load_start']}, at end {report['load_end']} "
        "(other work on the machine lowers every figure; the ratios hold better).",
        f"Server: granian WSGI, {report['workers']} workers × 1 blocking thread, DEBUG off, "
        f"SSCARD_ENV=production. wrk: {report['connections']} connections, "
        f"{report['duration']} s a scenario. Mode: {'quick' if report['quick'] else 'full'}; "
        f"total {report['seconds']:.0f} s.",
        "",
        "× baseline: the scenario's requests/s over a bare Django JSON view's; × floor: over a "
        "signed-in page that renders only the portal's base template (`floor`). Both are "
        "measured by the same server in the same run.",
        "",
    ]
    sizes: dict[int, list[dict[str, Any]]] = {}
    for run in report["sizes"]:
        sizes.setdefault(run["size"], []).append(run)
    for size, runs in sizes.items():
        for run in runs:
            base = run["baseline"]
            cache = cache_of(run)
            out += [
                f"## {size:,} people ({report['db']}, cache: {cache})",
                "",
                f"Cache: {CACHES.get(cache, cache)}. "
                f"Baseline (bare JSON view, same server, measured before and after): "
                f"{base['rps']:,.0f} req/s (p50 {base['p50_ms']} ms, p99 {base['p99_ms']} ms). "
                f"Rows: {', '.join(f'{k} {v:,}' for k, v in run['rows'].items())}.",
                "",
                *run_table(run),
                "",
            ]
        if len(runs) > 1:
            out += [
                f"## {size:,} people ({report['db']}): "
                + " and ".join(cache_of(r) for r in runs)
                + " side by side",
                "",
                *side_by_side(runs),
                "",
            ]
    caches: dict[str, list[dict[str, Any]]] = {}
    for run in report["sizes"]:
        caches.setdefault(cache_of(run), []).append(run)
    for cache, runs in caches.items():
        title = "## Targets" + (f", cache: {cache}" if len(caches) > 1 else "")
        out += [title, "", *target_marks(runs, cache), ""]
    return "\n".join(out)
