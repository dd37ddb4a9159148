"""Where a paid application goes (the region's 缴费后办件去向): the review queue, or — for a
补换卡 with nothing for a reviewer to check — accepted and approved by the system and on to
production as any approved one; the rest still goes to review, and a repeated notification
approves nothing twice."""

from __future__ import annotations

import pytest
from django.test import Client

from sscard.accounts.trust import TrustLevel
from sscard.applications import services as app_services
from sscard.applications.constants import AppStatus
from sscard.applications.models import Material
from sscard.applications.tests.helpers import submit_apply
from sscard.audit.models import AuditRecord
from sscard.cards.constants import CardStatus
from sscard.conftest import jpeg
from sscard.notifications.constants import Channel, Event
from sscard.notifications.models import Message
from sscard.payments.constants import OrderStatus
from sscard.payments.models import PaymentOrder, Refund, SimulatedOrder
from sscard.payments.services import payment_check, payment_start
from sscard.payments.signing import signed_headers
from sscard.payments.simulator.notify import notification_body
from sscard.production.models import ProductionOrder
from sscard.production.services import orders_batchable
from sscard.regions.models import PaidFeeGoesTo
from sscard.testing.factories import CardFactory, UserFactory, requester_for
from sscard.testing.payments import RETURN_URL, pay_at_gateway

pytestmark = pytest.mark.django_db


@pytest.fixture
def to_production(region):
    region.paid_fee_goes_to = PaidFeeGoesTo.PRODUCTION
    region.save()
    return region


def paid(application, capture) -> PaymentOrder:
    order = payment_start(
        user=application.applicant, application=application, return_url=RETURN_URL
    )
    pay_at_gateway(order, capture)
    application.refresh_from_db()
    return order


def told(user, event: str) -> list[Message]:
    return list(Message.objects.filter(user=user, channel=Channel.INBOX, notification__event=event))


def test_by_default_a_paid_application_waits_for_a_reviewer(
    region, reissue_owed, django_capture_on_commit_callbacks
):
    assert region.paid_fee_goes_to == PaidFeeGoesTo.REVIEW

    paid(reissue_owed, django_capture_on_commit_callbacks)

    assert reissue_owed.status == AppStatus.SUBMITTED
    assert reissue_owed.production_order is None
    assert reissue_owed.card.status == CardStatus.LOST


def test_a_paid_reissue_goes_to_production_approved_by_the_system(
    to_production, reissue_owed, bank, django_capture_on_commit_callbacks
):
    paid(reissue_owed, django_capture_on_commit_callbacks)

    application = reissue_owed
    assert application.status == AppStatus.APPROVED
    assert application.reviewer is None
    assert application.accepted_at is not None and application.due_on is not None
    # production exactly as after a reviewer's approval: the old card 注销, a new card's order
    # waiting for the production officer's next batch
    order = application.production_order
    assert order is not None
    assert application.card.status == CardStatus.CANCELLED
    assert order.card.number != application.card.number
    assert list(orders_batchable(bank)) == [order]
    # the timeline says the system did it, and why
    steps = [(e.action, e.actor_label, e.note) for e in application.events.order_by("at", "pk")]
    assert steps[1:] == [
        ("pay", "系统", "已支付 ¥20.00"),
        ("accept", "系统", "已缴费，系统自动受理"),
        ("approve", "系统", app_services.decisions.SYSTEM_APPROVED),
    ]
    for action in ("application.accept", "application.approve"):
        record = AuditRecord.objects.get(action=action)
        assert record.actor_id is None and record.actor_label == "系统"
    # told as for any approval: the old card no longer works
    (message,) = told(application.applicant, Event.REISSUE_APPROVED)
    assert "已审核通过" in message.body
    # the fee's notice promises no review the system has already made
    (paid_notice,) = told(application.applicant, Event.PAYMENT_PAID)
    assert "审核" not in paid_notice.body


def test_a_repeated_notification_and_a_query_approve_nothing_twice(
    to_production, reissue_owed, django_capture_on_commit_callbacks
):
    order = paid(reissue_owed, django_capture_on_commit_callbacks)
    sim = SimulatedOrder.objects.get(out_trade_no=order.out_trade_no)
    body = notification_body(sim)  # the gateway's own repeat: the same id
    for _ in range(2):
        response = Client().post(
            "/payments/notify",
            body,
            content_type="application/json",
            headers=signed_headers(body),
        )
        assert response.json()["code"] == "SUCCESS"
    payment_check(user=reissue_owed.applicant, application=reissue_owed)

    assert reissue_owed.events.filter(action="approve").count() == 1
    assert ProductionOrder.objects.count() == 1
    assert len(told(reissue_owed.applicant, Event.REISSUE_APPROVED)) == 1
    assert AuditRecord.objects.filter(action="production.created").count() == 1


