"""The words of a message: the event's template (as the administrator edited it, or the
default), every placeholder's value (masked), and the rendering that leaves an unknown
placeholder blank."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sscard.accounts.models import Person, User
from sscard.accounts.services import CONTACT_FIELD_LABELS
from sscard.applications.models import Application
from sscard.cards.models import Card
from sscard.core.masking import mask_account
from sscard.notifications.constants import PLACEHOLDERS
from sscard.notifications.defaults import DEFAULT_TEMPLATES
from sscard.notifications.models import MessageTemplate
from sscard.production.models import ProductionOrder


def local_time(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y年%m月%d日 %H:%M") if moment else ""


def local_day(day: date | None) -> str:
    return day.strftime("%Y年%m月%d日") if day else ""


def absolute_url(path: str) -> str:
    return settings.SSCARD_PUBLIC_URL.rstrip("/") + path


def _application_link(application: Application) -> str:
    """The portal's page of the application when the portal has one, else the 消息中心."""
    try:
        return absolute_url(reverse("portal:application", args=[application.receipt_number]))
    except NoReverseMatch:
        return absolute_url(reverse("notifications:inbox"))


def placeholder_values(person: Person, context: Mapping[str, Any]) -> dict[str, str]:
    """Every placeholder's value, masked: objects in ``context`` (application, card, order)
    give theirs; plain strings in ``context`` name the rest (reason, decision, fields…)."""
    values = {
        "name": person.masked_name,
        "link": absolute_url(reverse("notifications:inbox")),
        "at": local_time(timezone.now()),
    }
    application: Application | None = context.get("application")
    order: ProductionOrder | None = context.get("order")
    card: Card | None = context.get("card") or (order.card if order is not None else None)
    if application is not None:
        values |= {
            "item": application.get_item_display(),
            "receipt": application.receipt_number,
            "due_on": local_day(application.due_on),
            "reason": application.staff_note,
            "link": _application_link(application),
        }
        if card is None and application.production_order is not None:
            card = application.production_order.card
        if card is None:
            card = application.card
    if card is not None:
        values |= {"card": card.masked_number, "expires_at": local_time(card.loss_expires_at)}
    if order is not None:
        values["tracking_number"] = order.tracking_number
        if order.outlet is not None:
            values |= {
                "outlet_name": order.outlet.name,
                "outlet_address": order.outlet.address,
                "opening_hours": order.outlet.opening_hours or "请咨询网点",
                "outlet_phone": order.outlet.phone,
            }
    old_card: Card | None = context.get("old_card")
    if isinstance(old_card, Card):
        values["old_card"] = old_card.masked_number
    account: User | None = context.get("account")
    if isinstance(account, User):
        values["account"] = mask_account(account.username)
    changed = context.get("changed")
    if changed:
        values["fields"] = "、".join(CONTACT_FIELD_LABELS.get(f, f) for f in changed)
        if "phone" in changed:
            values["phone"] = person.masked_phone
    for key, value in context.items():
        if key in PLACEHOLDERS and isinstance(value, str):
            values[key] = value
        elif key in PLACEHOLDERS and isinstance(value, datetime):
            values[key] = local_time(value)
    return values


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def render(text: str, values: Mapping[str, str]) -> str:
    return text.format_map(_Blank(values))


def event_wording(event: str) -> tuple[str, str, str] | None:
    """(title, body, wechat template id) of the event, or None when the administrator has
    switched the event off."""
    template = MessageTemplate.objects.filter(event=event).first()
    if template is None:
        title, body = DEFAULT_TEMPLATES[event]
        return title, body, ""
    if not template.active:
        return None
    return template.title, template.body, template.wechat_template_id
