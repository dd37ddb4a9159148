"""What an employer may see: its own batches and the applications its logins submitted for
its employees. Anything else is not found."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sscard.accounts.models import Employer, identity_hash
from sscard.accounts.services import Relation
from sscard.applications.constants import AppStatus
from sscard.applications.models import Application
from sscard.core.documents import DocType, DocumentError, validate_document
from sscard.employers.models import Batch


def employer_batches(employer: Employer) -> QuerySet[Batch]:
    return Batch.objects.filter(employer=employer)


def employer_batch(employer: Employer, batch_id: Any) -> Batch | None:
    return Batch.objects.filter(employer=employer, pk=batch_id).first()


def employer_applications(
    employer: Employer, *, status: str = "", doc_number: str = "", batch: Batch | None = None
) -> QuerySet[Application]:
    """The employer's applications for its employees, newest first, filtered by 办件状态,
    by an employee's ID number (through the blind index) or by batch."""
    found = Application.objects.filter(
        relation=Relation.EMPLOYER, applicant__employer=employer
    ).select_related("subject", "production_order")
    if status in AppStatus.values:
        found = found.filter(status=status)
    if doc_number:
        try:
            facts = validate_document(
                DocType.RESIDENT_ID, doc_number.strip(), today=timezone.localdate()
            )
        except DocumentError:
            return found.none()
        found = found.filter(subject__identity_hash=identity_hash(facts.doc_type, facts.number))
    if batch is not None:
        found = found.filter(batch_row__batch=batch)
    return found.order_by("-submitted_at", "-pk")


def employer_application(employer: Employer, receipt: str) -> Application | None:
    return (
        Application.objects.filter(
            relation=Relation.EMPLOYER, applicant__employer=employer, receipt_number=receipt
        )
        .select_related("subject", "production_order", "outlet")
        .first()
    )


def stage_label(application: Application) -> str:
    order = application.production_order
    if order is not None:
        return str(order.get_stage_display())
    return "待审核" if application.status in (AppStatus.SUBMITTED,) else ""
