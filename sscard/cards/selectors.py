from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from sscard.accounts.models import Person
from sscard.cards.models import Card


def cards_of(person: Person) -> QuerySet[Card]:
    return Card.objects.filter(person=person).select_related("bank").order_by("-created_at")


def card_effective_status(card: Card, *, now: datetime | None = None) -> str:
    """The status a holder should see: a temporary loss report past its expiry has already
    ended even if the sweep has not written it yet."""
    now = now or timezone.now()
    if card.temporary_loss_ended(now):
        return card.status_before_loss
    return card.status
