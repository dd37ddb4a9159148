"""The spreadsheets of 单位批量申领: the template (Chinese headers, a sample row, drop-down
lists), reading a filled-in file, the preview's rows with an error column, and the export of
the employer's applications. Every cell written is text, defused against formula injection."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sscard.core.documents import DocType
from sscard.core.errors import DomainError
from sscard.core.ethnicities import ETHNICITIES
from sscard.core.spreadsheets import xlsx_rows
from sscard.photos.uploads import MB
from sscard.production.constants import Delivery
from sscard.production.files import XLSX_TYPE, cell_safe
from sscard.regions.models import Bank, Outlet

MAX_WORKBOOK_BYTES = 10 * MB
MAX_ROWS = 5_000
# lines besides the employees' that a sheet may hold: the header, the sample row, empty or
# only formatted rows (the template formats the first 200); every line counts, empty ones too
MAX_BLANK_LINES = 1_000
MAX_COLUMNS = 50

# header → form field of 申领 (sscard.applications.forms.clean_apply)
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("姓名", "name", True),
    ("证件类型", "doc_type", True),
    ("证件号码", "doc_number", True),
    ("性别", "gender", False),
    ("民族", "ethnicity", True),
    ("国籍", "nationality", False),
    ("出生日期", "birth_date", False),
    ("手机号码", "phone", True),
    ("通讯地址", "address", True),
    ("邮政编码", "postcode", False),
    ("职业", "occupation", False),
    ("合作银行", "bank", True),
    ("领卡方式", "delivery", True),
    ("领卡网点", "outlet", False),
    ("邮寄地址", "mail_address", False),
)
HEADERS = tuple(header for header, _name, _required in COLUMNS)
FIELD_LABELS = {name: header for header, name, _required in COLUMNS} | {
    "photo": "照片",
    "id_scan": "证件扫描件",
}
ERROR_HEADER = "错误原因"
GENDERS = {"男": "M", "女": "F", "M": "M", "F": "F"}


def _deliveries() -> dict[str, str]:
    return {str(label): str(value) for value, label in Delivery.choices}


def _doc_types() -> dict[str, str]:
    """证件类型 as written in the sheet → its code (the labels are translated lazily)."""
    return {str(label): str(value) for value, label in DocType.choices}


XLSX_CONTENT_TYPE = XLSX_TYPE


OUTLETS_LIST_PREFIX = "网点_"


def _outlets_list(bank: Bank) -> str:
    """The name of a bank's outlet list (a defined name: letters, digits, underscores)."""
    return OUTLETS_LIST_PREFIX + re.sub(r"\W", "_", bank.code)


def _lists_sheet(book: Workbook, lists: dict[str, list[str]]) -> dict[str, str]:
    """A hidden sheet holding the drop-down lists; returns each list's range."""
    sheet = book.create_sheet("选项")
    ranges: dict[str, str] = {}
    for col, (name, values) in enumerate(lists.items(), start=1):
        letter = sheet.cell(row=1, column=col).column_letter
        sheet.cell(row=1, column=col, value=name)
        for row, value in enumerate(values, start=2):
            sheet.cell(row=row, column=col, value=value)
        ranges[name] = f"'选项'!${letter}$2:${letter}${max(len(values) + 1, 2)}"
    sheet.sheet_state = "hidden"
    return ranges


def template_workbook() -> bytes:
    """批量申领模板.xlsx: headers, one sample row (marked, and skipped on import when left in),
    drop-down lists for the closed choices, the ID number column as text."""
    banks = list(Bank.objects.filter(active=True).order_by("code"))
    outlets = list(
        Outlet.objects.filter(active=True, bank__in=banks).select_related("bank").order_by("code")
    )
    first = outlets[0] if outlets else None
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 — a new workbook has its first sheet
    sheet.title = "批量申领"
    sheet.append(HEADERS)
    sample = {
        "name": "示例：张三",
        "doc_type": str(DocType.RESIDENT_ID.label),
        "doc_number": "445202199001011234",
        "gender": "男",
        "ethnicity": "汉族",
        "nationality": "中国",
        "birth_date": "1990-01-01",
        "phone": "13800000000",
        "address": "广东省揭阳市榕城区临江北路1号",
        "postcode": "522000",
        "occupation": "职员",
        "bank": first.bank.name if first and first.bank else (banks[0].name if banks else ""),
        "delivery": str(Delivery.OUTLET.label),
        "outlet": first.name if first else "",
        "mail_address": "",
    }
    sheet.append([sample[name] for _h, name, _r in COLUMNS])
    for cell in sheet[2]:
        cell.data_type = "s"
    ranges = _lists_sheet(
        book,
        {
            "证件类型": list(_doc_types()),
            "性别": ["男", "女"],
            "民族": list(ETHNICITIES),
            "合作银行": [bank.name for bank in banks],
            "领卡方式": list(_deliveries()),
            "银行代码": [bank.code for bank in banks],
            # one list per bank: its outlets (the card is collected where its bank is)
            **{
                _outlets_list(bank): [o.name for o in outlets if o.bank_id == bank.pk]
                for bank in banks
            },
        },
    )
    for bank in banks:
        # a name per bank's list, which the outlet column's drop-down looks up by the row's bank
        name = _outlets_list(bank)
        book.defined_names[name] = DefinedName(name, attr_text=ranges[name])
    bank_letter = sheet.cell(row=1, column=HEADERS.index("合作银行") + 1).column_letter
    outlets_of_row_bank = (
        f'INDIRECT("{OUTLETS_LIST_PREFIX}"&INDEX({ranges["银行代码"]},'
        f"MATCH(${bank_letter}2,{ranges['合作银行']},0)))"
    )
    for header, _name in (
        ("证件类型", "doc_type"),
        ("性别", "gender"),
        ("民族", "ethnicity"),
        ("合作银行", "bank"),
        ("领卡方式", "delivery"),
        ("领卡网点", "outlet"),
    ):
        column = HEADERS.index(header) + 1
        letter = sheet.cell(row=1, column=column).column_letter
        formula = outlets_of_row_bank if header == "领卡网点" else ranges[header]
        rule = DataValidation(type="list", formula1=formula, allow_blank=True)
        rule.error = f"请从下拉列表中选择{header}"
        rule.errorTitle = header
        rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(rule)
    id_col = sheet.cell(row=1, column=HEADERS.index("证件号码") + 1).column_letter
    for row in range(2, 200):
        sheet[f"{id_col}{row}"].number_format = "@"  # 身份证号 as text, not 4.45E+17
    for index, header in enumerate(HEADERS, start=1):
        width = 22 if header in ("证件号码", "通讯地址", "邮寄地址", "领卡网点") else 12
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    notes = book.create_sheet("填写说明")
    for line in (
        "1. 每行填写一名职工，第一行表头请勿修改；示例行（姓名以“示例”开头）导入时自动跳过。",
        "2. 证件号码请以文本格式填写；照片压缩包内的照片以证件号码命名，"
        "如 445202199001011234.jpg。",
        "3. 照片要求：近6个月内1寸白底免冠彩色正面证件照，JPG或PNG；"
        "不符合要求的系统会尝试自动修正。",
        "4. 领卡方式为“网点领取”时须选择领卡网点（须为所选合作银行的网点，先选合作银行，"
        "领卡网点的下拉列表即为该银行的网点）；为“邮寄”时须填写邮寄地址。",
        f"5. 每个文件最多{MAX_ROWS}行，文件最大{MAX_WORKBOOK_BYTES // MB}MB。",
    ):
        notes.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    # a cell defused on export reads back as what it was
    return text[1:] if text.startswith("'") else text


