"""A new guardianship (a guardian's 申领 for a child not yet in their care) asks for L3+
(Action.GUARDIANSHIP): after a password login the confirmation steps up, nothing is written,
and after the code the same confirmation submits."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from sscard.accounts.models import Guardianship, Person
from sscard.accounts.trust import Requester, StepUpRequired, TrustLevel
from sscard.applications import services
from sscard.applications.models import Application, Material
from sscard.applications.tests.helpers import apply_form
from sscard.conftest import jpeg
from sscard.portal.models import Draft
from sscard.portal.tests.helpers import apply_post, draft_id_of, item_url, step_up_by_sms
from sscard.testing.factories import GuardianshipFactory, PersonFactory, UserFactory
from sscard.testing.ids import resident_id
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db


def _child_post(bank, outlet) -> dict:
    birth = timezone.localdate() - timedelta(days=365 * 6)
    child = PersonFactory.build(birth_date=birth, gender="F", name="张小红")
    return {
        **apply_post(child, bank, outlet),
        "doc_type": "household",
        "doc_number": resident_id(birth, male=False),
        "relationship": "mother",
        "token": str(uuid.uuid4()),
        "photo": jpeg(),
        "household": jpeg("household.jpg"),
        "guardian_proof": jpeg("proof.jpg"),
    }


def test_a_guardian_at_l3_steps_up_at_the_confirmation_and_nothing_is_written(
    client, region, bank, outlet, texts
):
    mother = UserFactory()
    sign_in(client, mother, TrustLevel.L3)
    draft = draft_id_of(client.post(item_url("apply", "new"), _child_post(bank, outlet)))
    confirm = f"/drafts/{draft}/"

    answer = client.post(confirm)

    assert answer.status_code == 403
    html = answer.content.decode()
    assert "新增监护关系需先验证本人身份" in html and "短信验证码验证" in html
    assert not Application.objects.exists()
    assert not Guardianship.objects.exists()
    assert not Person.objects.filter(name="张小红").exists()
    assert not Material.objects.exists()
    assert Draft.objects.filter(pk=draft).exists()  # what was typed and uploaded waits

    back = step_up_by_sms(client, mother.person, confirm)
    assert back["Location"] == confirm
    assert client.get(confirm).status_code == 200  # the same confirmation, the draft intact
    done = client.post(confirm)
    assert done.status_code == 302, done.content.decode()[:400]
    application = Application.objects.get(applicant=mother)
    link = Guardianship.objects.get(guardian=mother.person, ward=application.subject)
    assert not link.active and link.relationship == "mother"
    assert {m.kind for m in application.materials.all()} == {"photo", "household", "guardian_proof"}


def test_the_service_itself_refuses_a_new_guardianship_at_l3(citizen, bank, outlet):
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
        relationship="father",
    )

    with pytest.raises(StepUpRequired) as refused:
        services.application_submit_apply(
            requester=Requester(user=citizen, trust=TrustLevel.L3),
            data=form,
            files={"photo": jpeg(), "household": jpeg("h.jpg"), "guardian_proof": jpeg("g.jpg")},
        )

    assert refused.value.level == TrustLevel.L3_PLUS
    assert not Guardianship.objects.exists() and not Application.objects.exists()
    assert not Person.objects.filter(name="张小明").exists()


def test_a_guardianship_already_confirmed_asks_nothing_more_than_the_item(
    client, region, bank, outlet
):
    """申领 for a ward already in one's care changes no guardianship: a password login does."""
    mother = UserFactory()
    ward = PersonFactory(minor=True, name="张小宝")
    GuardianshipFactory(guardian=mother.person, ward=ward, active=True)
    sign_in(client, mother, TrustLevel.L3)
    post = {
        **apply_post(ward, bank, outlet),
        "relationship": "mother",
        "token": str(uuid.uuid4()),
        "photo": jpeg(),
        "household": jpeg("household.jpg"),
        "guardian_proof": jpeg("proof.jpg"),
    }
    draft = draft_id_of(client.post(item_url("apply", f"person-{ward.pk}"), post))

    assert client.post(f"/drafts/{draft}/").status_code == 302
    assert Application.objects.get(applicant=mother).subject == ward
    assert Guardianship.objects.count() == 1
