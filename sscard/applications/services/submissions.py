"""What an applicant submits: 1 申领 and 4 补换卡; and the applicant's own steps after
submitting: withdraw, resubmit after 退回补正."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from sscard.accounts.models import Person, User, identity_hash
from sscard.accounts.services import (
    COUNTER_ROLES,
    ONLINE_CONTACT_FIELDS,
    Relation,
    employer_ensure_approved,
    employment_ensure,
    guardianship_claim,
    person_find_or_create,
    require_role,
)
from sscard.accounts.trust import Requester
from sscard.applications import eligibility
from sscard.applications.constants import (
    WITHDRAWABLE,
    ApplicationAction,
    AppStatus,
    ItemCode,
    MaterialKind,
    ReissueKind,
    ReplaceReason,
)
from sscard.applications.fees import fee_fen, status_on_submission
from sscard.applications.forms import (
    CleanApply,
    FormErrors,
    clean_apply,
    clean_delivery,
)
from sscard.applications.materials import Upload, files_removed_unless_committed, prepare_uploads
from sscard.applications.models import Application, Material
from sscard.applications.notices import notify_application
from sscard.applications.services.contact import CONTACT_REVISED, _check_name_on_record
from sscard.applications.services.transitions import (
    APPLY_MATERIALS,
    NOT_FOUND,
    _already_submitted,
    _attach,
    _chosen_outlet,
    _create_application,
    _due_on,
    application_transition,
)
from sscard.cards.models import Card
from sscard.cards.services import card_lock_current
from sscard.core.documents import DocumentError, validate_document
from sscard.core.errors import DomainError, NotFound
from sscard.core.workdays import paused_working_days
from sscard.notifications.constants import Event
from sscard.regions.models import RegionSettings
from sscard.regions.selectors import region_settings, work_calendar


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
    now: datetime | None = None,
) -> Application:
    """社会保障卡申领 for oneself, a minor in one's care, (employer) an employee, or (窗口代办)
    the person at the counter."""
    user = requester.user
    first = _already_submitted(user, submission_key)
    if first is not None:
        return first
    now = now or timezone.now()
    today = today or timezone.localdate(now)
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
    uploads = prepare_uploads(files, region=region)

    with files_removed_unless_committed(), transaction.atomic():
        subject, relation = _apply_subject(requester, clean, for_someone_else, now)
        subject = Person.objects.select_for_update().get(pk=subject.pk)
        # the same submission arriving in parallel: the one that got the lock first has won
        first = _already_submitted(user, submission_key)
        if first is not None:
            return first
        eligibility.check_apply(requester=requester, subject=subject, today=today)
        _check_name_on_record(subject, clean)
        first_issue = not Card.objects.filter(person=subject).exists()
        fee = fee_fen(
            item=ItemCode.APPLY,
            region=region,
            first_issue=first_issue,
            delivery=str(clean.data.get("delivery", "")),
        )
        application = _create_application(
            item=ItemCode.APPLY,
            requester=requester,
            subject=subject,
            relation=relation,
            card=None,
            form_data=clean.data,
            status=status_on_submission(requester, fee),
            fee_fen=fee,
            submission_key=submission_key,
            region=region,
            now=now,
        )
        if relation == Relation.GUARDIAN:
            assert user.person is not None  # noqa: S101 — a guardian is a person on record
            guardianship_claim(
                guardian=user.person,
                ward=subject,
                relationship=clean.data["relationship"],
                requester=requester,
                now=now,
            )
        for kind in APPLY_MATERIALS:
            if kind in uploads:
                _attach(application, subject, kind, uploads[kind], now=now)
        return application


def _apply_subject(
    requester: Requester, clean: CleanApply, for_someone_else: bool, now: datetime
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
        return person_find_or_create(facts=clean.facts, details=details, now=now), Relation.COUNTER
    if user.role == User.Role.EMPLOYER:
        if user.employer is None:
            raise DomainError("单位账号未关联单位信息", code="no_employer")
        person = person_find_or_create(facts=clean.facts, details=details, now=now)
        employment_ensure(employer=user.employer, person=person, actor=user, now=now)
        return person, Relation.EMPLOYER
    if for_someone_else:
        return (
            person_find_or_create(facts=clean.facts, details=details, now=now),
            Relation.GUARDIAN,
        )
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
    now: datetime | None = None,
) -> Application:
    """补卡 (only after 正式挂失) or 换卡 (from 正常 or 正式挂失, with a reason)."""
    files = files or {}
    first = _already_submitted(requester.user, submission_key)
    if first is not None:
        return first
    now = now or timezone.now()
    today = today or timezone.localdate(now)
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
        card = card_lock_current(card, now=now)  # an expired temporary report is lifted first
        person = Person.objects.select_for_update().get(pk=card.person_id)
        # the same submission arriving in parallel: the one that got the lock first has won
        first = _already_submitted(requester.user, submission_key)
        if first is not None:
            return first
        relation = eligibility.relation_for(
            ItemCode.REISSUE, requester, person, region, today=today
        )
        eligibility.check_reissue(requester=requester, card=card, kind=kind, now=now)
        if kind == ReissueKind.REPLACE and reason == ReplaceReason.EXPIRING:
            _check_expiring(card, region, today)
        fee = fee_fen(
            item=ItemCode.REISSUE,
            region=region,
            first_issue=False,
            delivery=str(delivery.get("delivery", "")),
        )
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
            status=status_on_submission(requester, fee),
            fee_fen=fee,
            submission_key=submission_key,
            region=region,
            now=now,
        )
        if photo is not None:
            _attach(application, person, MaterialKind.PHOTO, photo, now=now)
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
                created_at=now,
            )
        notify_application(Event.REISSUE_SUBMITTED, application, person=person, now=now)
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
    raise NotFound(NOT_FOUND)


def application_withdraw(
    *, requester: Requester, application: Application, now: datetime | None = None
) -> Application:
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
            action=ApplicationAction.WITHDRAW,
            now=now,
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
    now: datetime | None = None,
) -> Application:
    """After 退回补正: the corrected form goes back to review and the clock runs again; the
    working days spent on the correction are not counted."""
    _own(requester, application)
    now = now or timezone.now()
    today = today or timezone.localdate(now)
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
                _attach(application, application.subject, kind, uploads[kind], now=now)
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
            action=ApplicationAction.RESUBMIT,
            now=now,
            form_data=form,
            outlet=_chosen_outlet(form),
            paused_since=None,
            paused_days=total_paused,
            due_on=_due_on(accepted_on, application.item, total_paused),
        )
