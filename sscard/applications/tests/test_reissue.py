"""补换卡 (DOMAIN §4.4): 补卡 only after 正式挂失, 换卡 with a reason, the photo reused, the
fee shown, the old card 注销 and a new number on approval, one open request per person."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from sscard.accounts.trust import TrustLevel
from sscard.applications import services
from sscard.applications.constants import AppStatus, ItemCode
from sscard.applications.models import Application, Material
from sscard.applications.tests.helpers import (
    approve,
    holder_document,
    produce_to_outlet,
    submit_apply,
)
from sscard.cards import services as card_services
from sscard.cards.constants import CardStatus, LossKind
from sscard.cards.models import Card
from sscard.conftest import jpeg
from sscard.core.errors import DomainError
from sscard.testing.factories import CardFactory, UserFactory, requester_for

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEEDS_FORMAL_LOSS = "补卡前需先办理正式挂失"


@pytest.fixture
def photo_on_file(citizen):
    """The photo kept from the citizen's first 申领."""
    return Material.objects.create(
        person=citizen.person,
        kind="photo",
        file=jpeg("first.jpg"),
        content_type="image/jpeg",
        size=1000,
    )


def reissue_form(bank, outlet, **overrides: Any) -> dict[str, Any]:
    return {
        "kind": "replace",
        "reason": "damaged",
        "bank": bank.code,
        "delivery": "outlet",
        "outlet": outlet.code,
        **overrides,
    }


def submit(user, card, bank, outlet, *, files=None, **overrides: Any) -> Application:
    return services.application_submit_reissue(
        requester=requester_for(user, TrustLevel.L3_PLUS),
        card=card,
        data=reissue_form(bank, outlet, **overrides),
        files=files,
    )


# --- 补卡 -----------------------------------------------------------------------------------


def test_a_formally_lost_card_is_reissued(citizen, bank, outlet, photo_on_file):
    card = CardFactory(person=citizen.person, lost_formally=True)

    application = submit(citizen, card, bank, outlet, kind="reissue", reason="")

    assert application.item == ItemCode.REISSUE
    assert application.status == AppStatus.SUBMITTED
    assert application.card == card
    assert application.form_data["kind"] == "reissue"
    assert application.form_data["reason"] == ""


@pytest.mark.parametrize(
    "state",
    [{"lost_temporarily": True}, {}, {"sealed": True}],
    ids=["temporarily-lost", "normal", "sealed"],
)
def test_reissue_needs_a_formal_loss_report_first(citizen, bank, outlet, photo_on_file, state):
    card = CardFactory(person=citizen.person, **state)

    with pytest.raises(DomainError, match=NEEDS_FORMAL_LOSS):
        submit(citizen, card, bank, outlet, kind="reissue")

    assert not Application.objects.exists()


def test_a_temporarily_lost_card_is_told_where_to_report_formally(
    citizen, bank, outlet, photo_on_file
):
    card = CardFactory(person=citizen.person, lost_temporarily=True)

    with pytest.raises(DomainError, match="社会保障卡挂失与解挂"):
        submit(citizen, card, bank, outlet, kind="reissue")


# --- 换卡 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [{}, {"lost_formally": True}], ids=["normal", "formally-lost"])
@pytest.mark.parametrize("reason", ["damaged", "chip", "details_changed", "upgrade", "other"])
def test_a_normal_or_formally_lost_card_is_replaced_for_a_reason(
    citizen, bank, outlet, photo_on_file, state, reason
):
    card = CardFactory(person=citizen.person, **state)

    application = submit(citizen, card, bank, outlet, kind="replace", reason=reason)

    assert application.status == AppStatus.SUBMITTED
    assert application.form_data["reason"] == reason


def test_a_replacement_needs_a_reason(citizen, bank, outlet, photo_on_file):
    card = CardFactory(person=citizen.person)

    with pytest.raises(DomainError) as refused:
        submit(citizen, card, bank, outlet, reason="")

    assert refused.value.errors == {"reason": "请选择换卡原因"}


def test_the_kind_of_request_must_be_chosen(citizen, bank, outlet, photo_on_file):
    card = CardFactory(person=citizen.person)

    with pytest.raises(DomainError) as refused:
        submit(citizen, card, bank, outlet, kind="")

    assert refused.value.errors["kind"] == "请选择补卡或换卡"


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"sealed": True}, "尚未启用"),
        ({"lost_temporarily": True}, "请先解挂或办理正式挂失"),
        ({"producing": True}, "尚在制作中"),
        ({"cancelled": True}, "已注销"),
    ],
    ids=["sealed", "temporarily-lost", "producing", "cancelled"],
)
def test_a_replacement_is_refused_from_other_states(
    citizen, bank, outlet, photo_on_file, state, message
):
    card = CardFactory(person=citizen.person, **state)

    with pytest.raises(DomainError, match=message):
        submit(citizen, card, bank, outlet)

    assert not Application.objects.exists()


