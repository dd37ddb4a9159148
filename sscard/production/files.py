"""Batch files for the partners that work with files: the batch as CSV or XLSX (personal data
in full: only the production officer exports, and every export is audited), and the result
file they send back, imported all or nothing."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import Workbook

from sscard.accounts.models import User
from sscard.accounts.services import require_role
from sscard.audit.services import audit_record
from sscard.core.documents import DocType, Gender
from sscard.core.errors import DomainError
from sscard.core.spreadsheets import xlsx_rows
from sscard.production.constants import BatchStatus, Delivery, Stage
from sscard.production.models import Batch, ResultImport
from sscard.production.reports import Report, ReportKind, ReportsRejected, batch_apply_reports
from sscard.production.retention import batch_download_ensure_open
from sscard.production.selectors import batch_orders

EXPORT_COLUMNS = (
    "订单号",
    "社会保障卡卡号",
    "姓名",
    "证件类型",
    "证件号码",
    "性别",
    "民族",
    "国籍",
    "出生日期",
    "手机号码",
    "通讯地址",
    "领卡方式",
    "领卡网点代码",
    "领卡网点",
    "邮寄地址",
    "合作银行",
)
RESULT_COLUMNS = (
    "订单号",
    "社会保障卡卡号",
    "结果",
    "时间",
    "地点",
    "银行账号",
    "快递单号",
    "失败原因",
)
RESULT_WORDS = {
    Stage.PRODUCING.label: (ReportKind.STAGE, Stage.PRODUCING),
    Stage.CITY_BANK.label: (ReportKind.STAGE, Stage.CITY_BANK),
    Stage.OUTLET.label: (ReportKind.STAGE, Stage.OUTLET),
    Stage.MAILED.label: (ReportKind.STAGE, Stage.MAILED),
    Stage.DELIVERED.label: (ReportKind.STAGE, Stage.DELIVERED),
    "已签收": (ReportKind.STAGE, Stage.COLLECTED),
    "制卡成功": (ReportKind.SUCCESS, ""),
    Stage.FAILED.label: (ReportKind.FAILURE, ""),
}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d %H:%M")
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_LINES = MAX_ROWS + 1_000  # every line counts, the header and empty ones too
MAX_COLUMNS = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# a spreadsheet reads a cell starting with one of these as a formula (CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell_safe(value: object) -> str:
    """The text of a cell, defused: a value a spreadsheet would run as a formula is
    prefixed with an apostrophe and shows as the text it is."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _export_rows(batch: Batch) -> Iterator[list[str]]:
    doc_types = dict(DocType.choices)
    genders = dict(Gender.choices)
    for order in batch_orders(batch):
        person = order.person
        yield [
            cell_safe(v)
            for v in (
                order.pk,
                order.card.number,
                person.name,
                doc_types.get(person.doc_type, person.doc_type),
                person.doc_number,
                genders.get(person.gender, person.gender),
                person.ethnicity,
                person.nationality,
                person.birth_date.isoformat(),
                person.phone,
                person.address,
                order.get_delivery_display(),
                order.outlet.code if order.outlet else "",
                order.outlet.name if order.outlet else "",
                order.mail_address if order.delivery == Delivery.MAIL else "",
                order.bank.name,
            )
        ]


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def batch_export(*, batch: Batch, fmt: str, actor: User) -> ExportFile:
    """The batch as a file for the bank: ``fmt`` is ``csv`` (UTF-8 with BOM, which the
    spreadsheet programs in use read as Chinese) or ``xlsx``. Refused
    (:class:`~sscard.production.retention.BatchDownloadClosed`) once the batch has been done
    longer than the region allows."""
    require_role(actor, User.Role.PRODUCER)
    if fmt not in ("csv", "xlsx"):
        raise DomainError("导出格式不正确", code="bad_format")
    batch_download_ensure_open(batch=batch, actor=actor, via=fmt)
    rows = list(_export_rows(batch))
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)
        content = ("\ufeff" + buffer.getvalue()).encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None  # noqa: S101 - a new workbook always has its first sheet
        sheet.title = batch.number
        sheet.append(EXPORT_COLUMNS)
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                cell.data_type = "s"  # text, never a formula or a number
        out = io.BytesIO()
        book.save(out)
        content = out.getvalue()
        content_type = XLSX_TYPE
    else:
        raise DomainError("导出格式不正确", code="bad_format")
    audit_record(
        actor=actor,
        action="production.batch_exported",
        target=batch,
        detail={"batch": batch.number, "format": fmt, "rows": len(rows)},
    )
    return ExportFile(content, content_type, f"{batch.number}.{fmt}")


# ---------------------------------------------------------------------------------------------
# 导入制卡结果


@dataclass(frozen=True)
class ImportOutcome:
    rows: int
    changed: int
    previous: ResultImport | None = None  # this very file was imported before


def _too_many_lines() -> DomainError:
    return DomainError(
        f"文件行数过多（含空行最多{MAX_LINES}行），请删除多余的空行或拆分后分别导入",
        code="too_many_rows",
        field="file",
    )


