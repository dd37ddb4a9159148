"""What a card puts in the notices about it: its masked number and when its 临时挂失 ends.
The card's reminders are in :mod:`sscard.cards.reminders`."""

from __future__ import annotations

from sscard.cards.models import Card
from sscard.notifications.wording import local_time


def card_placeholders(card: Card) -> dict[str, str]:
    return {"card": card.masked_number, "expires_at": local_time(card.loss_expires_at)}
