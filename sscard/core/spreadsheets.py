"""Reading an uploaded XLSX without letting a small file cost a long time or a lot of memory.

An XLSX is a ZIP of XML. A 31 KB file can declare three million empty rows (one ``<row
r="3000000"/>``, or a ``<dimension>`` that says so), which openpyxl dutifully yields one by
one; deflated XML can unpack a thousandfold. So, before a row is read: the unpacked size of
the whole archive is capped (the declared sizes: Python's zipfile never reads past them), the
sheet's declared dimension is checked against the caps, and while streaming every row counts —
empty ones too — with reading stopping at the cap whatever the file declared."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Generator
from typing import Any

from openpyxl import load_workbook

from sscard.core.errors import DomainError

MB = 1024 * 1024
MAX_UNPACKED_BYTES = 50 * MB
MAX_MEMBERS = 200


def _refuse(message: str, *, field: str, code: str) -> DomainError:
    return DomainError(message, field=field, code=code)


def _check_archive(content: bytes, *, field: str, unreadable: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(unreadable, field=field, code="bad_file") from exc
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise _refuse(
            "表格文件内容异常（解压后过大），请重新填写后上传", field=field, code="too_large"
        )


def xlsx_rows(
    content: bytes,
    *,
    max_lines: int,
    max_columns: int,
    field: str,
    unreadable: str = "无法读取该表格，请上传 .xlsx 格式的文件",
) -> Generator[tuple[Any, ...], None, None]:
    """The first sheet's rows as value tuples, the header included, empty rows included (as
    empty tuples or tuples of None). Refuses with a :class:`DomainError` on ``field``: a file
    that is not an XLSX (``unreadable``), one that unpacks too large, a sheet that declares or
    holds more than ``max_lines`` rows or declares more than ``max_columns`` columns."""
    _check_archive(content, field=field, unreadable=unreadable)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        declared_rows, declared_columns = sheet.max_row, sheet.max_column
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _refuse(unreadable, field=field, code="bad_file") from exc
    too_many_lines = _refuse(
        f"表格行数过多（含空行最多{max_lines}行），请删除多余的空行，或拆分成多个文件分批上传",
        field=field,
        code="too_many_rows",
    )
    try:
        if declared_rows is not None and declared_rows > max_lines:
            raise too_many_lines
        if declared_columns is not None and declared_columns > max_columns:
            raise _refuse(
                f"表格列数过多（最多{max_columns}列），请使用模板填写，勿添加多余的列",
                field=field,
                code="too_many_columns",
            )
        rows = sheet.iter_rows(max_row=max_lines + 1, max_col=max_columns, values_only=True)
        for line, row in enumerate(rows, start=1):
            if line > max_lines:
                raise too_many_lines
            yield row
    except DomainError:
        raise
    except Exception as exc:
        raise _refuse(unreadable, field=field, code="bad_file") from exc
    finally:
        book.close()
