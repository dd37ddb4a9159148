"""The benchmark suite: one command generates the data, serves sscard the production way and
measures every scenario with wrk against a bare Django view and a signed-in page rendering only
the portal's base template (the floor), both served in the same run.

    .venv/bin/python scripts/bench.py [--quick] [--db sqlite|postgres] [--cache locmem|redis]
    .venv/bin/python scripts/bench.py --profile [--quick] [--db ...] [--cache ...]

Sizes: 10,000 people and the big size (1,000,000 on PostgreSQL, 100,000 on SQLite; --quick
measures 10,000 only, for 3 s a scenario). Each size is measured with each worker's own memory
as the cache and again with Redis shared by the workers (--cache picks one; the Redis database,
--redis-url, is flushed before each run). A generated database is kept under var/bench/ (or
as the PostgreSQL database sscard_bench_<size>_s<seed>) and reused by the next run with the
same size and seed (--fresh regenerates it). The report goes to var/bench/report.md and
var/bench/report.json (and a timestamped copy of each). --profile measures no throughput: it
replays every scenario in one process (manage.py bench_profile) and prints each one's CPU
time and statements a request and where the time goes.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
LUA = ROOT / "sscard" / "bench" / "lua"
PY = sys.executable
sys.path.insert(0, str(ROOT))  # sscard, whatever the directory the script runs from
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")

from sscard.bench.report import (  # noqa: E402
    FLOOR,
    READS,
    WRITES,
    load_average,
    machine,
    markdown,
    measured,
)

DEFAULT_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")

# requests/s we plan for, to write enough requests for the run (x3 margin)
EXPECTED_RATE = {"loss": 300, "apply": 200, "apply_photo": 60, "partner_events": 400}

LOCAL_REFERENCE_CACHE_SECONDS = 5  # config/settings.py's default without a shared cache


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(cmd: list[str], env: dict[str, str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True, **kw)  # noqa: S603


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("installing wrk (Debian package)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True, env=env)  # noqa: S603
    return shutil.which("wrk") or "wrk"


def keys_env() -> dict[str, str]:
    """Generated production keys, kept beside the generated data (a kept database stays
    readable by the next run)."""
    path = VAR / "keys.json"
    keys = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SSCARD_DATA_KEYS": "bench1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "SSCARD_INDEX_KEY": secrets.token_urlsafe(32),
        "SSCARD_AUDIT_KEY": secrets.token_urlsafe(32),
        "SSCARD_SIGNING_KEYS": "bench1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    if path.exists():
        kept = dict(json.loads(path.read_text()))
        if kept.keys() >= keys.keys():
            return kept
        keys |= kept  # a key added since the file was written joins the kept ones
    VAR.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(keys))
    path.chmod(0o600)
    return keys


def server_env(database_url: str, cache_url: str | None = None) -> dict[str, str]:
    """The production settings, on plain loopback HTTP; Django's cache in each worker's memory
    unless ``cache_url`` names a shared one."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SSCARD_", "DATABASE_")) and k != "CACHE_URL"
    }
    env |= keys_env()
    env |= {
        "SSCARD_ENV": "production",
        "SSCARD_ENV_FILE": "/dev/null",  # the worktree's .env (demo settings) stays out
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "600",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SSCARD_BENCH_BASELINE": "true",
        "MEDIA_ROOT": str(VAR / "media"),
        # production's static files: hashed names from collectstatic's manifest (fill())
        "STATIC_ROOT": str(VAR / "static"),
        "SSCARD_NOTIFY_FILE_DIR": str(VAR / "notifications"),
        "LOG_LEVEL": "WARNING",
        # every connection comes from 127.0.0.1 but stands for a citizen of its own: the upload
        # limit per address (120 in 10 minutes) would refuse 申领 with a photo after a few
        # seconds once a shared cache counts across the workers; the per-account limit stays
        "SSCARD_UPLOAD_LIMIT_ADDRESS": "1000000",
    }
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env


