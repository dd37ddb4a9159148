"""确认提交 clicked in several tabs at once, and the same files uploaded at the same instant,
over real parallel connections: one batch, one application per row."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sscard.applications.models import Application
from sscard.audit.models import AuditRecord
from sscard.employers import services
from sscard.employers.models import Batch
from sscard.employers.samples import sample_files
from sscard.testing.races import results, run_at_once

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