def test_a_card_whose_temporary_report_expired_can_be_replaced(
    citizen, bank, outlet, photo_on_file
):
    card = CardFactory(person=citizen.person)
    reported = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(reported, tick=False):
        card_services.card_report_loss(card=card, kind=LossKind.TEMPORARY, actor=None)

    with time_machine.travel(reported + timedelta(days=11), tick=False):
        application = submit(citizen, card, bank, outlet)

    assert application.status == AppStatus.SUBMITTED
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_an_expiring_card_is_replaced_from_sixty_days_before_expiry(
    citizen, bank, outlet, photo_on_file
):
    today = timezone.localdate()
    card = CardFactory(person=citizen.person, expires_on=today + timedelta(days=60))

    application = submit(citizen, card, bank, outlet, reason="expiring")

    assert application.form_data["reason"] == "expiring"


def test_a_card_further_from_expiry_is_not_replaced_as_expiring(
    citizen, bank, outlet, photo_on_file
):
    today = timezone.localdate()
    card = CardFactory(person=citizen.person, expires_on=today + timedelta(days=61))

    with pytest.raises(DomainError, match="到期前60天内方可因有效期届满换卡") as refused:
        submit(citizen, card, bank, outlet, reason="expiring")

    assert refused.value.field == "reason"
    assert not Application.objects.exists()


def test_the_expiry_window_is_a_setting(citizen, bank, outlet, photo_on_file, region):
    region.expiry_replace_days = 90
    region.save()
    today = timezone.localdate()
    card = CardFactory(person=citizen.person, expires_on=today + timedelta(days=90))

    application = submit(citizen, card, bank, outlet, reason="expiring")

    assert application.status == AppStatus.SUBMITTED


# --- the photo -----------------------------------------------------------------------------


def test_the_photo_of_the_first_application_is_reused(
    citizen, bank, outlet, reviewer, producer, clerk
):
    first = produce_to_outlet(approve(submit_apply(citizen, bank, outlet), reviewer), producer)
    services.application_handover(
        order=first.production_order, actor=clerk, **holder_document(first.production_order)
    )
    card = Card.objects.get(person=citizen.person)
    card_services.card_enable(card=card, password="135790", actor=citizen)
    earlier = first.materials.get(kind="photo")

    application = submit(citizen, card, bank, outlet, reason="chip")

    photo = application.materials.get(kind="photo")
    assert photo.pk != earlier.pk
    assert photo.file.name == earlier.file.name
    assert photo.person == citizen.person


def test_a_new_photo_may_be_uploaded_instead(citizen, bank, outlet, photo_on_file):
    card = CardFactory(person=citizen.person)

    application = submit(citizen, card, bank, outlet, files={"photo": jpeg("new.jpg")})

    photo = application.materials.get(kind="photo")
    assert photo.file.name != photo_on_file.file.name


def test_without_an_earlier_photo_one_must_be_uploaded(citizen, bank, outlet):
    card = CardFactory(person=citizen.person)

    with pytest.raises(DomainError, match="请上传1寸白底免冠彩色电子证件照") as refused:
        submit(citizen, card, bank, outlet)

    assert refused.value.field == "photo"
    assert not Application.objects.exists()


# --- online exclusions, the fee --------------------------------------------------------------


def test_document_types_excluded_online_are_sent_to_the_counter(
    citizen, bank, outlet, photo_on_file, region
):
    region.excluded_doc_types = ["resident_id"]
    region.save()
    card = CardFactory(person=citizen.person)

    with pytest.raises(DomainError, match="持居民身份证的人员暂不支持线上办理") as refused:
        submit(citizen, card, bank, outlet)

    assert "社保卡服务网点办理" in refused.value.message
    assert refused.value.code == "counter_only"
    assert not Application.objects.exists()


def test_cards_of_issuing_areas_excluded_online_are_sent_to_the_counter(
    citizen, bank, outlet, photo_on_file, region
):
    region.excluded_issuing_areas = ["445100"]
    region.save()
    card = CardFactory(person=citizen.person, issuing_area="445100")

    with pytest.raises(DomainError, match="发卡地区暂不支持线上办理") as refused:
        submit(citizen, card, bank, outlet)

    assert "社保卡服务网点办理" in refused.value.message
    local = CardFactory(person=citizen.person, cancelled=True)
    assert local.issuing_area == "445200"


def test_the_fee_is_twenty_yuan_by_default(citizen, bank, outlet, photo_on_file):
    card = CardFactory(person=citizen.person)

    application = submit(citizen, card, bank, outlet)

    assert application.fee_fen == 2000  # 分


