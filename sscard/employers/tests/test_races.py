"""确认提交 clicked in several tabs at once, and the same files uploaded at the same instant,
over real parallel connections: one batch, one application per row."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from sscard.applications.models import Application
from sscard.audit.models import AuditRecord
from sscard.employers import services
from sscard.employers.models import Batch
from sscard.employers.samples import sample_files

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

N = 6
JOIN_TIMEOUT = 90


def in_parallel(work: Callable[[], object]) -> list[object]:
    barrier = threading.Barrier(N)
    results: list[object] = []
    crashes: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=JOIN_TIMEOUT)
            result = work()
            with lock:
                results.append(result)
        except Exception:
            with lock:
                crashes.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert crashes == []
    assert len(results) == N
    return results


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
