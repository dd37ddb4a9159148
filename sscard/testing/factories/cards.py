"""Banks, outlets and cards: a card in any state, written directly."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.regions.models import Bank, Outlet
from sscard.testing.factories.people import PersonFactory


class BankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bank
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"B{n:03d}")
    name = factory.Sequence(lambda n: f"合作银行{n}")


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"O{n:03d}")
    name = factory.Sequence(lambda n: f"榕城区社保卡服务网点{n}")
    district = "榕城区"
    address = "揭阳市榕城区临江北路1号"
    bank = factory.SubFactory(BankFactory)


class CardFactory(factory.django.DjangoModelFactory):
    """A card in any state, written directly (the services are tested on their own)."""

    class Meta:
        model = Card

    class Params:
        sealed = factory.Trait(status=CardStatus.SEALED)
        producing = factory.Trait(status=CardStatus.PRODUCING, issued_on=None, expires_on=None)
        lost_temporarily = factory.Trait(
            status=CardStatus.TEMP_LOST,
            status_before_loss=CardStatus.ACTIVE,
            loss_expires_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=10)),
        )
        lost_formally = factory.Trait(status=CardStatus.LOST)
        cancelled = factory.Trait(status=CardStatus.CANCELLED)

    person = factory.SubFactory(PersonFactory)
    number = factory.Sequence(lambda n: f"A{n:08d}")
    issuing_area = "445200"
    bank = factory.SubFactory(BankFactory)
    status = CardStatus.ACTIVE
    issued_on = date(2020, 6, 1)
    expires_on = date(2030, 6, 1)
