"""Personal data never appears in logs (SECURITY D-4): a whole card's life, logged at DEBUG,
mentions no ID number, phone number, name or address of the people involved."""

from __future__ import annotations

import logging

import pytest

from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.tests.helpers import (
    approve,
    holder_document,
    produce_to_outlet,
    submit_apply,
)
from sscard.testing.sms import new_phone_proved

pytestmark = pytest.mark.django_db


def test_a_whole_card_life_logs_no_personal_data(
    caplog, citizen, bank, outlet, reviewer, producer, clerk
):
    caplog.set_level(logging.DEBUG)
    person = citizen.person
    requester = Requester(user=citizen, trust=TrustLevel.L4)

    application = produce_to_outlet(
        approve(submit_apply(citizen, bank, outlet), reviewer), producer
    )
    services.application_handover(
        order=application.production_order,
        actor=clerk,
        **holder_document(application.production_order),
    )
    card = application.production_order.card
    services.item_enable(requester=requester, card=card, password="135790")
    services.item_report_loss(requester=requester, card=card, action="temporary")
    services.item_change_contact(
        requester=requester,
        person=person,
        changes={"phone": "13700001111"},
        phone_challenge=new_phone_proved(citizen, "13700001111"),
    )

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "audit action=application.complete" in logged  # the log did capture the flow
    person.refresh_from_db()
    for secret in (
        person.doc_number,
        person.doc_number[-8:],
        "13912345678",
        "13700001111",
        person.name,
        "新阳路18号",
        card.number,
        "135790",
    ):
        assert secret not in logged, secret
