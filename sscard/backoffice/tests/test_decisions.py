"""Deciding applications on the detail page: 受理, 审核通过, 退回补正 (the clock pauses, and
resumes when the applicant resubmits), 不予受理 — each with reason codes where there is a
reason; masked data and an audited reveal; nobody decides what they submitted themselves."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from sscard.accounts.models import User
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import duties, services
from sscard.applications.constants import AppStatus, RejectReason, ReturnReason
from sscard.applications.models import Application
from sscard.applications.tests.helpers import apply_form, approve, submit_apply
from sscard.audit.models import AuditRecord
from sscard.backoffice.forms import ReturnForm
from sscard.cards.constants import CardStatus
from sscard.conftest import jpeg
from sscard.core.errors import DomainError
from sscard.production import services as production
from sscard.production.constants import Stage
from sscard.testing.factories import CardFactory, PersonFactory, StaffFactory, UserFactory
from sscard.testing.sessions import staff_client

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _url(name: str, application: Application) -> str:
    return reverse(f"backoffice:{name}", args=[application.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_accept_then_approve_a_card_application(bank, outlet, reviewer):
    application = submit_apply(UserFactory(), bank, outlet)
    client = staff_client(reviewer)

    response = client.post(_url("accept", application), {"status": "submitted"})
    application.refresh_from_db()
    assert response.status_code == 302
    assert application.status == AppStatus.ACCEPTED and application.due_on is not None

    page = client.get(_url("application", application)).content.decode()
    assert "审核通过" in page and "剩余 25 个工作日" in page

    response = client.post(_url("approve", application), {"status": "accepted"})
    application.refresh_from_db()
    assert response["Location"] == reverse("backoffice:queue")
    assert application.status == AppStatus.APPROVED
    assert application.production_order.stage == Stage.APPROVED
    assert any("已审核通过" in m for m in _messages(response))


def test_a_reissue_is_decided_the_same_way_and_its_old_card_is_cancelled(bank, outlet, reviewer):
    card = CardFactory(lost_formally=True, bank=bank)
    holder = UserFactory(person=card.person)
    services.application_submit_reissue(
        requester=Requester(user=holder, trust=TrustLevel.L4),
        card=card,
        data={"kind": "reissue", "bank": bank.code, "delivery": "outlet", "outlet": outlet.code},
        files={"photo": jpeg()},
    )
    application = Application.objects.get(item="reissue")
    client = staff_client(reviewer)
    client.post(_url("accept", application), {"status": "submitted"})
    client.post(_url("approve", application), {"status": "accepted"})
    application.refresh_from_db()
    card.refresh_from_db()
    assert application.status == AppStatus.APPROVED
    assert card.status == CardStatus.CANCELLED


def test_return_for_correction_pauses_the_clock_and_resubmission_resumes_it(bank, outlet, reviewer):
    citizen = UserFactory()
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=SHANGHAI), tick=False):
        application = services.application_accept(
            application=submit_apply(citizen, bank, outlet), actor=reviewer
        )
    assert application.due_on == date(2026, 12, 7)  # 25 working days after Monday 2 November
    with time_machine.travel(datetime(2026, 11, 4, 9, tzinfo=SHANGHAI), tick=False):
        response = staff_client(reviewer).post(
            _url("return", application),
            {"status": "accepted", "reason_code": ReturnReason.PHOTO, "reason": "背景不是白色"},
        )
    application.refresh_from_db()
    assert response.status_code == 302
    assert application.status == AppStatus.RETURNED
    assert application.reason_code == ReturnReason.PHOTO
    assert application.paused_since == date(2026, 11, 4) and application.due_on is None

    # five working days later the applicant sends a new photo: the deadline moves by five
    with time_machine.travel(datetime(2026, 11, 11, 9, tzinfo=SHANGHAI), tick=False):
        services.application_resubmit(
            requester=Requester(user=citizen, trust=TrustLevel.L4),
            application=application,
            data={},
            files={"photo": jpeg()},
        )
        application.refresh_from_db()
        assert application.status == AppStatus.ACCEPTED
        assert application.paused_days == 5
        assert application.due_on == date(2026, 12, 14)
        page = staff_client(reviewer).get(_url("application", application)).content.decode()
    assert "已暂停 5 个工作日" in page and "2026-12-14" in page


def test_not_accepted_with_a_reason_code_and_words(bank, outlet, reviewer):
    application = submit_apply(UserFactory(), bank, outlet)
    staff_client(reviewer).post(
        _url("reject", application),
        {"status": "submitted", "reason_code": RejectReason.DUPLICATE, "reason": "已在窗口申领"},
    )
    application.refresh_from_db()
    assert application.status == AppStatus.REJECTED
    assert application.reason_code == RejectReason.DUPLICATE
    assert application.staff_note == "已在窗口申领"


def test_a_decision_without_its_reason_is_refused_next_to_the_field(accepted, reviewer):
    response = staff_client(reviewer).post(
        _url("return", accepted), {"status": "accepted", "reason_code": "photo", "reason": ""}
    )
    accepted.refresh_from_db()
    assert response.status_code == 200
    assert accepted.status == AppStatus.ACCEPTED
    # Django's "This field is required." in the catalogue in force, right after the textarea
    required = str(ReturnForm.base_fields["reason"].error_messages["required"])
    assert required.startswith("这个字段是必")
    assert re.search(
        r'id="return-reason"[^>]*></textarea><span class="bo-error">' + re.escape(required),
        response.content.decode(),
    )


def test_a_decision_on_a_page_gone_stale_is_not_carried_out(accepted, reviewer, other_reviewer):
    # another reviewer's page still shows the application as newly submitted
    response = staff_client(other_reviewer).post(
        _url("reject", accepted),
        {"status": "submitted", "reason_code": "other", "reason": "不符合条件"},
    )
    accepted.refresh_from_db()
    assert accepted.status == AppStatus.ACCEPTED
    (message,) = _messages(response)
    assert "已由reviewer于" in message and "受理" in message and "您的操作未执行" in message


def test_a_reviewer_cannot_decide_what_they_submitted_at_the_counter(bank, outlet, reviewer):
    person = PersonFactory()
    application = services.application_submit_apply(
        requester=Requester(user=reviewer, trust=TrustLevel.L4, counter=True),
        data=apply_form(person, bank, outlet),
        files={"photo": jpeg()},
    )
    assert application.applicant == reviewer and application.relation == "counter"
    response = staff_client(reviewer).post(_url("accept", application), {"status": "submitted"})
    application.refresh_from_db()
    assert application.status == AppStatus.SUBMITTED
    assert _messages(response) == [duties.SUBMITTED_AT_COUNTER]


def test_whoever_resubmitted_at_the_counter_is_shown_why_instead_of_the_decisions(
    bank, outlet, reviewer, other_reviewer, clerk
):
    application = services.application_submit_apply(
        requester=Requester(user=clerk, trust=TrustLevel.L4, counter=True),
        data=apply_form(PersonFactory(), bank, outlet),
        files={"photo": jpeg()},
    )
    application = services.application_accept(application=application, actor=reviewer)
    application = services.application_return(application=application, actor=reviewer, reason="x")
    services.application_resubmit(
        requester=Requester(user=other_reviewer, trust=TrustLevel.L4, counter=True),
        application=application,
        data={},
        files={"photo": jpeg()},
    )
    unrelated = submit_apply(UserFactory(), bank, outlet)
    client = staff_client(other_reviewer)

    page = client.get(_url("application", application)).content.decode()
    assert "您为该办件办理过补正后重新提交，不能由您审核" in page
    assert _url("approve", application) not in page and _url("return", application) not in page
    assert _url("reject", application) not in page
    queue = client.get(reverse("backoffice:queue")).content.decode()
    (row,) = [r for r in queue.split("<tr ") if application.receipt_number in r]
    assert "本人经办，不能审核" in row
    (other_row,) = [r for r in queue.split("<tr ") if unrelated.receipt_number in r]
    assert "本人经办" not in other_row

    # the service refuses regardless of the page
    response = client.post(_url("approve", application), {"status": "accepted"})
    application.refresh_from_db()
    assert application.status == AppStatus.ACCEPTED
    assert _messages(response) == [duties.RESUBMITTED]

    # a reviewer who had no hand in it is offered the decisions and decides
    page = staff_client(reviewer).get(_url("application", application)).content.decode()
    assert _url("approve", application) in page and "不能由您审核" not in page


def test_an_administrator_is_offered_no_decisions(accepted, db):
    root = StaffFactory(username="root", role=User.Role.ADMIN, is_superuser=True)
    page = staff_client(root).get(_url("application", accepted)).content.decode()
    assert duties.NOT_A_REVIEWER in page and _url("approve", accepted) not in page


def test_personal_data_is_masked_until_revealed_and_the_reveal_is_audited(accepted, reviewer):
    person = accepted.subject
    client = staff_client(reviewer)
    page = client.get(_url("application", accepted)).content.decode()
    assert person.doc_number not in page and person.phone not in page
    assert person.masked_doc_number in page and person.masked_name in page

    revealed = client.post(_url("reveal", accepted)).content.decode()
    assert person.doc_number in revealed and person.name in revealed
    record = AuditRecord.objects.get(action="application.revealed")
    assert record.actor_id == reviewer.pk and record.target_id == str(accepted.pk)
    assert person.doc_number not in str(record.detail)
    # revealing is not remembered: the next visit is masked again
    assert person.doc_number not in client.get(_url("application", accepted)).content.decode()


def test_the_photo_is_viewable_by_the_reviewer_and_each_view_is_audited(accepted, reviewer):
    photo = accepted.materials.get(kind="photo")
    client = staff_client(reviewer)
    page = client.get(_url("application", accepted)).content.decode()
    url = reverse("files:material", args=[photo.pk])
    assert f'src="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert AuditRecord.objects.filter(action="material.view", target_id=str(photo.pk)).exists()


def test_staff_without_the_file_permission_see_no_files(accepted, producer):
    page = staff_client(producer).get(_url("application", accepted)).content.decode()
    assert "申请材料" not in page
    assert reverse("files:material", args=[accepted.materials.get().pk]) not in page


def test_the_reason_category_is_shown_with_the_reviewers_words(accepted, reviewer):
    services.application_return(
        application=accepted, actor=reviewer, reason="请补充户口簿", reason_code="material_missing"
    )
    page = staff_client(reviewer).get(_url("application", accepted)).content.decode()
    assert "【材料不齐全】请补充户口簿" in page


def test_an_unknown_reason_category_is_refused(accepted, reviewer):
    with pytest.raises(DomainError, match="请选择原因类别"):
        services.application_return(
            application=accepted, actor=reviewer, reason="x", reason_code="made_up"
        )


def test_an_application_whose_card_cannot_be_made_is_ended(bank, outlet, reviewer, producer):
    application = approve(submit_apply(UserFactory(), bank, outlet), reviewer)
    order = application.production_order
    production.order_send_data(order=order, actor=producer)
    production.order_fail(order=order, reason="照片质量不合格，制卡厂退回", actor=producer)
    client = staff_client(reviewer)
    page = client.get(_url("application", application)).content.decode()
    assert "终止办理（制卡失败：照片质量不合格，制卡厂退回）" in page

    client.post(_url("end", application), {"status": "approved", "reason": "申请人已去世"})
    application.refresh_from_db()
    order.card.refresh_from_db()
    assert application.status == AppStatus.REJECTED
    assert order.card.status == CardStatus.CANCELLED
