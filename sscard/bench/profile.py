"""Profile one benchmark scenario in-process: the first requests of its prepared plan are sent
through Django's WSGI handler under pyinstrument, with the database queries counted.

    manage.py bench_profile var/bench/plans/sqlite-10000/progress [--requests 50]
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.db import connection


def read_requests(plan: Path) -> list[dict[str, Any]]:
    """The requests of a read plan (reads.txt) or of a replay plan's first thread."""
    reads = plan / "reads.txt"
    if reads.exists():
        out = []
        for line in reads.read_text().splitlines():
            path, _, cookie = line.partition("\t")
            out.append({"method": "GET", "path": path, "headers": {"Cookie": cookie}, "body": b""})
        return out
    data = (plan / "plan_1.txt").read_bytes()
    out, pos = [], 0
    while pos < len(data) - 1:
        end = data.index(b"\n", pos)
        _, method, path, _expect, _loc, _tag, nh, bl = data[pos:end].decode().split(" ")
        pos = end + 1
        headers = {}
        for _ in range(int(nh)):
            end = data.index(b"\n", pos)
            key, _, value = data[pos:end].decode().partition(": ")
            headers[key] = value
            pos = end + 1
        body = data[pos : pos + int(bl)]
        pos += int(bl) + 1
        out.append({"method": method, "path": path, "headers": headers, "body": body})
    return out


def call(app: WSGIHandler, request: dict[str, Any]) -> str:
    path, _, query = request["path"].partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request["method"],
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
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
    status: list[str] = []

    def start_response(
        status_line: str, headers: list[tuple[str, str]], exc_info: Any = None, /
    ) -> Callable[[bytes], object]:
        status.append(status_line)
        return lambda data: None  # the body is read from the returned chunks

    chunks = app(environ, start_response)
    b"".join(chunks)
    return status[0] if status else "?"


def profile(plan: Path, *, requests: int, verbose: bool = False) -> str:
    from pyinstrument import Profiler

    app = WSGIHandler()
    todo = read_requests(plan)
    call(app, todo[0])  # warm up: imports, templates, connections
    statuses: dict[str, int] = {}
    profiler = Profiler(interval=0.0005)
    queries: list[str] = []

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        profiler.start()
        for n in range(requests):
            status = call(app, todo[(n + 1) % len(todo)])
            statuses[status] = statuses.get(status, 0) + 1
        profiler.stop()
    head = (
        f"{requests} requests, statuses {statuses}, "
        f"{len(queries) / requests:.1f} queries a request\n"
    )
    if verbose:
        per = len(queries) // requests
        head += "".join(f"  {q[:300]}\n" for q in queries[-per:])
    return head + profiler.output_text(unicode=True, color=False, show_all=False)
