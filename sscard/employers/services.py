"""Employer accounts and 单位批量申领. A batch is checked row by row with the rules of a single
申领 (the same form cleaning, the same eligibility checks, the same photo check and fix: see
:mod:`sscard.employers.checking`), shown as a preview, then submitted in one transaction: every
good row becomes an application, or — if one of them is refused at the last moment — none
does."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import IO, Any

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from sscard.accounts.models import Employer, User
from sscard.accounts.services import employer_ensure_approved, employer_register
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications.constants import MaterialKind
from sscard.applications.materials import PreparedUpload, files_removed_unless_committed
from sscard.applications.services import application_submit_apply
from sscard.audit.services import audit_record
from sscard.core.errors import DomainError, NotFound
from sscard.employers import review, sheets
from sscard.employers.archives import MAX_ZIP_BYTES
from sscard.employers.checking import PROGRESS_EVERY, row_reasons
from sscard.employers.models import Batch, BatchRow, EmployerClerk
from sscard.employers.transitions import employer_batch_transition
from sscard.photos.uploads import HardenedFile

logger = logging.getLogger(__name__)

OPEN_BATCH = (Batch.Status.VALIDATING, Batch.Status.READY, Batch.Status.SUBMITTING)


# ---------------------------------------------------------------------------------------------
# Accounts


def employer_of(user: User) -> Employer:
    if user.role != User.Role.EMPLOYER or user.employer is None:
        raise DomainError("请使用单位账号登录", code="not_employer")
    return user.employer


def is_manager(user: User) -> bool:
    """The registering account, or an employer account created outside this app."""
    if user.role != User.Role.EMPLOYER or user.employer_id is None:
        return False
    return not EmployerClerk.objects.filter(user=user, manager=False).exists()


def _new_login(
    *, employer: Employer, username: str, password: str, name: str, manager: bool, by: User | None
) -> User:
    user = User(username=username, role=User.Role.EMPLOYER, employer=employer, first_name=name)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise DomainError("该账号已被使用，请换一个", field="username", code="taken") from exc
    EmployerClerk.objects.create(user=user, employer=employer, manager=manager, added_by=by)
    return user


def employer_account_register(
    *,
    name: str,
    uscc: str,
    contact_name: str,
    contact_phone: str,
    username: str,
    password: str,
    licence: Any,
) -> User:
    """单位注册: the employer (统一社会信用代码 checked, one account per code) with its
    营业执照 scan, and its manager login, the 经办人. The employer is 待审核 until a reviewer
    approves it (:mod:`sscard.employers.review`): it signs in, but does not act."""
    hardened = review.licence_prepare(licence)  # before the transaction: decoding takes time
    with files_removed_unless_committed(), transaction.atomic():
        try:
            with transaction.atomic():
                employer = employer_register(
                    name=name, uscc=uscc, contact_name=contact_name, contact_phone=contact_phone
                )
        except IntegrityError as exc:  # the same code registered at the same instant
            raise DomainError("该统一社会信用代码已注册", field="uscc", code="duplicate") from exc
        review.licence_attach(employer=employer, licence=hardened)
        user = _new_login(
            employer=employer,
            username=username,
            password=password,
            name=contact_name,
            manager=True,
            by=None,
        )
        audit_record(actor=user, action="employer.account_registered", target=employer)
    return user


def employer_acting(user: User) -> Employer:
    """The user's employer, which must be approved to act (批量申领, 确认提交)."""
    employer = employer_of(user)
    employer_ensure_approved(employer)
    return employer


@transaction.atomic
def clerk_add(*, manager: User, name: str, username: str, password: str) -> User:
    """A further 经办人 login of the manager's employer."""
    employer = employer_of(manager)
    if not is_manager(manager):
        raise DomainError("只有单位管理员可以添加经办人账号", code="not_manager")
    user = _new_login(
        employer=employer,
        username=username,
        password=password,
        name=name,
        manager=False,
        by=manager,
    )
    audit_record(actor=manager, action="employer.clerk_added", target=user)
    return user


