"""The applicant's contact details on an 申领 and how they reach the person's record: at
受理, or for those revised after 退回补正, at 审核通过."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sscard.accounts.models import Person, User
from sscard.accounts.services import ONLINE_CONTACT_FIELDS, Relation, person_record_contact
from sscard.applications.forms import CleanApply
from sscard.applications.models import Application
from sscard.applications.notices import contact_placeholders, notify_application
from sscard.core.errors import DomainError
from sscard.notifications.constants import Event

# the form_data key naming the contact details an applicant revised after 退回补正
CONTACT_REVISED = "contact_revised"


def _check_name_on_record(subject: Person, clean: CleanApply) -> None:
    """The applicant's form must name the person on record. Its contact details stay on the
    application until a reviewer accepts it (:func:`applicant_contact_for_record`)."""
    if subject.name != clean.data["name"]:
        raise DomainError(
            "姓名与该证件号码的登记信息不一致，请核对", field="name", code="name_mismatch"
        )


def applicant_contact_for_record(
    application: Application, person: Person, fields: Iterable[str] = ONLINE_CONTACT_FIELDS
) -> dict[str, str]:
    """The contact details an 申领 puts on the person's record when a reviewer accepts it:
    what the applicant filled in; from an employer, only what the record lacks (an employer
    never overwrites an employee's own phone or address). Only values that differ."""
    form = application.form_data or {}
    values = {key: str(form.get(key) or "") for key in fields if key in ONLINE_CONTACT_FIELDS}
    if application.relation == Relation.EMPLOYER:
        values = {key: v for key, v in values.items() if v and not getattr(person, key)}
    return {key: v for key, v in values.items() if getattr(person, key) != v}


def _record_applicant_contact(
    application: Application,
    actor: User,
    fields: Iterable[str] = ONLINE_CONTACT_FIELDS,
    *,
    now: datetime | None = None,
) -> None:
    """受理 (or, for details revised after 退回补正, 审核通过): the application's contact details
    become the person's (audited, with the receipt). Overwriting a phone or an address on
    record is a 信息变更 the holder is told of, on the old phone too."""
    person = Person.objects.select_for_update().get(pk=application.subject_id)
    before = {key: getattr(person, key) for key in ONLINE_CONTACT_FIELDS}
    changed = person_record_contact(
        person=person,
        values=applicant_contact_for_record(application, person, fields),
        actor=actor,
        receipt=application.receipt_number,
        now=now,
    )
    if any(before[key] for key in changed):  # a value replaced, not a blank filled
        notify_application(
            Event.CONTACT_CHANGED,
            application,
            person=person,
            old_phone=before["phone"],
            values=contact_placeholders(person, changed),
            now=now,
        )
