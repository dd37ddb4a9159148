"""Reads of the notifications app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, QuerySet

from sscard.accounts.models import User
from sscard.notifications.constants import Channel, MessageStatus
from sscard.notifications.models import Message


def inbox_for(user: User) -> QuerySet[Message]:
    """The account's 消息中心, newest first."""
    return Message.objects.filter(user=user, channel=Channel.INBOX).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.filter(user=user, channel=Channel.INBOX, read_at__isnull=True).count()


def messages_for_staff(
    *, status: str = "", channel: str = "", event: str = ""
) -> QuerySet[Message]:
    """Deliveries for the back office, newest first, with what a row shows joined in."""
    rows = Message.objects.select_related(
        "notification__person", "notification__employer"
    ).order_by("-created_at", "-pk")
    if status in MessageStatus.values:
        rows = rows.filter(status=status)
    if channel in Channel.values:
        rows = rows.filter(channel=channel)
    if event:
        rows = rows.filter(notification__event=event)
    return rows


def status_counts(*, channel: str = "") -> dict[str, int]:
    rows = Message.objects.all()
    if channel in Channel.values:
        rows = rows.filter(channel=channel)
    counts = dict(rows.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in MessageStatus.values}


# what the outbox still has to send: waiting for a worker (or its next retry), or being sent
UNSENT = (MessageStatus.PENDING, MessageStatus.SENDING)


@dataclass(frozen=True)
class Backlog:
    by_status: dict[str, int]  # every unsent status, 0 included
    oldest_created_at: datetime | None  # of the oldest unsent message; None when none waits


def outbox_backlog() -> Backlog:
    """SMS and WeChat messages not yet sent (失败 ones are given up, not waiting): one grouped
    query off the (status, next_attempt_at) index."""
    rows = (
        Message.objects.filter(status__in=UNSENT)
        .values_list("status")
        .annotate(n=Count("pk"), oldest=Min("created_at"))
        .values_list("status", "n", "oldest")
        .order_by()
    )
    counts: dict[str, int] = {}
    oldest: datetime | None = None
    for status, n, created_at in rows:
        counts[status] = n
        oldest = created_at if oldest is None else min(oldest, created_at)
    return Backlog(by_status={s: counts.get(s, 0) for s in UNSENT}, oldest_created_at=oldest)
