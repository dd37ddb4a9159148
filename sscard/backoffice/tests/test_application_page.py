"""What the reviewer holds the application against on its page: each photo's true check
(compliant, fixed automatically, refused), which photo goes on the card after 补正, and for a
guardian's application the guardian's name, ID and relationship (masked until revealed)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.constants import MaterialKind, ReturnReason
from sscard.applications.models import Application
from sscard.applications.tests.helpers import apply_form, submit_apply
from sscard.audit.models import AuditRecord
from sscard.conftest import jpeg
from sscard.photos.check import check_photo
from sscard.testing import photos
from sscard.testing.factories import EmployerAgentFactory, PersonFactory, UserFactory
from sscard.testing.ids import resident_id
from sscard.testing.sessions import staff_client

pytestmark = pytest.mark.django_db


def _page(client, application: Application) -> str:
    return client.get(reverse("backoffice:application", args=[application.pk])).content.decode()


def _materials_section(html: str) -> str:
    return html.split("<h2>申请材料</h2>", 1)[1].split('<section class="bo-card"', 1)[0]


def test_a_compliant_photo_reads_compliant_on_the_reviewers_page(bank, outlet, reviewer):
    application = submit_apply(UserFactory(), bank, outlet)

    html = _materials_section(_page(staff_client(reviewer), application))

    assert "照片符合社会保障卡制证要求" in html
    assert "照片不符合要求" not in html and "已自动裁剪" not in html


def test_a_photo_fixed_automatically_says_so_with_what_was_wrong_with_the_original(
    bank, outlet, reviewer
):
    citizen = UserFactory()
    assert citizen.person is not None
    application = services.application_submit_apply(
        requester=Requester(user=citizen, trust=TrustLevel.L4),
        data=apply_form(citizen.person, bank, outlet),
        files={
            "photo": SimpleUploadedFile("p.jpg", photos.light_portrait(), content_type="image/jpeg")
        },
    )
    assert application.materials.get().photo_fixed

    html = _materials_section(_page(staff_client(reviewer), application))

    assert "照片已自动裁剪、调整为合格的证件照" in html
    assert "原照片的问题（已自动修正）" in html and "1280×1280像素" in html
    assert "照片不符合要求" not in html


def test_a_refused_photo_lists_each_failed_rule_with_what_was_measured(bank, outlet, reviewer):
    application = submit_apply(UserFactory(), bank, outlet)
    refused = check_photo(photos.coloured_background_photo())
    application.materials.filter(kind=MaterialKind.PHOTO).update(photo_check=refused.as_dict())

    html = _materials_section(_page(staff_client(reviewer), application))

    assert f"照片不符合要求（{len(refused.findings)}项）" in html and refused.findings
    assert "背景需为白色（浅色、无边框）" in html and "实测：" in html
    assert "照片符合社会保障卡制证要求" not in html


def test_after_a_correction_the_new_photo_is_marked_for_the_card_and_the_old_one_replaced(
    bank, outlet, reviewer
):
    citizen = UserFactory()
    application = submit_apply(citizen, bank, outlet)
    application = services.application_accept(application=application, actor=reviewer)
    services.application_return(
        application=application,
        actor=reviewer,
        reason="照片背景不清晰，请重新上传",
        reason_code=ReturnReason.PHOTO,
    )
    services.application_resubmit(
        requester=Requester(user=citizen, trust=TrustLevel.L4),
        application=application,
        data={},
        files={"photo": jpeg("new.jpg")},
    )
    old, new = application.materials.filter(kind=MaterialKind.PHOTO).order_by("pk")

    html = _materials_section(_page(staff_client(reviewer), application))

    figures = re.findall(r"<figure.*?</figure>", html, flags=re.S)
    assert len(figures) == 2
    by_file = {pk: next(f for f in figures if f"/files/{pk}/" in f) for pk in (old.pk, new.pk)}
    assert "制卡使用" in by_file[new.pk] and "已替换" not in by_file[new.pk]
    assert "已替换" in by_file[old.pk] and "制卡使用" not in by_file[old.pk]
    assert figures[0] == by_file[new.pk]  # the one on the card comes first


@pytest.fixture
def guardians_application(citizen, bank, outlet) -> Application:
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
        relationship="mother",
    )
    return services.application_submit_apply(
        requester=Requester(user=citizen, trust=TrustLevel.L4),
        data=form,
        files={"photo": jpeg(), "household": jpeg("hk.jpg"), "guardian_proof": jpeg("g.jpg")},
    )


def test_a_guardians_application_names_the_guardian_masked_with_the_relationship(
    guardians_application, citizen, reviewer
):
    guardian = citizen.person

    html = _page(staff_client(reviewer), guardians_application)

    assert "监护人代办" in html
    assert f"<dt>监护人姓名</dt><dd>{guardian.masked_name}</dd>" in html
    assert guardian.masked_doc_number in html
    assert "<dt>与被监护人关系</dt><dd>母亲（监护关系待核验）</dd>" in html
    assert guardian.doc_number not in html and guardian.name not in html


def test_revealing_shows_the_guardians_name_and_id_in_full_and_is_audited(
    guardians_application, citizen, reviewer
):
    guardian = citizen.person
    client = staff_client(reviewer)

    html = client.post(reverse("backoffice:reveal", args=[guardians_application.pk])).content
    html = html.decode()

    assert f"<dt>监护人姓名</dt><dd>{guardian.name}</dd>" in html
    assert guardian.doc_number in html
    assert AuditRecord.objects.filter(
        action="application.revealed", target_id=str(guardians_application.pk)
    ).exists()


def test_an_application_for_oneself_shows_no_guardian(bank, outlet, reviewer):
    html = _page(staff_client(reviewer), submit_apply(UserFactory(), bank, outlet))
    assert "监护人姓名" not in html


def _contact_section(html: str) -> str:
    return html.split("<h3>联系方式与档案不一致</h3>", 1)[1].split("</table>", 1)[0]


def test_the_reviewer_sees_where_the_applied_contact_differs_from_the_record(
    bank, outlet, reviewer
):
    citizen = UserFactory(person__phone="13800001234")
    application = submit_apply(citizen, bank, outlet)  # applies with 13912345678

    html = _contact_section(_page(staff_client(reviewer), application))

    assert "申请填写：139****5678" in html and "档案：138****1234" in html
    assert "受理后以申请填写的为准更新档案" in html
    assert "13912345678" not in html and "13800001234" not in html


def test_an_employers_application_says_the_record_is_not_overwritten(bank, outlet, reviewer):
    employee = PersonFactory(phone="13800001234")
    application = services.application_submit_apply(
        requester=Requester(user=EmployerAgentFactory(), trust=TrustLevel.L3),
        data=apply_form(employee, bank, outlet),
        files={"photo": jpeg()},
    )
    services.application_accept(application=application, actor=reviewer)

    html = _contact_section(_page(staff_client(reviewer), application))

    assert "申请填写：139****5678" in html and "档案：138****1234" in html
    assert "单位代办不覆盖个人档案" in html


def test_the_same_contact_as_the_record_shows_no_difference(bank, outlet, reviewer):
    citizen = UserFactory(
        person__phone="13912345678", person__address="广东省揭阳市榕城区新阳路18号"
    )
    application = submit_apply(citizen, bank, outlet, occupation="")

    assert "联系方式与档案不一致" not in _page(staff_client(reviewer), application)
