"""Indexes the benchmark found missing: each query can be served by the index made for it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from sscard.applications.review import QueueFilters, review_queue

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the plans checked are PostgreSQL's"
)


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # a tiny table is read whole otherwise: ask whether the index can serve the query
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filters",
    [QueueFilters(), QueueFilters(item="reissue")],
    ids=["first page", "one item"],
)
def test_review_queue_pages_read_in_order_off_their_index(filters):
    rows = review_queue(filters, today=timezone.localdate())[:20]
    plan = _plan(rows)
    assert "application_review_queue" in plan
    assert "Sort" not in plan.split("->")[0]  # the page is not sorted after reading
