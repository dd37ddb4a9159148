"""A mailed card reaches 已领卡 three ways — the holder's 确认收到, the courier's signed-for
report, the periodic confirmation after 已投递 — each once; and the collecting outlet is the
card's bank's."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sscard.accounts.trust import TrustLevel
from sscard.applications import services
from sscard.applications.constants import AppStatus
from sscard.applications.eligibility import StepUpRequired
from sscard.applications.forms import FormErrors, clean_delivery
from sscard.applications.periodic import orders_confirm_delivered
from sscard.applications.tests.helpers import (
    approve,
    holder_document,
    produce_to_outlet,
    submit_apply,
)
from sscard.cards.constants import CardStatus
from sscard.core.errors import DomainError
from sscard.notifications.constants import Event
from sscard.notifications.models import Notification
from sscard.production import services as production
from sscard.production.constants import Stage
from sscard.production.models import ProductionOrder
from sscard.production.reports import Report, ReportKind, ReportsRejected, batch_apply_reports
from sscard.regions.selectors import region_settings
from sscard.testing.factories import BankFactory, OutletFactory, UserFactory, requester_for
from sscard.testing.races import needs_row_locks, results, run_at_once

TRACKING = "SF1234567890"


def mailed_order(citizen, bank, outlet, reviewer, producer) -> ProductionOrder:
    application = approve(
        submit_apply(
            citizen, bank, outlet, delivery="mail", mail_address="广东省揭阳市榕城区东山大道9号"
        ),
        reviewer,
    )
    batch = production.batch_create(bank=bank, order_ids=None, actor=producer)
    production.batch_send(batch=batch, actor=producer)
    order = application.production_order
    for stage in (Stage.PRODUCING, Stage.CITY_BANK):
        production.order_advance(order=order, to=stage, actor=producer)
    production.order_advance(order=order, to=Stage.MAILED, actor=producer, tracking_number=TRACKING)
    order.refresh_from_db()
    return order


def received_notices(order: ProductionOrder) -> int:
    return Notification.objects.filter(event=Event.CARD_RECEIVED, person=order.person).count()


def assert_received(order: ProductionOrder) -> None:
    order.refresh_from_db()
    order.card.refresh_from_db()
    assert order.stage == Stage.COLLECTED
    assert order.card.status == CardStatus.SEALED  # ready for 启用
    assert order.application.status == AppStatus.COMPLETED
    assert received_notices(order) == 1


def courier(order, stage, tracking=TRACKING):
    return batch_apply_reports(
        batch=order.batch,
        reports=[
            ("events.0", Report(order.pk, ReportKind.STAGE, stage=stage, tracking_number=tracking))
        ],
        by="测试银行",
    )


# --- 确认收到 -------------------------------------------------------------------------------


def test_confirming_receipt_needs_the_sms_step_up_by_default(
    citizen, bank, outlet, reviewer, producer
):
    order = mailed_order(citizen, bank, outlet, reviewer, producer)

    with pytest.raises(StepUpRequired) as refused:
        services.application_confirm_receipt(
            requester=requester_for(citizen, TrustLevel.L3), order=order
        )

    assert refused.value.level == TrustLevel.L3_PLUS
    order.refresh_from_db()
    assert order.stage == Stage.MAILED and received_notices(order) == 0


def test_the_holder_confirms_receipt_once_however_often_they_tap(
    citizen, bank, outlet, reviewer, producer
):
    order = mailed_order(citizen, bank, outlet, reviewer, producer)
    requester = requester_for(citizen, TrustLevel.L3_PLUS)

    first = services.application_confirm_receipt(requester=requester, order=order)
    again = services.application_confirm_receipt(requester=requester, order=order)

    assert first.pk == again.pk and again.status == AppStatus.COMPLETED
    assert_received(order)
    assert order.events.filter(stage=Stage.COLLECTED).count() == 1


def test_someone_else_cannot_confirm_a_card_received(citizen, bank, outlet, reviewer, producer):
    order = mailed_order(citizen, bank, outlet, reviewer, producer)
    stranger = UserFactory()

    with pytest.raises(DomainError):
        services.application_confirm_receipt(requester=requester_for(stranger), order=order)

    order.refresh_from_db()
    assert order.stage == Stage.MAILED


def test_a_card_not_yet_mailed_or_waiting_at_an_outlet_is_not_confirmed(
    citizen, bank, outlet, reviewer, producer
):
    at_outlet = produce_to_outlet(approve(submit_apply(citizen, bank, outlet), reviewer), producer)

    with pytest.raises(DomainError, match="网点领取"):
        services.application_confirm_receipt(
            requester=requester_for(citizen), order=at_outlet.production_order
        )


def test_handing_over_at_the_outlet_tells_the_holder_too(
    citizen, bank, outlet, reviewer, producer, clerk
):
    application = produce_to_outlet(
        approve(submit_apply(citizen, bank, outlet), reviewer), producer
    )

    services.application_handover(
        order=application.production_order,
        actor=clerk,
        **holder_document(application.production_order),
    )

    assert_received(application.production_order)


# --- the courier: 已投递 and 已签收 ---------------------------------------------------------------


def test_the_couriers_signed_for_report_must_name_the_orders_parcel(
    citizen, bank, outlet, reviewer, producer
):
    order = mailed_order(citizen, bank, outlet, reviewer, producer)

    with pytest.raises(ReportsRejected) as refused:
        courier(order, Stage.COLLECTED, tracking="SF0000000000")

    assert refused.value.errors == {"events.0": "快递单号与订单不符"}
    order.refresh_from_db()
    assert order.stage == Stage.MAILED


def test_signed_for_twice_completes_once(citizen, bank, outlet, reviewer, producer):
    order = mailed_order(citizen, bank, outlet, reviewer, producer)

    first = courier(order, Stage.COLLECTED)
    again = courier(order, Stage.COLLECTED)

    assert first[0].changed and not again[0].changed
    assert_received(order)


def test_signed_for_after_the_holder_confirmed_changes_nothing(
    citizen, bank, outlet, reviewer, producer
):
    order = mailed_order(citizen, bank, outlet, reviewer, producer)
    services.application_confirm_receipt(requester=requester_for(citizen), order=order)

    assert not courier(order, Stage.COLLECTED)[0].changed
    assert_received(order)


def test_a_delivered_card_counts_as_received_after_the_regions_days(
    citizen, bank, outlet, reviewer, producer
):
    order = mailed_order(citizen, bank, outlet, reviewer, producer)
    courier(order, Stage.DELIVERED)
    order.refresh_from_db()
    assert order.stage == Stage.DELIVERED and order.application.status == AppStatus.APPROVED
    now = timezone.now()

    assert orders_confirm_delivered(now=now + timedelta(days=6, hours=23)) == 0
    assert orders_confirm_delivered(now=now + timedelta(days=7, minutes=1)) == 1
    assert orders_confirm_delivered(now=now + timedelta(days=8)) == 0  # once

    assert_received(order)
    assert order.events.get(stage=Stage.COLLECTED).note == "投递后7天未确认，视为已领卡"


def test_the_days_follow_the_region_setting(citizen, bank, outlet, reviewer, producer):
    region = region_settings()
    region.delivery_confirm_days = 2
    region.save()
    order = mailed_order(citizen, bank, outlet, reviewer, producer)
    courier(order, Stage.DELIVERED)

    assert orders_confirm_delivered(now=timezone.now() + timedelta(days=2, minutes=1)) == 1


@pytest.mark.parametrize("days", [0, 61])
def test_the_delivery_days_setting_is_validated(db, days):
    region = region_settings()
    region.delivery_confirm_days = days
    with pytest.raises(ValidationError) as refused:
        region.full_clean()
    assert "delivery_confirm_days" in refused.value.message_dict


# --- the outlet is the bank's ---------------------------------------------------------------


def test_an_outlet_of_another_bank_is_refused_beside_the_outlet_field(db):
    abc = BankFactory(code="ABC", name="中国农业银行")
    boc = BankFactory(code="BOC", name="中国银行")
    OutletFactory(code="BOC01", name="中国银行榕城支行", bank=boc)
    errors = FormErrors()

    clean_delivery({"bank": abc.code, "delivery": "outlet", "outlet": "BOC01"}, errors)

    assert errors["outlet"] == "领卡网点“中国银行榕城支行”属于中国银行，请选择所选合作银行的网点"
    errors = FormErrors()
    clean_delivery({"bank": boc.code, "delivery": "outlet", "outlet": "BOC01"}, errors)
    assert not errors


# --- at the same moment (PostgreSQL: real parallel connections) ---------------------------------


@needs_row_locks
@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_holder_courier_and_periodic_run_together_complete_once(bank, outlet, reviewer, producer):
    for _round in range(5):
        citizen = UserFactory()  # one card each: a new holder every round
        order = mailed_order(citizen, bank, outlet, reviewer, producer)
        courier(order, Stage.DELIVERED)
        later = timezone.now() + timedelta(days=8)
        requester = requester_for(citizen)

        results(
            run_at_once(
                partial(services.application_confirm_receipt, requester=requester, order=order),
                partial(courier, order, Stage.COLLECTED),
                partial(orders_confirm_delivered, now=later),
            )
        )

        assert_received(order)
        assert order.events.filter(stage=Stage.COLLECTED).count() == 1
