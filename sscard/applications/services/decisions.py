"""The reviewer's decisions: 受理, 退回补正, 不予通过, 审核通过, and ending an application whose
card cannot be made. Only reviewers decide, never on an application they had a hand in making
(submitted, corrected, resubmitted or took in at the counter: :mod:`sscard.applications.duties`)
— save one case: a paid 补换卡 with nothing for a person to check, in a region that sends paid
applications to production (:func:`application_route_paid`), is accepted and approved by the
system."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sscard.accounts.models import User
from sscard.accounts.services import Relation, guardianship_confirm
from sscard.applications.constants import (
    ApplicationAction,
    AppStatus,
    ItemCode,
    MaterialKind,
    ReissueKind,
    RejectReason,
    ReplaceReason,
    ReturnReason,
    SlaState,
    refusal_word,
)
from sscard.applications.duties import ensure_may_decide
from sscard.applications.models import Application, Material
from sscard.applications.notices import notify_application
from sscard.applications.services.contact import CONTACT_REVISED, _record_applicant_contact
from sscard.applications.services.transitions import _due_on, application_transition
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.cards.services import card_cancel, card_lock_current
from sscard.core.errors import DomainError, InvalidTransition
from sscard.notifications.constants import Event
from sscard.production.constants import Delivery, Stage
from sscard.production.services import order_create
from sscard.regions.models import Bank, Outlet, PaidFeeGoesTo
from sscard.regions.selectors import region_settings

logger = logging.getLogger("sscard.applications")


def _locked_for_decision(application: Application, actor: User) -> Application:
    """The application under its row lock, once ``actor`` may decide it (a reviewer with no
    hand in its making)."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    ensure_may_decide(locked, actor)
    return locked


@transaction.atomic
def application_accept(
    *, application: Application, actor: User, now: datetime | None = None
) -> Application:
    """受理: the legal time limit starts counting from today. Only a newly submitted
    application is accepted: a returned one resumes its clock when the applicant resubmits."""
    now = now or timezone.now()
    application = _accept(_locked_for_decision(application, actor), actor, now)
    notify_application(Event.APPLICATION_ACCEPTED, application, now=now)
    return application


def _accept(
    application: Application, actor: User | None, now: datetime, note: str = ""
) -> Application:
    if application.status != AppStatus.SUBMITTED:
        hint = "，补正材料后由申请人重新提交" if application.status == AppStatus.RETURNED else ""
        raise InvalidTransition(f"办件当前为“{application.get_status_display()}”，不能受理{hint}")
    application = application_transition(
        application=application,
        to=AppStatus.ACCEPTED,
        actor=actor,
        action=ApplicationAction.ACCEPT,
        note=note,
        now=now,
        accepted_at=now,
        due_on=_due_on(timezone.localdate(now), application.item, 0),
    )
    if application.item == ItemCode.APPLY:
        assert actor is not None  # noqa: S101 — a reviewer's: the system decides no 申领
        _record_applicant_contact(application, actor, now=now)
    return application


def _reason_code(code: str, choices: type[ReturnReason] | type[RejectReason]) -> str:
    if code and code not in choices.values:
        raise DomainError("请选择原因类别", field="reason_code")
    return code or choices.OTHER


@transaction.atomic
def application_return(
    *,
    application: Application,
    actor: User,
    reason: str,
    reason_code: str = "",
    now: datetime | None = None,
) -> Application:
    """退回补正 with a reason category and the reviewer's words; the clock pauses until the
    applicant resubmits."""
    reason = reason.strip()
    if not reason:
        raise DomainError("请填写退回补正的原因", field="reason")
    code = _reason_code(reason_code, ReturnReason)
    application = _locked_for_decision(application, actor)
    now = now or timezone.now()
    application = application_transition(
        application=application,
        to=AppStatus.RETURNED,
        actor=actor,
        action=ApplicationAction.RETURN,
        note=reason,
        now=now,
        staff_note=reason[:300],
        reason_code=code,
        reviewer=actor,
        paused_since=timezone.localdate(now),
        due_on=None,
        sla_state=SlaState.ON_TIME,
    )
    notify_application(Event.APPLICATION_RETURNED, application, now=now)
    return application