def flush_redis(url: str) -> None:
    """Empty the benchmark's Redis database: a run starts with nothing cached (checked before
    anything is measured: a missing Redis does not cost the run without it)."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).flushdb()
    except redis.RedisError as error:
        raise SystemExit(
            f"Redis at {url} does not answer ({error}): start it, name another with "
            "--redis-url, or measure without it (--cache locmem)"
        ) from error


# -- databases ----------------------------------------------------------------------------------


def pg_database(name: str, *, fresh: bool) -> tuple[str, bool]:
    """The PostgreSQL database's URL and whether it already existed."""
    import psycopg

    with psycopg.connect(PG_ADMIN.replace("postgres://", "postgresql://"), autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            c.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            c.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name, bool(exists)


def database(db: str, size: int, seed: int, *, fresh: bool) -> tuple[str, Path]:
    """The database for one size (created and filled once), and its completion marker."""
    name = f"sscard_bench_{size}_s{seed}"
    marker = VAR / f"{db}-{name}.done"
    if db == "sqlite":
        path = VAR / f"{name}.sqlite3"
        if fresh or not marker.exists() or not path.exists():
            for stale in VAR.glob(f"{name}.sqlite3*"):
                stale.unlink()
            marker.unlink(missing_ok=True)
        return f"sqlite:///{path}", marker
    url, existed = pg_database(name, fresh=fresh or not marker.exists())
    if not existed:  # dropped since: the marker speaks of data that is gone
        marker.unlink(missing_ok=True)
    return url, marker


def fill(env: dict[str, str], size: int, seed: int, marker: Path) -> dict[str, Any]:
    # a kept database gets the migrations (indexes) added since it was generated
    run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    # pages name their static files through the manifest that collectstatic writes
    run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    if marker.exists():
        log(f"reusing the generated data of {size:,} people ({marker.name})")
        return json.loads(marker.read_text())
    log(f"generating {size:,} people")
    started = time.monotonic()
    done = run(
        [PY, "manage.py", "bench_data", str(size), "--seed", str(seed)],
        env,
        stdout=subprocess.PIPE,
    )
    info = {"seconds": round(time.monotonic() - started, 1), "output": done.stdout.strip()}
    print(done.stdout, end="")
    marker.write_text(json.dumps(info))
    return info


def table_rows(env: dict[str, str]) -> dict[str, int]:
    code = (
        "import json, django; django.setup();"
        "from django.apps import apps;"
        "print(json.dumps({m._meta.label: m.objects.count() for m in "
        "[apps.get_model(x) for x in ('accounts.Person','accounts.User','cards.Card',"
        "'applications.Application','applications.ApplicationEvent',"
        "'production.ProductionOrder','production.ProductionEvent')]}))"
    )
    out = run([PY, "-c", code], env, stdout=subprocess.PIPE).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


# -- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """granian, WSGI, 2 workers with one blocking thread each."""

    def __init__(self, env: dict[str, str], workers: int) -> None:
        self.port = free_port()
        self.cmd = [
            str(Path(PY).parent / "granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
            "--blocking-threads",
            "1",
            "--backlog",
            "1024",
            "--log-level",
            "warning",
            "--no-access-log",
            "config.wsgi:application",
        ]
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(self.cmd, env=self.env, cwd=ROOT, start_new_session=True)  # noqa: S603
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/bench/baseline", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise SystemExit("the server did not answer /bench/baseline within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


# -- scenarios ----------------------------------------------------------------------------------


def wrk(
    binary: str, url: str, plan: Path, *, script: str, threads: int, conns: int, duration: int
) -> dict[str, Any]:
    env = {**os.environ, "BENCH_PLAN": str(plan), "BENCH_LUA": str(LUA)}
    timeout = "10s" if script == "reads.lua" else "60s"
    cmd = [binary, f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--timeout", timeout]
    cmd += ["--latency", "-s", str(LUA / script), url]
    (plan / "summary.json").unlink(missing_ok=True)
    out = subprocess.run(cmd, env=env, check=True, text=True, capture_output=True)  # noqa: S603
    (plan / "wrk.txt").write_text(out.stdout + out.stderr)
    summary = json.loads((plan / "summary.json").read_text())
    seconds = summary["duration_us"] / 1e6
    errors = summary["unexpected"] + sum(
        summary[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return {
        "requests": summary["requests"],
        "seconds": round(seconds, 2),
        "rps": round(summary["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(summary["p50_us"] / 1000, 2),
        "p99_ms": round(summary["p99_us"] / 1000, 2),
        "errors": errors,
        "first_error": summary["first_error"],
        "submitted": summary["submitted"],
    }


def scenario(
    name: str,
    env: dict[str, str],
    server: Server,
    binary: str,
    work: Path,
    *,
    seed: int,
    duration: int,
    conns: int,
) -> dict[str, Any]:
    plan = work / name
    if plan.exists():
        shutil.rmtree(plan)
    prep = [PY, "manage.py", "bench_prepare", name, "--out", str(plan), "--seed", str(seed)]
    if name in WRITES:
        per_thread = max(8, EXPECTED_RATE[name] * duration * 3 // conns)
        prep += ["--threads", str(conns), "--per-thread", str(per_thread)]
        run(prep, env, stdout=subprocess.DEVNULL)
        if name in ("apply", "apply_photo") and not env.get("CACHE_URL", "").startswith("redis"):
            # the 申领 scenarios change the region's 免交照片年龄; each worker process keeps its
            # own copy of the settings for SSCARD_REFERENCE_CACHE_SECONDS (5) without Redis
            time.sleep(LOCAL_REFERENCE_CACHE_SECONDS + 1)
        result = wrk(
            binary,
            server.url,
            plan,
            script="replay.lua",
            threads=conns,
            conns=conns,
            duration=duration,
        )
        planned = conns * per_thread
        result["plan_exhausted"] = result["requests"] >= planned
        check = run([*prep[:6], "--check", str(result["submitted"])], env, stdout=subprocess.PIPE)
        result["rows"] = json.loads(check.stdout.strip().splitlines()[-1])
    else:
        run(prep, env, stdout=subprocess.DEVNULL)
        result = wrk(
            binary,
            server.url,
            plan,
            script="reads.lua",
            threads=2,
            conns=conns,
            duration=duration,
        )
    log(
        f"  {name:15} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.2f} ms  "
        f"p99 {result['p99_ms']:7.2f} ms  errors {result['errors']}"
        + (f"  rows {result['rows']}" if "rows" in result else "")
    )
    return result


def profile(env: dict[str, str], names: list[str], *, seed: int, requests: int, out: Path) -> None:
    """Every scenario replayed in one process (manage.py bench_profile): CPU time and
    statements a request, and where the time goes."""
    cmd = [PY, "manage.py", "bench_profile", *names, "--seed", str(seed)]
    done = run([*cmd, "--requests", str(requests)], env, stdout=subprocess.PIPE)
    out.write_text(done.stdout)
    print(done.stdout, end="")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 people, 3 s a scenario")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sizes", help="comma-separated sizes (default: 10000 and the big one)")
    parser.add_argument("--duration", type=int, help="seconds a scenario (default 10; quick 3)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenarios", help="comma-separated subset (the floor is always measured)")
    parser.add_argument(
        "--cache",
        choices=["locmem", "redis", "both"],
        default="both",
        help="Django's cache for the server: each worker's memory, Redis, or each in turn "
        "(default)",
    )
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS,
        help=f"the Redis database for --cache redis, flushed before each run (default "
        f"{DEFAULT_REDIS}, or $BENCH_REDIS_URL)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="no wrk: replay every scenario in one process under the profiler and print its "
        "CPU ms and statements a request (manage.py bench_profile)",
    )
    parser.add_argument("--requests", type=int, default=50, help="requests a scenario (--profile)")
    parser.add_argument("--fresh", action="store_true", help="regenerate the data")
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help="generate (or migrate) the databases of the sizes and stop: the slow part can run "
        "while the machine is busy, the measuring later on a quiet machine",
    )
    parser.add_argument(
        "--print-env",
        metavar="DATABASE_URL",
        help="print the server's environment for that database as shell exports "
        "(to run manage.py bench_profile against a kept benchmark database)",
    )
    args = parser.parse_args()
    caches = ["locmem", "redis"] if args.cache == "both" else [args.cache]
    if args.print_env:
        import shlex

        cache_url = args.redis_url if args.cache == "redis" else None
        for key, value in server_env(args.print_env, cache_url).items():
            if key.startswith(
                ("SSCARD_", "DATABASE_", "SECRET_KEY", "DJANGO_", "SECURE_")
            ) or key in (
                "DEBUG",
                "CONN_MAX_AGE",
                "ALLOWED_HOSTS",
                "SESSION_COOKIE_SECURE",
                "CSRF_COOKIE_SECURE",
                "MEDIA_ROOT",
                "STATIC_ROOT",
                "LOG_LEVEL",
                "CACHE_URL",
            ):
                print(f"export {key}={shlex.quote(value)}")
        return 0

    started = time.monotonic()
    big = 1_000_000 if args.db == "postgres" else 100_000
    sizes = (
        [int(s) for s in args.sizes.split(",")]
        if args.sizes
        else ([10_000] if args.quick else [10_000, big])
    )
    duration = args.duration or (3 if args.quick else 10)
    names = list(READS) + list(WRITES)
    if args.scenarios:
        names = [n for n in args.scenarios.split(",") if n in names]
        if FLOOR not in names:
            names.insert(0, FLOOR)  # every scenario is also shown as a ratio to it
    binary = "" if args.profile or args.generate_only else ensure_wrk()
    if "redis" in caches and not args.generate_only:
        flush_redis(args.redis_url)
    VAR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report: dict[str, Any] = {
        "started": stamp,
        "db": args.db,
        "quick": args.quick,
        "duration": duration,
        "connections": args.connections,
        "workers": args.workers,
        "caches": caches,
        "load_start": load_average(),
        "sizes": [],
    }
    for size in sizes:
        url, marker = database(args.db, size, args.seed, fresh=args.fresh)
        env = server_env(url)
        generated = fill(env, size, args.seed, marker)
        if args.generate_only:
            log(f"{size:,} people on {args.db}: ready ({url.rsplit('/', 1)[-1]})")
            continue
        for cache in caches:
            cache_url = args.redis_url if cache == "redis" else None
            env = server_env(url, cache_url)
            if cache_url:
                flush_redis(cache_url)
            if args.profile:
                log(f"{size:,} people on {args.db}, cache {cache}: profiling")
                out = VAR / f"profile-{args.db}-{size}-{cache}.md"
                profile(env, names, seed=args.seed, requests=args.requests, out=out)
                log(f"profile: {out}")
                continue
            work = VAR / "plans" / f"{args.db}-{size}-{cache}"
            with Server(env, args.workers) as server:
                log(f"{size:,} people on {args.db}, cache {cache}: serving at {server.url}")
                kw = {"seed": args.seed, "duration": duration, "conns": args.connections}
                first = scenario("baseline", env, server, binary, work, **kw)
                results = {n: scenario(n, env, server, binary, work, **kw) for n in names}
                last = scenario("baseline", env, server, binary, work, **kw)
            report["sizes"].append(
                measured(size, cache, generated, [first, last], results, table_rows(env))
            )
    if args.generate_only or args.profile:
        return 0
    report["load_end"] = load_average()
    report["seconds"] = round(time.monotonic() - started, 1)
    report["machine"] = machine(args.db, server_env("sqlite://"))
    text = markdown(report)
    for name in (f"report-{stamp}", "report"):
        (VAR / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
        (VAR / f"{name}.md").write_text(text)
    print(text)
    log(f"report: {VAR / 'report.md'} and {VAR / 'report.json'} ({report['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
