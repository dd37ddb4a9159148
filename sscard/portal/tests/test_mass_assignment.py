"""Fields a citizen must not set are ignored when posted anyway: the status of an
application, its reviewer, the person it is for, a card number, the account's role or staff
flags. What the pages post is read field by field, never written into a model wholesale."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.test import Client

from sscard.accounts.models import Person, User
from sscard.accounts.trust import TrustLevel
from sscard.applications.constants import AppStatus
from sscard.applications.models import Application
from sscard.cards.models import Card
from sscard.conftest import jpeg
from sscard.portal.tests.helpers import apply_post, draft_id_of, item_url
from sscard.testing.factories import PersonFactory, UserFactory
from sscard.testing.ids import resident_id
from sscard.testing.sessions import sign_in
from sscard.testing.sms import code_sent_to

pytestmark = pytest.mark.django_db


def _smuggled(reviewer: User, other: Person) -> dict[str, str]:
    """What an attacker adds to the form by hand."""
    return {
        "status": AppStatus.APPROVED,
        "reviewer": str(reviewer.pk),
        "reviewer_id": str(reviewer.pk),
        "subject": str(other.pk),
        "subject_id": str(other.pk),
        "applicant": str(reviewer.pk),
        "owner_id": str(reviewer.pk),
        "doc_number": other.doc_number,
        "id_number": other.doc_number,
        "card_no": "A12345678",
        "card_number": "A12345678",
        "fee": "0",
        "receipt_number": "445200202611290000000001",
        "staff_note": "已核实",
        "is_staff": "on",
        "is_superuser": "on",
        "role": User.Role.REVIEWER,
    }


def test_an_application_posted_with_extra_fields_is_the_citizens_own_and_only_submitted(
    region, bank, outlet, reviewer
):
    user = UserFactory()
    other = PersonFactory()
    client = sign_in(Client(), user, TrustLevel.L4)
    form = apply_post(user.person, bank, outlet) | _smuggled(reviewer, other)
    draft = draft_id_of(
        client.post(
            item_url("apply", f"person-{user.person.pk}"),
            {**form, "token": str(uuid.uuid4()), "photo": jpeg()},
        )
    )
    done = client.post(f"/drafts/{draft}/", _smuggled(reviewer, other))
    assert done.status_code == 302

    application = Application.objects.get(applicant=user)
    assert application.status == AppStatus.SUBMITTED
    assert application.subject == user.person
    assert application.reviewer is None and application.staff_note == ""
    assert application.receipt_number != "445200202611290000000001"
    assert not Card.objects.filter(number="A12345678").exists()
    assert not Card.objects.filter(person=user.person).exists()  # none until a reviewer approves
    other.refresh_from_db()
    assert Application.objects.filter(subject=other).count() == 0
    user.refresh_from_db()
    assert (user.role, user.is_staff, user.is_superuser) == (User.Role.CITIZEN, False, False)
    assert user.person.doc_number != other.doc_number


def test_registration_posted_with_role_and_staff_flags_makes_a_plain_citizen(
    client, texts, reviewer
):
    number = resident_id(date(1990, 4, 12), serial=23)
    data = {
        "name": "李小明",
        "doc_type": "resident_id",
        "doc_number": number,
        "phone": "13812345678",
        "username": "lixiaoming",
        "password1": "Qing-shan 2026",
        "password2": "Qing-shan 2026",
        "consent": "on",
        "captcha_0": "test",
        "captcha_1": "PASSED",
        "role": User.Role.ADMIN,
        "is_staff": "on",
        "is_superuser": "on",
        "is_active": "on",
        "groups": "1",
        "possession": User.Possession.FACE,
        "person": str(reviewer.pk),
    }
    assert client.post("/register/", data).status_code == 302
    code = code_sent_to("13812345678")
    assert client.post("/register/code/", {"action": "verify", "code": code}).status_code == 302

    user = User.objects.get(username="lixiaoming")
    assert user.role == User.Role.CITIZEN
    assert not user.is_staff and not user.is_superuser
    assert not user.groups.exists() and not user.user_permissions.exists()
    assert user.possession == User.Possession.SMS  # what the code proved, not what was posted
    assert user.person is not None and user.person.doc_number == number
    assert client.get("/staff/").status_code == 403
