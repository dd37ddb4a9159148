"""单位注册审核: an employer registers with its 营业执照 scan, waits 待审核 (signs in, downloads
the template, but neither uploads a batch nor applies for anyone) until a reviewer approves it
at /staff/employers/; a refusal carries its reason, which the employer reads, and a new
licence puts it back in the queue. The licence is shown to the employer and to reviewers only."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from sscard.accounts.models import Employer, User
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import eligibility
from sscard.applications.services import application_submit_apply
from sscard.applications.tests.helpers import apply_form
from sscard.audit.models import AuditRecord
from sscard.conftest import jpeg
from sscard.core.errors import DomainError
from sscard.employer_site.tests.test_views import register_post
from sscard.employers import review, services
from sscard.employers.models import Batch
from sscard.employers.samples import sample_files
from sscard.notifications.models import Message
from sscard.testing.factories import (
    EmployerAgentFactory,
    PersonFactory,
    StaffFactory,
    UserFactory,
)
from sscard.testing.photos import HTML_AS_JPG, pdf_document, png_photo, upload
from sscard.testing.sessions import sign_in, staff_client
from sscard.testing.sms import texts_to

pytestmark = pytest.mark.django_db

PHONE = "13800138000"  # the 经办人's phone register_post gives


def files(n: int = 2) -> dict[str, SimpleUploadedFile]:
    sample = sample_files(n)
    return {
        "workbook": SimpleUploadedFile("rows.xlsx", sample.workbook),
        "photos": SimpleUploadedFile("photos.zip", sample.photos),
    }


@pytest.fixture
def pending_agent(partners) -> User:
    return EmployerAgentFactory(username="hr_new", employer__pending=True, employer__licence=True)


# ---------------------------------------------------------------------------------------------
# Registration


def test_registration_without_a_licence_is_refused_next_to_the_field(client, partners):
    response = register_post(client, licence=None)
    assert response.status_code == 400
    assert response.context["form"].errors["licence"] == ["请上传营业执照扫描件"]
    page = response.content.decode()
    assert 'id="e-licence"' in page and "揭阳市新职工电子有限公司" in page  # the input kept
    assert not Employer.objects.exists()


def test_a_licence_is_typed_by_its_content_not_its_name(client, partners):
    response = register_post(client, licence=upload(HTML_AS_JPG, "营业执照.jpg", "image/jpeg"))
    assert response.status_code == 400
    assert "只能上传JPG、PNG、PDF格式的文件" in response.context["form"].errors["licence"][0]
    assert not Employer.objects.exists()


def test_a_licence_over_ten_megabytes_is_refused(client, partners):
    big = upload(b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "执照.pdf", "application/pdf")
    response = register_post(client, licence=big)
    assert response.status_code == 400
    assert response.context["form"].errors["licence"] == ["文件过大，最大10MB"]


def test_a_new_employer_is_pending_with_its_licence_stored_under_a_generated_name(client, partners):
    response = register_post(client, licence=upload(pdf_document(javascript=True), "营业执照.pdf"))
    assert response.status_code == 302
    employer = Employer.objects.get()
    assert employer.status == Employer.Status.PENDING
    assert employer.license_content_type == "application/pdf"
    assert employer.license_file.startswith("employer-licences/")
    assert "营业执照" not in employer.license_file
    with default_storage.open(employer.license_file, "rb") as handle:
        assert b"/JavaScript" not in handle.read()  # rewritten without its script
    home = client.get("/employer/").content.decode()
    assert "单位注册审核：待审核" in home
    assert AuditRecord.objects.filter(action="employer.account_registered").exists()


def test_a_new_employer_row_waits_for_review_by_default(db):
    # however it is made (the admin included), a new employer starts 待审核
    assert Employer.objects.create(name="揭阳市某公司", uscc="91445200MA4UXXXX1A").status == (
        Employer.Status.PENDING
    )


# ---------------------------------------------------------------------------------------------
# While pending: signs in, reads its status, downloads the template, does not act


def test_a_pending_employer_downloads_the_template_but_cannot_upload_a_batch(client, pending_agent):
    sign_in(client, pending_agent)
    template = client.get("/employer/batches/template.xlsx")
    assert template.status_code == 200
    page = client.get("/employer/batches/").content.decode()
    assert "单位注册审核通过后才能上传职工信息" in page
    assert 'name="workbook"' not in page
    # the service refuses whatever the page shows
    with pytest.raises(DomainError) as refused:
        services.batch_upload(user=pending_agent, **files())
    assert refused.value.code == "employer_pending"
    assert "审核通过后才能办理批量申领" in refused.value.message
    # and a hand-made POST is refused with the same words next to the form
    response = client.post("/employer/batches/", files())
    assert response.status_code == 400
    assert "单位注册正在审核中" in response.content.decode()
    assert not Batch.objects.exists()


def test_a_pending_employer_cannot_submit_an_application_for_an_employee(pending_agent, partners):
    bank, outlet = partners
    requester = Requester(user=pending_agent, trust=TrustLevel.L3)
    employee = PersonFactory.build()
    with pytest.raises(DomainError) as refused:
        application_submit_apply(
            requester=requester,
            data=apply_form(employee, bank, outlet),
            files={"photo": jpeg()},
        )
    assert refused.value.code == "employer_pending"
    # the item page's check says the same before the form
    with pytest.raises(DomainError, match="单位注册正在审核中"):
        eligibility.check_apply(requester=requester, subject=None)


def test_a_pending_employer_cannot_confirm_a_batch_it_could_not_upload(pending_agent):
    batch = Batch.objects.create(
        employer=pending_agent.employer,
        created_by=pending_agent,
        file_hash="0" * 64,
        row_count=1,
        good_count=1,
        status=Batch.Status.READY,
    )
    with pytest.raises(DomainError, match="单位注册正在审核中"):
        services.batch_submit(user=pending_agent, batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.READY


def test_the_portals_apply_page_tells_a_pending_employer_why_not(client, pending_agent):
    sign_in(client, pending_agent)
    page = client.get("/bundles/sscard/apply/new/", follow=True).content.decode()
    assert "单位注册正在审核中（待审核）" in page


# ---------------------------------------------------------------------------------------------
# Decisions


def test_approval_lets_the_employer_act_and_tells_it(
    client, partners, reviewer, django_capture_on_commit_callbacks, texts
):
    register_post(client)
    user = User.objects.get(username="xinzhigong")
    with django_capture_on_commit_callbacks(execute=True):
        review.employer_approve(employer_id=user.employer_id, actor=reviewer)
    user = User.objects.get(pk=user.pk)
    assert user.employer.status == Employer.Status.APPROVED
    assert user.employer.reviewed_by == reviewer
    with django_capture_on_commit_callbacks(execute=True):
        batch, created = services.batch_upload(user=user, **files())
    assert created and batch.employer == user.employer
    inbox = Message.objects.get(user=user, channel="inbox")
    assert inbox.title == "单位注册审核通过" and "揭阳市新职工电子有限公司" in inbox.body
    [sms] = texts_to(PHONE)
    assert "已审核通过" in sms
    record = AuditRecord.objects.get(action="employer.approved")
    assert (record.actor_id, record.target_id) == (reviewer.pk, str(user.employer_id))
    assert "单位注册审核：" not in client.get("/employer/").content.decode()


def test_a_refusal_needs_a_reason_and_the_employer_reads_it_then_uploads_again(
    client, partners, reviewer, django_capture_on_commit_callbacks, texts
):
    register_post(client)
    user = User.objects.get(username="xinzhigong")
    with pytest.raises(DomainError) as blank:
        review.employer_refuse(employer_id=user.employer_id, actor=reviewer, reason="  ")
    assert (blank.value.field, blank.value.message) == ("reason", "请填写不通过的原因")
    with pytest.raises(IntegrityError), transaction.atomic():
        Employer.objects.filter(pk=user.employer_id).update(status="refused", refusal_reason="")
    reason = "营业执照照片模糊，无法辨认统一社会信用代码"
    with django_capture_on_commit_callbacks(execute=True):
        review.employer_refuse(employer_id=user.employer_id, actor=reviewer, reason=reason)
    page = client.get("/employer/").content.decode()
    assert f"未通过：{reason}" in page
    assert reason in texts_to(PHONE)[0]
    with pytest.raises(DomainError, match=f"单位注册审核未通过（原因：{reason}）"):
        services.batch_upload(user=User.objects.get(pk=user.pk), **files())
    # a new licence: back to 待审核
    response = client.post(
        "/employer/licence/", {"licence": upload(png_photo(), "new.png", "image/png")}
    )
    assert response.status_code == 302
    employer = Employer.objects.get(pk=user.employer_id)
    assert employer.status == Employer.Status.PENDING and employer.refusal_reason == ""
    assert "单位注册审核：待审核" in client.get("/employer/licence/").content.decode()
    assert AuditRecord.objects.filter(action="employer.licence_replaced").count() == 1


def test_an_approved_employer_has_no_licence_to_replace(client, agent):
    sign_in(client, agent)
    response = client.post("/employer/licence/", {"licence": upload(png_photo(), "x.png")})
    assert response.status_code == 400
    assert "单位注册已审核通过，无需重新上传营业执照" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# The back office


def test_the_reviewer_sees_the_queue_with_masked_codes_and_the_licence_in_the_page(
    pending_agent, reviewer
):
    employer = pending_agent.employer
    client = staff_client(reviewer)
    queue = client.get("/staff/employers/").content.decode()
    assert employer.name in queue
    assert employer.masked_uscc in queue and employer.uscc not in queue
    detail = client.get(f"/staff/employers/{employer.pk}/").content.decode()
    assert f'<img class="bo-licence" src="/staff/employers/{employer.pk}/licence/"' in detail
    licence = client.get(f"/staff/employers/{employer.pk}/licence/")
    assert licence.status_code == 200 and licence["Content-Type"] == "image/png"
    assert licence["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in licence["Cache-Control"]
    assert AuditRecord.objects.filter(
        action="employer.licence_viewed", actor_id=reviewer.pk
    ).exists()


def test_staff_confirm_before_a_decision_and_a_refusal_without_reason_stays_on_the_page(
    pending_agent, reviewer
):
    employer = pending_agent.employer
    client = staff_client(reviewer)
    first = client.post(f"/staff/employers/{employer.pk}/approve/")
    assert first.status_code == 200 and "确认通过" in first.content.decode()
    employer.refresh_from_db()
    assert employer.status == Employer.Status.PENDING  # nothing done yet
    blank = client.post(f"/staff/employers/{employer.pk}/refuse/", {"reason": ""})
    assert blank.status_code == 400 and "请填写不通过的原因" in blank.content.decode()
    asked = client.post(f"/staff/employers/{employer.pk}/refuse/", {"reason": "名称不符"})
    assert "确认不通过" in asked.content.decode()
    done = client.post(
        f"/staff/employers/{employer.pk}/refuse/", {"reason": "名称不符", "confirm": "yes"}
    )
    assert done.status_code == 302
    employer.refresh_from_db()
    assert (employer.status, employer.refusal_reason) == ("refused", "名称不符")
    # the second reviewer, a moment late, is told who decided
    late = client.post(f"/staff/employers/{employer.pk}/approve/", {"confirm": "yes"}, follow=True)
    assert "该单位已由reviewer于" in late.content.decode()
    assert "您的操作未执行" in late.content.decode()
    employer.refresh_from_db()
    assert employer.status == Employer.Status.REFUSED
    assert (
        AuditRecord.objects.filter(action__in=("employer.approved", "employer.refused")).count()
        == 1
    )


@pytest.mark.parametrize("role", [User.Role.PRODUCER, User.Role.CLERK, User.Role.ADMIN])
def test_staff_without_the_permission_get_403_on_the_queue_and_the_licence(
    role, pending_agent, outlet
):
    client = staff_client(StaffFactory(role=role, outlet=outlet if role == "clerk" else None))
    pk = pending_agent.employer_id
    for url in ("/staff/employers/", f"/staff/employers/{pk}/", f"/staff/employers/{pk}/licence/"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/staff/employers/{pk}/approve/", {"confirm": "yes"}).status_code == 403
    assert Employer.objects.get(pk=pk).status == Employer.Status.PENDING


def test_a_reviewer_service_call_without_the_permission_is_refused(pending_agent, producer):
    with pytest.raises(DomainError, match="您没有审核单位注册的权限"):
        review.employer_approve(employer_id=pending_agent.employer_id, actor=producer)


def test_the_licence_is_not_reachable_by_other_employers_citizens_or_visitors(
    client, pending_agent, other_agent
):
    staff_url = f"/staff/employers/{pending_agent.employer_id}/licence/"
    assert client.get(staff_url).status_code == 302  # to the staff login
    assert client.get("/employer/licence/file/").status_code == 302  # to 点击登录
    sign_in(client, other_agent)
    assert client.get(staff_url).status_code == 403
    # its own address serves only its own licence: the other employer has none on file
    assert client.get("/employer/licence/file/").status_code == 404
    client.logout()
    sign_in(client, UserFactory())
    assert client.get(staff_url).status_code == 403
    assert client.get("/employer/licence/file/").status_code == 403
    client.logout()
    sign_in(client, pending_agent)
    own = client.get("/employer/licence/file/")
    assert own.status_code == 200 and own["Content-Type"] == "image/png"


def test_the_reviewer_role_carries_the_review_permission(reviewer, producer):
    assert reviewer.has_perm("accounts.review_employer")
    assert not producer.has_perm("accounts.review_employer")
