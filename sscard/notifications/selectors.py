"""Reads of the notifications app."""

from __future__ import annotations

from django.db.models import Count, QuerySet

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
