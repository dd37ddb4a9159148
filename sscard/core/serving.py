"""Running sscard as one group of processes (``scripts/serve.py``, behind ``make demo`` and
``make serve``): the web server (granian), the task worker(s) and the periodic runner, started
together and stopped together — on Ctrl-C or SIGTERM, and also when any one of them stops by
itself, since the service is not whole without it. Production's checks before it starts are
here too: the database and the cache it is configured with must answer.

No Django here: the supervisor starts the processes that load it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit

import environ

ROOT = Path(__file__).resolve().parents[2]
# seconds each process is given to finish after SIGTERM before it is killed
STOP_GRACE = 15.0


@dataclass(frozen=True)
class Child:
    """One long-running process of the service: ``name`` in messages, ``argv`` to start it,
    ``env`` what its environment has on top of the supervisor's."""

    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)


def manage(*args: str) -> tuple[str, ...]:
    return (sys.executable, str(ROOT / "manage.py"), *args)


def split_address(address: str) -> tuple[str, int]:
    """``"127.0.0.1:8000"`` → ``("127.0.0.1", 8000)``; ``"[::1]:8000"`` → ``("::1", 8000)``."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"an address is host:port, not {address!r}")
    return host.strip("[]"), int(port)


def granian(address: str, *, workers: int, threads: int, production: bool) -> tuple[str, ...]:
    """granian serving the WSGI application (the README's production server). Production: one
    worker a core, one blocking thread each, a crashed worker replaced; no access log, since
    granian's would bypass the log filter that masks personal data typed into a URL."""
    host, port = split_address(address)
    argv = [sys.executable, "-m", "granian", "--interface", "wsgi"]
    argv += ["--host", host, "--port", str(port), "--workers", str(workers)]
    argv += ["--blocking-threads", str(threads), "--backlog", "1024", "--no-access-log"]
    if production:
        argv.append("--respawn-failed-workers")
    return (*argv, "config.wsgi:application")


def demo_children(address: str, *, simulate_partners: bool) -> list[Child]:
    """The demo: one web worker with a few threads, as the development server had (a page of
    the demo may call the service's own simulators over HTTP while it is being served)."""
    children = [
        Child("web", granian(address, workers=1, threads=4, production=False)),
        Child("worker", manage("db_worker", "--interval", "2")),
        Child("periodic", manage("run_periodic", "--every", "60")),
    ]
    if simulate_partners:
        url = f"http://{address}"
        children.append(
            Child("partners", manage("simulate_partners", "--url", url, "--delay", "10"))
        )
    return children


def task_worker(*, rq: bool) -> tuple[str, ...]:
    """One task worker: RQ's (``TASKS_REDIS_URL`` set: django-tasks-rq's job class, and the
    scheduler that brings retries and deferred tasks back when due — one worker at a time runs
    it, the others stand by) or the database queue's."""
    if rq:
        return manage(
            "rqworker", "--job-class", "django_tasks_rq.Job", "--with-scheduler", "default"
        )
    return manage("db_worker")


def production_children(
    address: str,
    *,
    workers: int,
    task_workers: int,
    rq: bool = False,
    metrics_dir: Path | None = None,
) -> list[Child]:
    """Production: granian with ``workers`` workers of one blocking thread, ``task_workers``
    task workers (they share the queue without taking a task twice: RQ's on Redis when ``rq``,
    else the database's) and the periodic runner (one at a time across machines:
    ``run_periodic`` holds a lease).

    ``metrics_dir``: the web workers' Prometheus counters are kept there, one file a process
    (prometheus_client's multiprocess mode), and ``/ops/metrics`` adds up every worker's,
    whichever answers the scrape. The web server's only: the task workers serve no metrics,
    and RQ's forked task processes would leave a file each."""
    web_env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)} if metrics_dir else {}
    web = granian(address, workers=workers, threads=1, production=True)
    children = [Child("web", web, web_env)]
    children += [
        Child(f"worker-{n}" if task_workers > 1 else "worker", task_worker(rq=rq))
        for n in range(1, task_workers + 1)
    ]
    children.append(Child("periodic", manage("run_periodic", "--every", "60")))
    return children


