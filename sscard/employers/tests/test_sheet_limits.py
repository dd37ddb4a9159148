"""A spreadsheet of a few kilobytes that declares millions of empty rows is refused at once
with a clear message, and it is read by the background check, never by the upload request:
the request only stores the files and queues the check."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sscard.core.errors import DomainError
from sscard.employers import checking, sheets
from sscard.employers.models import Batch
from sscard.employers.samples import sample_files
from sscard.testing.sessions import sign_in
from sscard.testing.spreadsheets import xlsx_with_empty_rows

MILLIONS = 3_000_000


@pytest.mark.parametrize("dimension", ["declared", "lying", None])
def test_a_tiny_sheet_with_millions_of_empty_rows_is_refused_within_a_second(dimension):
    content = xlsx_with_empty_rows(sheets.HEADERS, last_row=MILLIONS, dimension=dimension)
    assert len(content) < 4_000
    started = time.monotonic()
    with pytest.raises(DomainError) as refused:
        sheets.read_workbook(content)
    assert time.monotonic() - started < 1.0
    assert refused.value.field == "workbook"
    assert "表格行数过多" in refused.value.message and "空行" in refused.value.message


def test_empty_rows_up_to_the_allowance_are_fine():
    content = xlsx_with_empty_rows(sheets.HEADERS, last_row=sheets.MAX_ROWS, dimension=None)
    with pytest.raises(DomainError, match="表格中没有职工信息"):
        sheets.read_workbook(content)


def test_the_upload_request_stores_and_queues_and_the_check_refuses_the_sheet(
    client, agent, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    parsed: list[str] = []
    real_read = sheets.read_workbook

    def read_workbook(content: bytes):
        parsed.append("sheet")
        return real_read(content)

    monkeypatch.setattr(sheets, "read_workbook", read_workbook)
    sign_in(client, agent)
    bomb = xlsx_with_empty_rows(sheets.HEADERS, last_row=MILLIONS, dimension="lying")
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/employer/batches/",
            {
                "workbook": SimpleUploadedFile("rows.xlsx", bomb),
                "photos": SimpleUploadedFile("photos.zip", sample_files(1).photos),
            },
        )
    assert time.monotonic() - started < 2.0
    batch = Batch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/employer/batches/{batch.pk}/"
    assert parsed == []  # the request never read the sheet
    assert batch.status == Batch.Status.VALIDATING

    started = time.monotonic()
    batch = checking.batch_validate(batch.pk)  # what the worker runs
    assert time.monotonic() - started < 2.0
    assert parsed == ["sheet"]
    assert batch.status == Batch.Status.FAILED
    assert "表格行数过多" in batch.notice
    page = client.get(f"/employer/batches/{batch.pk}/").content.decode()
    assert "文件无法处理：表格行数过多" in page
