"""Hand-made XLSX files for the tests: the sheet's XML written straight into a ZIP, so that a
file of a few hundred bytes can declare (or hold) millions of empty rows."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    f'{XML}<Types xmlns="{PACKAGE}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OOXML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OOXML}.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'{XML}<Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'{XML}<workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'{XML}<Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _column(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xlsx_with_empty_rows(
    header: tuple[str, ...] | list[str], *, last_row: int, dimension: str | None = "declared"
) -> bytes:
    """An XLSX whose first row is ``header`` (inline strings) and whose only other row is the
    empty ``<row r="last_row"/>``. ``dimension``: ``"declared"`` states the true extent,
    ``"lying"`` claims the header row only, ``None`` leaves the element out."""
    cells = "".join(
        f'<c r="{_column(i)}1" t="inlineStr"><is><t>{escape(text)}</t></is></c>'
        for i, text in enumerate(header, start=1)
    )
    last = _column(len(header))
    extent = {"declared": f"A1:{last}{last_row}", "lying": f"A1:{last}1", None: None}[dimension]
    dimension_xml = f'<dimension ref="{extent}"/>' if extent else ""
    sheet = (
        f'{XML}<worksheet xmlns="{MAIN}">'
        f'{dimension_xml}<sheetData><row r="1">{cells}</row><row r="{last_row}"/></sheetData>'
        "</worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()
