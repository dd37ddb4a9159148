from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sscard.accounts.models import Guardianship, Person
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.constants import AppStatus
from sscard.applications.models import Application
from sscard.applications.selectors import receipt_of
from sscard.applications.tests.helpers import (
    apply_form,
    approve,
    holder_document,
    produce_to_outlet,
    submit_apply,
)
from sscard.audit.models import AuditRecord
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.conftest import jpeg
from sscard.core.errors import DomainError
from sscard.production.constants import Stage
from sscard.testing.factories import (
    CardFactory,
    EmployerAgentFactory,
    PersonFactory,
    UserFactory,
)
from sscard.testing.ids import resident_id

pytestmark = pytest.mark.django_db


def test_a_citizen_applies_and_gets_a_receipt_naming_the_item_and_the_time_limit(
    citizen, bank, outlet
):
    application = submit_apply(citizen, bank, outlet)

    receipt = receipt_of(application)
    assert application.status == AppStatus.SUBMITTED
    assert receipt.item_name == "社会保障卡申领"
    assert "25个工作日" in receipt.time_limit
    assert len(receipt.receipt_number) == 24
    assert receipt.receipt_number.startswith("445200")
    assert application.fee_fen == 0  # first issue is free
    assert receipt.fee_fen == 0


def test_the_whole_life_of_an_application_ends_with_a_sealed_card_at_the_outlet(
    citizen, bank, outlet, reviewer, producer, clerk
):
    application = approve(submit_apply(citizen, bank, outlet), reviewer)
    assert application.status == AppStatus.APPROVED
    new_card = application.production_order.card
    assert new_card.status == CardStatus.PRODUCING
    assert len(new_card.number) == 9 and new_card.number[0].isupper()

    application = produce_to_outlet(application, producer)
    done = services.application_handover(
        order=application.production_order,
        actor=clerk,
        **holder_document(application.production_order),
    )

    new_card.refresh_from_db()
    assert done.status == AppStatus.COMPLETED
    assert new_card.status == CardStatus.SEALED
    assert new_card.issued_on == timezone.localdate()
    assert new_card.expires_on.year == timezone.localdate().year + 10


def test_the_outlet_refuses_to_hand_over_to_a_document_that_is_not_the_holders(
    citizen, bank, outlet, reviewer, producer, clerk
):
    application = produce_to_outlet(
        approve(submit_apply(citizen, bank, outlet), reviewer), producer
    )
    order = application.production_order
    someone_else = UserFactory().person
    card_status = order.card.status

    with pytest.raises(DomainError, match="证件号码与持卡人登记信息不一致") as refused:
        services.application_handover(
            order=order,
            actor=clerk,
            doc_type=someone_else.doc_type,
            doc_number=someone_else.doc_number,
        )

    assert refused.value.field == "doc_number"
    order.refresh_from_db()
    assert order.stage == Stage.OUTLET
    assert order.card.status == card_status
    assert AuditRecord.objects.filter(
        action="card.handover", result=AuditRecord.Result.REFUSED
    ).exists()


def test_the_outlet_refuses_a_document_number_that_is_not_valid(
    citizen, bank, outlet, reviewer, producer, clerk
):
    application = produce_to_outlet(
        approve(submit_apply(citizen, bank, outlet), reviewer), producer
    )
    holder = application.production_order.person

    for number in ("", "123"):
        with pytest.raises(DomainError) as refused:
            services.application_handover(
                order=application.production_order,
                actor=clerk,
                doc_type=holder.doc_type,
                doc_number=number,
            )
        assert refused.value.field == "doc_number"
    application.production_order.refresh_from_db()
    assert application.production_order.stage == Stage.OUTLET


def test_applying_is_refused_while_the_person_holds_a_live_card(citizen, bank, outlet):
    CardFactory(person=citizen.person, lost_temporarily=True)

    with pytest.raises(DomainError, match="一人只能持有一张社会保障卡") as refused:
        submit_apply(citizen, bank, outlet)
    assert "临时挂失" in refused.value.message
    assert not Application.objects.exists()


def test_applying_is_refused_while_an_application_is_open_and_names_it(citizen, bank, outlet):
    first = submit_apply(citizen, bank, outlet)

    with pytest.raises(DomainError, match=first.receipt_number):
        submit_apply(citizen, bank, outlet)
    assert Application.objects.count() == 1


def test_a_person_whose_card_was_cancelled_may_apply_again_and_pays_the_fee(citizen, bank, outlet):
    CardFactory(person=citizen.person, cancelled=True)

    application = submit_apply(citizen, bank, outlet)

    assert application.fee_fen == 2000


