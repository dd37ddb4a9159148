"""A card's row is read under its lock once a transaction, however many writes follow
(sscard.core.locks) — and read again whenever what was held may no longer be the row: a write
rolled back, a write that failed half-way, a copy."""

from __future__ import annotations

from copy import copy

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sscard.cards import services
from sscard.cards.constants import CardStatus, LossKind
from sscard.cards.models import Card
from sscard.core.errors import DomainError
from sscard.testing.factories import CardFactory

pytestmark = pytest.mark.django_db


class Undone(Exception):
    pass


def card_reads(queries: CaptureQueriesContext) -> int:
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT") and 'FROM "cards_card"' in query["sql"]
    )


def test_a_loss_reported_and_lifted_in_one_transaction_reads_the_card_once():
    card = CardFactory()

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        held = services.card_lock_current(card)
        lost = services.card_report_loss(card=held, kind=LossKind.TEMPORARY, actor=None)
        lifted = services.card_cancel_loss(card=lost, actor=None)

    assert card_reads(queries) == 1
    assert lifted.status == CardStatus.ACTIVE
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    assert list(card.history.values_list("to_status", flat=True).order_by("id")) == [
        CardStatus.TEMP_LOST,
        CardStatus.ACTIVE,
    ]


@transaction.atomic
def _report_then_undo(card: Card) -> None:
    services.card_report_loss(card=card, kind=LossKind.TEMPORARY, actor=None)
    raise Undone


def test_a_loss_report_rolled_back_is_not_believed_afterwards():
    card = CardFactory()

    with transaction.atomic():
        held = services.card_lock_current(card)
        with pytest.raises(Undone):
            _report_then_undo(held)
        # the row is 正常 again: there is no temporary report to lift
        with pytest.raises(DomainError, match="未挂失"):
            services.card_cancel_loss(card=held, actor=None)
        lost = services.card_report_loss(card=held, kind=LossKind.TEMPORARY, actor=None)

    assert lost.status == CardStatus.TEMP_LOST
    assert Card.objects.get(pk=card.pk).status == CardStatus.TEMP_LOST


def test_a_transition_that_failed_half_way_leaves_the_card_read_again(monkeypatch):
    card = CardFactory()

    def audit_down(**_: object) -> None:
        raise Undone

    with transaction.atomic():
        held = services.card_lock_current(card)
        with monkeypatch.context() as patch:
            patch.setattr(services, "audit_record", audit_down)
            with pytest.raises(Undone):
                services.card_report_loss(card=held, kind=LossKind.TEMPORARY, actor=None)
        # ``held`` was changed in memory before the audit failed; the row was not
        assert Card.objects.get(pk=card.pk).status == CardStatus.ACTIVE
        lost = services.card_report_loss(card=held, kind=LossKind.TEMPORARY, actor=None)

    assert lost.status == CardStatus.TEMP_LOST


def test_a_copy_of_a_held_card_is_read_again():
    card = CardFactory()

    with transaction.atomic():
        held = services.card_lock_current(card)
        shown = copy(held)
        shown.status = CardStatus.TEMP_LOST  # as a page may show it, never saved
        with CaptureQueriesContext(connection) as queries:
            lost = services.card_report_loss(card=shown, kind=LossKind.TEMPORARY, actor=None)

    assert card_reads(queries) == 1
    assert lost.status == CardStatus.TEMP_LOST
