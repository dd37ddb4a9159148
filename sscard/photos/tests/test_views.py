"""/files/<id>/: a material is served only to the applicant, the person and staff whose role
needs it; everyone else gets 404. Photos inline, documents as downloads, never sniffed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sscard.accounts.models import User
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.models import Material
from sscard.applications.tests.helpers import apply_form, approve
from sscard.audit.models import AuditRecord
from sscard.backoffice.access import STAFF_ROLES
from sscard.testing import photos
from sscard.testing.factories import (
    EmployerAgentFactory,
    OutletFactory,
    StaffFactory,
    UserFactory,
)
from sscard.testing.ids import resident_id
from sscard.testing.otp import otp_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(citizen, bank, outlet):
    """A guardian's application for a child: a photo and two document scans."""
    birth = timezone.localdate() - timedelta(days=365 * 6)
    form = apply_form(
        citizen.person,
        bank,
        outlet,
        doc_type="household",
        doc_number=resident_id(birth, male=False),
        name="张小红",
        gender="F",
        birth_date=birth.isoformat(),
        relationship="father",
    )
    return services.application_submit_apply(
        requester=Requester(user=citizen, trust=TrustLevel.L4),
        data=form,
        files={
            "photo": photos.upload(photos.compliant_photo()),
            "household": photos.upload(photos.pdf_document(), "户口簿.pdf"),
            "guardian_proof": photos.upload(photos.compliant_photo(), "证明.jpg"),
        },
    )


def url(material: Material) -> str:
    return reverse("files:material", args=[material.pk])


def get_as(client, user, material):
    """Staff sign in with both factors, as the back office has them; others with a password."""
    if user is not None and user.role in STAFF_ROLES:
        otp_login(client, user)
    elif user is not None:
        client.force_login(user)
    return client.get(url(material))


def test_the_applicant_gets_the_photo_inline_and_never_sniffed(client, citizen, application):
    photo = application.materials.get(kind="photo")

    response = get_as(client, citizen, photo)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "我的" not in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")


def test_documents_are_only_ever_downloads(client, citizen, application):
    household = application.materials.get(kind="household")

    response = get_as(client, citizen, household)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Disposition"].endswith(f'filename="household-{household.pk}.pdf"')


def test_the_person_sees_their_own_photo_on_file(client, citizen):
    photo = Material.objects.create(
        person=citizen.person,
        kind="photo",
        file=photos.upload(photos.compliant_photo()),
        content_type="image/jpeg",
    )

    assert get_as(client, citizen, photo).status_code == 200


@pytest.mark.parametrize(
    "who",
    ["anonymous", "another citizen", "an employer", "a clerk of another outlet"],
)
def test_anyone_else_gets_not_found(client, application, who):
    photo = application.materials.get(kind="photo")
    user = {
        "anonymous": lambda: None,
        "another citizen": UserFactory,
        "an employer": EmployerAgentFactory,
        "a clerk of another outlet": lambda: StaffFactory(
            role=User.Role.CLERK, outlet=OutletFactory(code="PN01", name="普宁网点")
        ),
    }[who]()

    assert get_as(client, user, photo).status_code == 404


def test_a_missing_material_is_not_found_like_a_forbidden_one(client, citizen):
    client.force_login(citizen)

    assert client.get(reverse("files:material", args=[999_999])).status_code == 404


def test_a_reviewer_sees_every_material_and_the_view_is_audited(client, reviewer, application):
    household = application.materials.get(kind="household")

    for material in application.materials.all():
        assert get_as(client, reviewer, material).status_code == 200

    record = AuditRecord.objects.get(action="material.view", target_id=str(household.pk))
    assert record.actor_id == reviewer.pk
    assert record.detail == {"kind": "household"}


def test_a_staff_password_without_the_second_factor_opens_no_file(client, reviewer, application):
    """A reviewer's password alone (the portal's login accepts it) must not reach the files
    the back office guards with TOTP."""
    client.force_login(reviewer)
    for material in application.materials.all():
        assert client.get(url(material)).status_code == 404
    assert not AuditRecord.objects.filter(action="material.view").exists()


def test_an_administrator_sees_the_materials_too(client, application):
    admin = StaffFactory(role=User.Role.ADMIN)

    assert get_as(client, admin, application.materials.get(kind="household")).status_code == 200


def test_production_sees_the_photo_of_an_ordered_card_but_not_the_documents(
    client, producer, reviewer, application
):
    photo = application.materials.get(kind="photo")
    assert get_as(client, producer, photo).status_code == 404  # not approved yet

    approve(application, reviewer)

    assert get_as(client, producer, photo).status_code == 200
    assert get_as(client, producer, application.materials.get(kind="household")).status_code == 404


def test_the_clerk_of_the_collecting_outlet_sees_the_photo_once_the_card_is_ordered(
    client, clerk, reviewer, application
):
    photo = application.materials.get(kind="photo")
    assert get_as(client, clerk, photo).status_code == 404  # no order for the outlet yet

    approve(application, reviewer)

    assert get_as(client, clerk, photo).status_code == 200
    assert get_as(client, clerk, application.materials.get(kind="household")).status_code == 404


def test_only_get_is_answered(client, citizen, application):
    client.force_login(citizen)

    response = client.post(url(application.materials.get(kind="photo")))

    assert response.status_code == 405
