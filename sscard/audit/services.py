from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from sscard.audit.chain import GENESIS, record_hash
from sscard.audit.context import current_source
from sscard.audit.models import AuditChainHead, AuditRecord

logger = logging.getLogger("sscard.audit")


SYSTEM = "系统"


def actor_label(actor: Any) -> str:
    """How history and audit rows name who acted: the account's audit label, or the system."""
    return getattr(actor, "audit_label", "") if actor is not None else SYSTEM


def _chain_head() -> AuditChainHead:
    # The chain's end, locked until the enclosing transaction ends: appends queue here
    # (SQLite queues every writer anyway), and a rolled-back one leaves no trace.
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"hash": GENESIS}
    )
    return head


def audit_chain_hold() -> None:
    """Take the audit chain's end now, for the rest of the caller's transaction, as an append
    would. A service that locks a row and may append after it calls this first when other
    transactions append before locking that row: then every transaction takes the chain's
    end before the row, in one order, and none waits for the other while holding what the
    other needs (a deadlock)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_chain_hold() outside a transaction holds nothing")
    _chain_head()


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
    The row joins the hash chain; the chain's end stays locked until the caller's transaction
    ends, so call it after the service has taken its own row locks. ``at`` is the time of the
    change the row records (the service's ``now``), now by default.
    """
    source = current_source.get()
    record = AuditRecord(
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
    # No savepoint of its own: a failed append dooms the change it records (it cannot be
    # caught and carried on from), and two statements fewer while the chain's end is held.
    with transaction.atomic(savepoint=False):
        head = _chain_head()
        record.seq, record.prev_hash = head.seq + 1, head.hash
        record.hash = record_hash(record)
        record.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(seq=record.seq, hash=record.hash)
    logger.info(
        "audit action=%s target=%s:%s result=%s request=%s",
        action,
        record.target_type,
        record.target_id,
        result,
        source.request_id,
    )
    return record
