"""Reads for the staff: the review queue with its working-day deadlines, one application for
review, and the search by receipt number or full ID number (matched through the keyed
identity hash, never a plaintext scan)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import F, QuerySet
from django.utils import timezone

from sscard.accounts.models import identity_hash
from sscard.applications.constants import CARD_ITEMS, QUEUE_STATUSES
from sscard.applications.models import Application
from sscard.applications.selectors import application_deadline
from sscard.core.documents import DocType
from sscard.core.workdays import Deadline
from sscard.regions import selectors as regions
from sscard.regions.selectors import region_settings, work_calendar

RECEIPT_RE = re.compile(r"\d{24}")

# The queue: card requests before a decision (待受理, 待审核, paused in 退回补正).


@dataclass(frozen=True)
class QueueFilters:
    q: str = ""
    item: str = ""
    status: str = ""
    district: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class QueueRow:
    application: Application
    deadline: Deadline | None

    @property
    def css(self) -> str:
        if self.deadline is None:
            return ""
        if self.deadline.overdue:
            return "is-overdue"
        if self.deadline.warning:
            return "is-warning"
        return "is-paused" if self.deadline.paused else ""


def identity_hashes(raw: str) -> list[str]:
    """The keyed hashes a typed document number would have under each document type."""
    number = raw.strip().upper().replace(" ", "")
    return [identity_hash(str(doc_type), number) for doc_type in DocType.values]


def _search(rows: QuerySet[Application], q: str) -> QuerySet[Application]:
    """A receipt number (24 digits) is matched as it is; anything else is taken for an
    identity document number and matched by its keyed hashes only, so the number typed never
    reaches the database (nor its logs)."""
    q = q.strip()
    if not q:
        return rows
    if RECEIPT_RE.fullmatch(q):
        return rows.filter(receipt_number=q)
    return rows.filter(subject__identity_hash__in=identity_hashes(q))


def review_queue(filters: QueueFilters, *, today: date | None = None) -> QuerySet[Application]:
    """Card requests awaiting staff, the nearest legal deadline first; newly submitted ones
    (no deadline yet: the clock starts at 受理) after them, oldest first."""
    today = today or timezone.localdate()
    rows = Application.objects.filter(item__in=CARD_ITEMS)
    # a search looks at every status: the reviewer is looking for one application
    rows = _search(rows, filters.q) if filters.q else rows.filter(status__in=QUEUE_STATUSES)
    if filters.item:
        rows = rows.filter(item=filters.item)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.district:
        rows = rows.filter(outlet__district=filters.district)
    if filters.overdue:
        rows = rows.filter(due_on__lt=today, paused_since__isnull=True)
    return rows.select_related("subject", "outlet").order_by(
        F("due_on").asc(nulls_last=True), "submitted_at", "pk"
    )


def queue_rows(applications: list[Application], *, today: date | None = None) -> list[QueueRow]:
    """The page's rows with their countdown: one settings row and one calendar for all."""
    today = today or timezone.localdate()
    region = region_settings()
    accepted = [timezone.localdate(a.accepted_at) for a in applications if a.accepted_at]
    calendar = work_calendar(start=min(accepted)) if accepted else None
    return [
        QueueRow(
            application=a,
            deadline=application_deadline(a, today=today, region=region, calendar=calendar)
            if calendar is not None
            else None,
        )
        for a in applications
    ]


def districts() -> list[str]:
    return regions.districts()


def application_for_review(pk: int) -> Application:
    return Application.objects.select_related(
        "subject",
        "applicant__person",
        "card",
        "outlet",
        "reviewer",
        "production_order__outlet",
        "production_order__card",
    ).get(pk=pk)
