"""What one partner stage event costs: the same statements, and the same orders read,
whatever the size of its batch."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from sscard.partners.tests.helpers import call
from sscard.production.constants import Stage
from sscard.production.models import ProductionOrder

pytestmark = pytest.mark.django_db

# nonce, Idempotency-Key claim, the batch and the named order locked, the stage change with
# its event, audit row and notification, the batch's status, the stored answer in the same
# transaction (savepoints included: the test runs inside a transaction)
ONE_EVENT = 48
ORDERS_READ = 4  # the named order, locked three times on the way down, and its stage after


@contextmanager
def orders_read() -> Iterator[list[int]]:
    """Counts the production orders built from database rows while it is open."""
    seen: list[int] = []

    def count(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(count, sender=ProductionOrder)
    try:
        yield seen
    finally:
        post_init.disconnect(count, sender=ProductionOrder)


@pytest.mark.parametrize("size", [5, 50])
def test_one_stage_event_costs_the_same_in_a_batch_of_any_size(
    client, bank, bank_partner, make_batch, size
):
    batch = make_batch(bank, size)
    order = batch.orders.order_by("pk").last()
    body = {"events": [{"order_id": order.pk, "stage": "producing"}]}
    path = f"/batches/{batch.number}/events"
    with CaptureQueriesContext(connection) as queries, orders_read() as read:
        response = call(client, bank_partner, "POST", path, body)
    assert response.status_code == 200, response.json()
    assert response.json()["outcomes"] == [
        {"order_id": order.pk, "stage": Stage.PRODUCING, "changed": True}
    ]
    assert len(queries) == ONE_EVENT, [q["sql"][:120] for q in queries.captured_queries]
    assert len(read) == ORDERS_READ and set(read) == {order.pk}
