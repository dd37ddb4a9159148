"""Batch files: export (access-checked, audited, formula-injection safe) and the result import
(all or nothing, every bad row by its line, the same file twice changes nothing)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from sscard.audit.models import AuditRecord
from sscard.core.errors import DomainError
from sscard.production.constants import Stage
from sscard.production.files import RESULT_COLUMNS, batch_export, batch_import_results, cell_safe
from sscard.production.models import ProductionOrder, ResultImport
from sscard.production.services import batch_create, batch_send
from sscard.testing.otp import otp_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(producer):
    """The production officer: a 制卡管理员, holding the batch permissions through the group."""
    assert producer.has_perms(["production.export_batch", "production.import_results"])
    return producer


@pytest.fixture
def batch(make_orders, bank, officer):
    orders = make_orders(2)
    batch = batch_create(bank=bank, order_ids=[o.pk for o in orders], actor=officer)
    return batch_send(batch=batch, actor=officer)


def result_csv(rows, header=RESULT_COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+86 138", "'+86 138"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("张三", "张三"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_defused(value, shown):
    assert cell_safe(value) == shown


def test_the_csv_export_holds_what_the_bank_needs_and_is_audited(batch, officer):
    batch.orders.first().person.__class__.objects.filter(pk=batch.orders.first().person_id).update(
        name="=1+2"
    )  # a hostile name stays text
    file = batch_export(batch=batch, fmt="csv", actor=officer)
    rows = list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["订单号", "社会保障卡卡号", "姓名", "证件类型", "证件号码"]
    assert len(rows) == 3
    order = ProductionOrder.objects.select_related("person", "card").get(pk=int(rows[1][0]))
    assert rows[1][1] == order.card.number and rows[1][4] == order.person.doc_number
    assert "'=1+2" in [r[2] for r in rows[1:]]
    record = AuditRecord.objects.get(action="production.batch_exported")
    assert record.detail == {"batch": batch.number, "format": "csv", "rows": 2}
    assert order.person.doc_number not in str(record.detail)


def test_the_xlsx_export_keeps_every_cell_as_text(batch, officer):
    first = batch.orders.order_by("pk").first()
    first.person.__class__.objects.filter(pk=first.person_id).update(occupation="x", name="=SUM(1)")
    file = batch_export(batch=batch, fmt="xlsx", actor=officer)
    sheet = load_workbook(io.BytesIO(file.content)).active
    names = [row[2].value for row in sheet.iter_rows(min_row=2)]
    assert "'=SUM(1)" in names
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None]
    assert cells and all(cell.data_type == "s" for cell in cells)


@pytest.mark.parametrize("role_fixture", ["reviewer", "clerk"])
def test_only_the_production_officer_exports(batch, request, role_fixture, client):
    staff = request.getfixturevalue(role_fixture)
    with pytest.raises(DomainError):
        batch_export(batch=batch, fmt="csv", actor=staff)
    otp_login(client, staff)  # signed in with both factors, without the export permission
    url = reverse("production:batch_export", args=[batch.pk, "csv"])
    assert client.get(url).status_code == 403
    assert not AuditRecord.objects.filter(action="production.batch_exported").exists()


def test_the_export_view_sends_the_file_to_the_officer(batch, officer, client):
    otp_login(client, officer)
    response = client.get(reverse("production:batch_export", args=[batch.pk, "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{batch.number}.xlsx"'
    assert "no-store" in response["Cache-Control"]


def test_an_anonymous_visitor_is_sent_to_the_staff_login(batch, client):
    response = client.get(reverse("production:batch_export", args=[batch.pk, "csv"]))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_the_officer_without_the_second_factor_is_sent_to_the_staff_login(batch, officer, client):
    client.force_login(officer)  # a password-only session, e.g. from the Django admin's login
    response = client.get(reverse("production:batch_export", args=[batch.pk, "csv"]))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
    assert not AuditRecord.objects.filter(action="production.batch_exported").exists()


def test_a_result_file_moves_the_orders_and_the_same_file_again_changes_nothing(batch, officer):
    a, b = batch.orders.order_by("pk")
    content = result_csv(
        [
            [a.pk, a.card.number, "制卡中", "", "制卡中心", "", "", ""],
            [a.pk, a.card.number, "制卡成功", "", "", "****5678", "", ""],
            [a.pk, a.card.number, "市银行签收", "", "工商银行揭阳分行", "", "", ""],
            [b.pk, b.card.number, "制卡失败", "", "", "", "", "照片质量不合格"],
        ]
    )
    outcome = batch_import_results(batch=batch, file_name="r.csv", content=content, actor=officer)
    assert (outcome.rows, outcome.changed) == (4, 4)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.stage == Stage.CITY_BANK and b.stage == Stage.FAILED
    events = a.events.count() + b.events.count()

    again = batch_import_results(batch=batch, file_name="r.csv", content=content, actor=officer)
    assert again.previous is not None and again.changed == 0
    assert a.events.count() + b.events.count() == events
    assert ResultImport.objects.count() == 1


def test_a_file_with_bad_rows_changes_nothing_and_names_every_bad_line(batch, officer):
    a, b = batch.orders.order_by("pk")
    content = result_csv(
        [
            [a.pk, a.card.number, "制卡中", "", "", "", "", ""],
            ["abc", "", "制卡中", "", "", "", "", ""],
            [b.pk, b.card.number, "已发货", "", "", "", "", ""],
            [b.pk, b.card.number, "制卡失败", "", "", "", "", ""],
            [a.pk, a.card.number, "已寄出", "", "", "", "SF1", ""],
            [a.pk, a.card.number, "制卡中", "2026-13-01 10:00", "", "", "", ""],
        ]
    )
    with pytest.raises(DomainError) as caught:
        batch_import_results(batch=batch, file_name="r.csv", content=content, actor=officer)
    errors = caught.value.errors
    assert list(errors) == ["第3行", "第4行", "第5行", "第6行", "第7行"]
    assert "订单号" in errors["第3行"] and "已发货" in errors["第4行"]
    assert "失败原因" in errors["第5行"] and "网点领取" in errors["第6行"]
    assert "时间" in errors["第7行"]
    a.refresh_from_db()
    assert a.stage == Stage.DATA_SENT
    assert not ResultImport.objects.exists()


def test_an_xlsx_result_file_is_read_too(batch, officer):
    a = batch.orders.order_by("pk").first()
    book = Workbook()
    sheet = book.active
    sheet.append(RESULT_COLUMNS)
    sheet.append([a.pk, a.card.number, "制卡中", "2001-01-01 09:30", "制卡中心", "", "", ""])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(DomainError) as caught:  # long before the data was sent
        batch_import_results(batch=batch, file_name="r.xlsx", content=out.getvalue(), actor=officer)
    assert list(caught.value.errors) == ["第2行"]
    sheet["D2"] = None
    out = io.BytesIO()
    book.save(out)
    batch_import_results(batch=batch, file_name="r.xlsx", content=out.getvalue(), actor=officer)
    a.refresh_from_db()
    assert a.stage == Stage.PRODUCING


def test_a_file_without_the_header_is_refused(batch, officer):
    with pytest.raises(DomainError, match="表头"):
        batch_import_results(batch=batch, file_name="r.csv", content=b"1,2,3\n", actor=officer)


def test_the_import_screen_lists_every_bad_line(batch, officer, client):
    otp_login(client, officer)
    content = result_csv([["x", "", "制卡中", "", "", "", "", ""]])
    upload = io.BytesIO(content)
    upload.name = "results.csv"
    response = client.post(reverse("production:batch_import", args=[batch.pk]), {"file": upload})
    assert response.status_code == 422
    assert "第2行：订单号须为数字" in response.content.decode()


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_small_result_file_with_millions_of_empty_rows_is_refused_at_once(batch, officer, kind):
    import time

    from sscard.testing.spreadsheets import xlsx_with_empty_rows

    if kind == "xlsx":
        content = xlsx_with_empty_rows(RESULT_COLUMNS, last_row=3_000_000, dimension="lying")
    else:
        content = (",".join(RESULT_COLUMNS) + "\n").encode() + b"\n" * 3_000_000
    started = time.monotonic()
    with pytest.raises(DomainError, match="行数过多") as refused:
        batch_import_results(batch=batch, file_name=f"r.{kind}", content=content, actor=officer)
    assert time.monotonic() - started < 1.5
    assert refused.value.field == "file"
    assert not ResultImport.objects.exists()