def test_the_same_submission_twice_makes_one_application(citizen, bank, outlet):
    requester = Requester(user=citizen, trust=TrustLevel.L3)
    key = "0b4a2c39-5d43-4d0a-8d5c-8f0c1e7a9b11"
    form = apply_form(citizen.person, bank, outlet)

    first = services.application_submit_apply(
        requester=requester, data=form, files={"photo": jpeg()}, submission_key=key
    )
    second = services.application_submit_apply(
        requester=requester, data=form, files={"photo": jpeg()}, submission_key=key
    )

    assert first.pk == second.pk
    assert Application.objects.count() == 1


def test_every_wrong_field_is_reported_at_once_and_nothing_is_written(citizen, bank, outlet):
    form = apply_form(citizen.person, bank, outlet, phone="12345", delivery="mail", mail_address="")
    form["bank"] = "NOPE"

    with pytest.raises(DomainError) as refused:
        services.application_submit_apply(
            requester=Requester(user=citizen, trust=TrustLevel.L3), data=form, files={}
        )

    assert set(refused.value.errors) >= {"phone", "bank", "mail_address", "photo"}
    assert refused.value.errors["phone"] == "请输入11位手机号码"
    assert not Application.objects.exists()
    citizen.person.refresh_from_db()
    assert citizen.person.phone != "12345"


def test_a_birth_date_that_disagrees_with_the_id_number_is_refused(citizen, bank, outlet):
    with pytest.raises(DomainError) as refused:
        submit_apply(citizen, bank, outlet, birth_date="1990-01-01")
    assert refused.value.errors["birth_date"] == "出生日期与证件号码不一致"


def test_a_wrong_name_for_the_id_number_is_refused(citizen, bank, outlet):
    with pytest.raises(DomainError, match="姓名与该证件号码的登记信息不一致"):
        submit_apply(citizen, bank, outlet, name="李四")


def test_a_guardian_applies_for_a_child_with_the_household_register_and_proof(
    citizen, bank, outlet
):
    birth = timezone.localdate() - timedelta(days=365 * 6)
    child_id = resident_id(birth, male=False)
    form = apply_form(
        citizen.person,
        bank,
        outlet,
        doc_type="household",
        doc_number=child_id,
        name="张小红",
        gender="F",
        birth_date=birth.isoformat(),
        relationship="father",
    )

    application = services.application_submit_apply(
        requester=Requester(user=citizen, trust=TrustLevel.L4),
        data=form,
        files={"photo": jpeg(), "household": jpeg("hk.jpg"), "guardian_proof": jpeg("g.jpg")},
    )

    child = application.subject
    assert child.name == "张小红" and child.doc_number == child_id
    assert application.relation == "guardian"
    assert Guardianship.objects.filter(guardian=citizen.person, ward=child).exists()
    assert {m.kind for m in application.materials.all()} == {"photo", "household", "guardian_proof"}


def test_a_guardian_must_upload_the_household_register_and_the_proof(citizen, bank, outlet):
    birth = timezone.localdate() - timedelta(days=365 * 6)
    form = apply_form(
        citizen.person,
        bank,
        outlet,
        doc_type="household",
        doc_number=resident_id(birth),
        name="张小明",
        gender="M",
        birth_date=birth.isoformat(),
    )

    with pytest.raises(DomainError) as refused:
        services.application_submit_apply(
            requester=Requester(user=citizen, trust=TrustLevel.L4),
            data=form,
            files={"photo": jpeg()},
        )
    assert set(refused.value.errors) == {"relationship", "household", "guardian_proof"}


def test_nobody_applies_for_another_adult(citizen, bank, outlet):
    other = PersonFactory.build(birth_date=timezone.localdate() - timedelta(days=365 * 30))
    form = apply_form(
        citizen.person,
        bank,
        outlet,
        doc_number=other.doc_number,
        name="王五",
        birth_date=other.birth_date.isoformat(),
        gender=other.gender,
        relationship="other",
    )

    with pytest.raises(DomainError) as refused:
        services.application_submit_apply(
            requester=Requester(user=citizen, trust=TrustLevel.L4),
            data=form,
            files={"photo": jpeg(), "household": jpeg(), "guardian_proof": jpeg()},
        )
    assert "只能为本人或本人监护的未满16周岁" in refused.value.errors["doc_number"]
    assert not Person.objects.filter(name="王五").exists()


