"""/files/<id>/: a material is served only to the applicant, the person and staff whose role
needs it; everyone else gets 404. A citizen signed in with only a password steps up first
(a code to the phone on file). Photos inline, documents as downloads, never sniffed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from sscard.accounts.models import User
from sscard.accounts.staff import STAFF_ROLES
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.models import Material
from sscard.applications.tests.helpers import apply_form, approve
from sscard.audit.models import AuditRecord
from sscard.portal.tests.helpers import step_up_by_sms
from sscard.testing import photos
from sscard.testing.factories import (
    EmployerAgentFactory,
    OutletFactory,
    StaffFactory,
    UserFactory,
)
from sscard.testing.ids import resident_id
from sscard.testing.otp import otp_login
from sscard.testing.sessions import sign_in

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


def get_as(client, user, material, trust=TrustLevel.L3_PLUS):
    """Staff sign in with both factors, as the back office has them; others with a password
    (and, unless told otherwise, the code to the phone on file that opening a file asks)."""
    if user is not None and user.role in STAFF_ROLES:
        otp_login(client, user)
    elif user is not None:
        sign_in(client, user, trust)
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


def test_the_file_is_decrypted_on_its_way_out_whole_and_a_changed_one_is_not_served(
    client, citizen, application
):
    scan = application.materials.get(kind="household")
    with open(default_storage.path(scan.file.name), "rb") as handle:
        sealed = bytearray(handle.read())
    assert not sealed.startswith(b"%PDF")  # on disk: only ciphertext

    response = get_as(client, citizen, scan)
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF") and response["Content-Length"] == str(len(body))

    sealed[-1] ^= 1
    with open(default_storage.path(scan.file.name), "wb") as handle:
        handle.write(sealed)
    assert client.get(url(scan)).status_code == 404


def test_a_missing_material_is_not_found_like_a_forbidden_one(client, citizen):
    sign_in(client, citizen, TrustLevel.L3_PLUS)

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
    sign_in(client, citizen, TrustLevel.L3_PLUS)

    response = client.post(url(application.materials.get(kind="photo")))

    assert response.status_code == 405


# ---------------------------------------------------------------------------------------------
# A password login (L3) is not enough to open one's own files (Action.OPEN_MATERIALS)


def test_at_l3_the_citizen_gets_the_step_up_page_and_not_the_file(client, citizen, application):
    household = application.materials.get(kind="household")

    answer = get_as(client, citizen, household, trust=TrustLevel.L3)

    assert answer.status_code == 403
    assert "Content-Disposition" not in answer
    html = answer.content.decode()
    assert "查看已上传的材料需先验证本人身份" in html
    assert "短信验证码验证" in html and "开始人脸识别验证" in html
    assert "no-store" in answer["Cache-Control"]
    assert b"%PDF" not in answer.content


def test_after_the_sms_step_up_the_file_opens_where_the_citizen_was(client, citizen, application):
    household = application.materials.get(kind="household")
    assert get_as(client, citizen, household, trust=TrustLevel.L3).status_code == 403

    back = step_up_by_sms(client, citizen.person, url(household))

    assert back["Location"] == url(household)
    opened = client.get(back["Location"])
    assert opened.status_code == 200
    assert opened["Content-Disposition"].startswith("attachment")
    assert b"".join(opened.streaming_content).startswith(b"%PDF")


def test_a_face_login_opens_the_file_at_once(client, citizen, application):
    assert (
        get_as(client, citizen, application.materials.get(kind="photo"), TrustLevel.L4).status_code
        == 200
    )


def test_at_l3_another_citizens_file_is_still_not_found_not_a_step_up(client, application):
    """The step-up is offered only for a file the citizen may see: it must not tell anyone
    else that a file exists."""
    stranger = UserFactory()

    answer = get_as(client, stranger, application.materials.get(kind="photo"), TrustLevel.L3)

    assert answer.status_code == 404
    assert get_as(client, stranger, Material(pk=999_999), TrustLevel.L3).status_code == 404


def test_the_region_may_let_a_password_login_open_the_files(client, citizen, application, region):
    region.action_levels = {**region.action_levels, "open_materials": "L3"}
    region.save()

    assert (
        get_as(client, citizen, application.materials.get(kind="photo"), TrustLevel.L3).status_code
        == 200
    )


def test_staff_need_no_step_up_their_sessions_stay_as_they_are(client, reviewer, application):
    """A reviewer's session carries no citizen trust level: role + TOTP decide, as before."""
    otp_login(client, reviewer)
    assert "trust" not in client.session

    assert client.get(url(application.materials.get(kind="household"))).status_code == 200
