"""An employer's uploaded files outlive their batch by no more than the region's days: a
batch submitted or given up loses them at once (the periodic sweep makes sure), a batch left
waiting is given up after ``employer_upload_keep_days`` and its files deleted; each batch is
one audit record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from sscard.audit.models import AuditRecord
from sscard.employers.models import Batch, BatchRow
from sscard.employers.retention import batches_remove_expired_files
from sscard.testing.factories import EmployerBatchFactory

pytestmark = pytest.mark.django_db


def _batch_with_files(*, days_idle: int, **traits) -> tuple[Batch, list[str]]:
    batch = EmployerBatchFactory(**traits)
    folder = f"employer-batches/{batch.pk}"
    names = [
        default_storage.save(f"{folder}/rows.xlsx", ContentFile(b"PK rows")),
        default_storage.save(f"{folder}/photos.zip", ContentFile(b"PK photos")),
        default_storage.save(f"{folder}/photo-0123456789abcdef.jpg", ContentFile(b"\xff\xd8")),
    ]
    Batch.objects.filter(pk=batch.pk).update(
        workbook_file=names[0],
        photos_file=names[1],
        updated_at=timezone.now() - timedelta(days=days_idle),
    )
    BatchRow.objects.create(batch=batch, line=2, ok=True, photo_file=names[2])
    return batch, names


def _sweep(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return batches_remove_expired_files()


@pytest.mark.parametrize("trait", [{}, {"failed": True}])
def test_a_batch_left_waiting_past_the_regions_days_is_given_up_and_its_files_deleted(
    trait, region, django_capture_on_commit_callbacks
):
    waited, waited_files = _batch_with_files(days_idle=8, **trait)
    fresh, fresh_files = _batch_with_files(days_idle=6, **trait)

    assert _sweep(django_capture_on_commit_callbacks) == 1
    assert _sweep(django_capture_on_commit_callbacks) == 0

    waited.refresh_from_db()
    assert waited.status == Batch.Status.CANCELLED and waited.files_removed_at is not None
    assert "超过7天未确认提交，已自动放弃，上传的表格和照片已按保存期限删除" in waited.notice
    assert not any(default_storage.exists(name) for name in waited_files)
    assert not default_storage.exists(f"employer-batches/{waited.pk}")
    fresh.refresh_from_db()
    assert fresh.status == (Batch.Status.FAILED if trait else Batch.Status.READY)
    assert all(default_storage.exists(name) for name in fresh_files)
    record = AuditRecord.objects.get(action="retention.batch_files_removed")
    assert record.target_id == str(waited.pk)
    assert record.detail["abandoned"] is True and record.detail["keep_days"] == 7


def test_the_region_sets_the_days(region, django_capture_on_commit_callbacks):
    region.employer_upload_keep_days = 3
    region.save()
    batch, _ = _batch_with_files(days_idle=4)

    assert _sweep(django_capture_on_commit_callbacks) == 1
    batch.refresh_from_db()
    assert batch.status == Batch.Status.CANCELLED
    assert "超过3天未确认提交" in batch.notice


@pytest.mark.parametrize("trait", ["submitted", "cancelled"])
def test_files_a_finished_batch_left_behind_go_at_the_next_sweep(
    trait, django_capture_on_commit_callbacks
):
    batch, names = _batch_with_files(days_idle=0, **{trait: True})

    assert _sweep(django_capture_on_commit_callbacks) == 1

    batch.refresh_from_db()
    assert batch.status == trait and batch.files_removed_at is not None
    assert not any(default_storage.exists(name) for name in names)
    record = AuditRecord.objects.get(action="retention.batch_files_removed")
    assert record.detail["abandoned"] is False


def test_running_and_checking_batches_keep_their_files(django_capture_on_commit_callbacks):
    _, names = _batch_with_files(days_idle=30, validating=True)

    assert _sweep(django_capture_on_commit_callbacks) == 0
    assert all(default_storage.exists(name) for name in names)


def test_the_periodic_run_does_it(settings, django_capture_on_commit_callbacks):
    from sscard.employers.tasks import remove_expired_batch_files_task

    _batch_with_files(days_idle=0, submitted=True)

    assert "sscard.employers.tasks.remove_expired_batch_files_task" in (
        settings.SSCARD_PERIODIC_TASKS
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert remove_expired_batch_files_task.call() == 1
