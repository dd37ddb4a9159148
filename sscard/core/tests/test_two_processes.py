"""Scale-out, with real processes: two app servers (granian, each its own process on its own
port, as on two machines) and two RQ task workers, all on the test's PostgreSQL database and
one Redis (the cache, the sessions in front of the database, the task queue), as `make serve`
runs them on each machine. What one process does, the others see:

* a session made on A is signed in on B, and a logout on A ends it on B;
* five failed logins spread over A and B lock the account on both (django-axes, in the
  database);
* the upload limit counts the uploads made on A and on B together (the cache, in Redis);
* a task enqueued on A (a registration's code) is done by a worker, whose log line for it
  carries the registration's request id;
* a worker whose task process is killed (SIGKILL) mid-send leaves the task to RQ, which runs
  it again after its backoff; the message is delivered once (the outbox's claim and lease);
* a whole worker killed (SIGKILL, with its task process) mid-send leaves its task "started";
  once its heartbeat has lapsed another worker's registry cleanup retries it, and the message
  is delivered once (on a short clock: ``scaleout_worker``);
* a second periodic runner does not enqueue while the first holds the lease, and takes over
  when the first is killed.

PostgreSQL and Redis only (SQLite is one file on one machine); the processes see what the test
committed (a transactional test)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from sscard.notifications.constants import MessageStatus
from sscard.notifications.models import Message
from sscard.notifications.tasks import deliver_messages_task
from sscard.notifications.tests.test_worker_crash import one_sms
from sscard.testing.factories import UserFactory
from sscard.testing.ids import resident_id
from sscard.testing.services import POSTGRESQL, REDIS, needs
from sscard.verification.models import Challenge

ROOT = Path(settings.BASE_DIR)
# a Redis database no other test queues in (the RQ queue tests use 13): its RQ keys are the
# test's own, and its cache keys carry a prefix of their own
REDIS_URL = os.environ.get("SSCARD_TEST_SCALEOUT_REDIS", "redis://127.0.0.1:6379/3")
PASSWORD = "Qing-shan 2026"
UPLOADS_PER_ADDRESS = 3

pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs(POSTGRESQL, REDIS),
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="scale-out runs on PostgreSQL: SQLite is one file on one machine "
        "(CI runs this on its PostgreSQL leg)",
    ),
]


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    auth = f"{user}:{db['PASSWORD']}" if db.get("PASSWORD") else user
    return (
        f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


class Cluster:
    """The processes of the test, each in a process group of its own, its output in a file."""

    def __init__(self, directory: Path, prefix: str) -> None:
        self.directory = directory
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"CACHE_URL", "TASKS_REDIS_URL"}
        } | {
            "DJANGO_SETTINGS_MODULE": "sscard.core.tests.scaleout_settings",
            "DATABASE_URL": _database_url(),
            "PYTHONPATH": str(ROOT),
            "SSCARD_TEST_SCALEOUT_REDIS": REDIS_URL,
            "SSCARD_TEST_SCALEOUT_PREFIX": prefix,
            "SSCARD_TEST_DELIVERY_DIR": str(directory),
            # plain HTTP on the loopback: cookies without Secure
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SSCARD_UPLOAD_LIMIT_ADDRESS": str(UPLOADS_PER_ADDRESS),
            "SSCARD_UPLOAD_LIMIT_WINDOW": "86400",
            "SSCARD_LOG_FORMAT": "json",  # production's: one JSON object a line
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *argv: str) -> subprocess.Popen[bytes]:
        log = open(self.directory / f"{name}.log", "wb")  # noqa: SIM115 — the process keeps it
        self.processes[name] = subprocess.Popen(  # noqa: S603 — our own interpreter
            [sys.executable, *argv],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        log.close()
        return self.processes[name]

    def web(self, name: str) -> str:
        port = _free_port()
        self.start(
            name, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
            "--port", str(port), "--workers", "1", "--blocking-threads", "1",
            "--no-access-log", "config.wsgi:application",
        )  # fmt: skip
        return f"http://127.0.0.1:{port}"

    def manage(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        return self.start(name, "manage.py", *args)

    def log(self, name: str) -> str:
        return (self.directory / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def kill(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(timeout=10)

    def stop(self) -> None:
        """Every process gone at once (a test has no work to let them finish)."""
        for proc in self.processes.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in self.processes.values():
            proc.wait(timeout=10)


def _empty_queue() -> None:
    """The test Redis database's RQ keys gone (a run cut short may have left some)."""
    import redis

    store = redis.Redis.from_url(REDIS_URL)
    keys = list(store.scan_iter("rq:*"))
    if keys:
        store.delete(*keys)