@transaction.atomic
def application_reject(
    *,
    application: Application,
    actor: User,
    reason: str,
    reason_code: str = "",
    now: datetime | None = None,
) -> Application:
    """不予通过 (不予受理 before acceptance), with a reason category and the reviewer's words,
    before a decision was made."""
    reason = reason.strip()
    if not reason:
        raise DomainError("请填写不予通过的原因", field="reason")
    code = _reason_code(reason_code, RejectReason)
    application = _locked_for_decision(application, actor)
    if application.status not in (AppStatus.SUBMITTED, AppStatus.ACCEPTED):
        raise InvalidTransition(f"办件当前为“{application.get_status_display()}”，不能不予通过")
    decision = refusal_word(application.status)
    now = now or timezone.now()
    application = application_transition(
        application=application,
        to=AppStatus.REJECTED,
        actor=actor,
        action=ApplicationAction.REJECT,
        note=reason,
        now=now,
        staff_note=reason[:300],
        reason_code=code,
        reviewer=actor,
        decided_at=now,
    )
    notify_application(
        Event.APPLICATION_REJECTED, application, values={"decision": decision}, now=now
    )
    return application


@transaction.atomic
def application_end_after_failure(
    *, application: Application, actor: User, reason: str
) -> Application:
    """When a card cannot be produced at all (制卡失败 that re-sending will not cure), the
    reviewer ends the application: the unmade card is 注销 and the person may apply again."""
    reason = reason.strip()
    if not reason:
        raise DomainError("请填写终止办理的原因", field="reason")
    application = _locked_for_decision(application, actor)
    order = application.production_order
    if application.status != AppStatus.APPROVED or order is None or order.stage != Stage.FAILED:
        raise DomainError(
            "只有制卡失败的办件可以终止办理；其他情况请联系制卡管理员重新发送制卡数据",
            code="not_failed",
        )
    card_cancel(card=order.card, actor=actor, reason=f"制卡失败，终止办理：{reason}"[:200])
    return application_transition(
        application=application,
        to=AppStatus.REJECTED,
        actor=actor,
        action=ApplicationAction.END,
        note=reason,
        staff_note=reason[:300],
        reviewer=actor,
    )


@transaction.atomic
def application_approve(
    *, application: Application, actor: User, now: datetime | None = None
) -> Application:
    """审核通过: a new card number and its production order; on a reissue the old card is
    注销 now."""
    return _approve(_locked_for_decision(application, actor), actor, now or timezone.now())


def _approve(
    application: Application, actor: User | None, now: datetime, note: str = ""
) -> Application:
    if application.status != AppStatus.ACCEPTED:
        raise InvalidTransition(f"办件当前为“{application.get_status_display()}”，不能审核通过")
    form = application.form_data
    bank, outlet = _delivery_partners(form)
    old: Card | None = None
    if application.item == ItemCode.REISSUE and application.card is not None:
        old = card_lock_current(application.card, now=now)  # an expired temporary report is lifted
        if old.status not in (CardStatus.ACTIVE, CardStatus.LOST):
            raise DomainError(
                f"原卡当前为“{old.get_status_display()}”，需为正常或正式挂失状态才能审核通过",
                code="old_card_state",
            )
        card_cancel(
            card=old, actor=actor, reason=f"补换卡（{application.receipt_number}）", now=now
        )
    order = order_create(
        person=application.subject,
        bank=bank,
        delivery=form["delivery"],
        outlet=outlet,
        mail_address=form.get("mail_address", ""),
        actor=actor,
        now=now,
    )
    if application.item == ItemCode.APPLY and form.get(CONTACT_REVISED):
        assert actor is not None  # noqa: S101 — a reviewer's: the system decides no 申领
        _record_applicant_contact(application, actor, form[CONTACT_REVISED], now=now)
    if application.relation == Relation.GUARDIAN and application.applicant.person is not None:
        guardianship_confirm(
            guardian=application.applicant.person, ward=application.subject, actor=actor, now=now
        )
    application = application_transition(
        application=application,
        to=AppStatus.APPROVED,
        actor=actor,
        action=ApplicationAction.APPROVE,
        note=note,
        now=now,
        reviewer=actor,
        decided_at=now,
        production_order=order,
    )
    if old is not None:  # 补换卡: the old card is 注销 now, which the holder must hear of
        notify_application(
            Event.REISSUE_APPROVED, application, values={"old_card": old.masked_number}, now=now
        )
    else:
        notify_application(Event.APPLICATION_APPROVED, application, now=now)
    return application