# -- production's checks before it starts ------------------------------------------------------


def _shown(url: str) -> str:
    """The URL as it may be printed: its password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[2]}"))


def _set(name: str, example: str, where: str, *, start: str = "") -> str:
    """How to put it right, in Chinese and in English."""
    zh_example = example.replace("user", "用户").replace("host", "主机").replace("dbname", "库名")
    zh = f"请启动 {start}，或" if start else "请"
    en = f"Start {start}, or set" if start else "Set"
    return (
        f"  {zh}在 {where}（或环境变量）中设置 {name}={zh_example}\n"
        f"  {en} {name}={example} in {where} (or the environment)."
    )


def _connect(config: dict[str, Any], dbname: str, **options: Any) -> Any:
    import psycopg

    return psycopg.connect(
        dbname=dbname,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        connect_timeout=3,
        **config.get("OPTIONS", {}),
        **options,
    )


def _create_database(config: dict[str, Any]) -> str | None:
    """``CREATE DATABASE`` as the URL's own role, from the server's maintenance database: None
    when it is made (or was, by a second start at the same moment), else why not."""
    import psycopg
    from psycopg import errors, sql

    reason = ""
    for maintenance in ("postgres", "template1"):
        try:
            with _connect(config, maintenance, autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
        except errors.DuplicateDatabase:
            return None
        except psycopg.Error as error:
            reason = (str(error).strip() or type(error).__name__).splitlines()[0]
            if not isinstance(error, psycopg.OperationalError):
                break  # connected, and refused (no CREATEDB): the other would refuse too
        else:
            return None
    return reason


def _database_problem(
    url: str, where: str, *, create: bool = False, say: Callable[[str], object] = print
) -> str | None:
    """What is wrong with ``url`` as production's database. ``create``: a database missing on
    a server that answers is created when the role may (``say`` tells it)."""
    example = "postgres://user@host:5432/dbname"
    if not url:
        return "未设置 PostgreSQL 数据库 / No PostgreSQL database is set (DATABASE_URL).\n" + _set(
            "DATABASE_URL", example, where
        )
    config: dict[str, Any] = environ.Env.db_url_config(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        return (
            f"DATABASE_URL={_shown(url)} 不是 PostgreSQL，生产模式需要 PostgreSQL。\n"
            f"DATABASE_URL={_shown(url)} is not PostgreSQL: production mode runs on PostgreSQL."
            f"\n{_set('DATABASE_URL', example, where)}"
        )
    import psycopg

    try:
        _connect(config, config["NAME"]).close()
    except psycopg.Error as error:
        reason = (str(error).strip() or type(error).__name__).splitlines()[0]
        if f'database "{config["NAME"]}" does not exist' in str(error):
            refused = _create_database(config) if create else ""
            if refused is None:
                say(
                    f"sscard: 已创建 PostgreSQL 数据库 {config['NAME']} / created the PostgreSQL "
                    f"database {config['NAME']}"
                )
                return None
            command = (
                f"createdb -h {config.get('HOST') or 'localhost'} -p {config.get('PORT') or 5432}"
                f" -U {config.get('USER') or 'postgres'} {config['NAME']}"
            )
            return (
                f"PostgreSQL 中没有数据库 {config['NAME']}，请先创建：{command}\n"
                f"PostgreSQL has no database {config['NAME']}: create it first with {command}"
                + (f"\n  ({refused})" if refused else "")
            )
        return (
            f"PostgreSQL 连接不上 / PostgreSQL is not reachable: DATABASE_URL={_shown(url)}\n"
            f"  ({reason})\n{_set('DATABASE_URL', example, where, start='PostgreSQL')}"
        )
    return None


def _tasks_problem(url: str, where: str) -> str | None:
    """TASKS_REDIS_URL, when set, is a Redis that answers (the RQ task queue)."""
    if not url:
        return None
    import redis

    example = "redis://host:6379/1"
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return (
            f"TASKS_REDIS_URL={_shown(url)} 不是 Redis 地址。\n"
            f"TASKS_REDIS_URL={_shown(url)} is not a Redis URL.\n"
            + _set("TASKS_REDIS_URL", example, where)
        )
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as error:
        return (
            f"任务队列的 Redis 连接不上 / The task queue's Redis is not reachable: "
            f"TASKS_REDIS_URL={_shown(url)}\n"
            f"  ({error})\n{_set('TASKS_REDIS_URL', example, where, start='Redis')}"
        )
    return None


def _cache_problem(url: str, where: str) -> str | None:
    example = "redis://host:6379/0"
    if not url:
        return (
            "未设置 Redis 缓存 / No Redis cache is set (CACHE_URL, or REDIS_URL for the cache "
            "and the task queue alike).\n" + _set("CACHE_URL", example, where)
        )
    config: dict[str, Any] = environ.Env.cache_url_config(url)
    if not config["BACKEND"].endswith("RedisCache"):
        return (
            f"CACHE_URL={_shown(url)} 不是 Redis，生产模式的各进程共用一个 Redis 缓存。\n"
            f"CACHE_URL={_shown(url)} is not Redis: production mode's processes share one "
            f"Redis cache.\n{_set('CACHE_URL', example, where)}"
        )
    import redis

    location = config["LOCATION"]
    location = location[0] if isinstance(location, list) else location
    try:
        redis.Redis.from_url(location, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as error:
        return (
            f"Redis 连接不上 / Redis is not reachable: CACHE_URL={_shown(url)}\n"
            f"  ({error})\n{_set('CACHE_URL', example, where, start='Redis')}"
        )
    return None


def preflight(
    database_url: str,
    cache_url: str,
    *,
    tasks_url: str = "",
    where: str = ".env.production",
    create_database: bool = False,
    say: Callable[[str], object] = print,
) -> list[str]:
    """What keeps production from starting, in Chinese and English, each with how to set it
    right (``where``: the settings file to name); empty when PostgreSQL and Redis answer (and
    the task queue's Redis, when ``tasks_url`` names one). ``create_database``: a database the
    server lacks is created when the URL's role may (``say`` tells it)."""
    problems = [
        _database_problem(database_url, where, create=create_database, say=say),
        _cache_problem(cache_url, where),
        _tasks_problem(tasks_url, where),
    ]
    return [problem for problem in problems if problem]


# -- the supervisor ------------------------------------------------------------------------------


class _Stop(Exception):
    """A stop signal arrived."""


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signum)


