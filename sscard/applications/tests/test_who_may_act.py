"""Who may do what: the catalogue's audiences, guardianship proven before it gives access,
staff roles for staff steps (SECURITY C-1, C-2, C-5, C-6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from sscard.accounts.models import Guardianship, User
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.constants import AppStatus
from sscard.applications.selectors import query_card_status, query_progress
from sscard.applications.tests.helpers import (
    apply_form,
    approve,
    holder_document,
    produce_to_outlet,
    submit_apply,
)
from sscard.cards.constants import CardStatus
from sscard.conftest import jpeg
from sscard.core.errors import DomainError
from sscard.production import services as production
from sscard.testing.factories import (
    CardFactory,
    EmployerAgentFactory,
    PersonFactory,
    StaffFactory,
    UserFactory,
)
from sscard.testing.ids import resident_id
from sscard.testing.otp import otp_login
from sscard.testing.sms import new_phone_proved

pytestmark = pytest.mark.django_db
NOT_YOURS = "未找到可为您办理的人员信息"
FORBIDDEN = "您没有办理此业务的权限"


@pytest.fixture
def employer_agent(bank, outlet):
    agent = EmployerAgentFactory()
    employee = PersonFactory.build()
    application = services.application_submit_apply(
        requester=Requester(user=agent, trust=TrustLevel.L3),
        data=apply_form(employee, bank, outlet),
        files={"photo": jpeg()},
    )
    return agent, application.subject


def test_an_employer_follows_an_employees_progress_but_never_touches_the_card(employer_agent):
    agent, employee = employer_agent
    card = CardFactory(person=PersonFactory())  # some card, then one of the employee's own
    card = CardFactory(person=employee)
    requester = Requester(user=agent, trust=TrustLevel.L4)

    assert query_progress(requester=requester, subject=employee).application.subject == employee
    with pytest.raises(DomainError, match=NOT_YOURS):
        services.item_report_loss(
            requester=requester, card=card, action="formal", confirmed_irreversible=True
        )
    with pytest.raises(DomainError, match=NOT_YOURS):
        services.item_enable(requester=requester, card=card, password="135790")
    with pytest.raises(DomainError, match=NOT_YOURS):
        services.item_change_contact(
            requester=requester, person=employee, changes={"phone": "13700000000"}
        )
    with pytest.raises(DomainError, match=NOT_YOURS):
        query_card_status(requester=requester, card=card)
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_employing_someone_is_audited(employer_agent):
    from sscard.audit.models import AuditRecord

    assert AuditRecord.objects.filter(action="employment.recorded").count() == 1


def _apply_for_child(guardian_user, bank, outlet):
    birth = timezone.localdate() - timedelta(days=365 * 7)
    form = apply_form(
        guardian_user.person,
        bank,
        outlet,
        doc_type="household",
        doc_number=resident_id(birth, male=False),
        name="张小芳",
        gender="F",
        birth_date=birth.isoformat(),
        relationship="mother",
    )
    return services.application_submit_apply(
        requester=Requester(user=guardian_user, trust=TrustLevel.L4),
        data=form,
        files={"photo": jpeg(), "household": jpeg(), "guardian_proof": jpeg()},
    )


def test_a_claimed_guardianship_gives_no_access_until_a_reviewer_approves_the_proof(
    citizen, bank, outlet, reviewer
):
    application = _apply_for_child(citizen, bank, outlet)
    child = application.subject
    requester = Requester(user=citizen, trust=TrustLevel.L4)

    with pytest.raises(DomainError, match=NOT_YOURS):
        services.item_change_contact(
            requester=requester, person=child, changes={"phone": "13700000000"}
        )
    # the applicant still follows what they submitted
    assert query_progress(requester=requester, subject=child).application == application

    approve(application, reviewer)

    assert Guardianship.objects.get(ward=child).active
    changed = services.item_change_contact(
        requester=requester,
        person=child,
        changes={"phone": "13700000000"},
        phone_challenge=new_phone_proved(citizen, "13700000000"),
    )
    assert changed.status == AppStatus.COMPLETED


def test_a_withdrawn_claim_never_becomes_access(citizen, bank, outlet):
    application = _apply_for_child(citizen, bank, outlet)
    requester = Requester(user=citizen, trust=TrustLevel.L4)
    services.application_withdraw(requester=requester, application=application)

    with pytest.raises(DomainError, match=NOT_YOURS):
        services.item_change_contact(
            requester=requester, person=application.subject, changes={"phone": "13700000000"}
        )
    assert not Guardianship.objects.get(ward=application.subject).active


@pytest.mark.parametrize(
    "role", [User.Role.CITIZEN, User.Role.CLERK, User.Role.PRODUCER, User.Role.ADMIN]
)
def test_only_reviewers_decide_on_applications(role, citizen, bank, outlet, reviewer):
    other = UserFactory(role=role)
    application = submit_apply(citizen, bank, outlet)

    with pytest.raises(DomainError, match=FORBIDDEN):
        services.application_accept(application=application, actor=other)
    accepted = services.application_accept(application=application, actor=reviewer)
    with pytest.raises(DomainError, match=FORBIDDEN):
        services.application_approve(application=accepted, actor=other)
    with pytest.raises(DomainError, match=FORBIDDEN):
        services.application_reject(application=accepted, actor=other, reason="x")
    with pytest.raises(DomainError, match=FORBIDDEN):
        services.application_return(application=accepted, actor=other, reason="x")
    accepted.refresh_from_db()
    assert accepted.status == AppStatus.ACCEPTED


def test_only_a_clerk_of_the_cards_outlet_hands_it_over(
    citizen, bank, outlet, reviewer, producer, clerk
):
    from sscard.testing.factories import OutletFactory

    order = produce_to_outlet(
        approve(submit_apply(citizen, bank, outlet), reviewer), producer
    ).production_order
    elsewhere = StaffFactory(username="clerk2", role=User.Role.CLERK, outlet=OutletFactory())
    no_outlet = StaffFactory(username="clerk3", role=User.Role.CLERK, outlet=None)

    with pytest.raises(DomainError, match=FORBIDDEN):
        services.application_handover(order=order, actor=citizen, **holder_document(order))
    for wrong in (elsewhere, no_outlet):
        with pytest.raises(DomainError, match="该卡不在本网点"):
            services.application_handover(order=order, actor=wrong, **holder_document(order))
    assert (
        services.application_handover(order=order, actor=clerk, **holder_document(order)).status
        == AppStatus.COMPLETED
    )


def test_production_steps_are_for_production_officers_and_the_partner_system(
    citizen, bank, outlet, reviewer, producer
):
    order = approve(submit_apply(citizen, bank, outlet), reviewer).production_order

    with pytest.raises(DomainError, match=FORBIDDEN):
        production.order_send_data(order=order, actor=reviewer)
    production.order_send_data(order=order, actor=producer)
    production.order_advance(order=order, to="producing", actor=None)  # the bank's report
    order.refresh_from_db()
    assert order.stage == "producing"


def test_an_unknown_stage_is_refused_in_words_not_a_crash(citizen, bank, outlet, reviewer):
    order = approve(submit_apply(citizen, bank, outlet), reviewer).production_order

    with pytest.raises(DomainError, match="不能变更为“bogus”"):
        production.order_advance(order=order, to="bogus", actor=None)


def test_the_admin_offers_staff_actions_only_to_staff_allowed_to_change(
    client, citizen, bank, outlet
):
    submit_apply(citizen, bank, outlet)
    viewer = StaffFactory(username="viewer", role=User.Role.CLERK)
    viewer.user_permissions.add(Permission.objects.get(codename="view_application"))
    changer = StaffFactory(username="changer", role=User.Role.REVIEWER)
    changer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_application", "change_application"])
    )

    otp_login(client, viewer)
    seen_by_viewer = client.get("/admin/applications/application/").content.decode()
    otp_login(client, changer)
    seen_by_changer = client.get("/admin/applications/application/").content.decode()

    assert "受理所选办件" not in seen_by_viewer
    assert "受理所选办件" in seen_by_changer


def test_the_outlets_own_clerk_signs_the_card_in_and_no_other(
    citizen, bank, outlet, reviewer, producer, clerk
):
    from sscard.testing.factories import OutletFactory

    order = approve(submit_apply(citizen, bank, outlet), reviewer).production_order
    production.order_send_data(order=order, actor=producer)
    production.order_advance(order=order, to="producing", actor=None)
    production.order_advance(order=order, to="city_bank", actor=None)
    elsewhere = StaffFactory(username="clerk9", role=User.Role.CLERK, outlet=OutletFactory())

    with pytest.raises(DomainError, match="该卡不在本网点"):
        production.order_advance(order=order, to="outlet", actor=elsewhere)
    signed = production.order_advance(order=order, to="outlet", actor=clerk)

    assert signed.stage == "outlet"
    assert signed.events.last().place == outlet.name
