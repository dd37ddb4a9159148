"""启用, 挂失与解挂 on the card itself (DOMAIN §4.2, §4.3): the one transition table, the
service password, the temporary report that ends by itself, and the trail each step leaves."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.db import IntegrityError, transaction

from sscard.audit.models import AuditRecord
from sscard.cards import services
from sscard.cards.constants import CardStatus, LossKind
from sscard.cards.models import Card, CardHistory
from sscard.cards.selectors import card_effective_status
from sscard.core.errors import DomainError
from sscard.testing.factories import CardFactory, PersonFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
REPORTED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)
GOOD_PASSWORD = "135790"


def enable(card: Card, password: str = GOOD_PASSWORD) -> Card:
    return services.card_enable(card=card, password=password, actor=None)


def report_temporary(card: Card) -> Card:
    return services.card_report_loss(card=card, kind=LossKind.TEMPORARY, actor=None)


def report_formal(card: Card) -> Card:
    return services.card_report_loss(
        card=card, kind=LossKind.FORMAL, actor=None, confirmed_irreversible=True
    )


def status_of(card: Card) -> str:
    card.refresh_from_db()
    return card.status


# --- 启用 --------------------------------------------------------------------------------


def test_a_sealed_card_is_enabled_and_becomes_normal():
    card = CardFactory(sealed=True)

    enabled = enable(card)

    assert enabled.status == CardStatus.ACTIVE
    assert status_of(card) == CardStatus.ACTIVE


def test_the_service_password_is_stored_as_a_hash_that_verifies():
    card = CardFactory(sealed=True)

    enable(card, "135790")

    card.refresh_from_db()
    assert card.service_password
    assert "135790" not in card.service_password
    assert check_password("135790", card.service_password)
    assert not check_password("135791", card.service_password)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({}, "已启用，无需重复办理"),
        ({"lost_temporarily": True}, "请先办理解挂"),
        ({"lost_formally": True}, "已正式挂失，不能启用"),
        ({"producing": True}, "尚在制作中"),
        ({"cancelled": True}, "已注销"),
    ],
    ids=["normal", "temporarily-lost", "formally-lost", "producing", "cancelled"],
)
def test_only_a_sealed_card_can_be_enabled(state, message):
    card = CardFactory(**state)
    before = card.status

    with pytest.raises(DomainError, match=message):
        enable(card)

    assert status_of(card) == before
    assert card.service_password == ""
    assert not card.history.exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("12345", "须为6位数字"),
        ("1234567", "须为6位数字"),
        ("12a456", "须为6位数字"),
        ("１３５７９０", "须为6位数字"),  # full-width digits
        ("888888", "不能为6位相同的数字"),
        ("000000", "不能为6位相同的数字"),
        ("123456", "连续递增或递减"),
        ("345678", "连续递增或递减"),
        ("654321", "连续递增或递减"),
        ("987654", "连续递增或递减"),
    ],
)
def test_a_weak_or_malformed_service_password_is_refused_and_the_card_stays_sealed(
    password, message
):
    card = CardFactory(sealed=True)

    with pytest.raises(DomainError, match=message) as refused:
        enable(card, password)

    assert refused.value.field == "password"
    assert status_of(card) == CardStatus.SEALED
    assert card.service_password == ""


@pytest.mark.parametrize("password", ["135790", "112233", "123457", "908172"])
def test_passwords_that_are_not_runs_or_repeats_are_accepted(password):
    card = CardFactory(sealed=True)

    enable(card, password)

    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    assert check_password(password, card.service_password)


# --- 临时挂失 -----------------------------------------------------------------------------


@pytest.mark.parametrize("state", [CardStatus.ACTIVE, CardStatus.SEALED], ids=["normal", "sealed"])
def test_a_temporary_report_remembers_the_state_before_and_expires_after_ten_days(state):
    card = CardFactory(status=state)

    with time_machine.travel(REPORTED_AT, tick=False):
        reported = report_temporary(card)

    assert reported.status == CardStatus.TEMP_LOST
    assert reported.status_before_loss == state
    assert reported.loss_expires_at == REPORTED_AT + timedelta(days=10)


def test_a_report_made_at_a_given_time_runs_and_is_recorded_from_that_time():
    """A caller that says when the report was made (the demo data, replaying the past) gets the
    expiry, the card's history row and the audit row of that moment, whatever the clock says."""
    card = CardFactory()

    reported = services.card_report_loss(
        card=card, kind=LossKind.TEMPORARY, actor=None, now=REPORTED_AT
    )

    assert reported.loss_expires_at == REPORTED_AT + timedelta(days=10)
    assert reported.updated_at == REPORTED_AT
    assert CardHistory.objects.filter(card=card).latest("pk").at == REPORTED_AT
    assert AuditRecord.objects.filter(action="card.temp_lost").get().at == REPORTED_AT


