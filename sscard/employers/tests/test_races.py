"""确认提交 clicked in several tabs at once, the same files uploaded at the same instant, and
a submission run by two workers at once (a stalled one queued again while the first still
runs), over real parallel connections: one batch, one application per row, one record."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sscard.applications.models import Application
from sscard.audit.models import AuditRecord
from sscard.employers import services
from sscard.employers.models import Batch
from sscard.employers.samples import sample_files
from sscard.testing.races import needs_row_locks, results, run_at_once

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

N = 6


def in_parallel(work: Callable[[], object]) -> list[object]:
    """``work`` in ``N`` threads at once: what each returned (anything raised fails the test)."""
    return results(run_at_once(*[work] * N))


def test_the_same_files_uploaded_at_once_make_one_batch(agent):
    files = sample_files(3)

    def upload():
        batch, created = services.batch_upload(
            user=agent,
            workbook=SimpleUploadedFile("rows.xlsx", files.workbook),
            photos=SimpleUploadedFile("photos.zip", files.photos),
        )
        return batch.pk, created

    results = in_parallel(upload)
    assert len({pk for pk, _created in results}) == 1
    assert sum(1 for _pk, created in results if created) == 1
    assert Batch.objects.count() == 1


def test_confirming_in_several_tabs_at_once_submits_once(agent):
    files = sample_files(4)
    batch, _ = services.batch_upload(
        user=agent,
        workbook=SimpleUploadedFile("rows.xlsx", files.workbook),
        photos=SimpleUploadedFile("photos.zip", files.photos),
    )
    batch.refresh_from_db()
    assert batch.status == Batch.Status.READY  # validated on commit (immediate tasks)

    in_parallel(lambda: services.batch_submit(user=agent, batch_id=batch.pk))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.SUBMITTED
    assert Application.objects.filter(applicant=agent).count() == 4
    assert AuditRecord.objects.filter(action="employer.batch_submitted").count() == 1


@needs_row_locks
def test_a_submission_run_by_several_workers_at_once_is_done_once(agent, settings):
    files = sample_files(3)
    batch, _ = services.batch_upload(
        user=agent,
        workbook=SimpleUploadedFile("rows.xlsx", files.workbook),
        photos=SimpleUploadedFile("photos.zip", files.photos),
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    services.batch_submit(user=agent, batch_id=batch.pk)  # queued, not run

    done = in_parallel(lambda: services.batch_run_submit(batch.pk))
    assert {(b.status, b.submitted_count) for b in done} == {(Batch.Status.SUBMITTED, 3)}
    assert Application.objects.filter(applicant=agent).count() == 3
    assert AuditRecord.objects.filter(action="employer.batch_done").count() == 1