@transaction.atomic
def clerk_set_active(*, manager: User, clerk: User, active: bool) -> User:
    employer = employer_of(manager)
    if not is_manager(manager):
        raise DomainError("只有单位管理员可以停用经办人账号", code="not_manager")
    if clerk.employer_id != employer.pk or clerk.pk == manager.pk:
        raise NotFound("未找到该经办人")
    clerk.is_active = active
    clerk.save(update_fields=["is_active"])
    audit_record(
        actor=manager,
        action="employer.clerk_enabled" if active else "employer.clerk_disabled",
        target=clerk,
    )
    return clerk


# ---------------------------------------------------------------------------------------------
# Upload


def _digest(handle: IO[bytes], digest: Any) -> None:
    handle.seek(0)
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    handle.seek(0)


ZIP_MAGIC = b"PK\x03\x04"


def _starts_with_zip(upload: UploadedFile) -> bool:
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    return head == ZIP_MAGIC


def batch_upload(
    *, user: User, workbook: UploadedFile, photos: UploadedFile | None
) -> tuple[Batch, bool]:
    """Store the files and start the background check (:func:`checking.batch_validate`),
    which reads the sheet and the ZIP and checks every row: the request only looks at the
    sizes and that both files are ZIP archives (an XLSX is one), never parses them, so that a
    crafted small file cannot hold a request (or a web worker) for long. The same files
    uploaded again by the employer give back the batch they made (``created`` is False).
    Only an approved employer uploads."""
    employer = employer_acting(user)
    if (workbook.size or 0) > sheets.MAX_WORKBOOK_BYTES:
        raise DomainError(
            f"表格文件过大（最大{sheets.MAX_WORKBOOK_BYTES // (1024 * 1024)}MB）",
            field="workbook",
            code="too_large",
        )
    if not _starts_with_zip(workbook):
        raise DomainError(
            "无法读取该表格，请使用下载的批量申领模板（.xlsx）填写",
            field="workbook",
            code="bad_file",
        )
    if photos is not None:
        if (photos.size or 0) > MAX_ZIP_BYTES:
            raise DomainError(
                f"照片压缩包过大（最大{MAX_ZIP_BYTES // (1024 * 1024)}MB），请分批上传",
                field="photos",
                code="bad_zip",
            )
        if not _starts_with_zip(photos):
            raise DomainError(
                "无法读取照片压缩包，请上传 ZIP 格式的文件", field="photos", code="bad_zip"
            )
    workbook.seek(0)
    content = workbook.read(sheets.MAX_WORKBOOK_BYTES + 1)
    if len(content) > sheets.MAX_WORKBOOK_BYTES:
        raise DomainError(
            f"表格文件过大（最大{sheets.MAX_WORKBOOK_BYTES // (1024 * 1024)}MB）",
            field="workbook",
            code="too_large",
        )
    digest = hashlib.sha256(content)
    digest.update(b"\0")
    if photos is not None:
        _digest(photos, digest)
    file_hash = digest.hexdigest()
    existing = Batch.objects.filter(employer=employer, file_hash=file_hash).exclude(
        status__in=(Batch.Status.FAILED, Batch.Status.CANCELLED)
    )
    if (found := existing.first()) is not None:
        return found, False
    with transaction.atomic():
        batch = Batch(employer=employer, created_by=user, file_hash=file_hash)
        folder = f"employer-batches/{batch.pk}"
        batch.workbook_file = default_storage.save(f"{folder}/rows.xlsx", ContentFile(content))
        if photos is not None:
            photos.seek(0)
            batch.photos_file = default_storage.save(f"{folder}/photos.zip", photos)
        try:
            with transaction.atomic():
                batch.save()
        except IntegrityError:
            _remove_files(batch)
            found = existing.first()
            if found is None:
                raise
            return found, False
        audit_record(
            actor=user,
            action="employer.batch_uploaded",
            target=batch,
            detail={"workbook_bytes": len(content), "photos_bytes": photos.size if photos else 0},
        )
        transaction.on_commit(lambda: _enqueue("validate", batch.pk))
    return batch, True


