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


@pytest.mark.django_db
def test_a_filtered_review_queue_is_counted_off_its_index():
    """The paginator counts the filtered queue (待审核 · 申领 · a district) from the index of
    the queue's filters alone, not by visiting every matching application."""
    from django.test.utils import CaptureQueriesContext

    filters = QueueFilters(status="accepted", item="apply", district="榕城区")
    with CaptureQueriesContext(connection) as queries:
        review_queue(filters, today=timezone.localdate()).count()
    (sql,) = [q["sql"] for q in queries if "COUNT(" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using application_queue_filters" in plan, plan


def _every_scan_has_a_condition(plan: str, table: str) -> bool:
    """Each scan of ``table`` (or of one of its indexes) is led by a condition: an index
    lookup, not a walk through every row."""
    nodes = plan.split("->")
    scans = [n for n in nodes if f" on {table}" in n.splitlines()[0]]
    return bool(scans) and all("Index Cond" in n or "Recheck Cond" in n for n in scans)


@pytest.mark.django_db
def test_the_accounts_told_of_a_notice_are_found_through_indexes():
    """notify() looks up who reads a person's notice in the 消息中心 for every stage a
    partner reports: never by reading every account."""
    from django.test.utils import CaptureQueriesContext

    from sscard.notifications.services import _guardian_ids, _inbox_accounts
    from sscard.testing.factories import PersonFactory, UserFactory

    person = PersonFactory()
    UserFactory(person=person)
    with CaptureQueriesContext(connection) as queries:
        _inbox_accounts(person, None, _guardian_ids(person))
    account_queries = [q["sql"] for q in queries if 'FROM "accounts_user"' in q["sql"]]
    assert account_queries
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in account_queries:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert _every_scan_has_a_condition(plan, "accounts_user"), plan


@pytest.mark.django_db
def test_the_queue_marks_a_reviewers_own_applications_through_an_index(reviewer):
    """The queue's 本人经办 mark looks up the reviewer's own steps by actor: on 1,000,000
    people a page read every one of 1.8 million events (77 ms) before the index."""
    from sscard.applications.duties import with_hand_in_making

    rows = with_hand_in_making(review_queue(QueueFilters(), today=timezone.localdate()), reviewer)
    plan = _plan(rows[:20])
    scans = [n for n in plan.split("->") if " on applications_applicationevent" in n]
    # looked up by the actor (the index's first column), never by every event of each row
    assert scans and all("Index Cond: ((actor_id =" in n for n in scans), plan