def _reissue(citizen, bank, outlet, *, files=None, **data):
    card = CardFactory(person=citizen.person, status=CardStatus.ACTIVE)
    return app_services.application_submit_reissue(
        requester=requester_for(citizen, TrustLevel.L3_PLUS),
        card=card,
        data={
            "kind": "replace",
            "reason": "damaged",
            "bank": bank.code,
            "delivery": "outlet",
            "outlet": outlet.code,
            **data,
        },
        files=files,
    )


@pytest.fixture
def photo_on_record(citizen):
    return Material.objects.create(
        person=citizen.person, kind="photo", file=jpeg("first.jpg"), size=1000
    )


@pytest.mark.parametrize(
    ("data", "new_photo", "why"),
    [
        ({}, True, "new_photo"),
        ({"reason": "details_changed"}, False, "replace_reason"),
        ({"reason": "other"}, False, "replace_reason"),
        ({"note": "请核对新地址"}, False, "note"),
    ],
)
def test_what_a_reviewer_must_see_still_goes_to_review(
    to_production,
    citizen,
    bank,
    outlet,
    photo_on_record,
    payments_on,
    gateway_channel,
    django_capture_on_commit_callbacks,
    data,
    new_photo,
    why,
):
    application = _reissue(
        citizen, bank, outlet, files={"photo": jpeg()} if new_photo else None, **data
    )
    assert app_services.needs_reviewer(application) == why

    paid(application, django_capture_on_commit_callbacks)

    assert application.status == AppStatus.SUBMITTED
    assert not ProductionOrder.objects.exists()


def test_a_replacement_for_damage_with_the_photo_on_record_goes_to_production(
    to_production,
    citizen,
    bank,
    outlet,
    photo_on_record,
    payments_on,
    gateway_channel,
    django_capture_on_commit_callbacks,
):
    application = _reissue(citizen, bank, outlet)

    paid(application, django_capture_on_commit_callbacks)

    assert application.status == AppStatus.APPROVED


def test_an_account_whose_holder_reported_not_me_goes_to_review(
    to_production, reissue_owed, django_capture_on_commit_callbacks
):
    from sscard.accounts.flags import REASON_NOT_ME, account_flag

    account_flag(user=reissue_owed.applicant, reason=REASON_NOT_ME, actor=None)
    reissue_owed.refresh_from_db()
    assert app_services.needs_reviewer(reissue_owed) == "account_flagged"

    paid(reissue_owed, django_capture_on_commit_callbacks)

    assert reissue_owed.status == AppStatus.SUBMITTED


def test_a_photo_from_a_refused_application_is_not_on_record(reissue_owed, bank, outlet, reviewer):
    refused = submit_apply(UserFactory(), bank, outlet)
    app_services.application_reject(application=refused, actor=reviewer, reason="不符合条件")
    # the holder's newest photo was one a reviewer refused, and the reissue reused it
    photo = Material.objects.get(application=refused, kind="photo")
    photo.person = reissue_owed.subject
    photo.save()
    Material.objects.filter(application=reissue_owed).update(file=photo.file.name)

    assert app_services.needs_reviewer(reissue_owed) == "new_photo"


def test_a_first_application_always_goes_to_review(citizen, bank, outlet):
    assert app_services.needs_reviewer(submit_apply(citizen, bank, outlet)) == "not_reissue"


def test_an_approval_the_system_cannot_make_leaves_it_paid_in_the_review_queue(
    to_production, reissue_owed, bank, django_capture_on_commit_callbacks
):
    bank.active = False  # the chosen bank stopped cooperating since submission
    bank.save()

    order = paid(reissue_owed, django_capture_on_commit_callbacks)

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert reissue_owed.status == AppStatus.SUBMITTED
    assert not reissue_owed.events.filter(action="accept").exists()
    assert not ProductionOrder.objects.exists()
    assert not Refund.objects.exists()
    assert told(reissue_owed.applicant, Event.REISSUE_APPROVED) == []