def _enqueue(what: str, batch_id: Any) -> None:
    from sscard.employers import tasks

    task = tasks.validate_batch_task if what == "validate" else tasks.submit_batch_task
    task.enqueue(str(batch_id))


def _remove_files(batch: Batch) -> None:
    for name in (batch.workbook_file, batch.photos_file):
        if name:
            default_storage.delete(name)


def _discard_uploads(batch: Batch) -> None:
    """Once a batch is submitted or given up, the uploaded files and the checked photos go
    (the photos submitted live on as the applications' materials; the rows, encrypted, stay
    for the preview and its 校验结果 download)."""
    photos = set(
        BatchRow.objects.filter(batch=batch)
        .exclude(photo_file="")
        .values_list("photo_file", flat=True)
    )

    def delete() -> None:
        _remove_files(batch)
        for name in photos:
            default_storage.delete(name)

    transaction.on_commit(delete)


# ---------------------------------------------------------------------------------------------
# Submission


def _locked(user: User, batch_id: Any) -> Batch:
    employer = employer_of(user)
    batch = Batch.objects.select_for_update().filter(pk=batch_id, employer=employer).first()
    if batch is None:
        raise NotFound("未找到该批次")
    return batch


@transaction.atomic
def batch_submit(*, user: User, batch_id: Any) -> Batch:
    """确认提交: once. A second click (or a second tab) finds the batch already on its way."""
    employer_acting(user)
    batch = _locked(user, batch_id)
    if batch.status != Batch.Status.READY:
        return batch
    if batch.good_count == 0:
        raise DomainError("本批次没有可以提交的职工信息", code="nothing_to_submit")
    employer_batch_transition(
        batch=batch,
        to=Batch.Status.SUBMITTING,
        actor=user,
        detail={"rows": batch.good_count},
        submitted_by=user,
        notice="",
        updated_at=timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue("submit", batch.pk))
    return batch


@transaction.atomic
def batch_cancel(*, user: User, batch_id: Any) -> Batch:
    batch = _locked(user, batch_id)
    if batch.status not in (Batch.Status.READY, Batch.Status.FAILED):
        raise DomainError(f"批次{batch.get_status_display()}，不能放弃", code="invalid_state")
    employer_batch_transition(
        batch=batch, to=Batch.Status.CANCELLED, actor=user, updated_at=timezone.now()
    )
    _discard_uploads(batch)
    return batch


def progress_key(batch_id: Any) -> str:
    return f"employers:batch:{batch_id}:submitted"


class _RowRefused(Exception):
    def __init__(self, row: BatchRow, message: str) -> None:
        super().__init__(message)
        self.row, self.message = row, message


def _photo_of(row: BatchRow) -> PreparedUpload:
    with default_storage.open(row.photo_file, "rb") as handle:
        data = handle.read()
    return PreparedUpload(
        kind=MaterialKind.PHOTO,
        file=HardenedFile(data, "image/jpeg"),
        content_type="image/jpeg",
        photo_check=row.photo_check,
    )


