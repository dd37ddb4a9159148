"""What an application tells its holder: the item, the receipt, the legal deadline, the
reviewer's reason and the page of the application; the card it concerns; for a 信息变更 the
fields changed. :func:`notify_application` tells an event with these values, to the holder's
accounts and to the account that made the application (an employer's, a guardian's)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.urls import NoReverseMatch, reverse

from sscard.accounts.models import Person
from sscard.accounts.services import CONTACT_FIELD_LABELS
from sscard.applications.constants import AppStatus
from sscard.applications.models import Application
from sscard.cards.models import Card
from sscard.cards.notices import card_placeholders
from sscard.notifications.models import Notification
from sscard.notifications.services import notify
from sscard.notifications.wording import absolute_url, local_day


def _application_link(application: Application) -> str:
    """The portal's page of the application when the portal has one, else the 消息中心."""
    try:
        return absolute_url(reverse("portal:application", args=[application.receipt_number]))
    except NoReverseMatch:
        return absolute_url(reverse("notifications:inbox"))


def _receipt_link(application: Application) -> str:
    """The PDF of the application's receipt: its 办结凭证 once completed (an instant item),
    else its 受理回执 (both carry the QR code that verifies them)."""
    kind = "completion" if application.status == AppStatus.COMPLETED else "acceptance"
    try:
        return absolute_url(reverse("portal:receipt_pdf", args=[application.receipt_number, kind]))
    except NoReverseMatch:
        return _application_link(application)


def application_placeholders(application: Application, card: Card | None = None) -> dict[str, str]:
    """The application's values, and its card's: ``card`` when given, else the new card its
    production order makes, else the card it was made for."""
    values = {
        "item": application.get_item_display(),
        "receipt": application.receipt_number,
        "due_on": local_day(application.due_on),
        "reason": application.staff_note,
        "link": _application_link(application),
        "receipt_link": _receipt_link(application),
    }
    if card is None and application.production_order is not None:
        card = application.production_order.card
    if card is None:
        card = application.card
    if card is not None:
        values |= card_placeholders(card)
    return values


def contact_placeholders(person: Person, changed: Iterable[str]) -> dict[str, str]:
    """A 信息变更's fields, and the new phone number (masked) when it is one of them."""
    changed = list(changed)
    if not changed:
        return {}
    values = {"fields": "、".join(CONTACT_FIELD_LABELS.get(f, f) for f in changed)}
    if "phone" in changed:
        values["phone"] = person.masked_phone
    return values


def notify_application(
    event: str,
    application: Application,
    *,
    person: Person | None = None,
    card: Card | None = None,
    values: Mapping[str, str] | None = None,
    old_phone: str = "",
    now: datetime | None = None,
) -> Notification | None:
    """Tell ``event`` about ``application`` to its holder (``person`` when the caller holds
    their row afresh, else the application's subject) and to the account that made it.
    ``values`` add or replace placeholders (``decision``, ``old_card``…); ``old_phone`` is the
    number a 信息变更 replaced, told too; ``now`` the change's time. Call it inside the
    transaction of the change."""
    return notify(
        event,
        person=person if person is not None else application.subject,
        values={**application_placeholders(application, card), **(values or {})},
        applicant_id=application.applicant_id,
        old_phone=old_phone,
        now=now,
    )
