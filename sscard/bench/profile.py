"""Profile the benchmark's scenarios in-process: a scenario's prepared requests are sent through
Django's WSGI handler in the order wrk sends them, first timed (CPU time a request) with their
statements counted, then again under pyinstrument to show where the time goes.

    manage.py bench_profile [SCENARIO ...] [--requests 50] [--tree] [--queries]
    manage.py bench_profile --plan var/bench/plans/sqlite-10000-locmem/progress

The statements are counted as the query pins count them (``sscard/bench/tests/
test_query_pins.py``): every statement Django executes, savepoints included, but not the
opening and closing of a transaction (SQLite's ``BEGIN``, which PostgreSQL's driver sends on its
own, and ``COMMIT``, which neither sends as a statement Django executes).
"""

from __future__ import annotations

import io
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection


def read_requests(plan: Path) -> list[dict[str, Any]]:
    """The requests of a read plan (reads.txt) or of a replay plan's first thread."""
    reads = plan / "reads.txt"
    out: list[dict[str, Any]] = []
    if reads.exists():
        for line in reads.read_text().splitlines():
            path, _, cookie = line.partition("\t")
            headers = {"Cookie": cookie} if cookie else {}
            out.append(
                {"method": "GET", "path": path, "headers": headers, "body": b"", "tag": "read"}
            )
        return out
    data = (plan / "plan_1.txt").read_bytes()
    pos = 0
    while pos < len(data) - 1:
        end = data.index(b"\n", pos)
        _, method, path, expect, location, tag, nh, bl = data[pos:end].decode().split(" ")
        pos = end + 1
        headers = {}
        for _ in range(int(nh)):
            end = data.index(b"\n", pos)
            key, _, value = data[pos:end].decode().partition(": ")
            headers[key] = value
            pos = end + 1
        body = data[pos : pos + int(bl)]
        pos += int(bl) + 1
        out.append(
            {
                "method": method,
                "path": path,
                "headers": headers,
                "body": body,
                "tag": tag,
                "expect": int(expect),
                "location": location,
            }
        )
    return out


def environ_of(request: dict[str, Any]) -> dict[str, Any]:
    """The WSGI environ of one planned request, its headers as wrk sends them."""
    path, _, query = request["path"].partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request["method"],
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(request["body"]),
        "wsgi.url_scheme": "http",
        "CONTENT_LENGTH": str(len(request["body"])),
    }
    for key, value in request["headers"].items():
        name = key.upper().replace("-", "_")
        if name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[name] = value
        else:
            environ[f"HTTP_{name}"] = value
    return environ


def call(app: WSGIHandler, request: dict[str, Any]) -> str:
    status: list[str] = []

    def start_response(
        status_line: str, headers: list[tuple[str, str]], exc_info: Any = None, /
    ) -> Callable[[bytes], object]:
        status.append(status_line)
        return lambda data: None  # the body is read from the returned chunks

    chunks = app(environ_of(request), start_response)
    b"".join(chunks)
    return status[0] if status else "?"


@contextmanager
def recording() -> Iterator[list[str]]:
    """The statements Django executes on the default connection while the block runs."""
    seen: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def counted(sqls: Iterable[str]) -> int:
    """Statements as the pins count them: all but the BEGIN that SQLite sends to open a
    transaction (PostgreSQL's driver sends none of its own)."""
    return sum(1 for sql in sqls if not sql.lstrip().upper().startswith("BEGIN"))


@dataclass
class Profile:
    scenario: str
    requests: int
    statuses: dict[str, int]
    cpu_ms: float
    statements: float
    # statements a request for each step of a write scenario's plan (page, submit)
    steps: dict[str, float]
    # the modules and the functions with the most time of their own, with their share of the
    # profiled time
    modules: list[tuple[str, float]]
    top: list[tuple[str, float]]
    tree: str = ""
    # one request's statements, for each step
    queries: dict[str, list[str]] = field(default_factory=dict)


def module_of(path: str) -> str:
    """The module a frame's file belongs to, at the depth that tells where time goes:
    ``django.db.models``, ``django.template``, ``sscard.portal``, ``cryptography``."""
    rest = path.replace("\\", "/")
    for anchor in ("/site-packages/", f"/python{sys.version_info[0]}.{sys.version_info[1]}/"):
        if anchor in rest:
            rest = rest.split(anchor, 1)[1]
            break
    else:
        base = str(settings.BASE_DIR).rstrip("/") + "/"
        rest = rest.removeprefix(base)
    parts = rest.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if parts[0] == "django":
        depth = 3 if len(parts) > 1 and parts[1] in ("db", "contrib") else 2
    elif parts[0] == "sscard":
        depth = 2
    else:
        depth = 1
    return ".".join(parts[:depth]) or "?"


