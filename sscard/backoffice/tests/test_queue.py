"""The review queue: card requests by deadline with the working days left, filters, search by
receipt or ID number through the keyed hash, and a fixed number of queries per page."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sscard.applications import services
from sscard.applications.review import QueueRow
from sscard.applications.tests.helpers import submit_apply
from sscard.backoffice.queue_display import queue_lines
from sscard.core.workdays import Deadline
from sscard.regions.models import HolidayOverride
from sscard.testing.factories import OutletFactory, UserFactory
from sscard.testing.sessions import staff_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def warm_caches_stay_warm(settings):
    """A pin counts a warm page: the reference caches keep what the warm-up read for the whole
    test (the per-process cache's few seconds may lapse between warm-up and count on a loaded
    machine, and the page would then read them again)."""
    settings.SSCARD_REFERENCE_CACHE_SECONDS = 300


SHANGHAI = ZoneInfo("Asia/Shanghai")
QUEUE = reverse("backoffice:queue")

# The queue page's statements, one page of rows or a single one: the session, the user, the
# OTP device, the user's and the groups' permissions (one cache read in production; read here,
# the fixtures changed them in this test's uncommitted transaction), the count, the page of
# rows (subject, outlet and the made-by-me subquery joined in), the region settings and the
# district list (uncommitted here too). The holiday table comes from the cache; the rows'
# links, dates and labels cost none.
QUEUE_QUERIES = 9


def _at(y: int, m: int, d: int, hour: int = 10):
    return time_machine.travel(datetime(y, m, d, hour, tzinfo=SHANGHAI), tick=False)


def _row(html: str, receipt: str) -> str:
    match = re.search(rf"<tr[^>]*>\s*<td><a [^>]*>{receipt}</a>.*?</tr>", html, re.S)
    assert match, receipt
    return match.group(0)


def _cells(row: str) -> list[str]:
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


def test_deadline_figures_across_national_day_2026_and_into_2027(bank, outlet, reviewer):
    """Accepted on 30 September 2026, the day before the National Day holiday (1–7 October,
    10 October a make-up working day): 25 working days end on 10 November 2026, not on
    4 November as Monday–Friday would have it. Accepted on 15 December 2026: the deadline
    falls in 2027, a year the official calendar package does not know, where the
    administrator's holiday table makes 1 January a holiday — 20 January 2027."""
    HolidayOverride.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
    with _at(2026, 9, 30):
        national_day = services.application_accept(
            application=submit_apply(UserFactory(), bank, outlet), actor=reviewer
        )
    with _at(2026, 12, 15):
        december = services.application_accept(
            application=submit_apply(UserFactory(), bank, outlet), actor=reviewer
        )

    def queue_on(*day: int) -> str:
        with _at(*day):  # a staff session lasts 8 hours: sign in on the day
            return staff_client(reviewer).get(QUEUE).content.decode()

    html = queue_on(2026, 10, 9)
    cells = _cells(_row(html, national_day.receipt_number))
    assert cells[6] == "2026-11-10"
    assert cells[7] == "23"  # 8 and 9 October were its first two working days

    html = queue_on(2026, 12, 31)
    cells = _cells(_row(html, december.receipt_number))
    assert cells[6] == "2027-01-20"
    assert cells[7] == "13"  # 4–8, 11–15, 18–20 January
    # the nearest deadline first
    assert html.index(national_day.receipt_number) < html.index(december.receipt_number)

    row = _row(queue_on(2027, 1, 15), december.receipt_number)
    assert 'class="is-warning"' in row and _cells(row)[7].startswith("3")

    row = _row(queue_on(2027, 1, 22), december.receipt_number)
    assert 'class="is-overdue"' in row and _cells(row)[7] == "超期 2 天"


def test_a_returned_application_shows_its_clock_paused(accepted, reviewer):
    services.application_return(application=accepted, actor=reviewer, reason="照片背景不是白色")
    row = _row(staff_client(reviewer).get(QUEUE).content.decode(), accepted.receipt_number)
    assert "补正中（暂停）" in row and "退回补正" in row


def test_search_by_receipt_or_full_id_number_through_the_keyed_hash(bank, outlet, reviewer):
    one = submit_apply(UserFactory(), bank, outlet)
    other = submit_apply(UserFactory(), bank, outlet)
    client = staff_client(reviewer)

    by_receipt = client.post(QUEUE, {"q": one.receipt_number}).content.decode()
    assert one.receipt_number in by_receipt and other.receipt_number not in by_receipt

    with CaptureQueriesContext(connection) as queries:
        by_id = client.post(QUEUE, {"q": other.subject.doc_number.lower()}).content.decode()
    assert other.receipt_number in by_id and one.receipt_number not in by_id
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert other.subject.doc_number not in sql  # matched by hash, never by plaintext
    assert "identity_hash" in sql
    # the number is sent in the body, never the URL, and shown masked even to its typist
    assert other.subject.masked_doc_number in by_id
    assert other.subject.doc_number not in by_id


def test_filters_by_item_status_district_and_overdue(bank, outlet, reviewer):
    elsewhere = OutletFactory(code="PN01", name="普宁市网点", district="普宁市", bank=bank)
    with _at(2026, 9, 1):
        late = services.application_accept(
            application=submit_apply(UserFactory(), bank, outlet), actor=reviewer
        )
    fresh = submit_apply(UserFactory(), bank, elsewhere)
    client = staff_client(reviewer)

    def shown(**params) -> set[str]:
        html = client.get(QUEUE, params).content.decode()
        return {r for r in (late.receipt_number, fresh.receipt_number) if r in html}

    assert shown() == {late.receipt_number, fresh.receipt_number}
    assert shown(status="submitted") == {fresh.receipt_number}
    assert shown(district="普宁市") == {fresh.receipt_number}
    assert shown(overdue="1") == {late.receipt_number}
    assert shown(item="reissue") == set()


def test_the_queue_page_costs_the_same_queries_for_one_row_or_a_full_page(
    bank, outlet, reviewer, django_assert_num_queries
):
    client = staff_client(reviewer)
    first = submit_apply(UserFactory(), bank, outlet)
    services.application_accept(application=first, actor=reviewer)
    client.get(QUEUE)  # warm the settings row
    with django_assert_num_queries(QUEUE_QUERIES):
        client.get(QUEUE)
    for _ in range(24):
        application = submit_apply(UserFactory(), bank, outlet)
        services.application_accept(application=application, actor=reviewer)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(QUEUE)
    assert response.content.decode().count("<tr class=") == 20  # one page


def test_htmx_filtering_returns_only_the_results_region(accepted, reviewer):
    response = staff_client(reviewer).get(QUEUE, {"status": "accepted"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert accepted.receipt_number in html


@pytest.mark.django_db
def test_on_a_day_off_right_after_the_due_date_the_row_says_overdue_without_a_count(
    accepted,
):
    # due on a Friday, looked at on the Saturday: past the date, no working day past it yet
    friday = Deadline(due=date(2027, 1, 22), paused=False, remaining=0, overdue=True, warning=False)
    two_days = Deadline(
        due=date(2027, 1, 22), paused=False, remaining=-2, overdue=True, warning=False
    )

    [line, later] = queue_lines(
        [QueueRow(application=accepted, deadline=friday), QueueRow(accepted, two_days)]
    )

    assert (line.overdue, line.remaining) == (True, "已超期")
    assert later.remaining == "超期 2 天"
