"""Uploads on the way into an application: every file hardened and
stored under a generated name; the photo checked, fixed automatically when it can be, or
refused with the reasons, and nothing written when it is refused."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from PIL import Image

from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.models import Application, Material
from sscard.applications.services import transitions
from sscard.applications.tests.helpers import apply_form
from sscard.core.errors import DomainError
from sscard.photos.check import check_photo
from sscard.testing import photos
from sscard.testing.factories import CardFactory, StaffFactory, requester_for
from sscard.testing.ids import resident_id
from sscard.testing.otp import otp_login

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"^materials/(photo|household|guardian_proof)/[0-9a-f]{32}\.(jpg|png|pdf)$")


def apply_with(citizen, bank, outlet, photo: bytes, name: str = "我的证件照.jpg") -> Application:
    return services.application_submit_apply(
        requester=Requester(user=citizen, trust=TrustLevel.L4),
        data=apply_form(citizen.person, bank, outlet),
        files={"photo": photos.upload(photo, name)},
    )


def stored(material: Material) -> bytes:
    material.file.open("rb")
    try:
        return material.file.read()
    finally:
        material.file.close()


def test_a_compliant_photo_is_stored_as_it_is_with_its_check(citizen, bank, outlet, region):
    application = apply_with(citizen, bank, outlet, photos.compliant_photo())

    photo = application.materials.get(kind="photo")
    assert photo.photo_check["ok"] is True and photo.photo_fixed is False
    assert photo.photo_report is not None and photo.photo_report.findings == ()
    data = stored(photo)
    assert Image.open(BytesIO(data)).size == (358, 441)
    assert check_photo(data, region=region).ok
    assert photo.content_type == "image/jpeg" and photo.size == len(data)


def test_a_large_light_portrait_is_fixed_and_the_staff_see_both_checks(
    citizen, bank, outlet, region
):
    application = apply_with(citizen, bank, outlet, photos.light_portrait())

    photo = application.materials.get(kind="photo")
    assert photo.photo_fixed
    assert photo.photo_report is not None and photo.photo_report.ok
    original = photo.photo_original_report
    assert original is not None and {"size", "dpi"} <= original.rules
    data = stored(photo)
    assert Image.open(BytesIO(data)).size == (358, 441)
    assert check_photo(data, region=region).ok


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (photos.no_face_photo, "未检测到人脸"),
        (photos.two_faces_portrait, "检测到2张人脸"),
        (photos.coloured_background_portrait, "背景不是白色或浅色"),
        (photos.tiny_photo, "人像太小"),
        (photos.bomb_png, "图片像素过大"),
        (lambda: photos.HTML_AS_JPG, "只能上传JPG或PNG格式的图片"),
    ],
)
def test_a_photo_that_cannot_be_fixed_is_refused_with_the_reason_and_nothing_is_written(
    citizen, bank, outlet, make, reason
):
    with pytest.raises(DomainError) as refused:
        apply_with(citizen, bank, outlet, make())

    assert refused.value.field == "photo"
    assert reason in refused.value.message
    assert not Application.objects.exists()
    assert not Material.objects.exists()


def test_the_refusal_lists_what_the_check_found(citizen, bank, outlet):
    with pytest.raises(DomainError) as refused:
        apply_with(citizen, bank, outlet, photos.coloured_background_photo())

    assert refused.value.message.startswith("证件照不符合要求，无法自动修正：背景不是白色或浅色")
    assert "背景需为白色（浅色、无边框）（实测：浅色占0%" in refused.value.message
    assert refused.value.errors == {"photo": refused.value.message}


def test_files_are_stored_under_generated_names_never_the_users(citizen, bank, outlet):
    application = apply_with(citizen, bank, outlet, photos.compliant_photo(), "../../etc/x.html")

    name = application.materials.get(kind="photo").file.name
    assert GENERATED.match(name), name
    assert "x.html" not in name and "etc" not in name


def test_the_gps_position_of_a_phone_photo_is_not_stored(citizen, bank, outlet):
    application = apply_with(citizen, bank, outlet, photos.jpeg_with_gps(orientation=6))

    data = stored(application.materials.get(kind="photo"))
    image = Image.open(BytesIO(data))
    assert dict(image.getexif()) == {}
    assert b"PhoneMaker" not in data
    assert image.size == (358, 441)  # turned upright first


def guardian_files(**replace):
    files = {
        "photo": photos.upload(photos.compliant_photo()),
        "household": photos.upload(photos.pdf_document(javascript=True), "户口簿.pdf"),
        "guardian_proof": photos.upload(photos.compliant_photo(), "证明.jpg"),
    }
    files.update(replace)
    return files


def child_form(citizen, bank, outlet):
    birth = timezone.localdate() - timedelta(days=365 * 6)
    return apply_form(
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


def test_document_scans_are_hardened_and_typed_by_their_content(citizen, bank, outlet):
    application = services.application_submit_apply(
        requester=Requester(user=citizen, trust=TrustLevel.L4),
        data=child_form(citizen, bank, outlet),
        files=guardian_files(),
    )

    household = application.materials.get(kind="household")
    assert household.content_type == "application/pdf"
    assert GENERATED.match(household.file.name)
    assert b"/JavaScript" not in stored(household)
    assert household.photo_check == {}


def test_a_document_that_is_not_what_it_claims_is_refused_on_its_own_field(citizen, bank, outlet):
    with pytest.raises(DomainError) as refused:
        services.application_submit_apply(
            requester=Requester(user=citizen, trust=TrustLevel.L4),
            data=child_form(citizen, bank, outlet),
            files=guardian_files(guardian_proof=photos.upload(photos.HTML_AS_JPG, "证明.jpg")),
        )

    assert refused.value.field == "guardian_proof"
    assert not Application.objects.exists()


def test_a_reissue_without_a_new_photo_reuses_the_last_photo_and_its_check(citizen, bank, outlet):
    first = apply_with(citizen, bank, outlet, photos.light_portrait())
    first_photo = first.materials.get(kind="photo")
    Application.objects.filter(pk=first.pk).update(status="completed")
    card = CardFactory(person=citizen.person)

    reissue = services.application_submit_reissue(
        requester=requester_for(citizen, TrustLevel.L3_PLUS),
        card=card,
        data={
            "kind": "replace",
            "reason": "damaged",
            "bank": bank.code,
            "delivery": "outlet",
            "outlet": outlet.code,
        },
    )

    reused = reissue.materials.get(kind="photo")
    assert reused.file.name == first_photo.file.name
    assert reused.photo_check == first_photo.photo_check and reused.photo_fixed


def test_a_new_photo_on_a_reissue_is_checked_too(citizen, bank, outlet):
    card = CardFactory(person=citizen.person)

    with pytest.raises(DomainError) as refused:
        services.application_submit_reissue(
            requester=requester_for(citizen, TrustLevel.L3_PLUS),
            card=card,
            data={
                "kind": "replace",
                "reason": "damaged",
                "bank": bank.code,
                "delivery": "outlet",
                "outlet": outlet.code,
            },
            files={"photo": photos.upload(photos.two_faces_portrait())},
        )

    assert refused.value.field == "photo"
    assert not Application.objects.exists()


def test_the_admin_shows_the_photo_check_beside_the_file(client, citizen, bank, outlet):
    application = apply_with(citizen, bank, outlet, photos.light_portrait())
    photo = application.materials.get(kind="photo")
    otp_login(client, StaffFactory(username="root", role="admin", is_superuser=True))

    page = client.get(f"/admin/applications/application/{application.pk}/change/")

    html = page.content.decode()
    assert "合格（已自动修正）" in html
    assert f'href="/files/{photo.pk}/"' in html


def test_a_photo_sent_again_after_a_return_is_checked_and_fixed_too(
    citizen, bank, outlet, reviewer
):
    application = apply_with(citizen, bank, outlet, photos.compliant_photo())
    services.application_accept(application=application, actor=reviewer)
    services.application_return(application=application, actor=reviewer, reason="请补正照片")

    with pytest.raises(DomainError) as refused:
        services.application_resubmit(
            requester=requester_for(citizen),
            application=application,
            data={},
            files={"photo": photos.upload(photos.coloured_background_photo())},
        )
    assert refused.value.field == "photo"
    assert application.materials.count() == 1

    services.application_resubmit(
        requester=requester_for(citizen),
        application=application,
        data={},
        files={"photo": photos.upload(photos.light_portrait())},
    )

    newest = application.materials.filter(kind="photo").first()
    assert newest is not None and newest.photo_fixed
    assert application.materials.count() == 2


def test_the_files_of_a_submission_that_fails_midway_are_not_left_behind(
    citizen, bank, outlet, monkeypatch
):
    written = []
    note_written = transitions.note_written

    def note_then_fail(storage, name):
        note_written(storage, name)
        written.append((storage, name))
        if len(written) == 2:
            raise RuntimeError("the database went away")

    monkeypatch.setattr(transitions, "note_written", note_then_fail)

    with pytest.raises(RuntimeError):
        services.application_submit_apply(
            requester=Requester(user=citizen, trust=TrustLevel.L4),
            data=child_form(citizen, bank, outlet),
            files=guardian_files(),
        )

    assert len(written) == 2
    assert not any(storage.exists(name) for storage, name in written)
    assert not Material.objects.exists() and not Application.objects.exists()
