"""``{% load notifications %}``: the 消息中心 entry with its unread count, for the portal."""

from __future__ import annotations

from typing import Any

from django import template

from sscard.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_message_count(context: template.Context) -> int:
    """``{% unread_message_count as n %}``: the signed-in account's unread messages."""
    request = context.get("request")
    return unread_count(request.user) if request is not None else 0


@register.inclusion_tag("notifications/_entry.html", takes_context=True)
def messages_entry(context: template.Context) -> dict[str, Any]:
    """``{% messages_entry %}``: a link to the 消息中心 with the unread count as a badge."""
    return {"unread": unread_message_count(context)}
