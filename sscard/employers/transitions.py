"""The one place a 批量申领 batch's status is assigned: every move checked against
:data:`~sscard.employers.models.EMPLOYER_BATCH_TRANSITIONS`, saved with the fields that go
with it, and audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sscard.accounts.models import User
from sscard.audit.services import audit_record
from sscard.core.errors import InvalidTransition
from sscard.employers.models import EMPLOYER_BATCH_TRANSITIONS, Batch

Status = Batch.Status

# The audit record of each move. The system's own steps between two of the employer's (the
# check finished or failed, a submission refused at the last moment and rolled back) write
# none: the trail has the upload and the 确认提交 they follow.
EMPLOYER_BATCH_ACTIONS: dict[tuple[str, str], str | None] = {
    (Status.VALIDATING, Status.READY): None,
    (Status.VALIDATING, Status.FAILED): None,
    (Status.READY, Status.SUBMITTING): "employer.batch_submitted",
    (Status.READY, Status.CANCELLED): "employer.batch_cancelled",
    (Status.SUBMITTING, Status.SUBMITTED): "employer.batch_done",
    (Status.SUBMITTING, Status.READY): None,
    (Status.FAILED, Status.CANCELLED): "employer.batch_cancelled",
}


def employer_batch_transition(
    *,
    batch: Batch,
    to: str,
    actor: User | None,
    detail: dict[str, Any] | None = None,
    action: str | None = None,
    now: datetime | None = None,
    **changes: Any,
) -> Batch:
    """Move a locked ``batch`` to ``to``; the only place a batch's status is assigned, checked
    against :data:`EMPLOYER_BATCH_TRANSITIONS`, saved with ``changes`` and audited under the
    move's action (``action`` names another: the keeping-period sweep's, whose one record
    tells both the giving up and the files deleted).

    The caller holds the batch's row lock and has looked at its status: a move another
    click or worker has made first is the caller's to answer (return the batch as it is, or
    refuse with its own words); reaching here with it is a mistake, refused."""
    if to not in EMPLOYER_BATCH_TRANSITIONS[batch.status]:
        raise InvalidTransition(
            f"批量申领批次状态为“{batch.get_status_display()}”，不能变更为“{Status(to).label}”"
        )
    before = batch.status
    batch.status = to
    for name, value in changes.items():
        setattr(batch, name, value)
    batch.save(update_fields=["status", *changes])
    action = action or EMPLOYER_BATCH_ACTIONS[(before, to)]
    if action is not None:
        audit_record(actor=actor, action=action, target=batch, detail=detail, at=now)
    return batch
