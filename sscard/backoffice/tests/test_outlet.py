"""网点柜员: sign arriving cards in, hand them over only to the person whose document number
matches the card's holder; the card is then 封存 and the application 办结."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from sscard.applications.constants import AppStatus
from sscard.audit.models import AuditRecord
from sscard.cards.constants import CardStatus
from sscard.production.constants import Stage
from sscard.testing.factories import (
    ApplicationFactory,
    OutletFactory,
    PersonFactory,
    StaffFactory,
)
from sscard.testing.sessions import staff_client

pytestmark = pytest.mark.django_db
OUTLET = reverse("backoffice:outlet")


@pytest.fixture
def at_city_bank(bank, outlet, reviewer):
    """A 申领 whose card has reached the city bank, on its way to the clerk's outlet."""
    return ApplicationFactory(
        approved=True,
        bank=bank,
        outlet=outlet,
        reviewer=reviewer,
        production_order__city_bank=True,
    )


def test_the_clerk_signs_an_arriving_card_in(at_city_bank, clerk):
    client = staff_client(clerk)
    page = client.get(OUTLET).content.decode()
    assert at_city_bank.receipt_number in page and "网点签收" in page
    order = at_city_bank.production_order
    response = client.post(reverse("backoffice:outlet_sign_in", args=[order.pk]))
    order.refresh_from_db()
    assert response.status_code == 302
    assert order.stage == Stage.OUTLET
    assert order.events.get(stage=Stage.OUTLET).actor_id == clerk.pk


def test_a_clerk_of_another_outlet_can_neither_sign_in_nor_hand_over(at_city_bank, bank):
    stranger = StaffFactory(role="clerk", outlet=OutletFactory(code="PN01", bank=bank))
    order = at_city_bank.production_order
    client = staff_client(stranger)
    response = client.post(reverse("backoffice:outlet_sign_in", args=[order.pk]))
    order.refresh_from_db()
    assert order.stage == Stage.CITY_BANK
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "该卡不在本网点，请核对领卡网点"
    ]
    assert client.get(reverse("backoffice:handover", args=[order.pk])).status_code == 404


def test_handover_needs_the_holders_own_document_number(at_outlet, clerk):
    order = at_outlet.production_order
    url = reverse("backoffice:handover", args=[order.pk])
    client = staff_client(clerk)
    someone_else = PersonFactory()

    refused = client.post(url, {"doc_type": "resident_id", "doc_number": someone_else.doc_number})
    order.refresh_from_db()
    assert refused.status_code == 200
    assert "证件号码与持卡人登记信息不一致" in refused.content.decode()
    assert order.stage == Stage.OUTLET
    assert AuditRecord.objects.filter(action="card.handover", result="refused").exists()

    invalid = client.post(url, {"doc_type": "resident_id", "doc_number": "4452021988"})
    assert invalid.status_code == 200  # not an ID number at all

    response = client.post(
        url, {"doc_type": "resident_id", "doc_number": order.person.doc_number.lower()}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    at_outlet.refresh_from_db()
    assert order.stage == Stage.COLLECTED
    assert order.card.status == CardStatus.SEALED
    assert at_outlet.status == AppStatus.COMPLETED


def test_the_clerk_finds_a_waiting_card_by_the_holders_id_number(at_outlet, clerk):
    person = at_outlet.subject
    client = staff_client(clerk)
    found = client.post(OUTLET, {"q": person.doc_number}).content.decode()
    assert at_outlet.receipt_number in found
    assert person.doc_number not in found
    other = client.post(OUTLET, {"q": PersonFactory().doc_number}).content.decode()
    assert at_outlet.receipt_number not in other
