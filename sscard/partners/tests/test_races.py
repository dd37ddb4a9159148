"""Idempotency-Key under real parallel connections: many copies of one write at the same
instant are executed once; the others get 409 (still running) or the first answer."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test import Client

from sscard.audit.models import AuditRecord
from sscard.partners.tests.helpers import call
from sscard.production import services as production_services
from sscard.production.constants import Stage
from sscard.testing.races import results, run_at_once

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

N = 8


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

    def retry(client: Client):
        return lambda: call(client, bank_partner, "POST", path, body, key="race-key")

    responses = results(run_at_once(*[retry(Client()) for _ in range(N)]))
    answers = [(response.status_code, response.json()) for response in responses]
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
