"""Production: 制卡批次 and 制卡订单, written directly at any stage with their timeline."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from sscard.accounts.models import User
from sscard.cards.constants import CardStatus
from sscard.production.constants import BatchStatus, Delivery, Stage
from sscard.testing.factories.cards import BankFactory, CardFactory, OutletFactory
from sscard.testing.factories.people import PersonFactory, StaffFactory


class ProductionBatchFactory(factory.django.DjangoModelFactory):
    """制卡批次 of one bank: 待发送 by default; traits ``sent``, ``acknowledged``, ``done``."""

    class Meta:
        model = "production.Batch"

    class Params:
        sent = factory.Trait(status=BatchStatus.SENT, sent_at=factory.LazyFunction(timezone.now))
        acknowledged = factory.Trait(
            status=BatchStatus.ACKNOWLEDGED,
            sent_at=factory.LazyFunction(timezone.now),
            acknowledged_at=factory.LazyFunction(timezone.now),
            acknowledged_by="工商银行接口",
        )
        done = factory.Trait(
            status=BatchStatus.DONE,
            sent_at=factory.LazyFunction(timezone.now),
            done_at=factory.LazyFunction(timezone.now),
        )

    number = factory.Sequence(lambda n: f"PB{timezone.localdate():%Y%m%d}{n:06X}")
    bank = factory.SubFactory(BankFactory)
    status = BatchStatus.DRAFT
    created_by = factory.SubFactory(StaffFactory, role=User.Role.PRODUCER)


# the stages an order passes through to reach each stage (its timeline)
_STAGE_PATHS: dict[str, tuple[str, ...]] = {
    Stage.APPROVED: (Stage.APPROVED,),
    Stage.DATA_SENT: (Stage.APPROVED, Stage.DATA_SENT),
    Stage.PRODUCING: (Stage.APPROVED, Stage.DATA_SENT, Stage.PRODUCING),
    Stage.CITY_BANK: (Stage.APPROVED, Stage.DATA_SENT, Stage.PRODUCING, Stage.CITY_BANK),
    Stage.OUTLET: (Stage.APPROVED, Stage.DATA_SENT, Stage.PRODUCING, Stage.CITY_BANK, Stage.OUTLET),
    Stage.MAILED: (Stage.APPROVED, Stage.DATA_SENT, Stage.PRODUCING, Stage.CITY_BANK, Stage.MAILED),
    Stage.DELIVERED: (
        *(Stage.APPROVED, Stage.DATA_SENT, Stage.PRODUCING, Stage.CITY_BANK),
        *(Stage.MAILED, Stage.DELIVERED),
    ),
    Stage.FAILED: (Stage.APPROVED, Stage.DATA_SENT, Stage.FAILED),
}


def _in_batch(**extra: Any) -> Any:
    return factory.SubFactory(
        ProductionBatchFactory, sent=True, bank=factory.SelfAttribute("..bank"), **extra
    )


class ProductionOrderFactory(factory.django.DjangoModelFactory):
    """制卡订单 at any stage, with its new card (制卡中 until collected, then 封存) and its
    timeline (one event per stage passed). Collected at an outlet by default
    (``delivery="outlet"``); trait ``mail`` posts it. Stage traits: ``data_sent``,
    ``producing``, ``city_bank``, ``at_outlet``, ``mailed``, ``delivered``, ``collected``,
    ``failed``; from 数据录入 on, the order is in a sent batch of its bank."""

    class Meta:
        model = "production.ProductionOrder"
        skip_postgeneration_save = True

    class Params:
        mail = factory.Trait(
            delivery=Delivery.MAIL, outlet=None, mail_address="广东省揭阳市榕城区新阳路18号"
        )
        data_sent = factory.Trait(stage=Stage.DATA_SENT, batch=_in_batch())
        producing = factory.Trait(stage=Stage.PRODUCING, batch=_in_batch())
        city_bank = factory.Trait(stage=Stage.CITY_BANK, batch=_in_batch())
        at_outlet = factory.Trait(stage=Stage.OUTLET, batch=_in_batch())
        mailed = factory.Trait(
            mail=True, stage=Stage.MAILED, tracking_number="SF1234567890", batch=_in_batch()
        )
        delivered = factory.Trait(
            mail=True, stage=Stage.DELIVERED, tracking_number="SF1234567890", batch=_in_batch()
        )
        collected = factory.Trait(stage=Stage.COLLECTED, batch=_in_batch())
        failed = factory.Trait(stage=Stage.FAILED, failure_reason="芯片损坏", batch=_in_batch())

    person = factory.SubFactory(PersonFactory)
    bank = factory.SubFactory(BankFactory)
    card = factory.SubFactory(
        CardFactory,
        producing=True,
        person=factory.SelfAttribute("..person"),
        bank=factory.SelfAttribute("..bank"),
    )
    stage = Stage.APPROVED
    delivery = Delivery.OUTLET
    outlet = factory.SubFactory(OutletFactory, bank=factory.SelfAttribute("..bank"))
    mail_address = ""

    @factory.post_generation
    def timeline(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        from sscard.production.models import ProductionEvent

        if obj.stage == Stage.COLLECTED:  # the card in hand: 封存 until enabled
            before = Stage.MAILED if obj.delivery == Delivery.MAIL else Stage.OUTLET
            path = (*_STAGE_PATHS[before], Stage.COLLECTED)
            today = timezone.localdate()
            obj.card.status = CardStatus.SEALED
            obj.card.issued_on = today
            obj.card.expires_on = today.replace(year=today.year + 10, day=min(today.day, 28))
            obj.card.save(update_fields=["status", "issued_on", "expires_on"])
        else:
            path = _STAGE_PATHS[obj.stage]
        for stage in path:
            ProductionEvent.objects.create(order=obj, stage=stage, actor_label="系统")