@dataclass
class OwnTimes:
    """Time spent in each function and module itself (not in what it called), summed over a
    profile; a C function's time counts for the module that called it."""

    functions: Counter[str] = field(default_factory=Counter)
    modules: Counter[str] = field(default_factory=Counter)


def own_times(session: Any) -> OwnTimes:
    times = OwnTimes()

    def walk(frame: Any, caller_module: str) -> None:
        children = [c for c in frame.children if not c.is_synthetic]
        own = frame.time - sum(c.time for c in children)
        path = frame.file_path or ""
        module = caller_module if path.startswith("<") or not path else module_of(path)
        if own > 0:
            where = "/".join((frame.file_path_short or "?").split("/")[-2:])
            times.functions[f"{where}:{frame.function}"] += own
            times.modules[module] += own
        for child in children:
            walk(child, module)

    root = session.root_frame()
    if root is not None:
        walk(root, "?")
    return times


def profile_plan(plan: Path, *, requests: int, scenario: str = "", tree: bool = False) -> Profile:
    """``requests`` requests of a prepared plan timed, then as many again profiled. A read plan
    is cycled (each of its sessions sent once first, to warm up); a write plan is spent in
    order, one request to warm up: it needs 2 × ``requests`` + 1 of them (fewer are profiled
    when it has fewer)."""
    from pyinstrument import Profiler

    todo = read_requests(plan)
    reads = (plan / "reads.txt").exists()
    app = WSGIHandler()
    warm = len(todo) if reads else 1
    for request in todo[:warm]:  # imports, templates, connections, the sessions
        call(app, request)
    if reads:
        timed = [todo[n % len(todo)] for n in range(requests)]
        profiled = timed
    else:
        rest = todo[warm:]
        timed, profiled = rest[:requests], rest[requests : 2 * requests]

    statuses: Counter[str] = Counter()
    per_step: dict[str, list[int]] = {r["tag"]: [] for r in todo}  # the plan's order
    queries: dict[str, list[str]] = {}
    with recording() as seen:
        started = time.process_time()
        for request in timed:
            before = len(seen)
            statuses[call(app, request)] += 1
            mine = seen[before:]
            per_step.setdefault(request["tag"], []).append(counted(mine))
            queries.setdefault(request["tag"], mine)
        cpu = time.process_time() - started
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for request in profiled:
        call(app, request)
    profiler.stop()
    session = profiler.last_session
    own = own_times(session) if session is not None and profiled else OwnTimes()
    total = sum(own.modules.values()) or 1.0
    done = len(timed) or 1
    return Profile(
        scenario=scenario or plan.name,
        requests=len(timed),
        statuses=dict(statuses),
        cpu_ms=1000 * cpu / done,
        statements=sum(sum(v) for v in per_step.values()) / done,
        steps={tag: sum(v) / len(v) for tag, v in per_step.items() if v},
        modules=[(name, t / total) for name, t in own.modules.most_common(5)],
        top=[(name, t / total) for name, t in own.functions.most_common(3)],
        tree=profiler.output_text(unicode=True, color=False, show_all=False)
        if tree and profiled
        else "",
        queries=queries,
    )


def table(profiles: list[Profile]) -> str:
    """The profiles as one table: scenario | CPU ms | statements | where it goes."""
    out = [
        "| scenario | requests (statuses) | CPU ms a request | statements a request "
        "| where it goes (own time by module) | top functions (own time) |",
        "|---|---|---:|---:|---|---|",
    ]
    for p in profiles:
        statuses = ", ".join(f"{n}× {s.split(' ')[0]}" for s, n in sorted(p.statuses.items()))
        statements = f"{p.statements:.1f}"
        if len(p.steps) > 1:
            statements += " (" + ", ".join(f"{t} {n:.1f}" for t, n in p.steps.items()) + ")"
        modules = ", ".join(f"{name} {share:.0%}" for name, share in p.modules)
        top = ", ".join(f"{name} {share:.0%}" for name, share in p.top)
        out.append(
            f"| `{p.scenario}` | {p.requests} ({statuses}) | {p.cpu_ms:.1f} | {statements} "
            f"| {modules} | {top} |"
        )
    return "\n".join(out)
