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

# One transaction (the test's own stands in for it: savepoints are counted): the nonce, the
# Idempotency-Key held and looked up (PostgreSQL holds it with an advisory lock: one statement
# more), the batch, the named order locked, the report's checks, the stage change with its
# event, notification and audit row, the batch's status for the answer, the answer kept.
ONE_EVENT = 31 + (connection.vendor == "postgresql")
# An order leaving the bank for the outlet may close its batch: the audit chain's end held
# again, the batch's row locked last, and whether any of its orders is still in production.
LEAVING_PRODUCTION = ONE_EVENT + 3
ORDERS_READ = 2  # the named order locked with its card and outlet, and by the stage change


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
@pytest.mark.parametrize(
    ("stage", "statements"), [(Stage.PRODUCING, ONE_EVENT), (Stage.OUTLET, LEAVING_PRODUCTION)]
)
def test_one_stage_event_costs_the_same_in_a_batch_of_any_size(
    client, bank, bank_partner, make_batch, size, stage, statements
):
    batch = make_batch(bank, size)
    order = batch.orders.order_by("pk").last()
    body = {"events": [{"order_id": order.pk, "stage": stage}]}
    path = f"/batches/{batch.number}/events"
    with CaptureQueriesContext(connection) as queries, orders_read() as read:
        response = call(client, bank_partner, "POST", path, body)
    assert response.status_code == 200, response.json()
    assert response.json()["outcomes"] == [{"order_id": order.pk, "stage": stage, "changed": True}]
    assert len(queries) == statements, [q["sql"][:120] for q in queries.captured_queries]
    assert len(read) == ORDERS_READ and set(read) == {order.pk}