@pytest.fixture
def cluster(transactional_db, tmp_path) -> Iterator[Cluster]:
    import redis

    prefix = f"scaleout-{uuid.uuid4().hex}"
    _empty_queue()
    running = Cluster(tmp_path, prefix)
    try:
        yield running
    finally:
        running.stop()  # before the database is emptied under them
        _empty_queue()
        store = redis.Redis.from_url(REDIS_URL)
        keys = list(store.scan_iter(f"*{prefix}*"))
        if keys:
            store.delete(*keys)


def _token(client: httpx.Client, base: str) -> str:
    if "csrftoken" not in client.cookies:
        client.get(f"{base}/login/")
    return str(client.cookies["csrftoken"])


def _login(client: httpx.Client, base: str, username: str, password: str) -> httpx.Response:
    form = {"username": username, "password": password, "captcha_0": "t", "captcha_1": "PASSED"}
    return client.post(f"{base}/login/", data=form, headers={"X-CSRFToken": _token(client, base)})


def _signed_in(client: httpx.Client, base: str) -> bool:
    answer = client.get(f"{base}/messages/")
    assert answer.status_code in (200, 302), answer.status_code
    return answer.status_code == 200


def _upload(client: httpx.Client, base: str) -> int:
    photo = {"photo": ("photo.jpg", b"\xff\xd8\xff\xe0 not really", "image/jpeg")}
    headers = {"X-CSRFToken": _token(client, base)}
    return client.post(f"{base}/login/", files=photo, headers=headers).status_code


def test_two_app_servers_and_two_workers_serve_as_one(cluster):
    a, b = cluster.web("web-a"), cluster.web("web-b")
    for n in (1, 2):
        cluster.manage(
            f"worker-{n}", "rqworker", "--job-class", "django_tasks_rq.Job", "--with-scheduler",
            "default",
        )  # fmt: skip
    # two periodic runners, the second started once the first holds the lease (checked last)
    runner = ("run_periodic", "--every", "1", "--lease", "3")
    cluster.manage("periodic-1", *runner)
    holder = UserFactory(username="zhangsan", password=PASSWORD)
    locked = UserFactory(username="lisi", password=PASSWORD)
    for base in (a, b):
        _wait_for(lambda base=base: _ok(f"{base}/healthz"), 60, f"{base} to serve")

    with httpx.Client(timeout=30) as browser:  # one browser: its cookies go to A and B alike
        # a session made on A is signed in on B; a logout on A ends it on B
        assert "登录成功" in _login(browser, a, holder.username, PASSWORD).text
        assert _signed_in(browser, b)
        answer = browser.post(f"{a}/logout/", headers={"X-CSRFToken": _token(browser, a)})
        assert answer.status_code == 302
        assert not _signed_in(browser, b)

        # five failed logins spread over A and B lock the account on both
        for base in (a, b, a, b, a):
            assert "登录成功" not in _login(browser, base, locked.username, "wrong password").text
        for base in (a, b):
            answer = _login(browser, base, locked.username, PASSWORD)  # the right password
            assert answer.status_code == 429, base
            assert "登录成功" not in answer.text
            assert not _signed_in(browser, base)

        # the upload limit counts uploads on A and B together
        assert 429 not in [_upload(browser, base) for base in (a, b, a)]  # UPLOADS_PER_ADDRESS
        assert _upload(browser, b) == 429

        _wait_for(lambda: "periodic.enqueued" in cluster.log("periodic-1"), 30, "a first round")
        cluster.manage("periodic-2", *runner)

        # a task enqueued on A (a registration's code) is done by a worker
        form = {
            "name": "李小明",
            "doc_type": "resident_id",
            "doc_number": resident_id(date(1990, 4, 12), serial=17),
            "phone": "13912340000",
            "username": "lixiaoming",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent": "on",
            "captcha_0": "t",
            "captcha_1": "PASSED",
        }
        answer = browser.post(
            f"{a}/register/", data=form, headers={"X-CSRFToken": _token(browser, a)}
        )
        assert answer.status_code == 302 and answer.headers["Location"] == "/register/code/"
        registration = answer.headers["X-Request-ID"]
    challenge = Challenge.objects.get()
    delivered = cluster.directory / "delivered.jsonl"
    _wait_for(
        lambda: str(challenge.pk) in delivered.read_text() if delivered.exists() else False,
        30,
        "a worker to text the registration's code",
    )
    challenge.refresh_from_db()
    assert challenge.sent_at is not None
    # the worker's log line for the task carries the id of the request that enqueued it
    _wait_for(
        lambda: any(
            line.get("event") == "task.finished" and line.get("request_id") == registration
            for name in ("worker-1", "worker-2")
            for line in _json_lines(cluster.log(name))
        ),
        15,
        "the task's log line with the registration's request id",
    )

    # a worker's task process killed mid-send: RQ runs the task again after its backoff, and
    # the message is delivered once
    sms = one_sms()
    (cluster.directory / "delay").write_text("60")
    _enqueue_delivery(sms)
    started_log = cluster.directory / "started.log"
    _wait_for(
        lambda: any(line.startswith(str(sms.key)) for line in _lines(started_log)),
        30,
        "a worker to start sending",
    )
    doomed = next(int(line.split()[1]) for line in _lines(started_log) if str(sms.key) in line)
    os.kill(doomed, signal.SIGKILL)  # the process running the task, as the OOM killer would
    (cluster.directory / "delay").unlink()
    _wait_for(
        lambda: Message.objects.get(pk=sms.pk).status == MessageStatus.SENT,
        30,
        "the task to be run again and the message sent",
    )
    time.sleep(1.5)  # time for any second delivery to show itself
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (MessageStatus.SENT, 2)
    deliveries = [json.loads(line) for line in _lines(delivered)]
    assert [d["pid"] for d in deliveries if d["key"] == str(sms.key)] != [doomed]
    assert [d["key"] for d in deliveries].count(str(sms.key)) == 1
    tries = [line for line in _lines(started_log) if str(sms.key) in line]
    assert len(tries) == 2 and tries[0].endswith(f" {doomed}")  # the killed try and the one sent
    assert "Work-horse terminated unexpectedly" in cluster.log("worker-1") + cluster.log("worker-2")

    # a second periodic runner skips its rounds while the first holds the lease, and takes
    # over once the first is killed and its lease has lapsed
    _wait_for(
        lambda: cluster.log("periodic-2").count("periodic.skipped") >= 2, 30, "two skipped rounds"
    )
    assert "periodic.enqueued" not in cluster.log("periodic-2")
    cluster.kill("periodic-1")
    _wait_for(lambda: "periodic.enqueued" in cluster.log("periodic-2"), 15, "the take-over")