def test_the_fee_is_a_setting(citizen, bank, outlet, photo_on_file, region):
    region.reissue_fee_fen = 1550
    region.save()
    card = CardFactory(person=citizen.person, lost_formally=True)

    application = submit(citizen, card, bank, outlet, kind="reissue")

    application.refresh_from_db()
    assert application.fee_fen == 1550


# --- approval: the old card is cancelled, the new one has a new number ----------------------


@pytest.mark.parametrize(("state", "kind"), [({"lost_formally": True}, "reissue"), ({}, "replace")])
def test_on_approval_the_old_card_is_cancelled_and_a_new_number_goes_to_production(
    citizen, bank, outlet, photo_on_file, reviewer, state, kind
):
    old = CardFactory(person=citizen.person, number="A12345678", **state)
    application = submit(citizen, old, bank, outlet, kind=kind)

    approved = approve(application, reviewer)

    old.refresh_from_db()
    new = approved.production_order.card
    assert old.status == CardStatus.CANCELLED
    assert application.receipt_number in old.history.last().reason
    assert new.status == CardStatus.PRODUCING
    assert new.number != old.number
    assert re.fullmatch(r"[A-Z]\d{8}", new.number)
    assert new.person == citizen.person


def test_the_replacement_card_reaches_the_holder_sealed_with_the_old_one_cancelled(
    citizen, bank, outlet, photo_on_file, reviewer, producer, clerk
):
    old = CardFactory(person=citizen.person)
    application = approve(submit(citizen, old, bank, outlet), reviewer)
    application = produce_to_outlet(application, producer)

    done = services.application_handover(
        order=application.production_order,
        actor=clerk,
        **holder_document(application.production_order),
    )

    statuses = dict(Card.objects.filter(person=citizen.person).values_list("pk", "status"))
    assert done.status == AppStatus.COMPLETED
    new_card_id = done.production_order.card_id
    assert statuses == {old.pk: CardStatus.CANCELLED, new_card_id: CardStatus.SEALED}
    assert done.card_id == old.pk  # the application still names the card it replaced


def test_the_old_card_is_still_usable_until_the_request_is_approved(
    citizen, bank, outlet, photo_on_file
):
    card = CardFactory(person=citizen.person)

    submit(citizen, card, bank, outlet)

    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


# --- one open request per person ---------------------------------------------------------


def test_a_second_request_is_refused_naming_the_first_receipt(citizen, bank, outlet, photo_on_file):
    card = CardFactory(person=citizen.person)
    first = submit(citizen, card, bank, outlet)

    with pytest.raises(DomainError, match=first.receipt_number) as refused:
        submit(citizen, card, bank, outlet, reason="chip")

    assert "社会保障卡补换卡" in refused.value.message
    assert Application.objects.count() == 1


def test_a_withdrawn_request_frees_the_way_for_a_new_one(citizen, bank, outlet, photo_on_file):
    card = CardFactory(person=citizen.person)
    first = submit(citizen, card, bank, outlet)
    services.application_withdraw(requester=requester_for(citizen), application=first)

    second = submit(citizen, card, bank, outlet, reason="chip")

    assert second.pk != first.pk


def test_the_same_submission_twice_makes_one_request(citizen, bank, outlet, photo_on_file):
    card = CardFactory(person=citizen.person)
    key = "7d7e1d4e-2b0f-4c55-9d6c-3a1f0b9e8c21"

    first = services.application_submit_reissue(
        requester=requester_for(citizen),
        card=card,
        data=reissue_form(bank, outlet),
        submission_key=key,
    )
    second = services.application_submit_reissue(
        requester=requester_for(citizen),
        card=card,
        data=reissue_form(bank, outlet),
        submission_key=key,
    )

    assert first.pk == second.pk
    assert Application.objects.count() == 1


def test_nobody_replaces_a_stranger_card(citizen, bank, outlet):
    card = CardFactory()
    stranger = UserFactory()

    with pytest.raises(DomainError, match="未找到可为您办理的人员信息"):
        submit(stranger, card, bank, outlet)


def test_a_mailed_card_adds_the_regions_mail_fee(citizen, bank, outlet, photo_on_file, region):
    region.postage_fen = 1200
    region.save()
    card = CardFactory(person=citizen.person, lost_formally=True)

    application = submit(
        citizen,
        card,
        bank,
        outlet,
        kind="reissue",
        delivery="mail",
        mail_address="广东省揭阳市榕城区临江北路1号",
    )

    assert application.fee_fen == 2000 + 1200
    assert application.fee_label == "¥32.00"


def test_without_online_payment_a_fee_changes_nothing(citizen, bank, outlet, photo_on_file):
    """A deployment that does not take payments (SSCARD_PAYMENTS off, the default) shows the
    fee and sends the application to review as before."""
    card = CardFactory(person=citizen.person, lost_formally=True)

    application = submit(citizen, card, bank, outlet, kind="reissue")

    assert application.fee_fen == 2000
    assert application.status == AppStatus.SUBMITTED
