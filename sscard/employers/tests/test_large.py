"""A 5,000-row file is checked and submitted in the background with its progress shown: the
page polls (htmx) and offers a refresh link; the counters move while the task runs."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from sscard.applications.models import Application
from sscard.employers import services, tasks
from sscard.employers.models import Batch
from sscard.employers.samples import sample_files
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@override_settings(TASKS=DUMMY)
def test_five_thousand_rows_in_the_background_with_progress(
    client, agent, django_capture_on_commit_callbacks, monkeypatch
):
    files = sample_files(5000)
    sign_in(client, agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/employer/batches/",
            {
                "workbook": SimpleUploadedFile("5000.xlsx", files.workbook),
                "photos": SimpleUploadedFile("photos.zip", files.photos),
            },
        )
    batch = Batch.objects.get()
    assert response.status_code == 302
    # queued, not done: the page shows the progress, polls it and offers a refresh link
    page = client.get(f"/employer/batches/{batch.pk}/").content.decode()
    assert "正在校验：正在读取表格" in page  # the request never read the sheet
    assert f'hx-get="/employer/batches/{batch.pk}/progress/"' in page
    assert "刷新进度" in page

    # what the progress page would read each time a chunk of rows is written
    seen: list[int] = []
    real_bulk_create = services.BatchRow.objects.bulk_create

    def spy(*args, **kwargs):
        seen.append(Batch.objects.values_list("checked_count", flat=True).get(pk=batch.pk))
        return real_bulk_create(*args, **kwargs)

    monkeypatch.setattr(services.BatchRow.objects, "bulk_create", spy)
    tasks.validate_batch_task.call(str(batch.pk))
    monkeypatch.undo()
    assert len({n for n in seen if 0 < n < 5000}) >= 50  # the counter moved as rows were checked

    batch.refresh_from_db()
    assert (batch.status, batch.good_count) == (Batch.Status.READY, 5000)
    fragment = client.get(f"/employer/batches/{batch.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true"  # done: the page reloads into the preview

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/employer/batches/{batch.pk}/submit/")
    page = client.get(f"/employer/batches/{batch.pk}/").content.decode()
    assert "正在提交" in page and "hx-get" in page
    submitted: list[int] = []
    real_set = services.cache.set

    def record(key, value, *args, **kwargs):
        if key == services.progress_key(batch.pk):
            submitted.append(value)
        return real_set(key, value, *args, **kwargs)

    monkeypatch.setattr(services.cache, "set", record)
    tasks.submit_batch_task.call(str(batch.pk))
    monkeypatch.undo()
    assert submitted == list(range(0, 5001, services.PROGRESS_EVERY))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.SUBMITTED
    assert Application.objects.filter(applicant=agent).count() == 5000
    page = client.get(f"/employer/batches/{batch.pk}/").content.decode()
    assert "提交成功" in page and "已为5000名职工提交社会保障卡申领" in page