def _enqueue_delivery(sms: Message) -> None:
    tasks = {
        "default": {
            "BACKEND": "sscard.taskqueue.backends.RQBackend",
            "OPTIONS": {"RETRY_INTERVALS": [3]},
        }
    }
    with override_settings(TASKS=tasks, RQ_QUEUES={"default": {"URL": REDIS_URL}}):
        deliver_messages_task.enqueue([sms.pk])


def test_a_whole_worker_killed_mid_task_leaves_the_task_to_another_worker(cluster):
    """The rqworker itself and its task process SIGKILLed (the machine lost, ``kill -9`` of
    the worker): nobody is left to see the task fail; it stays "started" in RQ's registry until
    its heartbeat lapses, then another worker's registry cleanup retries it (the task's Retry:
    after its backoff) and the message is delivered once. RQ's clock is shortened
    (``scaleout_worker``): its own is minutes."""
    worker = (
        "rqworker", "--job-class", "django_tasks_rq.Job", "--worker-class",
        "sscard.core.tests.scaleout_worker.QuickRecoveryWorker", "--worker-ttl", "20",
    )  # fmt: skip
    doomed = cluster.manage("doomed", *worker, "default")  # no scheduler: the rescuer's
    sms = one_sms()
    (cluster.directory / "delay").write_text("60")
    _enqueue_delivery(sms)
    started_log = cluster.directory / "started.log"
    _wait_for(
        lambda: any(line.startswith(str(sms.key)) for line in _lines(started_log)),
        60,
        "the doomed worker to start sending",
    )
    horse = next(int(line.split()[1]) for line in _lines(started_log) if str(sms.key) in line)
    # a second worker, with the scheduler that brings retries back; the task is not its own yet
    cluster.manage("rescuer", *worker, "--with-scheduler", "default")
    _wait_for(lambda: "Listening on" in cluster.log("rescuer"), 60, "the second worker")

    cluster.kill("doomed")  # the rqworker (and its scheduler-less process group) ...
    os.kill(horse, signal.SIGKILL)  # ... and its task process, a group of its own
    (cluster.directory / "delay").unlink()
    assert doomed.returncode == -signal.SIGKILL
    _wait_for(
        lambda: Message.objects.get(pk=sms.pk).status == MessageStatus.SENT,
        45,
        "another worker to retry the abandoned task and send the message",
    )
    time.sleep(1.5)  # time for any second delivery to show itself
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (MessageStatus.SENT, 2)
    deliveries = [json.loads(line) for line in _lines(cluster.directory / "delivered.jsonl")]
    assert [d["key"] for d in deliveries].count(str(sms.key)) == 1
    tries = [line for line in _lines(started_log) if str(sms.key) in line]
    assert len(tries) == 2 and tries[0].endswith(f" {horse}")
    rescuer = cluster.log("rescuer")
    assert "AbandonedJobError" in rescuer  # the try the dead worker left, as RQ files it
    assert "Work-horse terminated unexpectedly" not in cluster.log("doomed") + rescuer


def _json_lines(text: str) -> Iterator[dict[str, object]]:
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                yield json.loads(line)
            except ValueError:
                continue


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
