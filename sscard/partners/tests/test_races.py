"""The partner API under real parallel connections: many copies of one write at the same
instant are executed once, the others get 409 (still running) or the first answer; events
for different orders of one batch run side by side, hold the batch's row only to refresh its
status at the end, and close it once."""

from __future__ import annotations

import time

import pytest
from django.db import connection, transaction
from django.test import Client

from sscard.audit.models import AuditRecord
from sscard.audit.selectors import verify_trail
from sscard.notifications.constants import Channel, Event, MessageStatus
from sscard.notifications.models import Notification
from sscard.partners.tests.helpers import call
from sscard.production import services as production_services
from sscard.production.constants import BatchStatus, Stage
from sscard.production.models import Batch
from sscard.testing.races import needs_row_locks, results, run_at_once

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
        # the first one's transaction holds the key: the copies hear 409 at once (SQLite
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


# ---------------------------------------------------------------------------------------------
# Stage events for different orders of one batch, at once


def _post(client: Client, creds, batch, events):
    return call(client, creds, "POST", f"/batches/{batch.number}/events", {"events": events})


@needs_row_locks
def test_events_for_every_order_of_a_batch_at_once_all_land_and_close_it_once(
    bank, bank_partner, make_batch
):
    batch = make_batch(bank, N)
    orders = list(batch.orders.order_by("pk"))

    def report(order):
        event = {"order_id": order.pk, "stage": "outlet"}
        return lambda: _post(Client(), bank_partner, batch, [event])

    responses = results(run_at_once(*[report(order) for order in orders]))
    assert [r.status_code for r in responses] == [200] * N, [r.json() for r in responses]
    # the event that took the last order out of production answers 已完成; the others saw
    # an order still in production
    statuses = [r.json()["batch"]["status"] for r in responses]
    assert statuses.count(BatchStatus.DONE) == 1, statuses
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.done_at is not None
    assert AuditRecord.objects.filter(action="production.batch_done").count() == 1
    for order in orders:
        order.refresh_from_db()
        assert order.stage == Stage.OUTLET
        assert order.events.filter(stage=Stage.OUTLET).count() == 1
        # the holder is told once, and each message goes out once
        told = Notification.objects.get(person=order.person, event=Event.PRODUCTION_AT_OUTLET)
        sent = told.messages.exclude(channel=Channel.INBOX)
        assert sent.exists()
        assert all(m.status == MessageStatus.SENT and m.attempts == 1 for m in sent)
    assert verify_trail().broken is None


@needs_row_locks
def test_an_event_holds_its_batchs_row_only_to_refresh_its_status(
    bank, bank_partner, make_batch, monkeypatch
):
    batch = make_batch(bank, 2)
    first = batch.orders.order_by("pk").first()
    real_notify = production_services.notify

    def slow_notify(*args, **kwargs):  # the event is busy with its order a while
        time.sleep(0.6)
        return real_notify(*args, **kwargs)

    monkeypatch.setattr(production_services, "notify", slow_notify)

    def event():
        return _post(Client(), bank_partner, batch, [{"order_id": first.pk, "stage": "outlet"}])

    def lock_the_batch_meanwhile():
        time.sleep(0.2)  # while the event is telling the holder
        with transaction.atomic():
            # NOWAIT: a row another transaction holds is refused at once
            return Batch.objects.select_for_update(nowait=True).get(pk=batch.pk).status

    response, status = results(run_at_once(event, lock_the_batch_meanwhile))
    assert response.status_code == 200, response.json()
    assert status == BatchStatus.SENT


@needs_row_locks
def test_events_naming_the_same_orders_in_another_order_do_not_deadlock(
    bank, bank_partner, make_batch, monkeypatch
):
    batch = make_batch(bank, 2)
    a, b = batch.orders.order_by("pk")
    real = production_services.order_transition

    def slow_transition(**kwargs):  # each request holds what it has locked a while
        time.sleep(0.3)
        return real(**kwargs)

    monkeypatch.setattr("sscard.production.reports.order_transition", slow_transition)
    forward = [{"order_id": a.pk, "stage": "producing"}, {"order_id": b.pk, "stage": "producing"}]
    backward = [{"order_id": b.pk, "stage": "city_bank"}, {"order_id": a.pk, "stage": "city_bank"}]
    responses = results(
        run_at_once(
            lambda: _post(Client(), bank_partner, batch, forward),
            lambda: _post(Client(), bank_partner, batch, backward),
        )
    )
    assert [r.status_code for r in responses] == [200, 200], [r.json() for r in responses]
    for order in (a, b):
        order.refresh_from_db()
        assert order.stage == Stage.CITY_BANK
        assert order.events.filter(stage=Stage.PRODUCING).count() == 1


@needs_row_locks
def test_the_acknowledgement_and_the_event_closing_the_batch_do_not_deadlock(
    bank, bank_partner, make_batch, monkeypatch
):
    batch = make_batch(bank, 1)
    order = batch.orders.get()
    real_settle = production_services._batch_settle

    def slow_settle(batch_id, **kwargs):  # the event has appended its audit row
        time.sleep(0.6)
        return real_settle(batch_id, **kwargs)

    monkeypatch.setattr(production_services, "_batch_settle", slow_settle)

    def event():
        return _post(Client(), bank_partner, batch, [{"order_id": order.pk, "stage": "outlet"}])

    def acknowledge():
        time.sleep(0.2)
        return call(Client(), bank_partner, "POST", f"/batches/{batch.number}/ack", {})

    reported, acknowledged = results(run_at_once(event, acknowledge))
    assert reported.status_code == 200, reported.json()
    assert acknowledged.status_code == 200, acknowledged.json()
    assert reported.json()["batch"]["status"] == BatchStatus.DONE
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
