from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from sscard.audit.context import current_source
from sscard.audit.models import AuditRecord

logger = logging.getLogger("sscard.audit")


SYSTEM = "系统"


def actor_label(actor: Any) -> str:
    """How history and audit rows name who acted: the account's audit label, or the system."""
    return getattr(actor, "audit_label", "") if actor is not None else SYSTEM


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    result: str = AuditRecord.Result.OK,
    at: datetime | None = None,
) -> AuditRecord:
    """Write one audit row. ``detail`` must already be masked: it is stored as given.

    ``actor`` is a user (anything with ``pk``, ``audit_label`` and ``role``) or ``None`` for
    the system itself (expiry sweeps, partner callbacks name their client in ``detail``).
    ``at`` is the time of the change the row records (the service's ``now``), now by default.
    """
    source = current_source.get()
    record = AuditRecord.objects.create(
        at=at or timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_label=actor_label(actor),
        actor_role=getattr(actor, "role", "") if actor is not None else "system",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        result=result,
        address=source.address,
        channel=source.channel,
        request_id=source.request_id,
        detail=detail or {},
    )
    logger.info(
        "audit action=%s target=%s:%s result=%s request=%s",
        action,
        record.target_type,
        record.target_id,
        result,
        source.request_id,
    )
    return record