def _stop_all(running: dict[str, subprocess.Popen[bytes]], grace: float, out: TextIO) -> None:
    """SIGTERM to each process still running, SIGKILL to each group left after ``grace``."""
    for proc in running.values():
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + grace
    for name, proc in running.items():
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"sscard: {name} did not stop within {grace:.0f} s: killed", file=out)
    for proc in running.values():
        # each child leads a process group of its own: whatever it started goes with it
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def supervise(
    children: Sequence[Child],
    *,
    env: dict[str, str] | None = None,
    out: TextIO = sys.stdout,
    poll: float = 0.2,
    grace: float = STOP_GRACE,
) -> int:
    """Start every child and watch them: on SIGINT (Ctrl-C), SIGTERM or SIGHUP stop them all
    and return 0; when one of them stops by itself, stop the others and return its exit code
    (1 if it was 0: the service is not whole without it)."""
    stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, _on_signal) for signum in stops}
    running: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for child in children:
            # its own process group: the terminal's Ctrl-C reaches the supervisor only, which
            # stops each child in turn
            child_env = {**(os.environ if env is None else env), **child.env} if child.env else env
            running[child.name] = subprocess.Popen(  # noqa: S603 — our own commands
                child.argv, cwd=ROOT, env=child_env, process_group=0
            )
            print(f"sscard: started {child.name} (pid {running[child.name].pid})", file=out)
        out.flush()
        while True:
            for name, proc in running.items():
                code = proc.poll()
                if code is not None:
                    print(
                        f"sscard: {name} stopped (exit code {code}): stopping everything",
                        file=out,
                        flush=True,
                    )
                    return code if code > 0 else 1
            time.sleep(poll)
    except _Stop:
        print("sscard: stopping", file=out, flush=True)
        return 0
    finally:
        for signum in stops:
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C does not cut the stop short
        _stop_all(running, grace, out)
        for signum, handler in previous.items():
            signal.signal(signum, handler)


