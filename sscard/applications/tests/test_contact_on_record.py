"""Nothing a citizen or an employer submits overwrites a person's phone or address before a
reviewer has accepted it: an 申领's contact details wait on the application
until 受理; a withdrawn or refused one leaves the record as it was; an employer never
overwrites an employee's own details (only blanks are filled)."""

from __future__ import annotations

import pytest

from sscard.accounts.models import Person
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.tests.helpers import apply_form, submit_apply
from sscard.audit.models import AuditRecord
from sscard.conftest import jpeg
from sscard.notifications.constants import Channel, Event
from sscard.notifications.models import Message
from sscard.testing.factories import EmployerAgentFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

ON_FILE = "13800001234"
HOME = "广东省揭阳市榕城区进贤门大道88号"
APPLIED = "13912345678"  # what the helpers' 申领 form fills in
APPLIED_ADDRESS = "广东省揭阳市榕城区新阳路18号"


def record_of(person: Person) -> tuple[str, str]:
    person.refresh_from_db()
    return person.phone, person.address


@pytest.fixture
def holder(db):
    return UserFactory(person__phone=ON_FILE, person__address=HOME)


def test_a_citizens_new_phone_waits_on_the_application_until_a_reviewer_accepts(
    holder, bank, outlet, reviewer
):
    application = submit_apply(holder, bank, outlet)

    assert record_of(holder.person) == (ON_FILE, HOME)
    assert application.form_data["phone"] == APPLIED
    assert not AuditRecord.objects.filter(action="person.contact_changed").exists()

    services.application_accept(application=application, actor=reviewer)

    assert record_of(holder.person) == (APPLIED, APPLIED_ADDRESS)
    record = AuditRecord.objects.get(action="person.contact_changed")
    assert record.actor_id == reviewer.pk
    assert record.detail["receipt"] == application.receipt_number
    assert record.detail["phone"] == "139****5678"
    # the number it replaced is told
    told = Message.objects.filter(notification__event=Event.CONTACT_CHANGED, channel=Channel.SMS)
    assert ON_FILE in {m.address for m in told}


def test_a_withdrawn_application_leaves_the_record_unchanged(holder, bank, outlet):
    application = submit_apply(holder, bank, outlet, occupation="医生")
    services.application_withdraw(
        requester=Requester(user=holder, trust=TrustLevel.L3), application=application
    )

    assert record_of(holder.person) == (ON_FILE, HOME)
    assert holder.person.occupation == ""


def test_an_application_refused_before_acceptance_leaves_the_record_unchanged(
    holder, bank, outlet, reviewer
):
    application = submit_apply(holder, bank, outlet)
    services.application_reject(application=application, actor=reviewer, reason="照片非本人")

    assert record_of(holder.person) == (ON_FILE, HOME)


def test_an_employer_never_overwrites_an_employees_phone_or_address(bank, outlet, reviewer):
    employee = PersonFactory(phone=ON_FILE, address=HOME, postcode="", occupation="")
    agent = EmployerAgentFactory()
    application = services.application_submit_apply(
        requester=Requester(user=agent, trust=TrustLevel.L3),
        data=apply_form(employee, bank, outlet, postcode="522000"),
        files={"photo": jpeg()},
    )
    assert record_of(employee) == (ON_FILE, HOME)

    services.application_accept(application=application, actor=reviewer)

    assert record_of(employee) == (ON_FILE, HOME)
    # only what the record lacked is filled in
    assert (employee.postcode, employee.occupation) == ("522000", "教师")
    assert not Message.objects.filter(notification__event=Event.CONTACT_CHANGED).exists()


def test_an_employers_application_for_someone_new_fills_the_blank_record(bank, outlet, reviewer):
    agent = EmployerAgentFactory()
    newcomer = PersonFactory.build()
    application = services.application_submit_apply(
        requester=Requester(user=agent, trust=TrustLevel.L3),
        data=apply_form(newcomer, bank, outlet),
        files={"photo": jpeg()},
    )
    assert record_of(application.subject) == ("", "")

    services.application_accept(application=application, actor=reviewer)

    assert record_of(application.subject) == (APPLIED, APPLIED_ADDRESS)
