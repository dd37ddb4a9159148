"""What a card puts in the notices about it: its masked number, when its 临时挂失 ends and the
link to 我的电子社保卡.
The card's reminders are in :mod:`sscard.cards.reminders`."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from sscard.cards.models import Card
from sscard.notifications.wording import absolute_url, local_time


def ecard_link() -> str:
    """我的电子社保卡 (the portal's page of the card's QR code), when the portal is served."""
    try:
        return absolute_url(reverse("portal:ecard"))
    except NoReverseMatch:
        return absolute_url(reverse("notifications:inbox"))


def card_placeholders(card: Card) -> dict[str, str]:
    return {
        "card": card.masked_number,
        "expires_at": local_time(card.loss_expires_at),
        "ecard_link": ecard_link(),
    }
