"""The /employer/ pages through the test client: registration, clerk logins, tenant isolation
(another employer's batch or receipt is not found), the template, the exports."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from sscard.accounts.models import Employer, User
from sscard.applications.models import Application
from sscard.employers import services, sheets
from sscard.employers.models import EmployerClerk
from sscard.employers.samples import sample_files
from sscard.portal.tests.helpers import login_post
from sscard.testing.factories import UserFactory
from sscard.testing.ids import uscc
from sscard.testing.photos import png_photo, upload
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "Jieyang-hr-2026"


def register_post(client, **changes):
    """单位注册, with a 营业执照 scan unless ``licence=None``."""
    licence = changes.pop("licence", upload(png_photo(), "执照.png", "image/png"))
    data = {
        "employer_name": "揭阳市新职工电子有限公司",
        "uscc": uscc(),
        "contact_name": "林经办",
        "contact_phone": "13800138000",
        "username": "xinzhigong",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "captcha_0": "test",
        "captcha_1": "PASSED",
        **changes,
    }
    if licence is not None:
        data["licence"] = licence
    return client.post("/employer/register/", data)


def submitted_batch(user, files, capture):
    with capture(execute=True):
        batch, _ = services.batch_upload(
            user=user,
            workbook=SimpleUploadedFile("rows.xlsx", files.workbook),
            photos=SimpleUploadedFile("photos.zip", files.photos),
        )
    with capture(execute=True):
        services.batch_submit(user=user, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def test_a_credit_code_one_character_too_long_is_refused_in_the_codes_own_words(client):
    response = register_post(client, uscc=uscc() + "1")
    assert response.status_code == 400
    assert response.context["form"].errors["uscc"] == ["统一社会信用代码应为18位，您输入了19位"]


def test_registration_makes_the_employer_and_its_manager_login(client, partners):
    response = register_post(client)
    assert response.status_code == 302 and response["Location"] == "/employer/"
    employer = Employer.objects.get()
    user = User.objects.get(username="xinzhigong")
    assert (user.role, user.employer, user.first_name) == ("employer", employer, "林经办")
    assert EmployerClerk.objects.get(user=user).manager
    assert "揭阳市新职工电子有限公司" in client.get("/employer/").content.decode()


def test_registration_refuses_a_wrong_credit_code_a_taken_one_and_a_weak_password(client, partners):
    response = register_post(client, uscc="91445200MA4X0000X0")
    assert response.status_code == 400
    assert "统一社会信用代码" in response.context["form"].errors["uscc"][0]
    code = uscc()
    assert register_post(client, uscc=code).status_code == 302
    client.logout()
    again = register_post(client, uscc=code, username="another")
    assert "已注册" in again.context["form"].errors["uscc"][0]
    weak = register_post(client, password1="12345678", password2="12345678", username="weak1")
    assert weak.context["form"].errors["password1"]
    no_captcha = register_post(client, captcha_1="WRONG", username="nocap")
    assert no_captcha.context["form"].errors["captcha"] == ["验证码错误，请重新输入"]
    assert Employer.objects.count() == 1


def test_the_manager_adds_a_clerk_who_logs_in_with_password_and_captcha(client, partners):
    register_post(client)
    response = client.post(
        "/employer/clerks/",
        {"name": "陈专员", "username": "chen_hr", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    clerk = User.objects.get(username="chen_hr")
    assert clerk.employer == User.objects.get(username="xinzhigong").employer
    client.logout()
    assert login_post(client, "chen_hr", PASSWORD).status_code == 200
    page = client.get("/employer/clerks/").content.decode()
    assert "如需添加经办人账号，请联系本单位管理员" in page
    # a clerk cannot add logins
    refused = client.post(
        "/employer/clerks/",
        {"name": "王某", "username": "wang_hr", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert refused.status_code == 404
    assert not User.objects.filter(username="wang_hr").exists()


def test_the_manager_disables_a_clerk(client, partners):
    register_post(client)
    client.post(
        "/employer/clerks/",
        {"name": "陈专员", "username": "chen_hr", "password1": PASSWORD, "password2": PASSWORD},
    )
    clerk = User.objects.get(username="chen_hr")
    client.post(f"/employer/clerks/{clerk.pk}/toggle/")
    clerk.refresh_from_db()
    assert not clerk.is_active
    client.logout()
    assert login_post(client, "chen_hr", PASSWORD).status_code == 400


def test_citizens_and_visitors_do_not_reach_employer_pages(client, partners):
    assert client.get("/employer/batches/").status_code == 302  # to 点击登录
    sign_in(client, UserFactory())
    response = client.get("/employer/batches/")
    assert response.status_code == 403
    assert "仅供单位账号使用" in response.content.decode()


def test_another_employers_batch_and_receipts_are_not_found(
    client, agent, other_agent, django_capture_on_commit_callbacks
):
    theirs = submitted_batch(other_agent, sample_files(3), django_capture_on_commit_callbacks)
    receipt = Application.objects.filter(applicant=other_agent).first().receipt_number
    sign_in(client, agent)
    for url in (
        f"/employer/batches/{theirs.pk}/",
        f"/employer/batches/{theirs.pk}/progress/",
        f"/employer/batches/{theirs.pk}/errors.xlsx",
        f"/employer/applications/{receipt}/",
        f"/employer/applications/?batch={theirs.pk}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (f"/employer/batches/{theirs.pk}/submit/", f"/employer/batches/{theirs.pk}/cancel/"):
        assert client.post(url).status_code == 404, url
    listing = client.get("/employer/applications/").content.decode()
    assert receipt not in listing and "暂无申领记录" in listing
    export = load_workbook(io.BytesIO(client.get("/employer/applications/export.xlsx").content))
    assert export.active.max_row == 1  # the headers only
    # the owner sees them
    sign_in(client, other_agent)
    assert client.get(f"/employer/applications/{receipt}/").status_code == 200


def test_the_applications_list_filters_and_the_export_is_masked(
    client, agent, django_capture_on_commit_callbacks
):
    files = sample_files(4)
    submitted_batch(agent, files, django_capture_on_commit_callbacks)
    sign_in(client, agent)
    page = client.get("/employer/applications/").content.decode()
    assert "共4件" in page
    assert files.doc_numbers[0] not in page
    one = client.post("/employer/applications/", {"doc_number": files.doc_numbers[1]})
    assert "共1件" in one.content.decode()
    wrong = client.post("/employer/applications/", {"doc_number": "445202199001011235"})
    assert "共0件" in wrong.content.decode()
    none = client.get("/employer/applications/?status=approved").content.decode()
    assert "共0件" in none
    export = client.get("/employer/applications/export.xlsx")
    assert export["Content-Type"] == sheets.XLSX_CONTENT_TYPE
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0] == sheets.EXPORT_HEADERS
    assert len(rows) == 5
    text = repr(rows)
    assert not any(number in text for number in files.doc_numbers)
    assert all("*" in row[1] and "*" in row[2] for row in rows[1:])


def test_the_error_workbook_defuses_formulas(client, agent, django_capture_on_commit_callbacks):
    files = sample_files(2)
    book = load_workbook(io.BytesIO(files.workbook))
    sheet = book["批量申领"]
    # text cells a spreadsheet program would run as formulas if written back as they are
    job = sheet.cell(
        row=3, column=sheets.HEADERS.index("职业") + 1, value='=HYPERLINK("http://x","y")'
    )
    job.data_type = "s"
    sheet.cell(row=4, column=sheets.HEADERS.index("手机号码") + 1, value="@SUM(1)")
    out = io.BytesIO()
    book.save(out)
    files.workbook = out.getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        batch, _ = services.batch_upload(
            user=agent,
            workbook=SimpleUploadedFile("rows.xlsx", files.workbook),
            photos=SimpleUploadedFile("photos.zip", files.photos),
        )
    sign_in(client, agent)
    response = client.get(f"/employer/batches/{batch.pk}/errors.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    texts = [str(cell.value) for cell in cells]
    assert '\'=HYPERLINK("http://x","y")' in texts and "'@SUM(1)" in texts


def test_the_template_has_headers_a_sample_row_and_dropdowns(client, agent):
    sign_in(client, agent)
    response = client.get("/employer/batches/template.xlsx")
    assert response["Content-Type"] == sheets.XLSX_CONTENT_TYPE
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["批量申领"]
    assert [c.value for c in sheet[1]] == list(sheets.HEADERS)
    assert sheet.cell(row=2, column=1).value.startswith("示例")
    lists = {str(rule.sqref).split(":")[0][0] for rule in sheet.data_validations.dataValidation}
    assert len(lists) == 6
    assert book["选项"].sheet_state == "hidden"
    assert "中国工商银行" in [c.value for c in book["选项"]["D"]]


def test_a_bad_upload_is_refused_with_the_reason(
    client, agent, monkeypatch, django_capture_on_commit_callbacks
):
    sign_in(client, agent)
    not_a_zip = client.post(
        "/employer/batches/",
        {
            "workbook": SimpleUploadedFile("rows.xlsx", sample_files(1).workbook),
            "photos": SimpleUploadedFile("photos.zip", b"not a zip at all"),
        },
    )
    assert not_a_zip.status_code == 400
    assert "无法读取照片压缩包" in not_a_zip.content.decode()
    # what needs reading (rows, the archive's entries) is read by the background check, whose
    # reason the batch's page shows
    monkeypatch.setattr(sheets, "MAX_ROWS", 2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/employer/batches/",
            {
                "workbook": SimpleUploadedFile("rows.xlsx", sample_files(3).workbook),
                "photos": SimpleUploadedFile("photos.zip", sample_files(3).photos),
            },
        )
    page = client.get(response["Location"]).content.decode()
    assert "文件无法处理：每个文件最多2行，请拆分成多个文件分批上传" in page
    with django_capture_on_commit_callbacks(execute=True):
        damaged = client.post(
            "/employer/batches/",
            {
                "workbook": SimpleUploadedFile("rows.xlsx", sample_files(1).workbook),
                "photos": SimpleUploadedFile("photos.zip", b"PK\x03\x04 damaged"),
            },
        )
    page = client.get(damaged["Location"]).content.decode()
    assert "文件无法处理：无法读取照片压缩包" in page


def test_the_demo_sample_command_writes_both_files(partners, tmp_path):
    from django.core.management import call_command

    call_command("employer_sample", rows=10, bad=2, out=str(tmp_path))
    book = load_workbook(tmp_path / "批量申领示例.xlsx")
    assert book["批量申领"].cell(row=12, column=1).value  # 10 rows after the sample row
    assert (tmp_path / "批量申领照片.zip").stat().st_size > 0