def _read_rows(name: str, content: bytes) -> list[list[str]]:
    """The file's lines as cells; every line counts towards :data:`MAX_LINES`, empty ones
    too (a small XLSX may declare millions of empty rows, a CSV hold millions of newlines)."""
    if content[:2] == b"PK" or name.lower().endswith(".xlsx"):
        rows = xlsx_rows(
            content,
            max_lines=MAX_LINES,
            max_columns=MAX_COLUMNS,
            field="file",
            unreadable="无法读取该 XLSX 文件",
        )
        return [["" if v is None else str(v).strip() for v in row] for row in rows]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise DomainError("无法识别文件编码，请使用 UTF-8 或 GBK", code="bad_file", field="file")
    table: list[list[str]] = []
    for row in csv.reader(io.StringIO(text)):
        if len(table) >= MAX_LINES:
            raise _too_many_lines()
        table.append([v.strip() for v in row[:MAX_COLUMNS]])
    return table


def _parse_time(text: str) -> datetime | None:
    if not text:
        return None
    for fmt in TIME_FORMATS:
        try:
            return timezone.make_aware(datetime.strptime(text, fmt))  # noqa: DTZ007
        except ValueError:
            continue
    raise DomainError(f"时间“{text}”格式不正确，应为 YYYY-MM-DD HH:MM")


def _unquote(value: str) -> str:
    """A cell defused by :func:`cell_safe` reads back as what it was."""
    return value[1:] if value.startswith("'") else value


def _parse_row(values: dict[str, str]) -> Report:
    order_text = values.get("订单号", "")
    if not order_text.isdigit():
        raise DomainError("订单号须为数字")
    word = values.get("结果", "")
    if word not in RESULT_WORDS:
        raise DomainError(f"结果“{word}”不正确，应为：{'、'.join(RESULT_WORDS)}")
    kind, stage = RESULT_WORDS[word]
    report = Report(
        order_id=int(order_text),
        kind=kind,
        stage=stage,
        at=_parse_time(values.get("时间", "")),
        place=values.get("地点", "")[:100],
        tracking_number=values.get("快递单号", "")[:40],
        card_number=values.get("社会保障卡卡号", ""),
        bank_account=values.get("银行账号", ""),
        reason=values.get("失败原因", ""),
    )
    if kind == ReportKind.FAILURE and not report.reason:
        raise DomainError("制卡失败须填写失败原因")
    if kind == ReportKind.SUCCESS and not (
        report.bank_account and set(report.bank_account) <= set("0123456789*")
    ):
        raise DomainError("制卡成功须填写银行账号（数字，可含*）")
    return report


def batch_import_results(
    *, batch: Batch, file_name: str, content: bytes, actor: User
) -> ImportOutcome:
    """Apply a result file to ``batch``: every row or none. Every bad row is reported with
    its line number (:class:`ReportsRejected`); the same file imported again changes nothing."""
    require_role(actor, User.Role.PRODUCER)
    if batch.status == BatchStatus.DRAFT:
        raise DomainError("批次尚未发送，不能导入结果", code="not_sent")
    if not content:
        raise DomainError("请选择结果文件", code="bad_file", field="file")
    if len(content) > MAX_FILE_BYTES:
        raise DomainError("文件过大（上限 5 MB）", code="bad_file", field="file")
    digest = hashlib.sha256(content).hexdigest()
    previous = ResultImport.objects.filter(batch=batch, sha256=digest).first()
    if previous is not None:
        return ImportOutcome(rows=previous.rows, changed=0, previous=previous)
    table = _read_rows(file_name, content)
    header = [_unquote(v) for v in (table[0] if table else [])]
    missing = [c for c in ("订单号", "结果") if c not in header]
    if missing:
        raise DomainError(
            f"第1行表头缺少：{'、'.join(missing)}（应为：{','.join(RESULT_COLUMNS)}）",
            code="bad_header",
            field="file",
        )
    body = [(n, row) for n, row in enumerate(table[1:], start=2) if any(row)]
    if not body:
        raise DomainError("文件中没有结果记录", code="empty_file", field="file")
    if len(body) > MAX_ROWS:
        raise DomainError(f"记录过多（上限 {MAX_ROWS} 行）", code="bad_file", field="file")
    errors: dict[str, str] = {}
    reports: list[tuple[str, Report]] = []
    for line, row in body:
        values: dict[str, Any] = {
            name: _unquote(row[i]) if i < len(row) else "" for i, name in enumerate(header)
        }
        try:
            reports.append((f"第{line}行", _parse_row(values)))
        except DomainError as error:
            errors[f"第{line}行"] = error.message
    by = f"结果文件（{actor.audit_label}）"
    try:
        with transaction.atomic():
            try:
                outcomes = batch_apply_reports(batch=batch, reports=reports, by=by)
            except ReportsRejected as rejected:
                errors.update(rejected.errors)
            if errors:
                ordered = dict(sorted(errors.items(), key=lambda kv: int(kv[0][1:-1])))
                raise ReportsRejected(ordered)
            changed = sum(1 for o in outcomes if o.changed)
            ResultImport.objects.create(
                batch=batch,
                sha256=digest,
                file_name=file_name[:200],
                rows=len(body),
                changed=changed,
                imported_by=actor,
            )
            audit_record(
                actor=actor,
                action="production.results_imported",
                target=batch,
                detail={"batch": batch.number, "rows": len(body), "changed": changed},
            )
    except IntegrityError:  # the same file, imported at the same moment by another session
        previous = ResultImport.objects.get(batch=batch, sha256=digest)
        return ImportOutcome(rows=previous.rows, changed=0, previous=previous)
    return ImportOutcome(rows=len(body), changed=changed)