# -- production mode (make serve) ----------------------------------------------------------------

# before anything serves: Django's deployment checklist, the migrations, the static files
PREPARE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("checking the deployment settings", ("check", "--deploy", "--fail-level", "WARNING")),
    ("applying migrations", ("migrate", "--noinput", "-v", "0")),
    ("collecting static files", ("collectstatic", "--noinput", "-v", "0")),
)


# the web workers' Prometheus counters (``PROMETHEUS_MULTIPROC_DIR`` names another folder)
METRICS_DIR = ROOT / "var" / "prometheus"


def fresh_metrics_dir(folder: Path) -> Path:
    """``folder`` made and emptied of the counters a previous run left (a process's file
    outlives it; a new start must count from zero, as each process does)."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    return folder


def redis_fallback(values: MutableMapping[str, str]) -> None:
    """``REDIS_URL`` stands for ``CACHE_URL`` and ``TASKS_REDIS_URL`` where they are not set
    (set and empty: the task queue stays the database's), as in the production settings."""
    if values.get("REDIS_URL"):
        for name in ("CACHE_URL", "TASKS_REDIS_URL"):
            values.setdefault(name, values["REDIS_URL"])


def serve_production(
    address: str, *, workers: int, task_workers: int, env_file: Path, out: TextIO = sys.stdout
) -> int:
    """Production mode on this machine: settings from ``env_file`` (the environment first),
    PostgreSQL and Redis checked, then the checklist, migrations and static files, then every
    process under the supervisor."""
    redis_fallback(os.environ)  # the environment's REDIS_URL before the file's CACHE_URL
    if env_file.exists():
        environ.Env.read_env(str(env_file))  # where the environment has no value of its own
    redis_fallback(os.environ)
    os.environ["SSCARD_ENV_FILE"] = str(env_file)
    os.environ["SSCARD_ENV"] = "production"
    # the web workers' alone (production_children): no other process writes counters there
    metrics_dir = Path(os.environ.pop("PROMETHEUS_MULTIPROC_DIR", "") or METRICS_DIR)
    tasks_url = os.environ.get("TASKS_REDIS_URL", "")
    problems = preflight(
        os.environ.get("DATABASE_URL", ""),
        os.environ.get("CACHE_URL", ""),
        tasks_url=tasks_url,
        where=str(env_file),
        create_database=True,
        say=lambda line: print(line, file=out, flush=True),
    )
    if problems:
        print("sscard: 生产模式无法启动 / production mode cannot start:\n", file=sys.stderr)
        print("\n\n".join(problems), file=sys.stderr)
        return 2
    for doing, args in PREPARE:
        print(f"sscard: {doing} (manage.py {args[0]})", file=out, flush=True)
        if subprocess.run(manage(*args), cwd=ROOT, check=False).returncode:  # noqa: S603
            print(f"sscard: manage.py {args[0]} failed: not serving", file=sys.stderr)
            return 1
    rq = bool(tasks_url)
    children = production_children(
        address,
        workers=workers,
        task_workers=task_workers,
        rq=rq,
        metrics_dir=fresh_metrics_dir(metrics_dir),
    )
    queue = f"RQ on {_shown(tasks_url)}" if rq else "the database queue"
    print(
        f"sscard: production mode on http://{address}/ (behind the TLS proxy), {workers} web "
        f"worker(s), {task_workers} task worker(s) ({queue}), the periodic runner; Ctrl-C "
        "stops them all",
        file=out,
        flush=True,
    )
    return supervise(children, out=out)
