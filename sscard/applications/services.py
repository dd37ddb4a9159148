"""The seven items and the staff steps on applications. Every status change goes through
:func:`application_transition`: it locks the row, checks ``APPLICATION_TRANSITIONS``, writes the
timeline event and the audit record. Each service takes effect whole or not at all."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from sscard.accounts.models import Person, User, identity_hash
from sscard.accounts.services import (
    COUNTER_ROLES,
    ONLINE_CONTACT_FIELDS,
    Relation,
    employer_ensure_approved,
    employment_ensure,
    guardianship_claim,
    guardianship_confirm,
    person_change_contact,
    person_find_or_create,
    person_record_contact,
    require_role,
)
from sscard.accounts.trust import Action, Requester
from sscard.applications import eligibility
from sscard.applications.catalogue import SSCARD
from sscard.applications.constants import (
    APPLICATION_TRANSITIONS,
    WITHDRAWABLE,
    AppStatus,
    ItemCode,
    MaterialKind,
    ReissueKind,
    RejectReason,
    ReplaceReason,
    ReturnReason,
    SlaState,
)
from sscard.applications.forms import (
    CleanApply,
    FormErrors,
    clean_apply,
    clean_delivery,
    not_in_care_message,
)
from sscard.applications.materials import (
    PreparedUpload,
    Upload,
    files_removed_unless_committed,
    note_written,
    prepare_upload,
    prepare_uploads,
)
from sscard.applications.models import Application, ApplicationEvent, Material
from sscard.audit.models import AuditRecord
from sscard.audit.services import actor_label, audit_record
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.cards.services import (
    card_cancel,
    card_cancel_loss,
    card_enable,
    card_lock_current,
    card_report_loss,
)
from sscard.core.documents import DocumentError, validate_document
from sscard.core.errors import DomainError
from sscard.core.workdays import paused_working_days
from sscard.notifications.constants import Event
from sscard.notifications.services import notify
from sscard.production.constants import RECEIVABLE_STAGES, Delivery, Stage
from sscard.production.models import ProductionOrder
from sscard.production.services import order_collect, order_create
from sscard.regions.models import Bank, Outlet, RegionSettings
from sscard.regions.selectors import region_settings, work_calendar
from sscard.verification.models import Purpose
from sscard.verification.services import challenge_spend

NOT_FOUND = "未找到该办件"
# the form_data key naming the contact details an applicant revised after 退回补正
CONTACT_REVISED = "contact_revised"
# what a 申领 (and its 补正) stores of the uploads
APPLY_MATERIALS = (
    MaterialKind.PHOTO,
    MaterialKind.ID_SCAN,
    MaterialKind.HOUSEHOLD,
    MaterialKind.GUARDIAN_PROOF,
)


# ---------------------------------------------------------------------------------------------
# The one guarded transition, and creation


@transaction.atomic
def application_transition(
    *,
    application: Application,
    to: str,
    actor: User | None,
    action: str,
    note: str = "",
    **changes: Any,
) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if to not in APPLICATION_TRANSITIONS[application.status]:
        raise DomainError(
            f"办件当前为“{application.get_status_display()}”，不能{action_label(action)}",
            code="invalid_transition",
        )
    previous = application.status
    application.status = to
    for name, value in changes.items():
        setattr(application, name, value)
    application.save(update_fields=["status", *changes, "updated_at"])
    ApplicationEvent.objects.create(
        application=application,
        action=action,
        from_status=previous,
        to_status=to,
        actor_id=getattr(actor, "pk", None),
        actor_label=actor_label(actor),
        note=note[:300],
    )
    audit_record(
        actor=actor,
        action=f"application.{action}",
        target=application,
        detail={
            "receipt": application.receipt_number,
            "item": application.item,
            "from": previous,
            "to": to,
        },
    )
    return application


ACTION_LABELS = {
    "accept": "受理",
    "approve": "审核通过",
    "return": "退回补正",
    "reject": "不予通过",
    "withdraw": "撤回",
    "end": "终止办理",
    "resubmit": "补正后重新提交",
    "complete": "办结",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def _receipt_number(region: RegionSettings) -> str:
    stamp = timezone.localdate().strftime("%Y%m%d")
    return f"{region.region_code}{stamp}{secrets.randbelow(10**10):010d}"


def _already_submitted(user: User, submission_key: Any) -> Application | None:
    if submission_key is None:
        return None
    return Application.objects.filter(applicant=user, submission_key=submission_key).first()


def _create_application(
    *,
    item: str,
    requester: Requester,
    subject: Person,
    relation: str,
    card: Card | None,
    form_data: dict[str, Any],
    status: str,
    fee: Decimal = Decimal(0),
    submission_key: Any = None,
    region: RegionSettings,
) -> Application:
    """Insert the application with a fresh receipt number. A clash of receipt numbers is
    retried; the same submission twice returns the first; a second open card request for one
    person is refused even when two arrive at the same instant."""
    now = timezone.now()
    extra: dict[str, Any] = {"submission_key": submission_key} if submission_key else {}
    extra["outlet"] = _chosen_outlet(form_data)
    if status == AppStatus.COMPLETED:
        extra["completed_at"] = now
    for _attempt in range(10):
        receipt = _receipt_number(region)
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    receipt_number=receipt,
                    item=item,
                    applicant=requester.user,
                    subject=subject,
                    relation=relation,
                    card=card,
                    form_data=form_data,
                    status=status,
                    fee=fee,
                    **extra,
                )
        except IntegrityError:
            if Application.objects.filter(receipt_number=receipt).exists():
                continue
            first = _already_submitted(requester.user, submission_key)
            if first is not None:
                return first
            eligibility.ensure_no_open_card_application(subject)
            raise
        ApplicationEvent.objects.create(
            application=application,
            action="submit",
            to_status=status,
            actor_id=requester.user.pk,
            actor_label=actor_label(requester.user),
        )
        audit_record(
            actor=requester.user,
            action=f"application.{item}",
            target=application,
            detail={
                "receipt": receipt,
                "item": item,
                "status": status,
                "relation": relation,
                "trust": int(requester.trust),
            },
        )
        return application
    raise DomainError("受理编号生成失败，请稍后重试", code="receipt_exhausted")  # pragma: no cover


def _chosen_outlet(form_data: dict[str, Any]) -> Outlet | None:
    """The collection outlet the applicant chose: its district is the application's district
    in the staff queue and the dashboard (the form itself is encrypted)."""
    if form_data.get("delivery") != Delivery.OUTLET or not form_data.get("outlet"):
        return None
    return Outlet.objects.filter(code=form_data["outlet"]).first()


def _attach(
    application: Application, person: Person, kind: str, upload: UploadedFile | PreparedUpload
) -> Material:
    """Store one material under a generated name. ``upload`` is normally prepared (hardened,
    and for a photo checked and fixed) before the caller's transaction; a raw upload is
    prepared here."""
    prepared = (
        upload
        if isinstance(upload, PreparedUpload)
        else prepare_upload(kind, upload, region=region_settings())
    )
    material = Material.objects.create(
        application=application,
        person=person,
        kind=kind,
        file=prepared.file,
        content_type=prepared.content_type,
        size=prepared.size,
        photo_check=prepared.photo_check,
    )
    note_written(material.file.storage, material.file.name)
    return material


# ---------------------------------------------------------------------------------------------
# 1 申领


def _is_self(user: User, doc_type: str, raw_number: str, today: date) -> bool:
    if user.person is None:
        return False
    try:
        facts = validate_document(doc_type, raw_number, today=today)
    except (DocumentError, ValueError):
        return True  # the form check reports the number itself
    return user.person.identity_hash == identity_hash(facts.doc_type, facts.number)


def application_submit_apply(
    *,
    requester: Requester,
    data: dict[str, Any],
    files: Mapping[str, Upload],
    submission_key: Any = None,
    today: date | None = None,
) -> Application:
    """社会保障卡申领 for oneself, a minor in one's care, (employer) an employee, or (窗口代办)
    the person at the counter."""
    user = requester.user
    first = _already_submitted(user, submission_key)
    if first is not None:
        return first
    today = today or timezone.localdate()
    region = region_settings()
    is_employer = user.role == User.Role.EMPLOYER
    if requester.counter:
        require_role(user, *COUNTER_ROLES)
    elif is_employer:
        employer_ensure_approved(user.employer)  # before any file is read
    elif user.person is None:
        raise DomainError("请先完成实名认证，再申领社会保障卡", code="no_identity")
    for_someone_else = (
        not is_employer
        and not requester.counter
        and not _is_self(
            user, str(data.get("doc_type", "")), str(data.get("doc_number", "")), today
        )
    )
    provided = {kind for kind, upload in files.items() if upload}
    clean = clean_apply(
        data,
        provided,
        region=region,
        today=today,
        for_someone_else=for_someone_else,
        document_seen=requester.counter,
    )
    if for_someone_else and not (clean.facts.chinese_citizen and clean.age < region.guardian_age):
        raise DomainError(
            not_in_care_message(region),
            code="not_in_care",
            field="doc_number",
        )
    uploads = prepare_uploads(files, region=region)

    with files_removed_unless_committed(), transaction.atomic():
        subject, relation = _apply_subject(requester, clean, for_someone_else)
        subject = Person.objects.select_for_update().get(pk=subject.pk)
        # the same submission arriving in parallel: the one that got the lock first has won
        first = _already_submitted(user, submission_key)
        if first is not None:
            return first
        eligibility.check_apply(requester=requester, subject=subject, today=today)
        _check_name_on_record(subject, clean)
        first_issue = not Card.objects.filter(person=subject).exists()
        fee = Decimal(0) if first_issue and region.first_issue_free else region.reissue_fee
        application = _create_application(
            item=ItemCode.APPLY,
            requester=requester,
            subject=subject,
            relation=relation,
            card=None,
            form_data=clean.data,
            status=AppStatus.SUBMITTED,
            fee=fee,
            submission_key=submission_key,
            region=region,
        )
        if relation == Relation.GUARDIAN:
            assert user.person is not None  # noqa: S101 — a guardian is a person on record
            guardianship_claim(
                guardian=user.person,
                ward=subject,
                relationship=clean.data["relationship"],
                requester=requester,
            )
        for kind in APPLY_MATERIALS:
            if kind in uploads:
                _attach(application, subject, kind, uploads[kind])
        return application


def _check_name_on_record(subject: Person, clean: CleanApply) -> None:
    """The applicant's form must name the person on record. Its contact details stay on the
    application until a reviewer accepts it (:func:`applicant_contact_for_record`)."""
    if subject.name != clean.data["name"]:
        raise DomainError(
            "姓名与该证件号码的登记信息不一致，请核对", field="name", code="name_mismatch"
        )


def applicant_contact_for_record(
    application: Application, person: Person, fields: Iterable[str] = ONLINE_CONTACT_FIELDS
) -> dict[str, str]:
    """The contact details an 申领 puts on the person's record when a reviewer accepts it:
    what the applicant filled in; from an employer, only what the record lacks (an employer
    never overwrites an employee's own phone or address). Only values that differ."""
    form = application.form_data or {}
    values = {key: str(form.get(key) or "") for key in fields if key in ONLINE_CONTACT_FIELDS}
    if application.relation == Relation.EMPLOYER:
        values = {key: v for key, v in values.items() if v and not getattr(person, key)}
    return {key: v for key, v in values.items() if getattr(person, key) != v}


def _record_applicant_contact(
    application: Application, actor: User, fields: Iterable[str] = ONLINE_CONTACT_FIELDS
) -> None:
    """受理 (or, for details revised after 退回补正, 审核通过): the application's contact details
    become the person's (audited, with the receipt). Overwriting a phone or an address on
    record is a 信息变更 the holder is told of, on the old phone too."""
    person = Person.objects.select_for_update().get(pk=application.subject_id)
    before = {key: getattr(person, key) for key in ONLINE_CONTACT_FIELDS}
    changed = person_record_contact(
        person=person,
        values=applicant_contact_for_record(application, person, fields),
        actor=actor,
        receipt=application.receipt_number,
    )
    if any(before[key] for key in changed):  # a value replaced, not a blank filled
        notify(
            Event.CONTACT_CHANGED,
            person=person,
            context={"application": application, "old_phone": before["phone"], "changed": changed},
        )


def _apply_subject(
    requester: Requester, clean: CleanApply, for_someone_else: bool
) -> tuple[Person, str]:
    user = requester.user
    details = {
        "name": clean.data["name"],
        "gender": clean.data["gender"],
        "ethnicity": clean.data["ethnicity"],
        "nationality": clean.data["nationality"],
        "birth_date": date.fromisoformat(clean.data["birth_date"]),
    }
    if requester.counter:
        return person_find_or_create(facts=clean.facts, details=details), Relation.COUNTER
    if user.role == User.Role.EMPLOYER:
        if user.employer is None:
            raise DomainError("单位账号未关联单位信息", code="no_employer")
        person = person_find_or_create(facts=clean.facts, details=details)
        employment_ensure(employer=user.employer, person=person, actor=user)
        return person, Relation.EMPLOYER
    if for_someone_else:
        return person_find_or_create(facts=clean.facts, details=details), Relation.GUARDIAN
    assert user.person is not None  # noqa: S101 — checked by the caller
    return user.person, Relation.SELF


# ---------------------------------------------------------------------------------------------
# 4 补换卡


def application_submit_reissue(
    *,
    requester: Requester,
    card: Card,
    data: dict[str, Any],
    files: Mapping[str, Upload] | None = None,
    submission_key: Any = None,
    today: date | None = None,
) -> Application:
    """补卡 (only after 正式挂失) or 换卡 (from 正常 or 正式挂失, with a reason)."""
    files = files or {}
    first = _already_submitted(requester.user, submission_key)
    if first is not None:
        return first
    today = today or timezone.localdate()
    region = region_settings()
    errors = FormErrors()
    kind = str(data.get("kind", ""))
    reason = str(data.get("reason", ""))
    if kind not in ReissueKind.values:
        errors["kind"] = "请选择补卡或换卡"
    if kind == ReissueKind.REPLACE and reason not in ReplaceReason.values:
        errors["reason"] = "请选择换卡原因"
    delivery = clean_delivery(data, errors)
    errors.raise_if_any()
    uploads = prepare_uploads({MaterialKind.PHOTO: files.get(MaterialKind.PHOTO)}, region=region)

    with files_removed_unless_committed(), transaction.atomic():
        card = card_lock_current(card)  # an expired temporary report is lifted first
        person = Person.objects.select_for_update().get(pk=card.person_id)
        # the same submission arriving in parallel: the one that got the lock first has won
        first = _already_submitted(requester.user, submission_key)
        if first is not None:
            return first
        relation = eligibility.relation_for(ItemCode.REISSUE, requester, person, region)
        eligibility.check_reissue(requester=requester, card=card, kind=kind)
        if kind == ReissueKind.REPLACE and reason == ReplaceReason.EXPIRING:
            _check_expiring(card, region, today)
        photo = uploads.get(MaterialKind.PHOTO)
        previous_photo = Material.objects.filter(person=person, kind=MaterialKind.PHOTO).first()
        if photo is None and previous_photo is None:
            raise DomainError("请上传1寸白底免冠彩色电子证件照", field="photo")
        application = _create_application(
            item=ItemCode.REISSUE,
            requester=requester,
            subject=person,
            relation=relation,
            card=card,
            form_data={
                "kind": kind,
                "reason": reason if kind == ReissueKind.REPLACE else "",
                "note": str(data.get("note", ""))[:200],
                **delivery,
            },
            status=AppStatus.SUBMITTED,
            fee=region.reissue_fee,
            submission_key=submission_key,
            region=region,
        )
        if photo is not None:
            _attach(application, person, MaterialKind.PHOTO, photo)
        else:
            assert previous_photo is not None  # noqa: S101
            Material.objects.create(
                application=application,
                person=person,
                kind=MaterialKind.PHOTO,
                file=previous_photo.file.name,
                content_type=previous_photo.content_type,
                size=previous_photo.size,
                photo_check=previous_photo.photo_check,
            )
        notify(Event.REISSUE_SUBMITTED, person=person, context={"application": application})
        return application


def _check_expiring(card: Card, region: RegionSettings, today: date) -> None:
    if card.expires_on is None:
        raise DomainError("该社保卡没有有效期信息，不能因到期换卡", field="reason")
    days_left = (card.expires_on - today).days
    if days_left > region.expiry_replace_days:
        raise DomainError(
            f"该社保卡有效期至{card.expires_on:%Y-%m-%d}，到期前{region.expiry_replace_days}天内"
            "方可因有效期届满换卡",
            field="reason",
            code="not_expiring",
        )


# ---------------------------------------------------------------------------------------------
# The applicant's own steps: withdraw, resubmit after 退回补正


def _own(requester: Requester, application: Application) -> Application:
    """The applicant's own application; one made at a counter is followed up at any counter
    (the person comes back with their document, perhaps to another member of staff)."""
    if application.applicant_id == requester.user.pk:
        return application
    if requester.counter and application.relation == Relation.COUNTER:
        require_role(requester.user, *COUNTER_ROLES)
        return application
    raise DomainError(NOT_FOUND, code="not_found")


def application_withdraw(*, requester: Requester, application: Application) -> Application:
    """Withdraw before a decision (已提交, 已受理 or 退回补正)."""
    _own(requester, application)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status not in WITHDRAWABLE:
            raise DomainError(
                f"办件已{application.get_status_display()}，不能撤回", code="not_withdrawable"
            )
        return application_transition(
            application=application,
            to=AppStatus.WITHDRAWN,
            actor=requester.user,
            action="withdraw",
            paused_since=None,
            due_on=None,
        )


def application_resubmit(
    *,
    requester: Requester,
    application: Application,
    data: dict[str, Any],
    files: Mapping[str, Upload] | None = None,
    today: date | None = None,
) -> Application:
    """After 退回补正: the corrected form goes back to review and the clock runs again; the
    working days spent on the correction are not counted."""
    _own(requester, application)
    today = today or timezone.localdate()
    region = region_settings()
    uploads = prepare_uploads(files, region=region)
    with files_removed_unless_committed(), transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != AppStatus.RETURNED:
            raise DomainError("只有退回补正的办件可以重新提交", code="not_returned")
        form = dict(application.form_data)
        if application.item == ItemCode.APPLY:
            # the identity document cannot change: a different person needs a new application
            kept = {"doc_type", "doc_number"}
            merged = {**form, **{k: v for k, v in data.items() if k not in kept}}
            provided = set(uploads) | set(application.materials.values_list("kind", flat=True))
            clean = clean_apply(
                merged,
                provided,
                region=region,
                today=today,
                for_someone_else=application.relation == Relation.GUARDIAN,
                document_seen=application.relation == Relation.COUNTER,
            )
            subject = Person.objects.select_for_update().get(pk=application.subject_id)
            _check_name_on_record(subject, clean)
            # contact details revised here reach the record when the reviewer approves
            revised = {k for k in ONLINE_CONTACT_FIELDS if (form.get(k) or "") != clean.data.get(k)}
            revised |= set(form.get(CONTACT_REVISED, []))
            form = {**clean.data, **({CONTACT_REVISED: sorted(revised)} if revised else {})}
        else:
            errors = FormErrors()
            form.update(clean_delivery({**form, **data}, errors))
            errors.raise_if_any()
        for kind in APPLY_MATERIALS:
            if kind in uploads:
                _attach(application, application.subject, kind, uploads[kind])
        calendar = work_calendar(start=application.paused_since or today, end=today)
        paused = paused_working_days(
            calendar, paused_on=application.paused_since or today, resumed_on=today
        )
        total_paused = application.paused_days + paused
        accepted_on = timezone.localdate(application.accepted_at)
        return application_transition(
            application=application,
            to=AppStatus.ACCEPTED,
            actor=requester.user,
            action="resubmit",
            form_data=form,
            outlet=_chosen_outlet(form),
            paused_since=None,
            paused_days=total_paused,
            due_on=_due_on(accepted_on, application.item, total_paused),
        )


def _due_on(accepted_on: date, item: str, paused_days: int) -> date:
    limit = SSCARD.item(item).time_limit_days
    calendar = work_calendar(start=accepted_on)
    return calendar.add_working_days(accepted_on, limit + paused_days)


# ---------------------------------------------------------------------------------------------
# Staff: accept, approve, return, reject; the outlet hands the card over


def _refuse_own(application: Application, actor: User) -> None:
    """Only reviewers decide, and nobody decides on an application they submitted."""
    require_role(actor, User.Role.REVIEWER)
    if application.applicant_id == actor.pk:
        raise DomainError("不能审核本人提交的申请", code="own_application")


@transaction.atomic
def application_accept(*, application: Application, actor: User) -> Application:
    """受理: the legal time limit starts counting from today. Only a newly submitted
    application is accepted: a returned one resumes its clock when the applicant resubmits."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _refuse_own(application, actor)
    if application.status != AppStatus.SUBMITTED:
        hint = "，补正材料后由申请人重新提交" if application.status == AppStatus.RETURNED else ""
        raise DomainError(
            f"办件当前为“{application.get_status_display()}”，不能受理{hint}",
            code="invalid_transition",
        )
    now = timezone.now()
    application = application_transition(
        application=application,
        to=AppStatus.ACCEPTED,
        actor=actor,
        action="accept",
        accepted_at=now,
        due_on=_due_on(timezone.localdate(now), application.item, 0),
    )
    if application.item == ItemCode.APPLY:
        _record_applicant_contact(application, actor)
    notify(
        Event.APPLICATION_ACCEPTED, person=application.subject, context={"application": application}
    )
    return application


def _reason_code(code: str, choices: type[ReturnReason] | type[RejectReason]) -> str:
    if code and code not in choices.values:
        raise DomainError("请选择原因类别", field="reason_code")
    return code or choices.OTHER


@transaction.atomic
def application_return(
    *, application: Application, actor: User, reason: str, reason_code: str = ""
) -> Application:
    """退回补正 with a reason category and the reviewer's words; the clock pauses until the
    applicant resubmits."""
    reason = reason.strip()
    if not reason:
        raise DomainError("请填写退回补正的原因", field="reason")
    code = _reason_code(reason_code, ReturnReason)
    _refuse_own(application, actor)
    application = application_transition(
        application=application,
        to=AppStatus.RETURNED,
        actor=actor,
        action="return",
        note=reason,
        staff_note=reason[:300],
        reason_code=code,
        reviewer=actor,
        paused_since=timezone.localdate(),
        due_on=None,
        sla_state=SlaState.ON_TIME,
    )
    notify(
        Event.APPLICATION_RETURNED, person=application.subject, context={"application": application}
    )
    return application


@transaction.atomic
def application_reject(
    *, application: Application, actor: User, reason: str, reason_code: str = ""
) -> Application:
    """不予通过 (不予受理 before acceptance), with a reason category and the reviewer's words,
    before a decision was made."""
    reason = reason.strip()
    if not reason:
        raise DomainError("请填写不予通过的原因", field="reason")
    code = _reason_code(reason_code, RejectReason)
    application = Application.objects.select_for_update().get(pk=application.pk)
    _refuse_own(application, actor)
    if application.status not in (AppStatus.SUBMITTED, AppStatus.ACCEPTED):
        raise DomainError(
            f"办件当前为“{application.get_status_display()}”，不能不予通过",
            code="invalid_transition",
        )
    decision = "不予受理" if application.status == AppStatus.SUBMITTED else "不予通过"
    application = application_transition(
        application=application,
        to=AppStatus.REJECTED,
        actor=actor,
        action="reject",
        note=reason,
        staff_note=reason[:300],
        reason_code=code,
        reviewer=actor,
        decided_at=timezone.now(),
    )
    notify(
        Event.APPLICATION_REJECTED,
        person=application.subject,
        context={"application": application, "decision": decision},
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
    application = Application.objects.select_for_update().get(pk=application.pk)
    _refuse_own(application, actor)
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
        action="end",
        note=reason,
        staff_note=reason[:300],
        reviewer=actor,
    )


@transaction.atomic
def application_approve(*, application: Application, actor: User) -> Application:
    """审核通过: a new card number and its production order; on a reissue the old card is
    注销 now."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _refuse_own(application, actor)
    if application.status != AppStatus.ACCEPTED:
        raise DomainError(
            f"办件当前为“{application.get_status_display()}”，不能审核通过",
            code="invalid_transition",
        )
    form = application.form_data
    bank, outlet = _delivery_partners(form)
    old: Card | None = None
    if application.item == ItemCode.REISSUE and application.card is not None:
        old = card_lock_current(application.card)  # an expired temporary report is lifted
        if old.status not in (CardStatus.ACTIVE, CardStatus.LOST):
            raise DomainError(
                f"原卡当前为“{old.get_status_display()}”，需为正常或正式挂失状态才能审核通过",
                code="old_card_state",
            )
        card_cancel(card=old, actor=actor, reason=f"补换卡（{application.receipt_number}）")
    order = order_create(
        person=application.subject,
        bank=bank,
        delivery=form["delivery"],
        outlet=outlet,
        mail_address=form.get("mail_address", ""),
        actor=actor,
    )
    if application.item == ItemCode.APPLY and form.get(CONTACT_REVISED):
        _record_applicant_contact(application, actor, form[CONTACT_REVISED])
    if application.relation == Relation.GUARDIAN and application.applicant.person is not None:
        guardianship_confirm(
            guardian=application.applicant.person, ward=application.subject, actor=actor
        )
    application = application_transition(
        application=application,
        to=AppStatus.APPROVED,
        actor=actor,
        action="approve",
        reviewer=actor,
        decided_at=timezone.now(),
        production_order=order,
    )
    if old is not None:  # 补换卡: the old card is 注销 now, which the holder must hear of
        notify(
            Event.REISSUE_APPROVED,
            person=application.subject,
            context={"application": application, "old_card": old},
        )
    else:
        notify(
            Event.APPLICATION_APPROVED,
            person=application.subject,
            context={"application": application},
        )
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


HANDOVER_ID_MISMATCH = "证件号码与持卡人登记信息不一致，不能发卡。请核对领卡人的有效身份证件。"


def application_handover(
    *, order: ProductionOrder, actor: User, doc_type: str, doc_number: str
) -> Application:
    """网点柜员 hands the card over: the clerk checks the original of the identity document the
    collector shows and types its type and number (``doc_type``, ``doc_number``); they must name
    the card's holder (compared through the keyed hash, as the register compares identities).
    Only the holder collects: a document of anybody else is refused, audited, and changes
    nothing. Then the card is 封存 and the application 办结."""
    require_role(actor, User.Role.CLERK)
    try:
        facts = validate_document(doc_type, doc_number, today=timezone.localdate())
    except DocumentError as exc:
        raise DomainError(exc.message, code="invalid_document", field="doc_number") from exc
    person = Person.objects.only("identity_hash").get(pk=order.person_id)
    if identity_hash(facts.doc_type, facts.number) != person.identity_hash:
        # audited outside the handover's transaction, so that the refusal stays on record
        audit_record(
            actor=actor,
            action="card.handover",
            target=order,
            result=AuditRecord.Result.REFUSED,
            detail={"reason": "identity_mismatch"},
        )
        raise DomainError(HANDOVER_ID_MISMATCH, code="identity_mismatch", field="doc_number")
    return _handover(order=order, actor=actor)


@transaction.atomic
def _handover(*, order: ProductionOrder, actor: User) -> Application:
    # lock the order's row only: PostgreSQL refuses FOR UPDATE on the nullable outlet join
    order = (
        ProductionOrder.objects.select_for_update(of=("self",))
        .select_related("outlet")
        .get(pk=order.pk)
    )
    if order.delivery != Delivery.OUTLET:
        raise DomainError("该卡为邮寄领卡，不在网点发放", code="wrong_delivery")
    if actor.outlet_id != order.outlet_id:
        raise DomainError("该卡不在本网点，请核对领卡网点", code="wrong_outlet")
    order_collect(order=order, actor=actor, place=order.outlet.name if order.outlet else "")
    return Application.objects.get(production_order=order)


RECEIPT_CONFIRMED_BY_HOLDER = "本人确认收到"


def _receive_mailed(
    order: ProductionOrder, *, actor: User | None, place: str, note: str = ""
) -> Application:
    """已领卡 of a mailed card, once: the order's row is locked first, so the holder's
    确认收到, the courier's signed-for report and the periodic confirmation arriving together
    make one collection (one 办结, one message); whoever comes second finds it done."""
    order = ProductionOrder.objects.select_for_update().get(pk=order.pk)
    if order.delivery != Delivery.MAIL:
        raise DomainError(
            "该卡为网点领取，请本人携带有效身份证件到领卡网点领取", code="wrong_delivery"
        )
    if order.stage != Stage.COLLECTED:
        if order.stage not in RECEIVABLE_STAGES:
            raise DomainError("社保卡尚未寄出，收到社保卡后再确认收到", code="not_mailed")
        order_collect(order=order, actor=actor, place=place, note=note)
    return Application.objects.get(production_order=order)


@transaction.atomic
def application_confirm_delivery(
    *, order: ProductionOrder, actor: User | None, place: str = "邮寄签收", note: str = ""
) -> Application:
    """A mailed card was signed for by its holder (the production officer, or the system:
    the periodic confirmation after delivery). Confirming again changes nothing."""
    if actor is not None:
        require_role(actor, User.Role.PRODUCER)
    return _receive_mailed(order, actor=actor, place=place, note=note)


@transaction.atomic
def application_confirm_receipt(*, requester: Requester, order: ProductionOrder) -> Application:
    """确认收到: the holder (or a minor's guardian) says the mailed card has arrived — the card
    is 封存, ready for 启用, and the application 办结. Needs the region's level for
    ``Action.CONFIRM_RECEIPT`` (default L3+: a card someone else says they received is a card
    in someone else's hands). Confirming twice changes nothing."""
    region = region_settings()
    eligibility.relation_for(ItemCode.ENABLE, requester, order.person, region)
    eligibility.ensure_trust(Action.CONFIRM_RECEIPT, requester, region)
    return _receive_mailed(
        order,
        actor=requester.user,
        place=RECEIPT_CONFIRMED_BY_HOLDER,
        note=f"快递单号 {order.tracking_number}" if order.tracking_number else "",
    )


def application_complete_on_collection(
    *, order: ProductionOrder, actor: User | None, **_kwargs: Any
) -> None:
    """``order_collected``'s receiver: the application the order was made for is 办结 with
    the order's collection (an order made without one — a test's — has none to complete)."""
    application = Application.objects.filter(production_order=order).first()
    if application is not None:
        _complete(order, application, actor)


def _complete(order: ProductionOrder, application: Application, actor: User | None) -> Application:
    # a reissue keeps the card it replaced; the new card is the order's
    changes: dict[str, Any] = {"completed_at": timezone.now()}
    if application.card_id is None:
        changes["card"] = order.card
    return application_transition(
        application=application,
        to=AppStatus.COMPLETED,
        actor=actor,
        action="complete",
        **changes,
    )


# ---------------------------------------------------------------------------------------------
# 2 启用, 3 挂失与解挂, 5 信息变更: 即时办结, recorded as completed applications


def _card_for(
    item: str, requester: Requester, card: Card, region: RegionSettings
) -> tuple[Card, str]:
    """The card, locked: two submissions for one card are taken one after the other."""
    card_lock_current(card)
    card = Card.objects.select_related("person").get(pk=card.pk)
    return card, eligibility.relation_for(item, requester, card.person, region)


class LossAction(StrEnum):
    TEMPORARY = "temporary"
    FORMAL = "formal"
    CANCEL = "cancel"


LOSS_EVENTS: dict[str, str] = {
    LossAction.TEMPORARY: Event.LOSS_TEMPORARY,
    LossAction.FORMAL: Event.LOSS_FORMAL,
    LossAction.CANCEL: Event.LOSS_CANCELLED,
}


@transaction.atomic
def item_enable(
    *, requester: Requester, card: Card, password: str, submission_key: Any = None
) -> Application:
    first = _already_submitted(requester.user, submission_key)
    if first is not None:
        return first
    region = region_settings()
    card, relation = _card_for(ItemCode.ENABLE, requester, card, region)
    first = _already_submitted(requester.user, submission_key)  # one that held the lock
    if first is not None:
        return first
    eligibility.ensure_trust(Action.ENABLE, requester, region)
    card = card_enable(card=card, password=password, actor=requester.user)
    application = _create_application(
        item=ItemCode.ENABLE,
        requester=requester,
        subject=card.person,
        relation=relation,
        card=card,
        form_data={},
        status=AppStatus.COMPLETED,
        region=region,
    )
    notify(Event.CARD_ENABLED, person=card.person, context={"application": application})
    return application


@transaction.atomic
def item_report_loss(
    *,
    requester: Requester,
    card: Card,
    action: str,
    confirmed_irreversible: bool = False,
    submission_key: Any = None,
) -> Application:
    """临时挂失, 正式挂失 or 解挂, taking effect at once. The same submission twice (a
    double click) returns the first application and changes the card once."""
    first = _already_submitted(requester.user, submission_key)
    if first is not None:
        return first
    region = region_settings()
    card, relation = _card_for(ItemCode.LOSS, requester, card, region)
    first = _already_submitted(requester.user, submission_key)  # one that held the lock
    if first is not None:
        return first
    if action == LossAction.CANCEL:
        eligibility.ensure_trust(Action.CANCEL_LOSS, requester, region)
        card = card_cancel_loss(card=card, actor=requester.user)
    elif action in (LossAction.TEMPORARY, LossAction.FORMAL):
        eligibility.ensure_trust(
            Action.TEMPORARY_LOSS if action == LossAction.TEMPORARY else Action.FORMAL_LOSS,
            requester,
            region,
        )
        card = card_report_loss(
            card=card,
            kind=action,
            actor=requester.user,
            confirmed_irreversible=confirmed_irreversible,
        )
    else:
        raise DomainError("请选择挂失、正式挂失或解挂", field="action")
    application = _create_application(
        item=ItemCode.LOSS,
        requester=requester,
        subject=card.person,
        relation=relation,
        card=card,
        form_data={"action": action}
        | (
            {"lapses_at": card.loss_expires_at.isoformat()}
            if action == LossAction.TEMPORARY and card.loss_expires_at
            else {}
        ),
        status=AppStatus.COMPLETED,
        submission_key=submission_key,
        region=region,
    )
    notify(
        LOSS_EVENTS[action],
        person=card.person,
        context={"application": application, "card": card},
    )
    return application


@transaction.atomic
def item_change_contact(
    *,
    requester: Requester,
    person: Person,
    changes: dict[str, str],
    submission_key: Any = None,
    phone_challenge: Any = None,
) -> Application:
    """信息变更, at once. A new phone number is proved first: ``phone_challenge`` names the
    code texted to it (purpose ``new_phone``) that this account has entered; the proof is
    spent here, with the change, so it serves once."""
    first = _already_submitted(requester.user, submission_key)
    if first is not None:
        return first
    region = region_settings()
    relation = eligibility.relation_for(ItemCode.CHANGE, requester, person, region)
    eligibility.ensure_trust(Action.CHANGE_INFO, requester, region)
    old_phone = Person.objects.select_for_update().get(pk=person.pk).phone
    first = _already_submitted(requester.user, submission_key)  # one that held the lock
    if first is not None:
        return first
    person = person_change_contact(person=person, changes=changes, actor=requester.user)
    if person.phone != old_phone and not requester.counter:
        # at a counter the clerk has the person and their document in front of them
        _spend_new_phone_proof(requester.user, phone_challenge, person.phone)
    application = _create_application(
        item=ItemCode.CHANGE,
        requester=requester,
        subject=person,
        relation=relation,
        card=None,
        form_data={"fields": sorted(changes)},
        status=AppStatus.COMPLETED,
        submission_key=submission_key,
        region=region,
    )
    notify(
        Event.CONTACT_CHANGED,
        person=person,
        context={"application": application, "old_phone": old_phone, "changed": sorted(changes)},
    )
    return application


def _spend_new_phone_proof(user: User, challenge_id: Any, phone: str) -> None:
    try:
        challenge_pk = uuid.UUID(str(challenge_id)) if challenge_id else None
    except ValueError:
        challenge_pk = None
    if challenge_pk is None:
        raise DomainError(
            "更换手机号码需验证新号码：请获取并输入发送至新手机号码的短信验证码",
            field="code",
            code="unproved",
        )
    challenge_spend(challenge_id=challenge_pk, purpose=Purpose.NEW_PHONE, user=user, phone=phone)
