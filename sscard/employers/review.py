"""单位注册审核: an employer registers with its 营业执照 scan and stays 待审核 until a reviewer
approves it (employers act only once approved). A refused employer reads why and
uploads a new licence, which puts it back in the queue. Every decision is taken under the
employer's row lock (two reviewers at once: one decides, the other is told), audited, and told
to the employer (消息中心, and SMS to its 经办人's phone)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from sscard.accounts.models import Employer, User
from sscard.applications.materials import files_removed_unless_committed, note_written
from sscard.audit.services import audit_record
from sscard.core.errors import DomainError, InvalidTransition, NotFound
from sscard.notifications.constants import Event
from sscard.notifications.services import notify_employer
from sscard.photos.uploads import EXTENSIONS, MB, HardenedFile, harden_document

LICENCE_MAX_BYTES = 10 * MB
LICENCE_FOLDER = "employer-licences"
REVIEW_PERMISSION = "accounts.review_employer"
REASON_MAX = 200

Status = Employer.Status

# the registration's lifecycle: the only moves a status may make
EMPLOYER_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset({Status.APPROVED, Status.REFUSED}),
    Status.REFUSED: frozenset({Status.PENDING}),  # a new licence uploaded
    Status.APPROVED: frozenset(),
}


# ---------------------------------------------------------------------------------------------
# The licence file


def licence_prepare(upload: Any) -> HardenedFile:
    """The 营业执照 scan, typed by its content (JPEG, PNG or PDF), size-capped and rewritten
    without metadata or active content. Runs before any transaction opens."""
    if not upload:
        raise DomainError("请上传营业执照扫描件", field="licence", code="licence_missing")
    return harden_document(upload, max_bytes=LICENCE_MAX_BYTES, field="licence")


def _licence_store(licence: HardenedFile) -> str:
    """Stored under a generated name (never the client's); removed again if the transaction
    that stored it fails (``files_removed_unless_committed``)."""
    name = default_storage.save(
        f"{LICENCE_FOLDER}/{uuid.uuid4().hex}.{EXTENSIONS[licence.content_type]}", licence
    )
    note_written(default_storage, name)
    return name


def licence_attach(*, employer: Employer, licence: HardenedFile) -> Employer:
    """Store the licence for a new employer (inside the registration's transaction)."""
    employer.license_file = _licence_store(licence)
    employer.license_content_type = licence.content_type
    employer.save(update_fields=["license_file", "license_content_type"])
    return employer


def licence_open(employer: Employer) -> Any:
    """The stored licence file, opened for reading (FileNotFoundError when there is none)."""
    if not employer.license_file:
        raise FileNotFoundError
    return default_storage.open(employer.license_file, "rb")


# ---------------------------------------------------------------------------------------------
# Transitions


def _locked(employer_id: Any) -> Employer:
    employer = Employer.objects.select_for_update().filter(pk=employer_id).first()
    if employer is None:
        raise NotFound("未找到该单位")
    return employer


def _already_decided(employer: Employer) -> DomainError:
    who = employer.reviewed_by.username if employer.reviewed_by else "其他审核人员"
    when = (
        f"于{timezone.localtime(employer.reviewed_at):%m-%d %H:%M}" if employer.reviewed_at else ""
    )
    return DomainError(
        f"该单位已由{who}{when}审核，当前为“{employer.get_status_display()}”，"
        "您的操作未执行，请查看最新状态。",
        code="already_decided",
    )


def _ensure_move(employer: Employer, current: str, to: str) -> None:
    if to in EMPLOYER_TRANSITIONS[current]:
        return
    if current != Status.PENDING and to in (Status.APPROVED, Status.REFUSED):
        raise _already_decided(employer)
    raise InvalidTransition(f"单位注册当前为“{employer.get_status_display()}”，不能进行该操作")


def employer_transition(
    *,
    employer: Employer,
    to: str,
    actor: User,
    reason: str = "",
    fields: tuple[str, ...] = (),
    now: datetime | None = None,
) -> Employer:
    """The one place an employer's status changes: the row is locked by the caller, the move
    checked against :data:`EMPLOYER_TRANSITIONS`, saved and audited."""
    before = employer.status
    _ensure_move(employer, before, to)
    employer.status = to
    employer.save(update_fields=["status", *fields])
    detail: dict[str, Any] = {"from": before, "to": to}
    if reason:
        detail["reason"] = reason
    audit_record(actor=actor, action=f"employer.{to}", target=employer, detail=detail, at=now)
    return employer


def _ensure_reviewer(actor: User) -> None:
    if not actor.is_active or not actor.has_perm(REVIEW_PERMISSION):
        raise DomainError("您没有审核单位注册的权限", code="forbidden")


@transaction.atomic
def employer_approve(*, employer_id: Any, actor: User, now: datetime | None = None) -> Employer:
    """通过: the employer may act from now on."""
    _ensure_reviewer(actor)
    employer = _locked(employer_id)
    _ensure_move(employer, employer.status, Status.APPROVED)
    now = now or timezone.now()
    employer.reviewed_by, employer.reviewed_at = actor, now
    employer.refusal_reason = ""
    employer_transition(
        employer=employer,
        to=Status.APPROVED,
        actor=actor,
        fields=("reviewed_by", "reviewed_at", "refusal_reason"),
        now=now,
    )
    notify_employer(Event.EMPLOYER_APPROVED, employer=employer, now=now)
    return employer


@transaction.atomic
def employer_refuse(*, employer_id: Any, actor: User, reason: str) -> Employer:
    """不通过, with the reason the employer will read."""
    reason = " ".join(reason.split())[:REASON_MAX]
    if not reason:
        raise DomainError("请填写不通过的原因", field="reason", code="reason_missing")
    _ensure_reviewer(actor)
    employer = _locked(employer_id)
    _ensure_move(employer, employer.status, Status.REFUSED)
    employer.reviewed_by, employer.reviewed_at = actor, timezone.now()
    employer.refusal_reason = reason
    employer_transition(
        employer=employer,
        to=Status.REFUSED,
        actor=actor,
        reason=reason,
        fields=("reviewed_by", "reviewed_at", "refusal_reason"),
    )
    notify_employer(Event.EMPLOYER_REFUSED, employer=employer, values={"reason": reason})
    return employer


def employer_licence_replace(*, user: User, upload: Any) -> Employer:
    """重新上传营业执照 (the employer's manager): the new scan replaces the old one and the
    registration waits for review again. Once approved there is nothing to replace."""
    licence = licence_prepare(upload)
    if user.role != User.Role.EMPLOYER or user.employer_id is None:
        raise DomainError("请使用单位账号登录", code="not_employer")
    from sscard.employers.services import is_manager

    if not is_manager(user):
        raise DomainError("只有单位管理员可以重新上传营业执照", field="licence", code="not_manager")
    with files_removed_unless_committed(), transaction.atomic():
        employer = _locked(user.employer_id)
        if employer.status == Status.APPROVED:
            raise DomainError(
                "单位注册已审核通过，无需重新上传营业执照", field="licence", code="approved"
            )
        old = employer.license_file
        employer.license_file = _licence_store(licence)
        employer.license_content_type = licence.content_type
        employer.refusal_reason = ""  # the reason was about the scan now replaced
        fields = ("license_file", "license_content_type", "refusal_reason")
        if employer.status == Status.REFUSED:
            employer_transition(employer=employer, to=Status.PENDING, actor=user, fields=fields)
        else:
            employer.save(update_fields=list(fields))
        audit_record(actor=user, action="employer.licence_replaced", target=employer)
        if old:
            transaction.on_commit(lambda: default_storage.delete(old))
    return employer


# ---------------------------------------------------------------------------------------------
# Reads


def employers_awaiting_review() -> QuerySet[Employer]:
    """待审核单位, the longest waiting first."""
    return Employer.objects.filter(status=Status.PENDING).order_by("created_at", "pk")


def employers_recently_decided(limit: int = 20) -> QuerySet[Employer]:
    return (
        Employer.objects.exclude(status=Status.PENDING)
        .filter(reviewed_at__isnull=False)
        .select_related("reviewed_by")
        .order_by("-reviewed_at")[:limit]
    )