def test_the_guardian_age_is_a_setting(citizen, bank, outlet, region):
    region.guardian_age = 18
    region.save()
    birth = timezone.localdate() - timedelta(days=365 * 17)
    form = apply_form(
        citizen.person,
        bank,
        outlet,
        doc_number=resident_id(birth),
        name="张大",
        gender="M",
        birth_date=birth.isoformat(),
        relationship="father",
    )

    application = services.application_submit_apply(
        requester=Requester(user=citizen, trust=TrustLevel.L4),
        data=form,
        files={"photo": jpeg(), "household": jpeg(), "guardian_proof": jpeg()},
    )
    assert application.relation == "guardian"


def test_no_photo_is_needed_under_the_exempt_age(citizen, bank, outlet, region):
    region.photo_exempt_age = 3
    region.save()
    birth = timezone.localdate() - timedelta(days=400)
    form = apply_form(
        citizen.person,
        bank,
        outlet,
        doc_type="household",
        doc_number=resident_id(birth),
        name="张小小",
        gender="M",
        birth_date=birth.isoformat(),
        relationship="mother",
    )

    application = services.application_submit_apply(
        requester=Requester(user=citizen, trust=TrustLevel.L4),
        data=form,
        files={"household": jpeg(), "guardian_proof": jpeg()},
    )
    assert not application.materials.filter(kind="photo").exists()


def test_an_employer_applies_for_an_employee(bank, outlet):
    agent = EmployerAgentFactory()
    employee = PersonFactory.build()
    form = apply_form(employee, bank, outlet)

    application = services.application_submit_apply(
        requester=Requester(user=agent, trust=TrustLevel.L3), data=form, files={"photo": jpeg()}
    )

    assert application.relation == "employer"
    assert application.subject.employments.filter(employer=agent.employer).exists()


def test_document_types_excluded_online_are_sent_to_the_counter(bank, outlet, region):
    region.excluded_doc_types = ["resident_id"]
    region.save()
    citizen = UserFactory()

    with pytest.raises(DomainError, match="网点办理"):
        submit_apply(citizen, bank, outlet)


def test_submitting_writes_a_timeline_event_and_an_audit_record(citizen, bank, outlet):
    application = submit_apply(citizen, bank, outlet)

    assert application.events.get().to_status == AppStatus.SUBMITTED
    record = AuditRecord.objects.get(action="application.apply")
    assert record.actor_id == citizen.pk
    assert record.target_id == str(application.pk)


def test_form_data_is_stored_encrypted(citizen, bank, outlet):
    from django.db import connection

    application = submit_apply(citizen, bank, outlet)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT form_data FROM applications_application WHERE id = %s", [application.pk]
        )
        raw = cursor.fetchone()[0]
    assert citizen.person.doc_number not in raw
    assert "13912345678" not in raw
    assert application.form_data["phone"] == "13912345678"


def test_approval_makes_one_producing_card_and_no_second_live_card(citizen, bank, outlet, reviewer):
    approve(submit_apply(citizen, bank, outlet), reviewer)

    assert Card.objects.filter(person=citizen.person).count() == 1


def passport_form(bank, outlet, **overrides):
    return {
        "doc_type": "passport",
        "doc_number": "P1234567",
        "name": "Anna Lee",
        "gender": "F",
        "nationality": "新加坡",
        "birth_date": "1990-02-03",
        "phone": "13912345670",
        "address": "广东省揭阳市榕城区新阳路18号",
        "bank": bank.code,
        "delivery": "outlet",
        "outlet": outlet.code,
        **overrides,
    }


def submit_for_employee(form):
    """An employer's 申领 with the photo and (a first 申领 on a passport) the passport's scan."""
    return services.application_submit_apply(
        requester=Requester(user=EmployerAgentFactory(), trust=TrustLevel.L3),
        data=form,
        files={"photo": jpeg(), "id_scan": jpeg("passport.jpg")},
    )


def test_a_future_birth_date_on_a_passport_is_reported_next_to_the_field(bank, outlet):
    with pytest.raises(DomainError) as refused:
        submit_for_employee(passport_form(bank, outlet, birth_date="2099-01-01"))
    assert refused.value.errors["birth_date"] == "出生日期不能晚于今天"


def test_a_foreign_passport_holder_is_applied_for_by_the_employer(bank, outlet):
    application = submit_for_employee(passport_form(bank, outlet))

    assert application.subject.nationality == "新加坡"
    assert application.subject.ethnicity == ""


def test_a_foreigner_whose_passport_number_looks_chinese_keeps_their_nationality(bank, outlet):
    application = submit_for_employee(
        passport_form(
            bank,
            outlet,
            doc_number="E12345678",
            name="Maria Gomez",
            nationality="西班牙",
            birth_date="1985-06-07",
        )
    )

    assert application.subject.nationality == "西班牙"
