"""The factories make rows the services themselves could have made: every trait passes the
models' validation and constraints, and its linked rows agree with one another."""

from __future__ import annotations

import pytest

from sscard.applications.constants import AppStatus, ItemCode, MaterialKind
from sscard.cards.constants import CardStatus
from sscard.photos.check import PhotoReport
from sscard.production.constants import BatchStatus, Delivery, Stage
from sscard.testing.factories import (
    ApplicationFactory,
    DraftFactory,
    EmployerBatchFactory,
    MaterialFactory,
    ProductionBatchFactory,
    ProductionOrderFactory,
)

pytestmark = pytest.mark.django_db

STATUSES = ["accepted", "returned", "approved", "rejected", "withdrawn", "completed"]


def _valid(obj) -> None:
    obj.full_clean()


@pytest.mark.parametrize("status", STATUSES)
def test_an_application_at_each_status_is_valid_with_its_timeline(status):
    application = ApplicationFactory(**{status: True})
    _valid(application)
    assert application.status == status
    assert application.events.last().to_status == status
    assert application.events.first().action == "submit"
    assert all(event.actor_label for event in application.events.all())  # who did each step
    if status in ("approved", "completed"):
        order = application.production_order
        assert order.person == application.subject == order.card.person
        assert order.outlet == application.outlet
        assert order.bank.code == application.form_data["bank"]


def test_a_submitted_application_carries_the_entries_of_its_subject():
    application = ApplicationFactory()
    form = application.form_data
    assert application.status == AppStatus.SUBMITTED
    assert form["doc_number"] == application.subject.doc_number
    assert form["outlet"] == application.outlet.code
    assert application.outlet.bank.code == form["bank"]


def test_a_posted_card_application_names_no_outlet_and_its_order_is_mailed():
    application = ApplicationFactory(approved=True, delivery=Delivery.MAIL, outlet=None)
    order = application.production_order
    assert application.outlet is None and "outlet" not in application.form_data
    assert order.delivery == Delivery.MAIL and order.outlet is None and order.mail_address


def test_a_completed_application_s_card_is_sealed_in_the_holders_hands():
    order = ApplicationFactory(completed=True).production_order
    assert order.stage == Stage.COLLECTED
    assert order.card.status == CardStatus.SEALED and order.card.issued_on is not None


@pytest.mark.parametrize("item", ["reissue", "enable", "loss", "change"])
def test_the_other_items(item):
    application = ApplicationFactory(**{item: True})
    # 启用 stores no entries, as its service does
    application.full_clean(exclude=["form_data"] if item == ItemCode.ENABLE else None)
    assert application.item == item
    if item == ItemCode.REISSUE:
        assert application.card.status == CardStatus.LOST
        assert application.status == AppStatus.SUBMITTED
    else:
        assert application.status == AppStatus.COMPLETED


@pytest.mark.parametrize(
    "stage",
    [
        "data_sent",
        "producing",
        "city_bank",
        "at_outlet",
        "mailed",
        "delivered",
        "collected",
        "failed",
    ],
)
def test_an_order_at_each_stage_is_valid_with_its_timeline(stage):
    order = ProductionOrderFactory(**{stage: True})
    _valid(order)
    expected = Stage.OUTLET if stage == "at_outlet" else stage
    assert order.stage == expected
    assert order.events.order_by("id").last().stage == expected
    assert order.batch.status == BatchStatus.SENT and order.batch.bank == order.bank
    assert order.card.bank == order.bank


def test_a_new_order_waits_for_a_batch_with_a_card_in_production():
    order = ProductionOrderFactory()
    assert (order.stage, order.batch, order.card.status) == (
        Stage.APPROVED,
        None,
        CardStatus.PRODUCING,
    )
    assert order.outlet.bank == order.bank


def test_batches():
    for trait in ("sent", "acknowledged", "done"):
        _valid(ProductionBatchFactory(**{trait: True}))
    for trait in ("validating", "submitted", "failed", "cancelled"):
        EmployerBatchFactory(**{trait: True}).full_clean()
    assert EmployerBatchFactory().status == "ready"


def test_a_photo_material_is_a_real_photo_that_passed_its_check():
    material = MaterialFactory()
    assert material.kind == MaterialKind.PHOTO
    assert material.file.read(3) == b"\xff\xd8\xff"
    assert isinstance(material.photo_report, PhotoReport) and material.photo_report.ok
    assert material.person == material.application.subject
    document = MaterialFactory(document=True)
    assert document.kind == MaterialKind.ID_SCAN and document.photo_check == {}


def test_a_draft_continues_its_item_page():
    draft = DraftFactory()
    assert (
        draft.continue_url == f"/bundles/sscard/apply/person-{draft.subject.pk}/?draft={draft.pk}"
    )
    loss = DraftFactory(loss=True)
    assert loss.card.person == loss.user.person
