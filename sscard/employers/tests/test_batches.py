"""单位批量申领 through the services: checking every row with the rules of a single 申领,
the preview, all-or-none submission, the double-submit rule and the refusals."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from sscard.applications.constants import AppStatus
from sscard.applications.models import Application
from sscard.core.errors import DomainError
from sscard.employers import checking, services
from sscard.employers.models import Batch
from sscard.employers.samples import sample_files

pytestmark = pytest.mark.django_db


def upload(user, files, name="职工.xlsx"):
    return services.batch_upload(
        user=user,
        workbook=SimpleUploadedFile(name, files.workbook),
        photos=SimpleUploadedFile("photos.zip", files.photos),
    )


def run(batch_id):
    return checking.batch_validate(batch_id)


def test_rows_checked_previewed_and_submitted_all_at_once(
    agent, django_capture_on_commit_callbacks
):
    files = sample_files(20, bad=5)
    with django_capture_on_commit_callbacks(execute=True):
        batch, created = upload(agent, files)
    batch.refresh_from_db()
    assert created
    assert batch.status == Batch.Status.READY
    assert (batch.row_count, batch.good_count, batch.bad_count) == (20, 15, 5)
    bad = {row.line: row.error for row in batch.rows.filter(ok=False)}
    assert set(bad) == set(files.bad_lines)
    reasons = {files.bad_lines[line]: error for line, error in bad.items()}
    assert reasons["bad_id"].startswith("证件号码：")
    assert "照片" in reasons["no_photo"]
    assert reasons["bad_phone"].startswith("手机号码：")
    assert reasons["no_bank"].startswith("合作银行：")
    assert reasons["duplicate"] == "与第3行是同一人，每人只能申领一次"
    assert Application.objects.count() == 0  # nothing before confirmation

    with django_capture_on_commit_callbacks(execute=True):
        services.batch_submit(user=agent, batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.SUBMITTED
    assert batch.submitted_count == 15
    made = Application.objects.filter(applicant=agent)
    assert made.count() == 15
    assert set(made.values_list("relation", flat=True)) == {"employer"}
    assert all(a.materials.filter(kind="photo").exists() for a in made)
    # the uploads do not outlive the batch: the photos live on as the applications' materials
    stored = [batch.workbook_file, batch.photos_file, batch.rows.filter(ok=True)[0].photo_file]
    assert not any(default_storage.exists(name) for name in stored)
    assert all(default_storage.exists(a.materials.get().file.name) for a in made)

    # confirming again, or uploading the same files again, creates nothing new
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_submit(user=agent, batch_id=batch.pk)
        again, created = upload(agent, files, name="再次上传.xlsx")
    assert not created and again.pk == batch.pk
    assert Application.objects.count() == 15


def test_the_error_workbook_has_every_row_and_an_error_column(
    agent, django_capture_on_commit_callbacks
):
    files = sample_files(6, bad=2)
    with django_capture_on_commit_callbacks(execute=True):
        batch, _ = upload(agent, files)
    from sscard.employers import sheets

    content = sheets.errors_workbook(services.error_rows(batch))
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "错误原因"
    assert len(rows) == 7
    assert sum(1 for row in rows[1:] if row[-1]) == 2


def test_a_row_refused_at_submission_rolls_everything_back(
    agent, django_capture_on_commit_callbacks
):
    from sscard.accounts.models import Person
    from sscard.testing.factories import CardFactory

    files = sample_files(5)
    with django_capture_on_commit_callbacks(execute=True):
        batch, _ = upload(agent, files)
    batch.refresh_from_db()
    assert batch.good_count == 5
    # meanwhile one of them got a card at the counter
    row = batch.rows.order_by("line")[2]
    person = Person(
        doc_type="resident_id",
        doc_number=row.data["doc_number"],
        name=row.data["name"],
        gender=row.data["gender"],
        birth_date=row.data["birth_date"],
    )
    person.save()
    CardFactory(person=person)
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_submit(user=agent, batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.READY
    assert Application.objects.count() == 0
    assert f"第{row.line}行" in batch.notice
    row.refresh_from_db()
    assert not row.ok and "已有社保卡" in row.error
    assert batch.good_count == 4
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_submit(user=agent, batch_id=batch.pk)
    assert Application.objects.filter(status=AppStatus.SUBMITTED).count() == 4


def test_an_employee_in_another_employers_open_batch_is_refused(
    agent, other_agent, django_capture_on_commit_callbacks
):
    files = sample_files(3)
    with django_capture_on_commit_callbacks(execute=True):
        upload(other_agent, files)
        batch, _ = upload(agent, files)
    batch.refresh_from_db()
    assert batch.good_count == 0
    assert {row.error for row in batch.rows.all()} == {
        "该职工已在其他单位待提交的批量申领中，不能重复申领"
    }


def test_an_employee_with_another_employers_open_application_is_refused(
    agent, other_agent, django_capture_on_commit_callbacks
):
    files = sample_files(2)
    with django_capture_on_commit_callbacks(execute=True):
        theirs, _ = upload(other_agent, files)
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_submit(user=other_agent, batch_id=theirs.pk)
    with django_capture_on_commit_callbacks(execute=True):
        mine, _ = upload(agent, files)
    mine.refresh_from_db()
    assert mine.good_count == 0
    errors = {row.error for row in mine.rows.all()}
    assert errors == {"该职工已有其他单位提交的社保卡申请正在办理，不能重复申领"}
    # another employer's receipt number is not told
    assert not any(a.receipt_number in e for a in Application.objects.all() for e in errors)


def test_row_cap_and_file_size_cap_have_a_clear_message(
    agent, monkeypatch, django_capture_on_commit_callbacks
):
    from sscard.employers import sheets

    monkeypatch.setattr(sheets, "MAX_ROWS", 3)
    files = sample_files(4)
    with django_capture_on_commit_callbacks(execute=True):
        batch, _ = upload(agent, files)  # the background check reads the sheet
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FAILED
    assert "每个文件最多3行" in batch.notice
    monkeypatch.setattr(sheets, "MAX_WORKBOOK_BYTES", 100)
    with pytest.raises(DomainError, match="表格文件过大"):
        upload(agent, files)
    assert Batch.objects.count() == 1


def test_a_file_that_is_not_the_template_is_refused(agent):
    with pytest.raises(DomainError, match="无法读取该表格"):
        services.batch_upload(
            user=agent,
            workbook=SimpleUploadedFile("x.xlsx", b"not a spreadsheet"),
            photos=None,
        )
    assert Batch.objects.count() == 0


def test_a_batch_left_half_done_by_a_dead_worker_is_resumed(
    agent, django_capture_on_commit_callbacks, settings
):
    from datetime import timedelta

    from django.utils import timezone

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    files = sample_files(3)
    with django_capture_on_commit_callbacks(execute=True):
        batch, _ = upload(agent, files)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.VALIDATING  # the worker never got to it
    assert services.batches_resume_stalled() == 0  # not stalled yet
    later = timezone.now() + timedelta(minutes=16)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert services.batches_resume_stalled(now=later) == 1
    batch.refresh_from_db()
    assert (batch.status, batch.good_count) == (Batch.Status.READY, 3)
    assert services.batches_resume_stalled(now=later) == 0
