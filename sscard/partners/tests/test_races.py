"""Idempotency-Key under real parallel connections: many copies of one write at the same
instant are executed once; the others get 409 (still running) or the first answer."""

from __future__ import annotations

import threading
import time
import traceback

import pytest
from django.db import connection
from django.test import Client

from sscard.audit.models import AuditRecord
from sscard.partners.tests.helpers import call
from sscard.production import services as production_services
from sscard.production.constants import Stage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

N = 8
JOIN_TIMEOUT = 90


def test_parallel_retries_with_one_key_run_the_write_once(
    bank, bank_partner, make_batch, monkeypatch
):
    batch = make_batch(bank, 1)
    order = batch.orders.get()
    body = {"events": [{"order_id": order.pk, "stage": "producing", "place": "制卡中心"}]}
    path = f"/batches/{batch.number}/events"

    real = production_services.order_transition

    def slow_transition(**kwargs):  # the first request holds its claim a while
        time.sleep(0.5)
        return real(**kwargs)

    monkeypatch.setattr("sscard.production.reports.order_transition", slow_transition)
    barrier = threading.Barrier(N)
    answers: list[tuple[int, dict]] = []
    crashes: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            client = Client()
            barrier.wait(timeout=JOIN_TIMEOUT)
            response = call(client, bank_partner, "POST", path, body, key="race-key")
            with lock:
                answers.append((response.status_code, response.json()))
        except Exception:
            with lock:
                crashes.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert crashes == []
    assert len(answers) == N
    statuses = sorted(status for status, _ in answers)
    assert set(statuses) <= {200, 409}, statuses
    if connection.vendor == "postgresql":
        # row-level locking: the copies find the first one's claim while it runs (SQLite
        # queues every writer behind the first, so there they all get its answer)
        assert 409 in statuses, "the copies arrived while the first was running"
    oks = [body for status, body in answers if status == 200]
    assert oks and all(b == oks[0] for b in oks)
    assert all(b["code"] == "request_in_flight" for s, b in answers if s == 409)
    order.refresh_from_db()
    assert order.stage == Stage.PRODUCING
    assert order.events.filter(stage=Stage.PRODUCING).count() == 1
    assert AuditRecord.objects.filter(action="production.producing").count() == 1
    # once finished, a retry gets the first answer again
    retry = call(Client(), bank_partner, "POST", path, body, key="race-key")
    assert retry.status_code == 200 and retry.json() == oks[0]
