"""The supervisor behind `make demo` and `make serve` (sscard.core.serving): the service's
processes stop together — on Ctrl-C or SIGTERM, cleanly, and when one of them dies, with a
failure — and production refuses to start, saying which and how to set it, when PostgreSQL or
Redis does not answer."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from sscard.core.serving import Child, preflight, supervise
from sscard.testing.services import POSTGRESQL, listening, needs
from sscard.testing.services import REDIS as REDIS_PORT

ROOT = Path(__file__).resolve().parents[3]
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/8"


def _python(code: str) -> tuple[str, ...]:
    return (sys.executable, "-c", code)


SLEEPER = _python("import time; time.sleep(120)")
# a process that will not stop when asked (SIGTERM ignored): it is killed after the grace
STUBBORN = _python(
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)"
)


def _pids(output: str) -> dict[str, int]:
    return {name: int(pid) for name, pid in re.findall(r"started (\S+) \(pid (\d+)\)", output)}


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_when_one_process_dies_the_others_are_stopped_and_the_supervisor_fails():
    out = StringIO()
    started = time.monotonic()

    code = supervise(
        [
            Child("web", SLEEPER),
            Child("worker", _python("import time; time.sleep(1); raise SystemExit(3)")),
            Child("periodic", STUBBORN),
        ],
        out=out,
        grace=2,
    )

    assert code == 3
    assert "worker stopped (exit code 3): stopping everything" in out.getvalue()
    pids = _pids(out.getvalue())
    assert set(pids) == {"web", "worker", "periodic"}
    assert all(_gone(pid) for pid in pids.values())
    assert time.monotonic() - started < 60


def test_a_process_that_exits_cleanly_still_fails_the_service():
    out = StringIO()

    code = supervise([Child("web", SLEEPER), Child("worker", _python("pass"))], out=out, grace=2)

    assert code == 1  # the service is not whole without it
    assert all(_gone(pid) for pid in _pids(out.getvalue()).values())


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_ctrl_c_stops_every_process_and_exits_cleanly(stop):
    script = (
        "import sys; from sscard.core.serving import Child, supervise; "
        f"sys.exit(supervise([Child('web', {SLEEPER!r}), Child('periodic', {STUBBORN!r})], "
        "grace=2))"
    )
    supervisor = subprocess.Popen(  # noqa: S603 — our own interpreter
        [sys.executable, "-u", "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert supervisor.stdout is not None
    lines = [supervisor.stdout.readline(), supervisor.stdout.readline()]
    pids = _pids("".join(lines))
    assert set(pids) == {"web", "periodic"}

    supervisor.send_signal(stop)
    output, _ = supervisor.communicate(timeout=60)

    assert supervisor.returncode == 0
    assert "sscard: stopping" in output
    assert all(_gone(pid) for pid in pids.values())


def test_production_names_an_unreachable_postgresql_and_how_to_set_it():
    nobody = f"postgres://postgres:s3cret@127.0.0.1:{_free_port()}/sscard"

    problems = preflight(nobody, REDIS, where=".env.production")

    database = next(p for p in problems if "DATABASE_URL" in p)
    assert "PostgreSQL 连接不上" in database and "PostgreSQL is not reachable" in database
    assert "请启动 PostgreSQL" in database and "Start PostgreSQL, or set DATABASE_URL=" in database
    assert ".env.production" in database
    assert "s3cret" not in database  # the password is not printed
    if listening(REDIS_PORT):
        assert problems == [database]  # the Redis that answers is not named


def test_production_names_an_unreachable_redis_and_how_to_set_it():
    nobody = f"redis://127.0.0.1:{_free_port()}/0"

    problems = preflight(POSTGRES, nobody, where=".env.production")

    cache = next(p for p in problems if "CACHE_URL" in p)
    assert "Redis 连接不上" in cache and "Redis is not reachable" in cache
    assert "Start Redis, or set CACHE_URL=redis://" in cache
    if listening(POSTGRESQL):
        assert problems == [cache]


@pytest.mark.parametrize(
    ("database_url", "cache_url", "says"),
    [
        ("", REDIS, "未设置 PostgreSQL 数据库 / No PostgreSQL database is set (DATABASE_URL)"),
        ("sqlite:///var/sscard.sqlite3", REDIS, "production mode runs on PostgreSQL"),
        (POSTGRES, "", "未设置 Redis 缓存 / No Redis cache is set (CACHE_URL, or REDIS_URL"),
        (POSTGRES, "locmemcache://", "production mode's processes share one Redis cache"),
    ],
)
def test_production_refuses_a_database_or_cache_that_is_not_set_or_not_the_right_one(
    database_url, cache_url, says
):
    assert says in "\n".join(preflight(database_url, cache_url))


@needs(POSTGRESQL, REDIS_PORT)
def test_production_starts_when_postgresql_and_redis_answer():
    assert preflight(POSTGRES, REDIS) == []


def test_the_preflight_is_what_stops_serve_py_before_anything_starts(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SSCARD", "DJANGO_", "DATABASE_URL", "CACHE_URL"))
    }
    env |= {"DATABASE_URL": f"postgres://postgres@127.0.0.1:{_free_port()}/sscard"}
    env |= {"CACHE_URL": f"redis://127.0.0.1:{_free_port()}/0"}
    settings_file = tmp_path / "production.env"

    done = subprocess.run(  # noqa: S603 — our own interpreter and script
        [sys.executable, "scripts/serve.py", "--production", "--env-file", str(settings_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert "生产模式无法启动 / production mode cannot start" in done.stderr
    assert "PostgreSQL is not reachable" in done.stderr and "Redis is not reachable" in done.stderr
    assert "started" not in done.stdout


def test_with_the_rq_queue_make_serve_starts_rq_workers_with_their_scheduler():
    from sscard.core.serving import production_children

    rq = production_children("127.0.0.1:8000", workers=2, task_workers=2, rq=True)
    workers = [c for c in rq if c.name.startswith("worker")]
    assert [c.name for c in workers] == ["worker-1", "worker-2"]
    for child in workers:
        assert child.argv[2:] == (
            "rqworker",
            "--job-class",
            "django_tasks_rq.Job",
            "--with-scheduler",
            "default",
        )
    database = production_children("127.0.0.1:8000", workers=2, task_workers=1, rq=False)
    assert [c.argv[2:] for c in database if c.name == "worker"] == [("db_worker",)]


def test_production_names_an_unreachable_task_queue_redis():
    nobody = f"redis://:s3cret@127.0.0.1:{_free_port()}/1"

    problems = preflight(POSTGRES, REDIS, tasks_url=nobody)

    queue = next(p for p in problems if "TASKS_REDIS_URL" in p)
    assert (
        "任务队列的 Redis 连接不上" in queue and "The task queue's Redis is not reachable" in queue
    )
    assert "s3cret" not in queue
    assert "is not a Redis URL" in "\n".join(preflight(POSTGRES, REDIS, tasks_url="postgres://x"))
    if listening(POSTGRESQL) and listening(REDIS_PORT):
        assert problems == [queue]
        assert preflight(POSTGRES, REDIS, tasks_url=REDIS) == []


def test_the_generated_production_settings_put_the_tasks_on_rq(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_env
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    written = tmp_path / ".env.production"
    make_env.main(written, production=True)
    assert "TASKS_REDIS_URL=redis://127.0.0.1:6379/1" in written.read_text().splitlines()


def test_the_web_workers_alone_keep_their_counters_in_the_shared_metrics_folder(tmp_path):
    from sscard.core.serving import production_children

    children = production_children(
        "127.0.0.1:8000", workers=2, task_workers=2, rq=True, metrics_dir=tmp_path
    )

    env = {child.name: dict(child.env) for child in children}
    assert env["web"] == {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    assert env["worker-1"] == env["worker-2"] == env["periodic"] == {}


def test_each_process_starts_with_the_supervisors_environment_and_its_own_on_top(tmp_path):
    """The web server sees the metrics folder; the worker beside it does not."""
    seen = {name: tmp_path / f"{name}.txt" for name in ("web", "worker")}
    report = (
        "import os, pathlib, sys, time; "
        "pathlib.Path(sys.argv[1]).write_text("
        "os.environ.get('PROMETHEUS_MULTIPROC_DIR', '-') + ' ' + os.environ['SHARED']); "
        "other = pathlib.Path(sys.argv[2]); "
        "[time.sleep(0.05) for _ in range(200) if not other.exists()]; time.sleep(0.2)"
    )
    children = [
        Child(
            "web",
            (*_python(report), str(seen["web"]), str(seen["worker"])),
            {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)},
        ),
        Child("worker", (*_python(report), str(seen["worker"]), str(seen["web"]))),
    ]

    supervise(children, env={**os.environ, "SHARED": "yes"}, out=StringIO(), grace=2)

    assert seen["web"].read_text() == f"{tmp_path} yes"
    assert seen["worker"].read_text() == "- yes"


def test_each_start_counts_from_zero_the_metrics_folder_emptied(tmp_path):
    from sscard.core.serving import fresh_metrics_dir

    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_4242.db").write_bytes(b"\0" * 16)  # a worker of the previous run
    (tmp_path / "elsewhere.db").write_bytes(b"")

    assert fresh_metrics_dir(folder) == folder
    assert list(folder.iterdir()) == []
    assert fresh_metrics_dir(tmp_path / "new").is_dir()
    assert (tmp_path / "elsewhere.db").exists()


def test_the_demo_serves_with_the_production_server_not_runserver():
    from sscard.core.serving import demo_children

    children = {c.name: c.argv for c in demo_children("127.0.0.1:8000", simulate_partners=False)}

    web = children["web"]
    assert web[1:5] == ("-m", "granian", "--interface", "wsgi")
    assert web[-1] == "config.wsgi:application"
    assert web[web.index("--host") : web.index("--host") + 2] == ("--host", "127.0.0.1")
    assert not any("runserver" in arg for argv in children.values() for arg in argv)


def test_redis_url_stands_for_the_cache_and_the_task_queue_not_set():
    from sscard.core.serving import redis_fallback

    values = {"REDIS_URL": "redis://r:6379/2"}
    redis_fallback(values)
    assert values["CACHE_URL"] == values["TASKS_REDIS_URL"] == "redis://r:6379/2"

    named = {
        "REDIS_URL": "redis://r:6379/2",
        "CACHE_URL": "redis://c:6379/0",
        "TASKS_REDIS_URL": "",
    }
    redis_fallback(named)
    assert (named["CACHE_URL"], named["TASKS_REDIS_URL"]) == ("redis://c:6379/0", "")


def test_serve_py_checks_the_redis_that_redis_url_names(tmp_path):
    """No CACHE_URL nor TASKS_REDIS_URL anywhere: REDIS_URL's Redis is checked for both."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SSCARD", "DJANGO_", "DATABASE_URL", "CACHE_URL", "TASKS_REDIS"))
    }
    nobody = f"redis://127.0.0.1:{_free_port()}/0"
    env |= {"DATABASE_URL": f"postgres://postgres@127.0.0.1:{_free_port()}/sscard"}
    env |= {"REDIS_URL": nobody}

    done = subprocess.run(  # noqa: S603 — our own interpreter and script
        [
            *(sys.executable, "scripts/serve.py", "--production"),
            *("--env-file", str(tmp_path / "none.env")),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert f"Redis is not reachable: CACHE_URL={nobody}" in done.stderr
    assert f"The task queue's Redis is not reachable: TASKS_REDIS_URL={nobody}" in done.stderr


@pytest.fixture
def postgres_admin() -> Iterator[Any]:
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        yield admin


@needs(POSTGRESQL)
def test_production_creates_its_missing_database_when_the_role_may(postgres_admin):
    name = f"sscard_created_{uuid.uuid4().hex[:10]}"
    said: list[str] = []
    try:
        problems = preflight(
            f"postgres://postgres@127.0.0.1:5432/{name}",
            REDIS,
            create_database=True,
            say=said.append,
        )
        made = postgres_admin.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    finally:
        postgres_admin.execute(f'DROP DATABASE IF EXISTS "{name}"')

    assert not [p for p in problems if "PostgreSQL" in p]
    assert made == (1,)
    assert said == [
        f"sscard: 已创建 PostgreSQL 数据库 {name} / created the PostgreSQL database {name}"
    ]


@needs(POSTGRESQL)
def test_production_names_the_missing_database_and_its_createdb_when_the_role_may_not(
    postgres_admin,
):
    role = f"sscard_nocreate_{uuid.uuid4().hex[:10]}"
    name = f"sscard_missing_{uuid.uuid4().hex[:10]}"
    postgres_admin.execute(f'CREATE ROLE "{role}" LOGIN NOCREATEDB')
    try:
        problems = preflight(
            f"postgres://{role}@127.0.0.1:5432/{name}", REDIS, create_database=True, say=print
        )
    finally:
        postgres_admin.execute(f'DROP ROLE "{role}"')

    missing = next(p for p in problems if name in p)
    assert f"PostgreSQL 中没有数据库 {name}，请先创建" in missing
    assert f"createdb -h 127.0.0.1 -p 5432 -U {role} {name}" in missing
    assert "permission denied to create database" in missing
