"""Delivery of the outbox.

:func:`outbox_deliver` is what the task worker runs: claim a due message under a lease
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL), send it outside any transaction, then
record the outcome only if the claim is still ours. A worker killed mid-send leaves its
message 发送中 until the lease lapses; the next run takes it over. Failures are retried with
doubling delays up to ``SSCARD_NOTIFY_MAX_ATTEMPTS``, then the message is 失败 with the error;
an officer may resend it (:func:`message_resend`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from sscard.accounts.models import User
from sscard.audit.services import audit_record
from sscard.core.errors import DomainError
from sscard.notifications.backends import DeliveryError
from sscard.notifications.channels import CHANNELS
from sscard.notifications.constants import MessageStatus
from sscard.notifications.models import Message

logger = logging.getLogger("sscard.notifications")


def enqueue_delivery(ids: list[int], run_after: datetime | None = None) -> None:
    """Ask the worker to deliver now; if the queue is unavailable the periodic sweep
    (:func:`outbox_deliver` from ``deliver_due_messages_task``) still finds them."""
    from sscard.notifications.tasks import deliver_messages_task

    try:
        if run_after is None:
            deliver_messages_task.enqueue(ids)
        elif deliver_messages_task.get_backend().supports_defer:
            deliver_messages_task.using(run_after=run_after).enqueue(ids)
    except Exception:  # the outbox row is the record; the sweep delivers it later
        logger.exception("notification.enqueue_failed messages=%s", len(ids))


def deliver_after_commit(ids: list[int]) -> None:
    """Hand messages written in the current transaction to the worker once it commits: never
    for a change that rolled back, never lost for one that committed. The database queue
    (django-tasks' database backend, in this database) takes the task in the transaction
    itself: written with the messages or not at all, and one transaction fewer. Any other
    queue hears of them after the commit (the sweep finds them if it cannot be reached)."""
    from sscard.notifications.tasks import deliver_messages_task

    if isinstance(deliver_messages_task.get_backend(), DatabaseBackend):
        deliver_messages_task.enqueue(ids)
    else:
        transaction.on_commit(partial(enqueue_delivery, ids))


# ---------------------------------------------------------------------------------------------
# Claim under a lease, send, record


def _due(now: datetime) -> Q:
    return Q(status=MessageStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, lease_expires_at__lte=now
    )


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed ones: base, 2×, 4×… capped at a day."""
    seconds = settings.SSCARD_NOTIFY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 86400))


def outbox_claim(
    *, now: datetime | None = None, ids: Iterable[int] | None = None
) -> Message | None:
    """Take one due message for this worker: 发送中, one more attempt, a lease and a fresh
    claim token. Rows another worker holds are skipped, not waited for. A message whose last
    allowed attempt was cut short (its worker died) is 失败 instead."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.SSCARD_NOTIFY_LEASE_SECONDS)
    limit = settings.SSCARD_NOTIFY_MAX_ATTEMPTS
    with transaction.atomic():
        due = Message.objects.filter(_due(now))
        if ids is not None:
            due = due.filter(pk__in=list(ids))
        for message in due.order_by("next_attempt_at", "pk").select_for_update(skip_locked=True)[
            :10
        ]:
            if message.attempts >= limit:
                message.status = MessageStatus.FAILED
                message.last_error = "发送中断（工作进程退出），已达最大发送次数"
                message.lease_expires_at = None
                message.updated_at = now
                message.save(
                    update_fields=["status", "last_error", "lease_expires_at", "updated_at"]
                )
                logger.warning("notification.lease_lapsed_final message=%s", message.pk)
                continue
            message.status = MessageStatus.SENDING
            message.attempts += 1
            message.lease_expires_at = now + lease
            message.claim_token = uuid.uuid4()
            message.updated_at = now
            message.save(
                update_fields=[
                    "status",
                    "attempts",
                    "lease_expires_at",
                    "claim_token",
                    "updated_at",
                ]
            )
            return message
    return None


def _still_ours(message: Message) -> Any:
    return Message.objects.filter(
        pk=message.pk, status=MessageStatus.SENDING, claim_token=message.claim_token
    )


def _record_sent(message: Message, reference: str) -> bool:
    done = _still_ours(message).update(
        status=MessageStatus.SENT,
        sent_at=timezone.now(),
        provider_ref=reference[:100],
        lease_expires_at=None,
        updated_at=timezone.now(),
    )
    if not done:
        logger.warning("notification.claim_lost message=%s outcome=sent", message.pk)
    return bool(done)


def _record_failure(message: Message, error: str) -> None:
    now = timezone.now()
    final = message.attempts >= settings.SSCARD_NOTIFY_MAX_ATTEMPTS
    next_at = now + backoff(message.attempts)
    done = _still_ours(message).update(
        status=MessageStatus.FAILED if final else MessageStatus.PENDING,
        last_error=error[:300],
        next_attempt_at=None if final else next_at,
        lease_expires_at=None,
        updated_at=now,
    )
    logger.warning(
        "notification.failed message=%s attempt=%s final=%s recorded=%s",
        message.pk,
        message.attempts,
        final,
        bool(done),
    )
    if done and not final:
        enqueue_delivery([message.pk], run_after=next_at)


def outbox_deliver(
    *, ids: Iterable[int] | None = None, now: datetime | None = None, limit: int = 500
) -> int:
    """Deliver due messages (only ``ids`` when given), one claim at a time, at most ``limit``;
    returns how many were sent. Safe to run twice or in parallel: a message is claimed by one
    worker only, and a stale worker's outcome is not recorded over a newer claim."""
    wanted = list(ids) if ids is not None else None
    sent = 0
    for _ in range(limit):
        message = outbox_claim(now=now, ids=wanted)
        if message is None:
            break
        try:
            reference = CHANNELS[message.channel].send(message)
        except DeliveryError as exc:
            _record_failure(message, str(exc))
        except Exception as exc:  # any other failure also uses one attempt, and is recorded
            logger.exception("notification.send_crashed message=%s", message.pk)
            _record_failure(message, f"发送异常：{type(exc).__name__}")
        else:
            sent += _record_sent(message, reference)
    return sent


# ---------------------------------------------------------------------------------------------
# An officer's resend


@transaction.atomic
def message_resend(*, message: Message, actor: User) -> Message:
    """An officer sends a 失败 message again: a fresh round of attempts, delivered now."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.status != MessageStatus.FAILED:
        raise DomainError(
            f"消息当前为“{message.get_status_display()}”，只有发送失败的消息可以重新发送",
            code="not_failed",
        )
    previous = message.attempts
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = message.updated_at = timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    audit_record(
        actor=actor,
        action="notification.resend",
        target=message,
        detail={"channel": message.channel, "attempts_before": previous},
    )
    deliver_after_commit([message.pk])
    return message
