"""An employer's uploaded files (the table, the photo ZIP, the checked photos) kept no longer
than the batch needs them: a batch submitted or given up has its files deleted (at once when
it happens, and by this sweep should that have failed); a batch left waiting (待确认提交 or
处理失败) untouched for the region's ``employer_upload_keep_days`` is given up and its files
deleted. Each batch is one audit record; safe to run twice or concurrently."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sscard.audit.services import audit_record
from sscard.employers.models import Batch, BatchRow
from sscard.employers.transitions import employer_batch_transition
from sscard.regions.selectors import region_settings

WAITING = (Batch.Status.READY, Batch.Status.FAILED)
FINISHED = (Batch.Status.SUBMITTED, Batch.Status.CANCELLED)


def batches_remove_expired_files(*, now: datetime | None = None) -> int:
    """Returns how many batches had their files removed."""
    now = now or timezone.now()
    keep_days = region_settings().employer_upload_keep_days
    cutoff = now - timedelta(days=keep_days)
    due = list(
        Batch.objects.filter(files_removed_at__isnull=True)
        .filter(Q(status__in=FINISHED) | Q(status__in=WAITING, updated_at__lt=cutoff))
        .values_list("pk", flat=True)
    )
    return sum(_remove(pk, now=now, cutoff=cutoff, keep_days=keep_days) for pk in due)


@transaction.atomic
def _remove(pk: Any, *, now: datetime, cutoff: datetime, keep_days: int) -> int:
    batch = Batch.objects.select_for_update().get(pk=pk)
    if batch.files_removed_at is not None:
        return 0
    status = batch.status
    if status in WAITING and batch.updated_at >= cutoff:
        return 0  # touched meanwhile
    if status not in WAITING + FINISHED:
        return 0
    names = {batch.workbook_file, batch.photos_file}
    names |= set(BatchRow.objects.filter(batch=batch).values_list("photo_file", flat=True))
    detail = {"status": status, "abandoned": status in WAITING, "keep_days": keep_days}
    if status in WAITING:
        employer_batch_transition(
            batch=batch,
            to=Batch.Status.CANCELLED,
            actor=None,
            action="retention.batch_files_removed",
            detail=detail,
            notice=(
                f"该批次超过{keep_days}天未确认提交，已自动放弃，上传的表格和照片已按保存期限删除；"
                "如需申领，请重新上传。"
            ),
            files_removed_at=now,
        )
    else:
        batch.files_removed_at = now
        batch.save(update_fields=["files_removed_at"])
        audit_record(
            actor=None, action="retention.batch_files_removed", target=batch, detail=detail
        )
    transaction.on_commit(lambda: _delete_files(batch.pk, names - {""}))
    return 1


def _delete_files(batch_id: Any, names: set[str]) -> None:
    """The files the batch names, and anything else left in its folder."""
    folder = f"employer-batches/{batch_id}"
    if default_storage.exists(folder):
        names |= {f"{folder}/{name}" for name in default_storage.listdir(folder)[1]}
    for name in sorted(names):
        default_storage.delete(name)
    if default_storage.exists(folder) and default_storage.listdir(folder) == ([], []):
        default_storage.delete(folder)  # the folder itself, once empty
