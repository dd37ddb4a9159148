"""The staff side (DOMAIN §1, §4.6, §5): accept, return for correction, reject, approve, the
legal time limit in working days that pauses during 补正, and production to the holder."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sscard.accounts.models import User
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.constants import ApplicationAction, AppStatus
from sscard.applications.models import Application, ApplicationEvent
from sscard.applications.selectors import application_deadline, applications_overdue
from sscard.applications.tests.helpers import (
    apply_form,
    approve,
    holder_document,
    produce_to_outlet,
    submit_apply,
)
from sscard.audit.models import AuditRecord
from sscard.cards.constants import CardStatus
from sscard.conftest import jpeg
from sscard.core.errors import DomainError
from sscard.core.workdays import WorkCalendar
from sscard.notifications.constants import Event
from sscard.notifications.models import Message
from sscard.production import services as production
from sscard.production.constants import Stage
from sscard.testing.factories import PersonFactory, StaffFactory, UserFactory, requester_for

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkCalendar()
MONDAY = date(2026, 3, 2)  # an ordinary week, far from any holiday


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def on(day: date):
    return time_machine.travel(at(day), tick=False)


def accepted_on(day: date, citizen, bank, outlet, reviewer) -> Application:
    with on(day):
        application = submit_apply(citizen, bank, outlet)
        return services.application_accept(application=application, actor=reviewer)


def working_day_with_remaining(due: date, remaining: int) -> date:
    """The working day from which ``remaining`` working days are left until ``due``."""
    day = due
    while not (CALENDAR.is_workday(day) and CALENDAR.working_days_between(day, due) == remaining):
        day = date.fromordinal(day.toordinal() - 1)
    return day


def refresh(application: Application) -> Application:
    application.refresh_from_db()
    return application


# --- 受理 and the legal deadline -------------------------------------------------------------


def test_accepting_starts_the_clock_of_25_working_days(citizen, bank, outlet, reviewer):
    application = accepted_on(MONDAY, citizen, bank, outlet, reviewer)

    assert application.status == AppStatus.ACCEPTED
    assert application.accepted_at == at(MONDAY)
    assert application.due_on == CALENDAR.add_working_days(MONDAY, 25)
    assert application.paused_since is None


def test_steps_told_when_they_happened_are_numbered_timed_and_told_as_of_then(
    citizen, bank, outlet, reviewer
):
    """The services take the time of each step (the demo data replays the past this way): the
    receipt number, the timeline, the audit trail, the deadline and the holder's messages are
    those of that moment, whatever the clock says."""
    submitted, accepted = at(MONDAY, 9), at(date(2026, 3, 3), 11)
    assert citizen.person is not None
    application = services.application_submit_apply(
        requester=Requester(user=citizen, trust=TrustLevel.L4),
        data=apply_form(citizen.person, bank, outlet),
        files={"photo": jpeg()},
        now=submitted,
    )
    services.application_accept(application=application, actor=reviewer, now=accepted)

    application = refresh(application)
    assert application.receipt_number[6:14] == "20260302"
    assert application.submitted_at == submitted
    assert application.accepted_at == application.updated_at == accepted
    assert application.due_on == CALENDAR.add_working_days(date(2026, 3, 3), 25)
    assert [event.at for event in application.events.order_by("pk")] == [submitted, accepted]
    trail = AuditRecord.objects.filter(
        target_type="applications.application", target_id=str(application.pk)
    )
    assert sorted(record.at for record in trail) == [submitted, accepted]
    told = Message.objects.filter(notification__event=Event.APPLICATION_ACCEPTED)
    assert told.exists()
    assert {message.created_at for message in told} == {accepted}


def test_accepted_before_national_day_the_deadline_skips_the_holidays(
    citizen, bank, outlet, reviewer
):
    application = accepted_on(date(2026, 9, 24), citizen, bank, outlet, reviewer)

    assert application.due_on == CALENDAR.add_working_days(date(2026, 9, 24), 25)
    assert application.due_on == date(2026, 11, 5)
    assert application.due_on > date(2026, 10, 8)  # after 国庆 and its make-up days


def test_the_deadline_is_not_set_before_acceptance(citizen, bank, outlet):
    application = submit_apply(citizen, bank, outlet)

    assert application.due_on is None
    assert application_deadline(application) is None


def test_accepting_twice_is_refused(citizen, bank, outlet, reviewer):
    application = accepted_on(MONDAY, citizen, bank, outlet, reviewer)

    with on(date(2026, 3, 5)), pytest.raises(DomainError, match="不能受理"):
        services.application_accept(application=application, actor=reviewer)

    assert refresh(application).accepted_at == at(MONDAY)


# --- 退回补正 pauses the clock --------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_returning_needs_a_reason(citizen, bank, outlet, reviewer, reason):
    application = accepted_on(MONDAY, citizen, bank, outlet, reviewer)

    with pytest.raises(DomainError, match="请填写退回补正的原因") as refused:
        services.application_return(application=application, actor=reviewer, reason=reason)

    assert refused.value.field == "reason"
    assert refresh(application).status == AppStatus.ACCEPTED


def test_returning_pauses_the_clock(citizen, bank, outlet, reviewer):
    application = accepted_on(MONDAY, citizen, bank, outlet, reviewer)

    with on(date(2026, 3, 3)):
        returned = services.application_return(
            application=application, actor=reviewer, reason="照片背景不是白色"
        )

    assert returned.status == AppStatus.RETURNED
    assert returned.due_on is None
    assert returned.paused_since == date(2026, 3, 3)
    assert returned.staff_note == "照片背景不是白色"
    deadline = application_deadline(returned, today=date(2026, 5, 1))
    assert deadline.paused
    assert not deadline.overdue


def test_resubmitting_after_a_week_moves_the_deadline_by_the_working_days_paused(
    citizen, bank, outlet, reviewer
):
    application = accepted_on(MONDAY, citizen, bank, outlet, reviewer)
    first_due = application.due_on
    with on(date(2026, 3, 3)):  # Tuesday
        services.application_return(application=application, actor=reviewer, reason="请补正照片")

    with on(date(2026, 3, 10)):  # the next Tuesday: Wed–Tue is five working days
        resubmitted = services.application_resubmit(
            requester=requester_for(citizen), application=application, data={}
        )

    assert resubmitted.status == AppStatus.ACCEPTED
    assert resubmitted.paused_since is None
    assert resubmitted.paused_days == 5
    assert resubmitted.due_on == CALENDAR.add_working_days(first_due, 5)
    assert resubmitted.due_on == date(2026, 4, 14)
    assert resubmitted.accepted_at == at(MONDAY)  # the clock resumes, it does not restart
    deadline = application_deadline(resubmitted, today=date(2026, 3, 10))
    assert deadline.due == resubmitted.due_on


def test_only_the_applicant_resubmits(citizen, bank, outlet, reviewer):
    application = accepted_on(MONDAY, citizen, bank, outlet, reviewer)
    services.application_return(application=application, actor=reviewer, reason="请补正照片")

    with pytest.raises(DomainError, match="未找到该办件"):
        services.application_resubmit(
            requester=requester_for(UserFactory()), application=application, data={}
        )


def test_staff_cannot_accept_a_returned_application_in_place_of_the_applicant(
    citizen, bank, outlet, reviewer
):
    application = accepted_on(MONDAY, citizen, bank, outlet, reviewer)
    with on(date(2026, 3, 3)):
        services.application_return(application=application, actor=reviewer, reason="请补正照片")

    with on(date(2026, 3, 20)), pytest.raises(DomainError, match="不能受理"):
        services.application_accept(application=application, actor=reviewer)

    application = refresh(application)
    assert application.status == AppStatus.RETURNED
    assert application.accepted_at == at(MONDAY)
    assert application.paused_since == date(2026, 3, 3)


# --- 不予通过, 撤回 ---------------------------------------------------------------------------


def test_rejecting_needs_a_reason(citizen, bank, outlet, reviewer):
    application = accepted_on(MONDAY, citizen, bank, outlet, reviewer)

    with pytest.raises(DomainError, match="请填写不予通过的原因"):
        services.application_reject(application=application, actor=reviewer, reason=" ")

    assert refresh(application).status == AppStatus.ACCEPTED


def test_a_rejected_application_is_final(citizen, bank, outlet, reviewer):
    application = accepted_on(MONDAY, citizen, bank, outlet, reviewer)

    rejected = services.application_reject(
        application=application, actor=reviewer, reason="证件信息与户籍登记不一致"
    )

    assert rejected.status == AppStatus.REJECTED
    assert rejected.decided_at is not None
    assert rejected.staff_note == "证件信息与户籍登记不一致"
    with pytest.raises(DomainError, match="不能受理"):
        services.application_accept(application=rejected, actor=reviewer)
    with pytest.raises(DomainError, match="不能审核通过"):
        services.application_approve(application=rejected, actor=reviewer)
    with pytest.raises(DomainError, match="不能退回补正"):
        services.application_return(application=rejected, actor=reviewer, reason="再看看")
    with pytest.raises(DomainError, match="不能撤回"):
        services.application_withdraw(requester=requester_for(citizen), application=rejected)
    assert refresh(application).status == AppStatus.REJECTED


def test_a_rejected_application_frees_the_way_for_a_new_one(citizen, bank, outlet, reviewer):
    application = accepted_on(MONDAY, citizen, bank, outlet, reviewer)
    services.application_reject(application=application, actor=reviewer, reason="照片不合格")

    again = submit_apply(citizen, bank, outlet)

    assert again.status == AppStatus.SUBMITTED


@pytest.mark.parametrize("stage", ["submitted", "accepted", "returned"])
def test_the_applicant_withdraws_before_a_decision(citizen, bank, outlet, reviewer, stage):
    application = submit_apply(citizen, bank, outlet)
    if stage != "submitted":
        application = services.application_accept(application=application, actor=reviewer)
    if stage == "returned":
        application = services.application_return(
            application=application, actor=reviewer, reason="请补正照片"
        )

    withdrawn = services.application_withdraw(
        requester=requester_for(citizen), application=application
    )

    assert withdrawn.status == AppStatus.WITHDRAWN
    assert withdrawn.due_on is None
    assert withdrawn.paused_since is None


def test_an_approved_application_cannot_be_withdrawn(citizen, bank, outlet, reviewer):
    application = approve(submit_apply(citizen, bank, outlet), reviewer)

    with pytest.raises(DomainError, match="办件已审核通过，不能撤回"):
        services.application_withdraw(requester=requester_for(citizen), application=application)

    assert refresh(application).status == AppStatus.APPROVED


def test_nobody_withdraws_someone_elses_application(citizen, bank, outlet):
    application = submit_apply(citizen, bank, outlet)

    with pytest.raises(DomainError, match="未找到该办件"):
        services.application_withdraw(
            requester=requester_for(UserFactory()), application=application
        )

    assert refresh(application).status == AppStatus.SUBMITTED


# --- 审核通过 ---------------------------------------------------------------------------------


def test_a_reviewer_cannot_approve_their_own_application(bank, outlet, reviewer):
    own = StaffFactory(username="reviewer2", role=User.Role.REVIEWER, person=PersonFactory())
    application = services.application_accept(
        application=submit_apply(own, bank, outlet), actor=reviewer
    )

    with pytest.raises(DomainError, match="不能审核本人提交的申请"):
        services.application_approve(application=application, actor=own)

    assert refresh(application).status == AppStatus.ACCEPTED
    assert services.application_approve(application=application, actor=reviewer).status == (
        AppStatus.APPROVED
    )


def test_a_reviewer_cannot_accept_return_or_reject_their_own_application(bank, outlet, reviewer):
    own = StaffFactory(username="reviewer3", role=User.Role.REVIEWER, person=PersonFactory())
    submitted = submit_apply(own, bank, outlet)

    with pytest.raises(DomainError, match="不能审核本人提交的申请"):
        services.application_accept(application=submitted, actor=own)
    with pytest.raises(DomainError, match="不能审核本人提交的申请"):
        services.application_reject(application=submitted, actor=own, reason="材料不全")
    accepted = services.application_accept(application=submitted, actor=reviewer)
    with pytest.raises(DomainError, match="不能审核本人提交的申请"):
        services.application_return(application=accepted, actor=own, reason="照片不清晰")

    assert refresh(accepted).status == AppStatus.ACCEPTED


def test_an_application_not_yet_accepted_cannot_be_approved(citizen, bank, outlet, reviewer):
    application = submit_apply(citizen, bank, outlet)

    with pytest.raises(DomainError, match="办件当前为“已提交”，不能审核通过") as refused:
        services.application_approve(application=application, actor=reviewer)

    assert refused.value.code == "invalid_transition"
    assert refresh(application).production_order is None


def test_an_application_not_yet_accepted_cannot_be_returned(citizen, bank, outlet, reviewer):
    application = submit_apply(citizen, bank, outlet)

    with pytest.raises(DomainError, match="不能退回补正"):
        services.application_return(application=application, actor=reviewer, reason="请补正")


def test_approval_records_the_reviewer_and_the_time(citizen, bank, outlet, reviewer):
    with on(MONDAY):
        application = approve(submit_apply(citizen, bank, outlet), reviewer)

    assert application.reviewer == reviewer
    assert application.decided_at == at(MONDAY)
    assert application.production_order.stage == Stage.APPROVED


# --- the countdown staff see ---------------------------------------------------------------


def test_the_countdown_warns_within_three_working_days_of_the_deadline(
    citizen, bank, outlet, reviewer
):
    application = accepted_on(MONDAY, citizen, bank, outlet, reviewer)
    due = application.due_on

    calm = application_deadline(application, today=working_day_with_remaining(due, 4))
    warned = application_deadline(application, today=working_day_with_remaining(due, 3))
    last_day = application_deadline(application, today=due)

    assert (calm.remaining, calm.warning, calm.overdue) == (4, False, False)
    assert (warned.remaining, warned.warning, warned.overdue) == (3, True, False)
    assert (last_day.remaining, last_day.warning, last_day.overdue) == (0, True, False)
    assert calm.due == warned.due == due


def test_the_warning_window_is_a_setting(citizen, bank, outlet, reviewer, region):
    region.deadline_warning_days = 5
    region.save()
    application = accepted_on(MONDAY, citizen, bank, outlet, reviewer)

    deadline = application_deadline(
        application, today=working_day_with_remaining(application.due_on, 5)
    )

    assert deadline.warning


def test_the_countdown_shows_overdue_after_the_deadline(citizen, bank, outlet, reviewer):
    application = accepted_on(MONDAY, citizen, bank, outlet, reviewer)
    next_working_day = CALENDAR.add_working_days(application.due_on, 1)

    deadline = application_deadline(application, today=next_working_day)

    assert deadline.overdue
    assert deadline.remaining == -1
    assert not deadline.warning


def test_overdue_applications_are_listed_but_paused_ones_are_not(citizen, bank, outlet, reviewer):
    late = accepted_on(MONDAY, citizen, bank, outlet, reviewer)
    paused = accepted_on(MONDAY, UserFactory(), bank, outlet, reviewer)
    on_time = accepted_on(date(2026, 4, 1), UserFactory(), bank, outlet, reviewer)
    with on(date(2026, 3, 3)):
        services.application_return(application=paused, actor=reviewer, reason="请补正照片")
    today = CALENDAR.add_working_days(late.due_on, 1)

    overdue = list(applications_overdue(today=today))

    assert overdue == [late]
    assert on_time.due_on >= today
    assert list(applications_overdue(today=late.due_on)) == []


def test_an_approved_application_past_its_deadline_is_still_overdue(
    citizen, bank, outlet, reviewer
):
    with on(MONDAY):
        application = approve(submit_apply(citizen, bank, outlet), reviewer)

    today = CALENDAR.add_working_days(application.due_on, 2)
    assert list(applications_overdue(today=today)) == [application]


# --- production to the holder ----------------------------------------------------------------


def test_a_failed_production_needs_a_reason_and_goes_back_to_the_officer(
    citizen, bank, outlet, reviewer, producer
):
    order = approve(submit_apply(citizen, bank, outlet), reviewer).production_order
    production.order_send_data(order=order, actor=producer)

    with pytest.raises(DomainError, match="请填写制卡失败原因"):
        production.order_fail(order=order, reason="  ", actor=None)
    failed = production.order_fail(order=order, reason="照片像素不足", actor=None)

    assert failed.stage == Stage.FAILED
    assert failed.failure_reason == "照片像素不足"

    resent = production.order_send_data(order=failed, actor=producer)

    assert resent.stage == Stage.DATA_SENT
    assert resent.failure_reason == ""
    stages = list(resent.events.values_list("stage", flat=True))
    assert stages == [Stage.APPROVED, Stage.DATA_SENT, Stage.FAILED, Stage.DATA_SENT]


def test_a_failure_is_reported_through_its_own_step(citizen, bank, outlet, reviewer, producer):
    order = approve(submit_apply(citizen, bank, outlet), reviewer).production_order
    production.order_send_data(order=order, actor=producer)

    with pytest.raises(DomainError, match="请使用对应的办理功能"):
        production.order_advance(order=order, to=Stage.FAILED, actor=producer)


def test_a_mailed_card_needs_a_tracking_number_and_is_confirmed_on_delivery(
    citizen, bank, outlet, reviewer, producer, clerk
):
    application = approve(
        submit_apply(
            citizen, bank, outlet, delivery="mail", mail_address="广东省揭阳市榕城区东山大道9号"
        ),
        reviewer,
    )
    order = application.production_order
    production.order_send_data(order=order, actor=producer)
    for stage in (Stage.PRODUCING, Stage.CITY_BANK):
        production.order_advance(order=order, to=stage, actor=producer)

    with pytest.raises(DomainError, match="请填写快递单号") as refused:
        production.order_advance(order=order, to=Stage.MAILED, actor=producer)
    assert refused.value.field == "tracking_number"
    with pytest.raises(DomainError, match="邮寄领卡，不能由网点签收"):
        production.order_advance(order=order, to=Stage.OUTLET, actor=producer)

    mailed = production.order_advance(
        order=order, to=Stage.MAILED, actor=producer, tracking_number="SF1234567890"
    )
    assert mailed.tracking_number == "SF1234567890"
    with pytest.raises(DomainError, match="邮寄领卡"):
        services.application_handover(order=order, actor=clerk, **holder_document(order))

    done = services.application_confirm_delivery(order=order, actor=None)

    assert done.status == AppStatus.COMPLETED
    assert done.completed_at is not None
    assert done.card == order.card
    order.card.refresh_from_db()
    assert order.card.status == CardStatus.SEALED


def test_an_outlet_card_is_not_confirmed_as_mailed(citizen, bank, outlet, reviewer, producer):
    application = produce_to_outlet(
        approve(submit_apply(citizen, bank, outlet), reviewer), producer
    )

    with pytest.raises(DomainError, match="网点领取"):
        services.application_confirm_delivery(order=application.production_order, actor=None)

    assert refresh(application).status == AppStatus.APPROVED


# --- the trail ------------------------------------------------------------------------------


def test_every_status_change_writes_a_timeline_event_and_an_audit_record(
    citizen, bank, outlet, reviewer, producer, clerk
):
    application = submit_apply(citizen, bank, outlet)
    services.application_accept(application=application, actor=reviewer)
    services.application_return(application=application, actor=reviewer, reason="请补正照片")
    services.application_resubmit(
        requester=requester_for(citizen, TrustLevel.L3), application=application, data={}
    )
    approved = services.application_approve(application=application, actor=reviewer)
    produce_to_outlet(approved, producer)
    services.application_handover(
        order=approved.production_order, actor=clerk, **holder_document(approved.production_order)
    )

    events = ApplicationEvent.objects.filter(application=application).order_by("id")
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("submit", "", AppStatus.SUBMITTED),
        ("accept", AppStatus.SUBMITTED, AppStatus.ACCEPTED),
        ("return", AppStatus.ACCEPTED, AppStatus.RETURNED),
        ("resubmit", AppStatus.RETURNED, AppStatus.ACCEPTED),
        ("approve", AppStatus.ACCEPTED, AppStatus.APPROVED),
        ("complete", AppStatus.APPROVED, AppStatus.COMPLETED),
    ]
    assert events.get(action="return").note == "请补正照片"
    assert events.get(action="accept").actor_label == "reviewer"
    records = AuditRecord.objects.filter(
        target_type="applications.application", target_id=str(application.pk)
    ).order_by("id")
    assert [r.action for r in records] == [
        "application.apply",
        "application.accept",
        "application.return",
        "application.resubmit",
        "application.approve",
        "application.complete",
    ]
    assert records.get(action="application.approve").actor_id == reviewer.pk


def test_a_refused_step_writes_no_event_and_no_audit_record(citizen, bank, outlet, reviewer):
    application = submit_apply(citizen, bank, outlet)
    events, records = ApplicationEvent.objects.count(), AuditRecord.objects.count()

    with pytest.raises(DomainError):
        services.application_approve(application=application, actor=reviewer)

    assert ApplicationEvent.objects.count() == events
    assert AuditRecord.objects.count() == records


@pytest.mark.parametrize("closed", ["bank", "outlet"])
def test_approval_stops_when_the_chosen_bank_or_outlet_no_longer_serves(
    closed, citizen, bank, outlet, reviewer
):
    application = services.application_accept(
        application=submit_apply(citizen, bank, outlet), actor=reviewer
    )
    target = bank if closed == "bank" else outlet
    target.active = False
    target.save()

    with pytest.raises(DomainError, match="请退回补正"):
        services.application_approve(application=application, actor=reviewer)
    assert refresh(application).status == AppStatus.ACCEPTED


def test_a_resubmitted_form_must_still_name_the_person_and_its_contact_waits_for_approval(
    citizen, bank, outlet, reviewer
):
    application = services.application_accept(
        application=submit_apply(citizen, bank, outlet), actor=reviewer
    )
    application = services.application_return(
        application=application, actor=reviewer, reason="手机号码有误"
    )
    requester = Requester(user=citizen, trust=TrustLevel.L3)

    with pytest.raises(DomainError, match="姓名与该证件号码的登记信息不一致"):
        services.application_resubmit(
            requester=requester, application=application, data={"name": "李四"}
        )
    services.application_resubmit(
        requester=requester, application=application, data={"phone": "13611112222"}
    )

    citizen.person.refresh_from_db()
    assert citizen.person.phone == "13912345678"  # as accepted, until a reviewer approves
    assert refresh(application).status == AppStatus.ACCEPTED
    services.application_approve(application=application, actor=reviewer)
    citizen.person.refresh_from_db()
    assert citizen.person.phone == "13611112222"
    assert citizen.person.address == "广东省揭阳市榕城区新阳路18号"


def test_an_application_whose_card_cannot_be_made_is_ended_and_the_person_may_apply_again(
    citizen, bank, outlet, reviewer, producer
):
    application = approve(submit_apply(citizen, bank, outlet), reviewer)
    order = application.production_order
    production.order_send_data(order=order, actor=producer)

    with pytest.raises(DomainError, match="只有制卡失败的办件可以终止办理"):
        services.application_end_after_failure(
            application=application, actor=reviewer, reason="照片无法使用"
        )
    production.order_fail(order=order, reason="芯片写入失败", actor=producer)
    ended = services.application_end_after_failure(
        application=application, actor=reviewer, reason="照片无法使用，需重新申领"
    )

    order.card.refresh_from_db()
    assert ended.status == AppStatus.REJECTED
    assert order.card.status == CardStatus.CANCELLED
    assert submit_apply(citizen, bank, outlet).status == AppStatus.SUBMITTED


def test_an_approved_application_cannot_simply_be_rejected(citizen, bank, outlet, reviewer):
    application = approve(submit_apply(citizen, bank, outlet), reviewer)

    with pytest.raises(DomainError, match="不能不予通过"):
        services.application_reject(application=application, actor=reviewer, reason="x")
    assert refresh(application).status == AppStatus.APPROVED


def test_a_timeline_step_is_named_in_chinese_and_a_value_no_step_has_as_stored():
    # “该办件已由…提交” when a reviewer acts on a submission someone else has not touched
    assert services.action_label(ApplicationAction.SUBMIT) == "提交"
    assert services.action_label("accept") == "受理"
    assert services.action_label("uncollected_sealed") == "逾期封存"
    assert services.action_label("legacy_step") == "legacy_step"
