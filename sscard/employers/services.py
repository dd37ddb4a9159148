"""Employer accounts and 单位批量申领. A batch is checked row by row with the rules of a single
申领 (the same form cleaning, the same eligibility checks, the same photo check and fix), shown
as a preview, then submitted in one transaction: every good row becomes an application, or —
if one of them is refused at the last moment — none does."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from sscard.accounts.models import Employer, Person, User, identity_hash
from sscard.accounts.services import (
    employer_ensure_approved,
    employer_register,
    person_by_identity,
)
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import eligibility
from sscard.applications.constants import MaterialKind
from sscard.applications.forms import clean_apply
from sscard.applications.materials import PreparedUpload, files_removed_unless_committed
from sscard.applications.services import application_submit_apply
from sscard.audit.services import audit_record
from sscard.core.errors import DomainError
from sscard.core.masking import mask_id_number, mask_name
from sscard.employers import review, sheets
from sscard.employers.archives import PhotoArchive, open_photo_archive
from sscard.employers.models import Batch, BatchRow, EmployerClerk
from sscard.photos.uploads import HardenedFile
from sscard.photos.verdict import examine_photo
from sscard.regions.models import Bank, Outlet
from sscard.regions.selectors import region_settings

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 50
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
        raise DomainError("未找到该经办人", code="not_found")
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


def batch_upload(
    *, user: User, workbook: UploadedFile, photos: UploadedFile | None
) -> tuple[Batch, bool]:
    """Check the files as a whole (size, the template's headers, the row cap, the ZIP) and
    start the background check of every row. The same files uploaded again by the employer
    give back the batch they made (``created`` is False). Only an approved employer uploads."""
    employer = employer_acting(user)
    if (workbook.size or 0) > sheets.MAX_WORKBOOK_BYTES:
        raise DomainError(
            f"表格文件过大（最大{sheets.MAX_WORKBOOK_BYTES // (1024 * 1024)}MB）",
            field="workbook",
            code="too_large",
        )
    workbook.seek(0)
    content = workbook.read()
    rows = sheets.read_workbook(content)
    digest = hashlib.sha256(content)
    digest.update(b"\0")
    if photos is not None:
        open_photo_archive(photos, size=photos.size or 0)
        _digest(photos, digest)
    file_hash = digest.hexdigest()
    existing = Batch.objects.filter(employer=employer, file_hash=file_hash).exclude(
        status__in=(Batch.Status.FAILED, Batch.Status.CANCELLED)
    )
    if (found := existing.first()) is not None:
        return found, False
    with transaction.atomic():
        batch = Batch(employer=employer, created_by=user, file_hash=file_hash, row_count=len(rows))
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
            actor=user, action="employer.batch_uploaded", target=batch, detail={"rows": len(rows)}
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
# Checking every row (background)


class _Photos:
    """Photos checked once per distinct picture, stored once per distinct result."""

    def __init__(self, batch: Batch, archive: PhotoArchive | None) -> None:
        self.batch, self.archive = batch, archive
        self.region = region_settings()
        self.seen: dict[str, tuple[str, str, dict, bool]] = {}

    def check(self, doc_number: str) -> tuple[str, str, dict, bool]:
        """(error, stored file, photo check, fixed)."""
        if self.archive is None:
            return "未上传照片压缩包", "", {}, False
        if doc_number.upper() in self.archive.duplicates:
            return f"照片压缩包内有多张以{mask_id_number(doc_number)}命名的照片", "", {}, False
        try:
            data = self.archive.photo(doc_number)
        except DomainError as exc:
            return exc.message, "", {}, False
        if data is None:
            return "照片压缩包内未找到以该证件号码命名的照片", "", {}, False
        key = hashlib.sha256(data).hexdigest()
        if key not in self.seen:
            verdict = examine_photo(
                SimpleUploadedFile("photo", data, content_type="image/jpeg"), region=self.region
            )
            if not verdict.ok or verdict.data is None:
                self.seen[key] = (verdict.message, "", {}, False)
            else:
                name = default_storage.save(
                    f"employer-batches/{self.batch.pk}/photo-{key[:16]}.jpg",
                    ContentFile(verdict.data),
                )
                self.seen[key] = ("", name, verdict.as_check(), verdict.fixed)
        return self.seen[key]


def _reasons(exc: DomainError) -> list[str]:
    if exc.errors:
        return [f"{sheets.FIELD_LABELS.get(k, k)}：{v}" for k, v in exc.errors.items()]
    return [exc.message]


def _open_application_reason(person: Person, employer: Employer) -> str:
    """一人一卡, said without another applicant's receipt number."""
    open_app = eligibility.open_card_application(person)
    if open_app is None:
        return ""
    applicant = open_app.applicant
    if applicant.employer_id == employer.pk:
        return (
            f"该职工已有本单位提交的正在办理的申请（受理编号{open_app.receipt_number}，"
            f"{open_app.get_status_display()}），不能重复申领"
        )
    if applicant.role == User.Role.EMPLOYER:
        return "该职工已有其他单位提交的社保卡申请正在办理，不能重复申领"
    return "该职工已有本人或他人提交的社保卡申请正在办理，不能重复申领"


def check_row(
    *,
    employer: Employer,
    requester: Requester,
    data: dict[str, Any],
    photos: _Photos,
    today: date,
    seen: dict[str, int],
    exclude_batch: Any,
) -> tuple[list[str], dict[str, Any], str, dict[str, Any]]:
    """One row against the rules of a single 申领. Returns (reasons, cleaned data, identity
    hash, photo facts)."""
    region = photos.region
    reasons: list[str] = []
    photo: dict[str, Any] = {}
    try:
        clean = clean_apply(data, {"photo"}, region=region, today=today, for_someone_else=False)
    except DomainError as exc:
        return _reasons(exc), {}, "", photo
    facts = clean.facts
    ident = identity_hash(facts.doc_type, facts.number)
    if ident in seen:
        reasons.append(f"与第{seen[ident]}行是同一人，每人只能申领一次")
    person = person_by_identity(facts.doc_type, facts.number)
    if person is not None:
        if person.name != clean.data["name"]:
            reasons.append("姓名：姓名与该证件号码的登记信息不一致，请核对")
        try:
            eligibility.check_apply(requester=requester, subject=person, today=today)
        except DomainError as exc:
            if exc.code == "open_application":
                reasons.append(_open_application_reason(person, employer) or exc.message)
            else:
                reasons.append(exc.message)
    elsewhere = (
        BatchRow.objects.filter(
            identity_hash=ident,
            ok=True,
            batch__status__in=(Batch.Status.READY, Batch.Status.SUBMITTING),
        )
        .exclude(batch_id=exclude_batch)
        .select_related("batch")
        .first()
    )
    if elsewhere is not None:
        if elsewhere.batch.employer_id == employer.pk:
            reasons.append("该职工已在本单位另一待提交的批次中，请勿重复申领")
        else:
            reasons.append("该职工已在其他单位待提交的批量申领中，不能重复申领")
    if not reasons:
        error, name, check, fixed = photos.check(facts.number)
        if error:
            reasons.append(f"照片：{error}")
        photo = {"photo_file": name, "photo_check": check, "photo_fixed": fixed}
    return reasons, clean.data, ident, photo


def batch_validate(batch_id: Any) -> Batch:
    """Check every row of a batch (the background task). Running it again starts over."""
    batch = Batch.objects.select_related("employer", "created_by").get(pk=batch_id)
    if batch.status != Batch.Status.VALIDATING:
        return batch
    BatchRow.objects.filter(batch=batch).delete()
    try:
        with default_storage.open(batch.workbook_file, "rb") as handle:
            rows = sheets.read_workbook(handle.read())
        archive = None
        if batch.photos_file:
            stream = default_storage.open(batch.photos_file, "rb")
            archive = open_photo_archive(stream, size=default_storage.size(batch.photos_file))
    except DomainError as exc:
        return _batch_failed(batch, exc.message)
    try:
        return _validate_rows(batch, rows, archive)
    finally:
        if archive is not None:
            archive.handle.close()
            stream.close()


def _validate_rows(
    batch: Batch, rows: list[tuple[int, dict[str, str]]], archive: PhotoArchive | None
) -> Batch:
    requester = Requester(user=batch.created_by, trust=TrustLevel.L3)
    banks: dict[str, str] = {}
    for bank in Bank.objects.filter(active=True):
        banks[bank.name] = banks[bank.code] = bank.code
    outlets: dict[str, str] = {}
    for outlet in Outlet.objects.filter(active=True):
        outlets[outlet.name] = outlets[outlet.code] = outlet.code
    photos = _Photos(batch, archive)
    today = timezone.localdate()
    seen: dict[str, int] = {}
    pending: list[BatchRow] = []
    good = bad = 0
    for done, (line, values) in enumerate(rows, start=1):
        data = sheets.form_data(values, banks, outlets)
        reasons, clean, ident, photo = check_row(
            employer=batch.employer,
            requester=requester,
            data=data,
            photos=photos,
            today=today,
            seen=seen,
            exclude_batch=batch.pk,
        )
        if ident and ident not in seen:
            seen[ident] = line
        ok = not reasons
        good, bad = good + ok, bad + (not ok)
        pending.append(
            BatchRow(
                batch=batch,
                line=line,
                values=values,
                data=clean if ok else {},
                identity_hash=ident,
                masked_name=mask_name(values.get("姓名", ""))[:60],
                masked_doc=mask_id_number(data.get("doc_number", ""))[:40],
                ok=ok,
                error="；".join(reasons)[:2000],
                **photo,
            )
        )
        if len(pending) >= PROGRESS_EVERY:
            BatchRow.objects.bulk_create(pending)
            pending = []
            Batch.objects.filter(pk=batch.pk).update(checked_count=done, updated_at=timezone.now())
    BatchRow.objects.bulk_create(pending)
    Batch.objects.filter(pk=batch.pk, status=Batch.Status.VALIDATING).update(
        status=Batch.Status.READY,
        checked_count=len(rows),
        row_count=len(rows),
        good_count=good,
        bad_count=bad,
        updated_at=timezone.now(),
    )
    batch.refresh_from_db()
    return batch


def _batch_failed(batch: Batch, message: str) -> Batch:
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.FAILED, notice=message[:300])
    batch.refresh_from_db()
    return batch


