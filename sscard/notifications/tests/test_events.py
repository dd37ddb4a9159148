"""Each event the services report writes its messages, masked, in the change's own transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sscard.accounts.models import Person
from sscard.applications import services
from sscard.applications.constants import AppStatus
from sscard.applications.tests.helpers import approve, produce_to_outlet, submit_apply
from sscard.cards.services import card_expire_temporary_losses
from sscard.notifications import channels
from sscard.notifications.constants import Channel, Event, MessageStatus
from sscard.notifications.delivery import outbox_deliver
from sscard.notifications.models import ChannelPreference, Message, MessageTemplate, Notification
from sscard.production import services as production
from sscard.production.constants import Stage
from sscard.testing.factories import CardFactory, GuardianshipFactory, UserFactory, requester_for
from sscard.testing.sms import new_phone_proved

pytestmark = pytest.mark.django_db

APPLY_PHONE = "13912345678"  # the phone number the apply form records


def messages_of(event: str, channel: str | None = None) -> list[Message]:
    rows = Message.objects.filter(notification__event=event).order_by("pk")
    if channel:
        rows = rows.filter(channel=channel)
    return list(rows)


def inbox_of(user, event: str) -> Message:
    (message,) = Message.objects.filter(user=user, channel=Channel.INBOX, notification__event=event)
    return message


def assert_no_personal_data(message: Message, person: Person) -> None:
    text = message.title + message.body + message.link + message.address_masked
    assert person.name not in text
    assert person.doc_number not in text
    assert person.phone not in text
    assert APPLY_PHONE not in text


@pytest.fixture
def citizen(citizen):
    """Applies with the contact details on record: the notices of a decision alone (an
    acceptance that replaces them is told as a 信息变更, see below)."""
    person = citizen.person
    person.phone, person.address = APPLY_PHONE, "广东省揭阳市榕城区新阳路18号"
    person.save()
    return citizen


@pytest.fixture
def outlet(outlet):
    outlet.address = "揭阳市榕城区临江北路38号"
    outlet.opening_hours = "周一至周五 8:30-12:00，14:30-17:30"
    outlet.save()
    return outlet


def test_acceptance_tells_the_holder_in_the_message_centre_and_by_sms(
    citizen, bank, outlet, reviewer, sent
):
    application = services.application_accept(
        application=submit_apply(citizen, bank, outlet), actor=reviewer
    )

    message = inbox_of(citizen, Event.APPLICATION_ACCEPTED)
    assert message.status == MessageStatus.SENT and message.read_at is None
    assert application.receipt_number in message.body
    assert f"{application.due_on:%Y年%m月%d日}" in message.body
    assert message.body.startswith(citizen.person.masked_name + "您好")
    assert_no_personal_data(message, citizen.person)
    (sms,) = messages_of(Event.APPLICATION_ACCEPTED, Channel.SMS)
    assert sms.status == MessageStatus.PENDING
    assert sms.address == APPLY_PHONE and sms.address_masked == "139****5678"

    assert outbox_deliver() == 1
    assert [(s["channel"], s["address"], s["body"]) for s in sent] == [
        ("sms", APPLY_PHONE, sms.body)
    ]
    sms.refresh_from_db()
    assert sms.status == MessageStatus.SENT and sms.attempts == 1 and sms.sent_at is not None


def test_a_return_for_correction_gives_the_reason_and_a_link(citizen, bank, outlet, reviewer):
    application = services.application_accept(
        application=submit_apply(citizen, bank, outlet), actor=reviewer
    )
    services.application_return(
        application=application, actor=reviewer, reason="证件照背景非白色，请重新上传"
    )

    message = inbox_of(citizen, Event.APPLICATION_RETURNED)
    assert "需补正：证件照背景非白色，请重新上传" in message.body
    assert message.link.startswith("http://127.0.0.1:8000/")
    assert message.link in message.body
    assert_no_personal_data(message, citizen.person)
    assert len(messages_of(Event.APPLICATION_RETURNED, Channel.SMS)) == 1


def test_approval_names_the_new_card_masked(citizen, bank, outlet, reviewer):
    application = approve(submit_apply(citizen, bank, outlet), reviewer)

    message = inbox_of(citizen, Event.APPLICATION_APPROVED)
    card = application.production_order.card
    assert card.masked_number in message.body
    assert card.number not in message.body


@pytest.mark.parametrize(("accept_first", "decision"), [(False, "不予受理"), (True, "不予通过")])
def test_a_rejection_gives_the_decision_and_the_reason(
    citizen, bank, outlet, reviewer, accept_first, decision
):
    application = submit_apply(citizen, bank, outlet)
    if accept_first:
        application = services.application_accept(application=application, actor=reviewer)
    services.application_reject(
        application=application, actor=reviewer, reason="提交的证件照非本人照片"
    )

    message = inbox_of(citizen, Event.APPLICATION_REJECTED)
    assert f"{decision}，原因：提交的证件照非本人照片" in message.body


def test_production_tells_the_holder_when_making_starts_and_where_to_collect(
    citizen, bank, outlet, reviewer, producer
):
    application = approve(submit_apply(citizen, bank, outlet), reviewer)
    application = produce_to_outlet(application, producer)

    assert "已进入制卡环节" in inbox_of(citizen, Event.PRODUCTION_PRODUCING).body
    ready = inbox_of(citizen, Event.PRODUCTION_AT_OUTLET)
    assert outlet.name in ready.body
    assert "地址：揭阳市榕城区临江北路38号" in ready.body
    assert "营业时间：周一至周五 8:30-12:00，14:30-17:30" in ready.body
    # 数据录入 and 市银行签收 are the bank's business: no message
    events = set(Notification.objects.values_list("event", flat=True))
    assert events == {
        Event.APPLICATION_ACCEPTED,
        Event.APPLICATION_APPROVED,
        Event.PRODUCTION_PRODUCING,
        Event.PRODUCTION_AT_OUTLET,
    }
    assert application.production_order.stage == Stage.OUTLET


def test_a_stage_reported_by_the_partner_system_is_told_too(
    citizen, bank, outlet, reviewer, producer
):
    from sscard.production.reports import Report, ReportKind, order_report

    application = approve(submit_apply(citizen, bank, outlet), reviewer)
    order = application.production_order
    production.order_send_data(order=order, actor=producer)
    # the bank's system reports straight from 数据录入 to 网点签收 (the reports in between are
    # still on their way): the holder is told where to collect
    order_report(
        order=order, report=Report(order.pk, ReportKind.STAGE, stage=Stage.OUTLET), by="银行系统"
    )

    assert outlet.name in inbox_of(citizen, Event.PRODUCTION_AT_OUTLET).body


def test_a_mailed_card_message_gives_the_tracking_number(citizen, bank, outlet, reviewer, producer):
    application = approve(
        submit_apply(
            citizen, bank, outlet, delivery="mail", mail_address="广东省揭阳市榕城区东山大道9号"
        ),
        reviewer,
    )
    order = application.production_order
    production.order_send_data(order=order, actor=producer)
    for stage in (Stage.PRODUCING, Stage.CITY_BANK):
        production.order_advance(order=order, to=stage, actor=producer)
    production.order_advance(
        order=order, to=Stage.MAILED, actor=producer, tracking_number="SF1234567890"
    )

    message = inbox_of(citizen, Event.PRODUCTION_MAILED)
    assert "快递单号SF1234567890" in message.body
    assert "东山大道" not in message.body  # the mailing address is not repeated


def test_enabling_a_card_is_confirmed(citizen):
    card = CardFactory(sealed=True, person=citizen.person)

    services.item_enable(requester=requester_for(citizen), card=card, password="135790")

    message = inbox_of(citizen, Event.CARD_ENABLED)
    assert card.masked_number in message.body and "不是本人操作？" in message.body
    assert "/report/" in message.body


def test_a_changed_phone_number_is_told_on_the_old_and_the_new_number(citizen, sent):
    old = citizen.person.phone
    proof = new_phone_proved(citizen, "13700001111")
    sent.clear()  # the code itself

    services.item_change_contact(
        requester=requester_for(citizen),
        person=citizen.person,
        changes={"phone": "13700001111"},
        phone_challenge=proof,
    )

    sms = messages_of(Event.CONTACT_CHANGED, Channel.SMS)
    assert sorted(m.address for m in sms) == sorted([old, "13700001111"])
    assert {m.address_masked for m in sms} == {old[:3] + "****" + old[-4:], "137****1111"}
    message = inbox_of(citizen, Event.CONTACT_CHANGED)
    assert "变更项目：手机号码" in message.body
    assert "13700001111" not in message.body
    outbox_deliver()
    assert sorted(s["address"] for s in sent) == sorted([old, "13700001111"])


def test_an_accepted_application_that_replaces_the_phone_on_record_tells_the_old_number(
    bank, outlet, reviewer
):
    holder = UserFactory(person__phone="13800005555")

    services.application_accept(application=submit_apply(holder, bank, outlet), actor=reviewer)

    sms = messages_of(Event.CONTACT_CHANGED, Channel.SMS)
    assert sorted(m.address for m in sms) == sorted(["13800005555", APPLY_PHONE])
    told = inbox_of(holder, Event.CONTACT_CHANGED).body
    assert "手机号码" in told and "通讯地址" in told and APPLY_PHONE not in told


def test_a_changed_address_is_told_on_the_one_phone_number(citizen):
    services.item_change_contact(
        requester=requester_for(citizen),
        person=citizen.person,
        changes={"address": "广东省揭阳市榕城区新阳路20号"},
    )

    (sms,) = messages_of(Event.CONTACT_CHANGED, Channel.SMS)
    assert sms.address == citizen.person.phone
    assert "新阳路" not in sms.body


def test_a_lapsed_temporary_loss_report_is_told_with_its_expiry_time(citizen):
    expired = timezone.now() - timedelta(minutes=5)
    card = CardFactory(lost_temporarily=True, person=citizen.person, loss_expires_at=expired)

    assert card_expire_temporary_losses() == 1

    message = inbox_of(citizen, Event.LOSS_LAPSED)
    assert card.masked_number in message.body
    assert timezone.localtime(expired).strftime("%Y年%m月%d日 %H:%M") in message.body
    # the sweep running again tells nobody twice
    assert card_expire_temporary_losses() == 0
    assert len(messages_of(Event.LOSS_LAPSED, Channel.INBOX)) == 1


def test_a_rolled_back_change_leaves_no_message_and_enqueues_nothing(
    citizen, bank, outlet, reviewer, django_capture_on_commit_callbacks
):
    application = submit_apply(citizen, bank, outlet)

    written = []

    def accept_then_fail() -> None:
        with transaction.atomic():
            services.application_accept(application=application, actor=reviewer)
            written.append(Message.objects.count())  # written with the change …
            raise RuntimeError("the request failed after the service")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        accept_then_fail()

    assert written[0] > 0

    assert not Notification.objects.exists()  # … and gone with it
    assert not Message.objects.exists()
    assert callbacks == []
    application.refresh_from_db()
    assert application.status == AppStatus.SUBMITTED


def test_a_committed_change_enqueues_delivery_which_sends_at_once(
    citizen, bank, outlet, reviewer, sent, django_capture_on_commit_callbacks
):
    application = submit_apply(citizen, bank, outlet)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.application_accept(application=application, actor=reviewer)

    assert len(callbacks) == 1
    assert [s["channel"] for s in sent] == ["sms"]
    (sms,) = messages_of(Event.APPLICATION_ACCEPTED, Channel.SMS)
    assert sms.status == MessageStatus.SENT


def test_a_guardian_and_the_applying_account_read_a_minors_messages(
    bank, outlet, reviewer, producer
):
    link = GuardianshipFactory()
    guardian = UserFactory(person=link.guardian)
    ward_account = UserFactory(person=link.ward)
    application = approve(submit_apply(ward_account, bank, outlet), reviewer)
    produce_to_outlet(application, producer)

    readers = set(
        Message.objects.filter(
            channel=Channel.INBOX, notification__event=Event.PRODUCTION_AT_OUTLET
        ).values_list("user", flat=True)
    )
    assert readers == {guardian.pk, ward_account.pk}


def test_sms_switched_off_is_respected_but_security_notices_still_go(
    citizen, bank, outlet, reviewer
):
    ChannelPreference.objects.create(person=citizen.person, sms=False)

    services.application_accept(application=submit_apply(citizen, bank, outlet), actor=reviewer)
    card = CardFactory(sealed=True, person=citizen.person)
    services.item_enable(requester=requester_for(citizen), card=card, password="135790")

    assert messages_of(Event.APPLICATION_ACCEPTED, Channel.SMS) == []
    assert len(messages_of(Event.APPLICATION_ACCEPTED, Channel.INBOX)) == 1  # always on
    assert len(messages_of(Event.CARD_ENABLED, Channel.SMS)) == 1


def test_wechat_skips_a_recipient_without_a_bound_openid(citizen, bank, outlet, reviewer):
    MessageTemplate.objects.filter(event=Event.APPLICATION_ACCEPTED).update(
        wechat_template_id="tmpl-accepted"
    )

    services.application_accept(application=submit_apply(citizen, bank, outlet), actor=reviewer)

    assert messages_of(Event.APPLICATION_ACCEPTED, Channel.WECHAT) == []


def test_wechat_goes_to_the_bound_openid_unless_switched_off(
    citizen, bank, outlet, reviewer, monkeypatch, sent
):
    monkeypatch.setitem(channels.ADDRESS_FINDERS, Channel.WECHAT, lambda person: "oABCDEFG123456")
    MessageTemplate.objects.filter(event=Event.APPLICATION_ACCEPTED).update(
        wechat_template_id="tmpl-accepted"
    )
    application = submit_apply(citizen, bank, outlet)

    services.application_accept(application=application, actor=reviewer)
    outbox_deliver()

    (wechat,) = messages_of(Event.APPLICATION_ACCEPTED, Channel.WECHAT)
    assert wechat.address_masked == "openid oABC****"
    (delivered,) = [s for s in sent if s["channel"] == "wechat"]
    assert delivered["address"] == "oABCDEFG123456"
    assert delivered["template_id"] == "tmpl-accepted"

    ChannelPreference.objects.create(person=citizen.person, wechat=False)
    services.application_return(application=application, actor=reviewer, reason="照片不清晰")
    assert messages_of(Event.APPLICATION_RETURNED, Channel.WECHAT) == []


def test_the_administrators_wording_is_used(citizen, bank, outlet, reviewer):
    MessageTemplate.objects.filter(event=Event.APPLICATION_ACCEPTED).update(
        title="受理通知", body="受理编号{receipt}：已受理。"
    )

    application = services.application_accept(
        application=submit_apply(citizen, bank, outlet), actor=reviewer
    )

    message = inbox_of(citizen, Event.APPLICATION_ACCEPTED)
    assert (message.title, message.body) == (
        "受理通知",
        f"受理编号{application.receipt_number}：已受理。",
    )


def test_an_event_switched_off_sends_nothing(citizen, bank, outlet, reviewer):
    MessageTemplate.objects.filter(event=Event.APPLICATION_ACCEPTED).update(active=False)

    services.application_accept(application=submit_apply(citizen, bank, outlet), actor=reviewer)

    assert not Notification.objects.exists()


def test_every_event_has_its_own_seeded_template():
    templates = dict(MessageTemplate.objects.values_list("event", "body"))
    assert set(templates) == set(Event.values)
    assert len(set(templates.values())) == len(Event.values)


@pytest.mark.parametrize(
    ("body", "error"), [("您好{nmae}", "未知的占位符：{nmae}"), ("您好{name", "花括号不成对")]
)
def test_a_template_with_an_unknown_or_broken_placeholder_is_refused(body, error):
    template = MessageTemplate.objects.get(event=Event.APPLICATION_ACCEPTED)
    template.body = body

    with pytest.raises(ValidationError, match=error):
        template.full_clean()
