"""启用, 挂失与解挂 and 信息变更 as the citizen uses them (DOMAIN §2, §4.2, §4.3, §4.5): each
takes effect at once and is recorded as a completed application with a receipt."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from sscard.accounts.trust import TrustLevel
from sscard.applications import services
from sscard.applications.constants import AppStatus, ItemCode
from sscard.applications.eligibility import StepUpRequired
from sscard.applications.models import Application
from sscard.applications.selectors import receipt_of
from sscard.audit.models import AuditRecord
from sscard.cards.constants import CardStatus
from sscard.cards.models import CardHistory
from sscard.core.errors import DomainError
from sscard.core.trust import Action
from sscard.testing.factories import (
    CardFactory,
    GuardianshipFactory,
    PersonFactory,
    UserFactory,
    requester_for,
)
from sscard.testing.sms import new_phone_proved

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOT_YOURS = "未找到可为您办理的人员信息"


def status_of(card) -> str:
    card.refresh_from_db()
    return card.status


def assert_completed_with_receipt(application: Application, item: str) -> None:
    assert application.item == item
    assert application.status == AppStatus.COMPLETED
    assert application.completed_at is not None
    receipt = receipt_of(application)
    assert receipt.receipt_number.startswith("445200")
    assert receipt.time_limit == "即时办结"
    assert receipt.status == "办结"


# --- every instant item leaves a completed application --------------------------------------


def test_enabling_a_sealed_card_is_done_at_once_with_a_receipt(citizen):
    card = CardFactory(person=citizen.person, sealed=True)

    application = services.item_enable(
        requester=requester_for(citizen), card=card, password="135790"
    )

    assert_completed_with_receipt(application, ItemCode.ENABLE)
    assert application.card == card
    assert application.relation == "self"
    assert status_of(card) == CardStatus.ACTIVE


@pytest.mark.parametrize(
    ("action", "state", "after"),
    [
        ("temporary", CardStatus.ACTIVE, CardStatus.TEMP_LOST),
        ("formal", CardStatus.ACTIVE, CardStatus.LOST),
        ("cancel", CardStatus.TEMP_LOST, CardStatus.ACTIVE),
    ],
)
def test_each_loss_action_takes_effect_at_once_with_a_receipt(citizen, action, state, after):
    card = CardFactory(person=citizen.person, status=state, status_before_loss=CardStatus.ACTIVE)

    application = services.item_report_loss(
        requester=requester_for(citizen), card=card, action=action, confirmed_irreversible=True
    )

    assert_completed_with_receipt(application, ItemCode.LOSS)
    assert application.form_data["action"] == action
    assert status_of(card) == after


def test_a_formal_report_without_confirmation_records_nothing(citizen):
    card = CardFactory(person=citizen.person)

    with pytest.raises(DomainError, match="不能解挂"):
        services.item_report_loss(requester=requester_for(citizen), card=card, action="formal")

    assert status_of(card) == CardStatus.ACTIVE
    assert not Application.objects.exists()


def test_an_unknown_loss_action_is_refused_on_its_field(citizen):
    card = CardFactory(person=citizen.person)

    with pytest.raises(DomainError, match="请选择挂失") as refused:
        services.item_report_loss(requester=requester_for(citizen), card=card, action="freeze")

    assert refused.value.field == "action"
    assert not Application.objects.exists()


def test_a_refused_card_step_records_no_application(citizen):
    card = CardFactory(person=citizen.person)  # already 正常

    with pytest.raises(DomainError, match="已启用"):
        services.item_enable(requester=requester_for(citizen), card=card, password="135790")

    assert not Application.objects.exists()


# --- step-up to face verification --------------------------------------------------------


def test_enabling_with_a_password_login_asks_for_face_verification_and_changes_nothing(citizen):
    card = CardFactory(person=citizen.person, sealed=True)

    with pytest.raises(DomainError, match="人脸识别") as refused:
        services.item_enable(
            requester=requester_for(citizen, TrustLevel.L3), card=card, password="135790"
        )

    assert refused.value.code == "step_up_required"
    assert status_of(card) == CardStatus.SEALED
    assert card.service_password == ""
    assert not Application.objects.exists()
    assert not CardHistory.objects.exists()


def test_lifting_a_report_with_a_password_login_asks_for_face_verification(citizen):
    card = CardFactory(person=citizen.person, lost_temporarily=True)

    with pytest.raises(DomainError) as refused:
        services.item_report_loss(
            requester=requester_for(citizen, TrustLevel.L3), card=card, action="cancel"
        )

    assert refused.value.code == "step_up_required"
    assert status_of(card) == CardStatus.TEMP_LOST
    assert not Application.objects.exists()


def test_face_verified_logins_enable_and_lift(citizen):
    sealed = CardFactory(person=citizen.person, sealed=True)
    services.item_enable(
        requester=requester_for(citizen, TrustLevel.L4), card=sealed, password="135790"
    )
    services.item_report_loss(
        requester=requester_for(citizen, TrustLevel.L4), card=sealed, action="temporary"
    )

    services.item_report_loss(
        requester=requester_for(citizen, TrustLevel.L4), card=sealed, action="cancel"
    )

    assert status_of(sealed) == CardStatus.ACTIVE
    assert Application.objects.filter(status=AppStatus.COMPLETED).count() == 3


@pytest.mark.parametrize(
    ("action", "trust"), [("temporary", TrustLevel.L3), ("formal", TrustLevel.L3_PLUS)]
)
def test_reporting_a_loss_never_needs_face_verification(citizen, action, trust):
    card = CardFactory(person=citizen.person)

    services.item_report_loss(
        requester=requester_for(citizen, trust),
        card=card,
        action=action,
        confirmed_irreversible=True,
    )

    assert status_of(card) in (CardStatus.TEMP_LOST, CardStatus.LOST)


@pytest.mark.parametrize(
    ("call", "kwargs"),
    [
        ("item_report_loss", {"action": "formal", "confirmed_irreversible": True}),
        ("item_change_contact", {"changes": {"phone": "13600002222"}}),
    ],
)
def test_a_password_login_alone_cannot_report_formally_or_change_details(citizen, call, kwargs):
    """正式挂失 and 信息变更 at plain L3 (a password: anyone who registered with a name and an
    ID number) ask for the step-up, and nothing changes."""
    card = CardFactory(person=citizen.person)
    target = {"card": card} if call == "item_report_loss" else {"person": citizen.person}

    with pytest.raises(StepUpRequired) as refused:
        getattr(services, call)(requester=requester_for(citizen, TrustLevel.L3), **target, **kwargs)

    assert refused.value.level == TrustLevel.L3_PLUS
    assert status_of(card) == CardStatus.ACTIVE
    assert citizen.person.phone != "13600002222"
    assert not Application.objects.exists()


def test_with_every_action_at_l3_a_password_login_enables_and_lifts(citizen, region):
    region.action_levels = dict.fromkeys(Action, "L3")
    region.save()
    sealed = CardFactory(person=citizen.person, sealed=True)
    requester = requester_for(citizen, TrustLevel.L3)

    services.item_enable(requester=requester, card=sealed, password="135790")
    services.item_report_loss(requester=requester, card=sealed, action="temporary")
    services.item_report_loss(requester=requester, card=sealed, action="cancel")

    assert status_of(sealed) == CardStatus.ACTIVE


# --- acting for someone else -----------------------------------------------------------------


@pytest.fixture
def ward_turning_16(citizen):
    """A child of the citizen who turns 16 on 2026-12-15."""
    ward = PersonFactory(birth_date=date(2010, 12, 15), name="张小明")
    GuardianshipFactory(guardian=citizen.person, ward=ward)
    return ward


def test_a_guardian_reports_the_loss_of_a_childs_card_while_the_child_is_under_16(
    citizen, ward_turning_16
):
    card = CardFactory(person=ward_turning_16)

    with time_machine.travel(datetime(2026, 12, 14, 20, 0, tzinfo=SHANGHAI), tick=False):
        application = services.item_report_loss(
            requester=requester_for(citizen), card=card, action="temporary"
        )

    assert application.relation == "guardian"
    assert application.subject == ward_turning_16
    assert application.applicant == citizen
    assert status_of(card) == CardStatus.TEMP_LOST


def test_a_guardian_can_no_longer_act_once_the_child_turns_16(citizen, ward_turning_16):
    card = CardFactory(person=ward_turning_16, sealed=True)

    with (
        time_machine.travel(datetime(2026, 12, 15, 8, 0, tzinfo=SHANGHAI), tick=False),
        pytest.raises(DomainError, match=NOT_YOURS),
    ):
        services.item_enable(requester=requester_for(citizen), card=card, password="135790")

    assert status_of(card) == CardStatus.SEALED
    assert not Application.objects.exists()


def test_a_guardian_changes_a_young_childs_contact_details(citizen):
    child = PersonFactory(minor=True)
    GuardianshipFactory(guardian=citizen.person, ward=child)

    application = services.item_change_contact(
        requester=requester_for(citizen),
        person=child,
        changes={"phone": "13700001111"},
        phone_challenge=new_phone_proved(citizen, "13700001111"),
    )

    assert application.relation == "guardian"
    child.refresh_from_db()
    assert child.phone == "13700001111"


def test_a_stranger_cannot_touch_someone_elses_card(citizen):
    card = CardFactory(lost_temporarily=True)
    stranger = requester_for(citizen)

    with pytest.raises(DomainError, match=NOT_YOURS):
        services.item_report_loss(requester=stranger, card=card, action="cancel")
    with pytest.raises(DomainError, match=NOT_YOURS):
        services.item_report_loss(
            requester=stranger, card=card, action="formal", confirmed_irreversible=True
        )
    with pytest.raises(DomainError, match=NOT_YOURS):
        services.item_change_contact(
            requester=stranger, person=card.person, changes={"phone": "13700001111"}
        )

    assert status_of(card) == CardStatus.TEMP_LOST
    assert not Application.objects.exists()


def test_a_stranger_cannot_enable_a_childs_card_without_a_guardianship_link():
    child = PersonFactory(minor=True)
    card = CardFactory(person=child, sealed=True)
    stranger = UserFactory()

    with pytest.raises(DomainError, match=NOT_YOURS):
        services.item_enable(requester=requester_for(stranger), card=card, password="135790")


# --- 信息变更 ------------------------------------------------------------------------------


def test_contact_details_change_all_at_once_with_a_receipt(citizen):
    person = citizen.person
    changes = {
        "phone": "13600002222",
        "address": "广东省揭阳市榕城区临江北路66号",
        "postcode": "522000",
        "occupation": "工程师",
    }

    application = services.item_change_contact(
        requester=requester_for(citizen, TrustLevel.L3_PLUS),
        person=person,
        changes=changes,
        phone_challenge=new_phone_proved(citizen, "13600002222"),
    )

    assert_completed_with_receipt(application, ItemCode.CHANGE)
    person.refresh_from_db()
    assert {key: getattr(person, key) for key in changes} == changes
    record = AuditRecord.objects.get(action="person.contact_changed")
    assert record.detail["phone"] == "136****2222"
    assert "13600002222" not in str(record.detail)


def test_the_new_phone_number_is_stored_encrypted(citizen):
    services.item_change_contact(
        requester=requester_for(citizen),
        person=citizen.person,
        changes={"phone": "13600002222"},
        phone_challenge=new_phone_proved(citizen, "13600002222"),
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_person WHERE id = %s", [citizen.person.pk])
        raw = cursor.fetchone()[0]
    assert raw
    assert "13600002222" not in raw


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("name", "张大伟", "姓名"),
        ("doc_number", "445202198805170011", "证件号码"),
        ("gender", "F", "性别"),
        ("birth_date", "1990-01-01", "出生日期"),
        ("nationality", "新加坡", "国籍"),
    ],
)
def test_identity_details_are_sent_to_the_police_and_the_counter(citizen, field, value, label):
    person = citizen.person
    before = getattr(person, field)

    with pytest.raises(DomainError, match=f"{label}不能在线变更") as refused:
        services.item_change_contact(
            requester=requester_for(citizen),
            person=person,
            changes={field: value, "phone": "13600002222"},
        )

    assert "公安机关" in refused.value.message
    assert "换卡" in refused.value.message
    assert refused.value.field == field
    person.refresh_from_db()
    assert getattr(person, field) == before
    assert person.phone != "13600002222"
    assert not Application.objects.exists()


def test_unchanged_details_are_refused(citizen):
    person = citizen.person

    with pytest.raises(DomainError, match="信息未发生变化") as refused:
        services.item_change_contact(
            requester=requester_for(citizen),
            person=person,
            changes={"phone": person.phone, "address": person.address},
        )

    assert refused.value.code == "unchanged"
    assert not Application.objects.exists()


def test_an_invalid_phone_is_refused_on_its_field_and_nothing_changes(citizen):
    person = citizen.person
    before = person.address

    with pytest.raises(DomainError, match="请输入11位手机号码") as refused:
        services.item_change_contact(
            requester=requester_for(citizen),
            person=person,
            changes={"phone": "1380013800", "address": "广东省揭阳市揭东区新河路1号"},
        )

    assert refused.value.field == "phone"
    assert "phone" in refused.value.errors
    person.refresh_from_db()
    assert person.address == before
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"postcode": "52200"}, "postcode"),
        ({"address": "揭阳"}, "address"),
        ({"occupation": "职" * 41}, "occupation"),
    ],
)
def test_other_bad_contact_details_are_refused_on_their_field(citizen, changes, field):
    with pytest.raises(DomainError) as refused:
        services.item_change_contact(
            requester=requester_for(citizen), person=citizen.person, changes=changes
        )

    assert refused.value.field == field
    assert not Application.objects.exists()


# --- 信息变更 of the phone: the new number is proved ---------------------------------------


def test_a_new_phone_without_the_code_texted_to_it_is_refused_and_nothing_changes(citizen):
    person = citizen.person
    before = (person.phone, person.address)

    with pytest.raises(DomainError, match="验证新号码") as refused:
        services.item_change_contact(
            requester=requester_for(citizen),
            person=person,
            changes={"phone": "13600002222", "address": "广东省揭阳市榕城区临江北路66号"},
        )

    assert refused.value.field == "code"
    person.refresh_from_db()
    assert (person.phone, person.address) == before
    assert not Application.objects.exists()


def test_a_code_proving_another_number_does_not_prove_the_new_one(citizen):
    """A code texted to (and entered for) the old number, or any other, is no proof."""
    person = citizen.person
    other = new_phone_proved(citizen, "13500004444")

    with pytest.raises(DomainError, match="请先获取并输入短信验证码"):
        services.item_change_contact(
            requester=requester_for(citizen),
            person=person,
            changes={"phone": "13600002222"},
            phone_challenge=other,
        )

    person.refresh_from_db()
    assert person.phone != "13600002222"


def test_another_accounts_proof_is_no_proof(citizen):
    stranger = UserFactory()
    theirs = new_phone_proved(stranger, "13600002222")

    with pytest.raises(DomainError, match="请先获取并输入短信验证码"):
        services.item_change_contact(
            requester=requester_for(citizen),
            person=citizen.person,
            changes={"phone": "13600002222"},
            phone_challenge=theirs,
        )


def test_a_proof_serves_one_change(citizen):
    def change(phone, proof):
        return services.item_change_contact(
            requester=requester_for(citizen),
            person=citizen.person,
            changes={"phone": phone},
            phone_challenge=proof,
        )

    first = new_phone_proved(citizen, "13600002222")
    change("13600002222", first)
    change("13500004444", new_phone_proved(citizen, "13500004444"))

    with pytest.raises(DomainError, match="请先获取并输入短信验证码"):
        change("13600002222", first)
    citizen.person.refresh_from_db()
    assert citizen.person.phone == "13500004444"