def test_the_temporary_report_lasts_as_many_days_as_the_region_sets(region):
    region.temporary_loss_days = 3
    region.save()
    card = CardFactory()

    with time_machine.travel(REPORTED_AT, tick=False):
        reported = report_temporary(card)

    expires = REPORTED_AT + timedelta(days=3)
    assert reported.loss_expires_at == expires
    assert services.card_expire_temporary_losses(now=expires - timedelta(seconds=1)) == 0
    assert status_of(card) == CardStatus.TEMP_LOST
    assert services.card_expire_temporary_losses(now=expires) == 1
    assert status_of(card) == CardStatus.ACTIVE


@pytest.mark.parametrize(
    "state",
    [CardStatus.TEMP_LOST, CardStatus.LOST, CardStatus.PRODUCING, CardStatus.CANCELLED],
)
def test_a_temporary_report_is_refused_unless_the_card_is_normal_or_sealed(state):
    card = CardFactory(status=state, status_before_loss=CardStatus.ACTIVE)

    with pytest.raises(DomainError):
        report_temporary(card)

    assert status_of(card) == state


def test_a_second_temporary_report_names_the_expiry_of_the_first():
    with time_machine.travel(REPORTED_AT, tick=False):
        card = report_temporary(CardFactory())

        with pytest.raises(DomainError, match="已临时挂失，有效期至2026-03-12 09:30"):
            report_temporary(card)


def test_the_sweep_returns_expired_reports_to_the_state_before_and_runs_twice_safely():
    with time_machine.travel(REPORTED_AT, tick=False):
        was_normal = report_temporary(CardFactory())
        was_sealed = report_temporary(CardFactory(sealed=True))
    with time_machine.travel(REPORTED_AT + timedelta(days=5), tick=False):
        still_running = report_temporary(CardFactory())
    expired = REPORTED_AT + timedelta(days=10, minutes=1)

    assert services.card_expire_temporary_losses(now=expired) == 2
    assert services.card_expire_temporary_losses(now=expired) == 0

    assert status_of(was_normal) == CardStatus.ACTIVE
    assert status_of(was_sealed) == CardStatus.SEALED
    assert status_of(still_running) == CardStatus.TEMP_LOST
    assert was_normal.loss_expires_at is None
    assert was_normal.status_before_loss == ""
    lifted = was_normal.history.last()
    assert lifted.reason == services.EXPIRY_REASON
    assert lifted.actor_label == "系统"


def test_the_holder_sees_the_state_before_the_report_once_it_expired_even_before_the_sweep():
    with time_machine.travel(REPORTED_AT, tick=False):
        card = report_temporary(CardFactory(sealed=True))
    expires = REPORTED_AT + timedelta(days=10)

    assert card_effective_status(card, now=expires - timedelta(seconds=1)) == CardStatus.TEMP_LOST
    assert card_effective_status(card, now=expires) == CardStatus.SEALED
    assert status_of(card) == CardStatus.TEMP_LOST  # nothing written by looking