def batch_run_submit(batch_id: Any) -> Batch:
    """Create one application per good row, in one transaction (the background task). A row
    refused now (e.g. the employee applied in person since the preview) rolls everything back;
    that row is marked with its reason and the batch is ready to confirm again. Running it
    twice creates nothing twice: each row carries its submission key, and a second worker
    finds the batch submitted (or sent back) by the first once it has the batch's row lock."""
    batch = Batch.objects.select_related("submitted_by").get(pk=batch_id)
    if batch.status != Batch.Status.SUBMITTING or batch.submitted_by is None:
        return batch
    actor = batch.submitted_by
    requester = Requester(user=actor, trust=TrustLevel.L3)
    key = progress_key(batch.pk)
    cache.set(key, 0, 3600)
    rows = list(batch.rows.filter(ok=True, application__isnull=True).order_by("line"))
    try:
        with files_removed_unless_committed(), transaction.atomic():
            locked = Batch.objects.select_for_update().get(pk=batch.pk)
            if locked.status == Batch.Status.SUBMITTING:  # not done by another worker first
                _apply_rows(rows, requester=requester, key=key)
                submitted = batch.rows.filter(application__isnull=False).count()
                employer_batch_transition(
                    batch=locked,
                    to=Batch.Status.SUBMITTED,
                    actor=actor,
                    detail={"applications": submitted},
                    submitted_count=submitted,
                    submitted_at=timezone.now(),
                    updated_at=timezone.now(),
                )
                _discard_uploads(batch)
    except _RowRefused as refused:
        _sent_back(batch, refused, actor=actor)
    finally:
        cache.delete(key)
    batch.refresh_from_db()
    return batch


def _apply_rows(rows: list[BatchRow], *, requester: Requester, key: str) -> None:
    """One application per row (inside the submission's transaction), or :class:`_RowRefused`
    at the first row refused."""
    for done, row in enumerate(rows, start=1):
        # a prepared photo is passed through as it is (checked and fixed before)
        files: dict[str, Any] = {str(MaterialKind.PHOTO): _photo_of(row)}
        try:
            application = application_submit_apply(
                requester=requester,
                data=row.data,
                files=files,
                submission_key=row.submission_key,
            )
        except DomainError as exc:
            raise _RowRefused(row, "；".join(row_reasons(exc))) from exc
        row.application = application
        row.save(update_fields=["application"])
        if done % PROGRESS_EVERY == 0:
            cache.set(key, done, 3600)


@transaction.atomic
def _sent_back(batch: Batch, refused: _RowRefused, *, actor: User) -> None:
    """Nothing submitted: the refused row is marked with its reason and the batch is ready
    to confirm again (unless another worker has moved it meanwhile)."""
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != Batch.Status.SUBMITTING:
        return
    BatchRow.objects.filter(pk=refused.row.pk).update(
        ok=False, error=f"提交时未通过：{refused.message}"[:2000]
    )
    employer_batch_transition(
        batch=locked,
        to=Batch.Status.READY,
        actor=actor,
        good_count=batch.rows.filter(ok=True).count(),
        bad_count=batch.rows.filter(ok=False).count(),
        notice=(
            f"第{refused.row.line}行在提交时未通过，本批次未提交任何申请。"
            "该行已标为有误，请核对后重新确认提交"
        ),
    )


STALLED_AFTER = timedelta(minutes=15)


def batches_resume_stalled(*, now: datetime | None = None) -> int:
    """Batches whose worker died mid-way (no progress for 15 minutes) are queued again: a
    check starts over, a submission — one transaction, rolled back with the worker — runs
    again (its submission keys make a second run create nothing twice)."""
    cutoff = (now or timezone.now()) - STALLED_AFTER
    stalled = list(
        Batch.objects.filter(
            status__in=(Batch.Status.VALIDATING, Batch.Status.SUBMITTING), updated_at__lt=cutoff
        ).values_list("pk", "status")
    )
    for pk, status in stalled:
        Batch.objects.filter(pk=pk).update(updated_at=timezone.now())
        _enqueue("validate" if status == Batch.Status.VALIDATING else "submit", pk)
    return len(stalled)


def submitted_so_far(batch: Batch) -> int | None:
    """Rows submitted so far while a batch is being submitted (None if not known here)."""
    if batch.status == Batch.Status.SUBMITTED:
        return batch.submitted_count
    value = cache.get(progress_key(batch.pk))
    return int(value) if value is not None else None


def error_rows(batch: Batch) -> Iterator[tuple[dict[str, str], str]]:
    for row in batch.rows.order_by("line").iterator(chunk_size=500):
        yield row.values, row.error