def read_workbook(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """The data rows as ``(line, {header: text})``; the sample row and empty rows are
    skipped. Raises :class:`DomainError` (``field="workbook"``) for a file that is not the
    template or is over the caps: every line counts towards :data:`MAX_BLANK_LINES` more than
    :data:`MAX_ROWS`, empty ones too, so that a small file declaring millions of empty rows is
    refused at once (the background check reads it, never the request)."""
    if len(content) > MAX_WORKBOOK_BYTES:
        raise DomainError(
            f"表格文件过大（最大{MAX_WORKBOOK_BYTES // MB}MB）", field="workbook", code="too_large"
        )
    rows = xlsx_rows(
        content,
        max_lines=MAX_ROWS + MAX_BLANK_LINES,
        max_columns=MAX_COLUMNS,
        field="workbook",
        unreadable="无法读取该表格，请使用下载的批量申领模板（.xlsx）填写",
    )
    header = [_text(value) for value in next(rows, ())]
    missing = [name for name in HEADERS if name not in header]
    if missing:
        rows.close()
        raise DomainError(
            f"表格缺少列：{'、'.join(missing)}。请使用下载的批量申领模板填写，勿修改表头",
            field="workbook",
            code="bad_header",
        )
    index = {name: header.index(name) for name in HEADERS}
    out: list[tuple[int, dict[str, str]]] = []
    for line, raw in enumerate(rows, start=2):
        cells = [_text(value) for value in raw]
        if not any(cells):
            continue
        values = {name: (cells[i] if i < len(cells) else "") for name, i in index.items()}
        if values["姓名"].startswith("示例"):
            continue
        out.append((line, values))
        if len(out) > MAX_ROWS:
            rows.close()
            raise DomainError(
                f"每个文件最多{MAX_ROWS}行，请拆分成多个文件分批上传",
                field="workbook",
                code="too_many_rows",
            )
    if not out:
        raise DomainError("表格中没有职工信息，请填写后再上传", field="workbook", code="empty")
    return out


def form_data(values: dict[str, str], banks: dict[str, str], outlets: dict[str, str]) -> dict:
    """A row's cells as the 申领 form's fields (labels → codes). ``banks`` and ``outlets`` map
    names and codes to codes."""
    data = {name: values.get(header, "") for header, name, _required in COLUMNS}
    data["doc_type"] = _doc_types().get(data["doc_type"], data["doc_type"])
    data["doc_number"] = data["doc_number"].replace(" ", "").upper()
    data["gender"] = GENDERS.get(data["gender"], data["gender"])
    data["bank"] = banks.get(data["bank"], data["bank"])
    data["delivery"] = _deliveries().get(data["delivery"], data["delivery"])
    data["outlet"] = outlets.get(data["outlet"], data["outlet"])
    if data["nationality"] == "中国":
        data["nationality"] = ""
    return data


def _book(title: str, headers: Iterable[str], rows: Iterable[Iterable[Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet: Worksheet = book.create_sheet(title)
    sheet.append(list(headers))
    for row in rows:
        sheet.append([cell_safe(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def errors_workbook(rows: Iterator[tuple[dict[str, str], str]]) -> bytes:
    """The rows as uploaded, each with its 错误原因 (empty when it can be submitted)."""
    return _book(
        "校验结果",
        (*HEADERS, ERROR_HEADER),
        ([*(values.get(header, "") for header in HEADERS), error] for values, error in rows),
    )


EXPORT_HEADERS = (
    "受理编号",
    "姓名",
    "证件号码",
    "服务事项",
    "办件状态",
    "制卡进度",
    "领卡方式",
    "提交时间",
)


def export_workbook(rows: Iterable[Iterable[Any]]) -> bytes:
    return _book("申领进度", EXPORT_HEADERS, rows)