def test_an_expired_report_is_lifted_when_the_next_service_touches_the_card():
    with time_machine.travel(REPORTED_AT, tick=False):
        card = report_temporary(CardFactory(sealed=True))

    with time_machine.travel(REPORTED_AT + timedelta(days=11), tick=False):
        enabled = enable(card)

    assert enabled.status == CardStatus.ACTIVE
    steps = [(h.from_status, h.to_status) for h in card.history.all()]
    assert steps == [
        (CardStatus.SEALED, CardStatus.TEMP_LOST),
        (CardStatus.TEMP_LOST, CardStatus.SEALED),
        (CardStatus.SEALED, CardStatus.ACTIVE),
    ]


def test_after_expiry_a_new_temporary_report_starts_from_the_state_before_the_old_one():
    with time_machine.travel(REPORTED_AT, tick=False):
        card = report_temporary(CardFactory())

    later = REPORTED_AT + timedelta(days=12)
    with time_machine.travel(later, tick=False):
        again = report_temporary(card)

    assert again.status == CardStatus.TEMP_LOST
    assert again.status_before_loss == CardStatus.ACTIVE
    assert again.loss_expires_at == later + timedelta(days=10)


# --- 正式挂失 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [CardStatus.ACTIVE, CardStatus.SEALED, CardStatus.TEMP_LOST],
    ids=["normal", "sealed", "temporarily-lost"],
)
def test_a_formal_report_is_accepted_from_normal_sealed_or_temporarily_lost(state):
    card = CardFactory(status=state, status_before_loss=CardStatus.ACTIVE)

    reported = report_formal(card)

    assert reported.status == CardStatus.LOST
    assert reported.loss_expires_at is None
    assert reported.status_before_loss == ""


def test_a_formal_report_needs_the_holder_to_confirm_it_cannot_be_undone():
    card = CardFactory()

    with pytest.raises(DomainError, match="正式挂失后不能解挂") as refused:
        services.card_report_loss(card=card, kind=LossKind.FORMAL, actor=None)

    assert refused.value.code == "confirm_required"
    assert status_of(card) == CardStatus.ACTIVE
    assert not card.history.exists()


def test_a_formally_lost_card_cannot_be_lifted():
    card = report_formal(CardFactory())

    with pytest.raises(DomainError, match="正式挂失不能解挂"):
        services.card_cancel_loss(card=card, actor=None)

    assert status_of(card) == CardStatus.LOST


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"lost_formally": True}, "无需重复办理"),
        ({"cancelled": True}, "已注销"),
        ({"producing": True}, "尚在制作中"),
    ],
    ids=["formally-lost", "cancelled", "producing"],
)
def test_a_formal_report_is_refused_for_cards_that_cannot_take_it(state, message):
    card = CardFactory(**state)
    before = card.status

    with pytest.raises(DomainError, match=message):
        report_formal(card)

    assert status_of(card) == before


# --- 解挂 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [CardStatus.ACTIVE, CardStatus.SEALED])
def test_lifting_returns_the_card_to_the_state_before_the_report(state):
    card = report_temporary(CardFactory(status=state))

    lifted = services.card_cancel_loss(card=card, actor=None)

    assert lifted.status == state
    assert lifted.loss_expires_at is None
    assert lifted.status_before_loss == ""


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (CardStatus.ACTIVE, "未挂失，无需解挂"),
        (CardStatus.SEALED, "未挂失，无需解挂"),
        (CardStatus.LOST, "正式挂失不能解挂"),
        (CardStatus.PRODUCING, "尚在制作中"),
        (CardStatus.CANCELLED, "已注销"),
    ],
)
def test_only_a_temporary_report_can_be_lifted(state, message):
    card = CardFactory(status=state)

    with pytest.raises(DomainError, match=message):
        services.card_cancel_loss(card=card, actor=None)

    assert status_of(card) == state