def _delivery_partners(form: dict[str, Any]) -> tuple[Bank, Outlet | None]:
    """The bank and outlet the applicant chose, if they still serve: otherwise the reviewer
    returns the application so the applicant can choose again."""
    bank = Bank.objects.filter(code=form.get("bank"), active=True).first()
    if bank is None:
        raise DomainError(
            "申请人选择的合作银行已停止合作，请退回补正，由申请人重新选择合作银行",
            code="bank_inactive",
        )
    if form.get("delivery") != Delivery.OUTLET:
        return bank, None
    outlet = Outlet.objects.filter(code=form.get("outlet"), active=True).first()
    if outlet is None:
        raise DomainError(
            "申请人选择的领卡网点已停止服务，请退回补正，由申请人重新选择领卡网点",
            code="outlet_inactive",
        )
    return bank, outlet


# --- after payment: the review queue, or production ----------------------------------------

SYSTEM_ACCEPTED = "已缴费，系统自动受理"
SYSTEM_APPROVED = "系统自动审核通过：本人（或监护人）补换卡，沿用档案中已审核的照片"
# 换卡 for these reasons needs a person: the records corrected at a counter, or a reason in words
REPLACE_REASONS_FOR_REVIEW = frozenset({ReplaceReason.DETAILS_CHANGED, ReplaceReason.OTHER})


def needs_reviewer(application: Application) -> str:
    """Why a reviewer must look at ``application`` (empty when the system may decide it). What
    a reviewer checks on a 补换卡 is already settled for one made by the holder (or a minor's
    confirmed guardian) with the photo on record: the card's state (checked again at approval),
    who applies, the photo. An account flagged for staff (不是本人操作), a new photo, a 换卡 for
    changed card-face details or for another reason, a note to the reviewer, and every 申领
    (identity documents, a first photo, perhaps a guardian's proof) go to review."""
    if application.item != ItemCode.REISSUE:
        return "not_reissue"
    if application.relation not in (Relation.SELF, Relation.GUARDIAN):
        return "relation"
    if application.applicant.flagged_at is not None:  # a holder reported 不是本人操作
        return "account_flagged"
    form = application.form_data
    if form.get("kind") == ReissueKind.REPLACE and form.get("reason") in REPLACE_REASONS_FOR_REVIEW:
        return "replace_reason"
    if str(form.get("note", "")).strip():
        return "note"
    if not _photo_on_record(application):
        return "new_photo"
    return ""


def _photo_on_record(application: Application) -> bool:
    """The application's photo is one the person already had on record: imported with the
    record, or from an application a reviewer approved — not a new upload."""
    files = list(
        application.materials.filter(kind=MaterialKind.PHOTO).values_list("file", flat=True)
    )
    if len(files) != 1 or not files[0]:
        return False
    return (
        Material.objects.filter(person_id=application.subject_id, kind=MaterialKind.PHOTO)
        .filter(file=files[0])
        .exclude(application=application)
        .filter(
            Q(application__isnull=True)
            | Q(application__status__in=(AppStatus.APPROVED, AppStatus.COMPLETED))
        )
        .exists()
    )


def application_route_paid(*, application: Application, now: datetime) -> Application:
    """Where an application goes once its fee is paid (it is 已提交, locked by the caller):
    the review queue; or, where the region sends paid applications to production
    (``paid_fee_goes_to``) and :func:`needs_reviewer` finds nothing for a person to check,
    受理 and 审核通过 by the system — audited as the system, each step's note on the timeline
    saying so, the holder told as for any approval, the card's production order made as for
    any approval. An approval the system cannot make (the old card no longer 正常 or 正式挂失,
    the chosen bank or outlet no longer serving) changes nothing: the application waits in the
    review queue, where a reviewer sees why."""
    if (
        region_settings().paid_fee_goes_to != PaidFeeGoesTo.PRODUCTION
        or application.status != AppStatus.SUBMITTED
    ):
        return application
    reason = needs_reviewer(application)
    if reason:
        logger.info("application.paid_to_review", extra={"reason": reason})
        return application
    try:
        with transaction.atomic():
            accepted = _accept(application, None, now, note=SYSTEM_ACCEPTED)
            return _approve(accepted, None, now, note=SYSTEM_APPROVED)
    except DomainError as exc:
        logger.warning("application.system_approval_failed", extra={"code": exc.code})
        return Application.objects.get(pk=application.pk)
