"""Delivery under real concurrency: parallel deliveries of one message, and a task worker
process killed (SIGKILL) in the middle of sending, then a fresh pair of workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from sscard.notifications import delivery, services, tasks
from sscard.notifications.backends import MemoryBackend
from sscard.notifications.constants import Channel, Event, MessageStatus
from sscard.notifications.models import Message
from sscard.testing.factories import PersonFactory
from sscard.testing.races import results, run_at_once

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

N = 8


def one_sms() -> Message:
    """A committed SMS waiting in the outbox (this process's own immediate delivery at commit
    is undone, so that the deliveries under test are the only ones)."""
    services.notify(Event.PRODUCTION_PRODUCING, person=PersonFactory())
    Message.objects.filter(channel=Channel.SMS).update(
        status=MessageStatus.PENDING, attempts=0, sent_at=None, provider_ref=""
    )
    MemoryBackend.sent.clear()
    return Message.objects.get(channel=Channel.SMS)


def test_parallel_deliveries_of_one_message_send_it_once(settings):
    settings.SSCARD_SMS_BACKEND = "sscard.notifications.backends.MemoryBackend"
    sms = one_sms()
    delivered = results(run_at_once(*[partial(delivery.outbox_deliver, ids=[sms.pk])] * N))

    assert sorted(delivered) == [0] * (N - 1) + [1]
    assert len(MemoryBackend.sent) == 1
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (MessageStatus.SENT, 1)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    auth = f"{user}:{db['PASSWORD']}" if db.get("PASSWORD") else user
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}"


def _worker(directory: Path, delay: float) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sscard.notifications.tests.worker_settings",
        "DATABASE_URL": _database_url(),
        "SSCARD_TEST_DELIVERY_DIR": str(directory),
        "SSCARD_TEST_SEND_DELAY": str(delay),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--no-reload",
            "-v",
            "0",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_a_worker_killed_mid_delivery_leads_to_exactly_one_delivery_after_restart(tmp_path):
    sms = one_sms()
    queue = DatabaseBackend(alias="default", params={})
    queue.enqueue(tasks.deliver_messages_task, ([sms.pk],), {})
    started, delivered = tmp_path / "started.log", tmp_path / "delivered.jsonl"

    doomed = _worker(tmp_path, delay=60)
    try:
        _wait_for(lambda: _lines(started), 60, "the first worker to start sending")
        sms.refresh_from_db()
        assert (sms.status, sms.attempts) == (MessageStatus.SENDING, 1)
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
    assert not delivered.exists()

    # once the dead worker's lease has lapsed, the scheduler's sweep runs (twice, as when two
    # schedulers overlap) and two fresh workers race for it
    sms.refresh_from_db()
    _wait_for(lambda: timezone.now() > sms.lease_expires_at, 10, "the lease to lapse")
    queue.enqueue(tasks.deliver_due_messages_task, (), {})
    queue.enqueue(tasks.deliver_due_messages_task, (), {})
    workers = [_worker(tmp_path, delay=0) for _ in range(2)]
    try:
        _wait_for(
            lambda: Message.objects.get(pk=sms.pk).status == MessageStatus.SENT,
            60,
            "the message to be taken over and sent",
        )
        # leave time for any second delivery to show itself
        time.sleep(1.5)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=20)

    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (MessageStatus.SENT, 2)
    deliveries = [json.loads(line) for line in _lines(delivered)]
    assert [d["key"] for d in deliveries] == [str(sms.key)]
    assert deliveries[0]["pid"] != doomed.pid
    assert len(_lines(started)) == 2  # the killed attempt and the one that delivered
