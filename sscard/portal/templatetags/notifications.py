"""``{% load notifications %}``: the 消息中心 entry with its unread count, for the portal."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from sscard.notifications.selectors import unread_count

register = template.Library()

# a web address inside Chinese text, where no space ends it: ASCII only, trailing punctuation off
URL = re.compile(
    r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+?(?=[.,;:!?)'\]]*(?:[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]|$))"
)


@register.simple_tag(takes_context=True)
def unread_message_count(context: template.Context) -> int:
    """``{% unread_message_count as n %}``: the signed-in account's unread messages."""
    request = context.get("request")
    return unread_count(request.user) if request is not None else 0


@register.inclusion_tag("notifications/_entry.html", takes_context=True)
def messages_entry(context: template.Context) -> dict[str, Any]:
    """``{% messages_entry %}``: a link to the 消息中心 with the unread count as a badge."""
    return {"unread": unread_message_count(context)}


@register.filter
def on_this_site(link: str) -> str:
    """A message's link to a page of the service, made relative so that it opens on the host
    the page was served from; a link elsewhere is kept as it is."""
    base = settings.SSCARD_PUBLIC_URL.rstrip("/")
    if link.startswith(base + "/"):
        return link[len(base) :]
    return link


@register.filter
def with_links(text: str) -> SafeString:
    """A message's text, escaped, with each web address in it made a link (Django's
    ``urlize`` needs spaces around an address, which Chinese text does not have)."""
    out, last = [], 0
    for match in URL.finditer(text):
        out += [escape(text[last : match.start()])]
        out += [format_html('<a href="{}">{}</a>', on_this_site(match.group()), match.group())]
        last = match.end()
    out += [escape(text[last:])]
    return mark_safe("".join(out))  # noqa: S308 — every part is escaped or format_html