# ---------------------------------------------------------------------------------------------
# Submission


def _locked(user: User, batch_id: Any) -> Batch:
    employer = employer_of(user)
    batch = Batch.objects.select_for_update().filter(pk=batch_id, employer=employer).first()
    if batch is None:
        raise DomainError("未找到该批次", code="not_found")
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
    batch.status = Batch.Status.SUBMITTING
    batch.submitted_by = user
    batch.notice = ""
    batch.save(update_fields=["status", "submitted_by", "notice", "updated_at"])
    audit_record(
        actor=user,
        action="employer.batch_submitted",
        target=batch,
        detail={"rows": batch.good_count},
    )
    transaction.on_commit(lambda: _enqueue("submit", batch.pk))
    return batch


@transaction.atomic
def batch_cancel(*, user: User, batch_id: Any) -> Batch:
    batch = _locked(user, batch_id)
    if batch.status not in (Batch.Status.READY, Batch.Status.FAILED):
        raise DomainError(f"批次{batch.get_status_display()}，不能放弃", code="invalid_state")
    batch.status = Batch.Status.CANCELLED
    batch.save(update_fields=["status", "updated_at"])
    _discard_uploads(batch)
    audit_record(actor=user, action="employer.batch_cancelled", target=batch)
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
    twice creates nothing twice: each row carries its submission key."""
    batch = Batch.objects.select_related("submitted_by").get(pk=batch_id)
    if batch.status != Batch.Status.SUBMITTING or batch.submitted_by is None:
        return batch
    requester = Requester(user=batch.submitted_by, trust=TrustLevel.L3)
    key = progress_key(batch.pk)
    cache.set(key, 0, 3600)
    rows = list(batch.rows.filter(ok=True, application__isnull=True).order_by("line"))
    try:
        with files_removed_unless_committed(), transaction.atomic():
            Batch.objects.select_for_update().get(pk=batch.pk)
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
                    raise _RowRefused(row, "；".join(_reasons(exc))) from exc
                row.application = application
                row.save(update_fields=["application"])
                if done % PROGRESS_EVERY == 0:
                    cache.set(key, done, 3600)
            submitted = batch.rows.filter(application__isnull=False).count()
            Batch.objects.filter(pk=batch.pk).update(
                status=Batch.Status.SUBMITTED,
                submitted_count=submitted,
                submitted_at=timezone.now(),
                updated_at=timezone.now(),
            )
            _discard_uploads(batch)
    except _RowRefused as refused:
        with transaction.atomic():
            BatchRow.objects.filter(pk=refused.row.pk).update(
                ok=False, error=f"提交时未通过：{refused.message}"[:2000]
            )
            Batch.objects.filter(pk=batch.pk).update(
                status=Batch.Status.READY,
                good_count=batch.rows.filter(ok=True).count(),
                bad_count=batch.rows.filter(ok=False).count(),
                notice=(
                    f"第{refused.row.line}行在提交时未通过，本批次未提交任何申请。"
                    "该行已标为有误，请核对后重新确认提交"
                ),
            )
    finally:
        cache.delete(key)
    batch.refresh_from_db()
    if batch.status == Batch.Status.SUBMITTED:
        audit_record(
            actor=batch.submitted_by,
            action="employer.batch_done",
            target=batch,
            detail={"applications": batch.submitted_count},
        )
    return batch


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