# --- the trail ------------------------------------------------------------------------------


def test_every_transition_writes_one_history_row_and_one_audit_record_with_a_masked_number():
    card = CardFactory(sealed=True, number="A12345678")
    steps = [
        (lambda: enable(card), CardStatus.ACTIVE),
        (lambda: report_temporary(card), CardStatus.TEMP_LOST),
        (lambda: services.card_cancel_loss(card=card, actor=None), CardStatus.ACTIVE),
        (lambda: report_formal(card), CardStatus.LOST),
        (lambda: services.card_cancel(card=card, actor=None, reason="补卡"), CardStatus.CANCELLED),
    ]

    for step, to in steps:
        histories = CardHistory.objects.filter(card=card).count()
        audits = AuditRecord.objects.filter(target_type="cards.card", target_id=str(card.pk))
        audit_count = audits.count()

        step()

        assert CardHistory.objects.filter(card=card).count() == histories + 1
        assert card.history.last().to_status == to
        assert audits.count() == audit_count + 1
        record = audits.order_by("-id").first()
        assert record.action == f"card.{to}"
        assert record.detail["card"] == "A****5678"
        assert "12345678" not in json.dumps(record.detail, ensure_ascii=False)


def test_a_refused_step_leaves_no_trail():
    card = CardFactory(lost_formally=True)

    with pytest.raises(DomainError):
        services.card_cancel_loss(card=card, actor=None)

    assert not CardHistory.objects.filter(card=card).exists()
    assert not AuditRecord.objects.filter(target_type="cards.card").exists()


# --- one person, one card; the card number -----------------------------------------------


def test_the_database_refuses_a_second_live_card_for_one_person():
    person = PersonFactory()
    CardFactory(person=person)

    # SQLite names the column of the partial unique index, PostgreSQL the constraint
    with (
        pytest.raises(IntegrityError, match=r"one_live_card_per_person|cards_card\.person_id"),
        transaction.atomic(),
    ):
        CardFactory(person=person, lost_formally=True)

    assert Card.objects.filter(person=person).count() == 1


def test_a_cancelled_card_and_a_card_in_production_sit_beside_the_live_one():
    person = PersonFactory()
    CardFactory(person=person, lost_formally=True)
    CardFactory(person=person, cancelled=True)
    CardFactory(person=person, producing=True)

    assert Card.objects.filter(person=person).count() == 3


def test_card_numbers_are_one_capital_letter_and_eight_digits_and_new_on_every_card(bank):
    person = PersonFactory()
    numbers = []
    for _ in range(5):
        card = services.card_create_for_production(person=person, bank=bank, actor=None)
        services.card_cancel(card=card, actor=None, reason="测试")
        numbers.append(card.number)
    numbers += [
        services.card_create_for_production(person=PersonFactory(), bank=bank, actor=None).number
        for _ in range(15)
    ]

    assert all(re.fullmatch(r"[A-Z]\d{8}", number) for number in numbers)
    assert len(set(numbers)) == len(numbers)


def test_a_number_already_used_in_the_area_is_not_given_again(monkeypatch, bank):
    CardFactory(number="K12345678", issuing_area="445200")
    offered = iter(["K12345678", "K87654321"])
    monkeypatch.setattr(services, "_new_card_number", lambda: next(offered))

    card = services.card_create_for_production(person=PersonFactory(), bank=bank, actor=None)

    assert card.number == "K87654321"
    assert card.issuing_area == "445200"
    assert Card.objects.filter(number="K12345678").count() == 1


def test_a_person_gets_only_one_card_in_production_at_a_time(bank):
    person = PersonFactory()
    services.card_create_for_production(person=person, bank=bank, actor=None)

    with pytest.raises(DomainError, match="已有正在制作的社保卡"):
        services.card_create_for_production(person=person, bank=bank, actor=None)
