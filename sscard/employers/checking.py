"""The background check of every row of a 单位批量申领 batch, with the rules of a single 申领
(the same form cleaning, the same eligibility checks, the same photo check and fix): each row
is kept with its reasons, or as good, for the preview."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from sscard.accounts.models import Employer, Person, User, identity_hash
from sscard.accounts.services import person_by_identity
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import eligibility
from sscard.applications.forms import clean_apply
from sscard.core.errors import DomainError
from sscard.core.masking import mask_id_number, mask_name
from sscard.employers import sheets
from sscard.employers.archives import PhotoArchive, open_photo_archive
from sscard.employers.models import Batch, BatchRow
from sscard.employers.transitions import employer_batch_transition
from sscard.photos.verdict import examine_photo
from sscard.regions.models import Bank, Outlet
from sscard.regions.selectors import region_settings

PROGRESS_EVERY = 50


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


def row_reasons(exc: DomainError) -> list[str]:
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
        return row_reasons(exc), {}, "", photo
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
        except eligibility.OpenApplication as exc:
            reasons.append(_open_application_reason(person, employer) or exc.message)
        except DomainError as exc:
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
    """Read the uploaded sheet and ZIP and check every row of a batch (the background task;
    the request only stored the files). A file refused as a whole makes the batch 处理失败
    with the reason. Running it again starts over."""
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
    Batch.objects.filter(pk=batch.pk).update(row_count=len(rows), updated_at=timezone.now())
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
    return _checked(
        batch,
        Batch.Status.READY,
        checked_count=len(rows),
        row_count=len(rows),
        good_count=good,
        bad_count=bad,
        updated_at=timezone.now(),
    )


def _batch_failed(batch: Batch, message: str) -> Batch:
    return _checked(batch, Batch.Status.FAILED, notice=message[:300])


def _checked(batch: Batch, to: str, **changes: Any) -> Batch:
    """The check's end, under the batch's row lock: a batch another worker has already
    checked is left as that worker left it."""
    with transaction.atomic():
        locked = Batch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == Batch.Status.VALIDATING:
            employer_batch_transition(batch=locked, to=to, actor=None, **changes)
    batch.refresh_from_db()
    return batch
