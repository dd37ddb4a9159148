"""Receipts that prove themselves: every 受理回执 and 办结凭证 as a PDF carrying a QR code to a
public page (``/verify/receipt/<code>/``) that shows the same masked facts, read from the
record at the time of looking.

The code is a compact JWS (``sscard.core.signing``, ``typ`` :data:`RECEIPT_TYPE`) of the
receipt number and the kind of receipt, signed by the service's key: a receipt number made up
or copied onto a forged paper gets no code that verifies, and a real code always shows the
real facts, so a paper whose facts were changed does not match its own page.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from fpdf import FPDF

from sscard.applications.constants import AppStatus
from sscard.applications.models import Application
from sscard.applications.selectors import receipt_of
from sscard.core import signing
from sscard.core.errors import DomainError
from sscard.core.money import fen_label
from sscard.core.qrcodes import qr_png
from sscard.regions.selectors import region_settings

RECEIPT_TYPE = "sscard-receipt+jws"


class ReceiptKind(StrEnum):
    ACCEPTANCE = "acceptance"
    COMPLETION = "completion"

    @property
    def label(self) -> str:
        return "受理回执" if self is ReceiptKind.ACCEPTANCE else "办结凭证"


class ReceiptNotVerified(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "该凭证无法核验：核验码无效，凭证可能是伪造或被篡改的。请向出具凭证的人社部门核实。",
            code="receipt_not_verified",
        )


class ReceiptNotReady(DomainError):
    def __init__(self) -> None:
        super().__init__("该办件尚未办结，暂无办结凭证", code="receipt_not_ready")


class PdfFontMissing(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "暂时无法生成PDF凭证：服务器未安装中文字体（如 fonts-wqy-microhei），请联系系统管理员",
            code="pdf_font_missing",
        )


@dataclass(frozen=True)
class ReceiptFacts:
    """What a receipt says, masked as everywhere: the PDF prints it and the verification page
    shows it."""

    kind: ReceiptKind
    receipt_number: str
    item_name: str
    done: str
    subject_name: str
    submitted_at: datetime
    time_limit: str
    due_on: date | None
    completed_at: datetime | None
    status: str
    fee_fen: int  # 工本费 in 分

    @property
    def title(self) -> str:
        return self.kind.label

    def rows(self) -> list[tuple[str, str]]:
        """The facts in print order, as label and text (the PDF and the page alike)."""
        rows = [("受理编号", self.receipt_number), ("办理事项", self.item_name)]
        if self.done:
            rows.append(("办理内容", self.done))
        rows += [
            ("办理对象", self.subject_name),
            ("提交时间", _at(self.submitted_at)),
            ("办理时限", self.time_limit),
        ]
        if self.due_on:
            rows.append(("法定办结日期", f"{self.due_on:%Y年%m月%d日}"))
        if self.completed_at:
            rows.append(("办结时间", _at(self.completed_at)))
        if self.fee_fen:
            rows.append(("工本费", fen_label(self.fee_fen)))
        return rows


def _at(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def receipt_kinds(application: Application) -> list[ReceiptKind]:
    """The receipts an application has: the 受理回执 from its submission, the 办结凭证 once it
    is completed."""
    kinds = [ReceiptKind.ACCEPTANCE]
    if application.status == AppStatus.COMPLETED:
        kinds.append(ReceiptKind.COMPLETION)
    return kinds


def receipt_facts(application: Application, kind: ReceiptKind) -> ReceiptFacts:
    if kind not in receipt_kinds(application):
        raise ReceiptNotReady
    receipt = receipt_of(application)
    return ReceiptFacts(
        kind=kind,
        receipt_number=receipt.receipt_number,
        item_name=receipt.item_name,
        done=receipt.done,
        subject_name=receipt.subject_name,
        submitted_at=receipt.submitted_at,
        time_limit=receipt.time_limit,
        due_on=receipt.due_on,
        completed_at=application.completed_at if kind == ReceiptKind.COMPLETION else None,
        status=receipt.status,
        fee_fen=receipt.fee_fen,
    )


def receipt_code(application: Application, kind: ReceiptKind) -> str:
    return signing.sign_token({"r": application.receipt_number, "k": str(kind)}, typ=RECEIPT_TYPE)


def receipt_verify_url(code: str) -> str:
    path = reverse("portal:verify_receipt", kwargs={"code": code})
    return settings.SSCARD_PUBLIC_URL.rstrip("/") + path


def receipt_by_code(code: str) -> ReceiptFacts:
    """The facts of the receipt a code names, read now; :class:`ReceiptNotVerified` for a
    code the service did not sign (or for a receipt it no longer has)."""
    try:
        payload = signing.verify_token(code, typ=RECEIPT_TYPE)
    except signing.TokenError as refused:
        raise ReceiptNotVerified from refused
    number, kind = payload.get("r"), payload.get("k")
    if not isinstance(number, str) or not isinstance(kind, str) or kind not in set(ReceiptKind):
        raise ReceiptNotVerified
    application = (
        Application.objects.select_related("subject").filter(receipt_number=number).first()
    )
    if application is None:
        raise ReceiptNotVerified
    try:
        return receipt_facts(application, ReceiptKind(kind))
    except ReceiptNotReady as refused:  # pragma: no cover — signed only once it existed
        raise ReceiptNotVerified from refused


# ---------------------------------------------------------------------------------------------
# The PDF

# Where Debian, Ubuntu, Fedora and Alpine put the common CJK fonts, when fontconfig cannot say.
KNOWN_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
)


@cache
def cjk_font() -> tuple[str, int] | None:
    """A font file with Chinese glyphs and its index in a collection (.ttc): the one the
    ``SSCARD_PDF_FONT`` setting names, else fontconfig's best for zh-cn among those that cover
    Chinese, else a known path; None when the machine has none."""
    named = getattr(settings, "SSCARD_PDF_FONT", "")
    if named:
        return (named, 0) if Path(named).is_file() else None
    found = _fontconfig()
    if found:
        return found
    for path in KNOWN_FONTS:
        if Path(path).is_file():
            return path, 0
    return None


def _fontconfig() -> tuple[str, int] | None:
    fc_list, fc_match = shutil.which("fc-list"), shutil.which("fc-match")
    if not fc_list or not fc_match:
        return None
    try:
        chinese = subprocess.run(  # noqa: S603 — fixed arguments
            [fc_list, ":lang=zh", "-f", "%{file}\t%{index}\n"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.splitlines()
        best = subprocess.run(  # noqa: S603 — fixed arguments
            [fc_match, "-f", "%{file}\t%{index}", "sans-serif:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    candidates = [
        line for line in chinese if line.split("\t")[0].endswith((".ttf", ".ttc", ".otf"))
    ]
    if best in candidates:
        candidates.insert(0, best)
    for line in candidates:
        path, _, index = line.partition("\t")
        if Path(path).is_file():
            return path, int(index or 0)
    return None


def receipt_pdf(application: Application, kind: ReceiptKind) -> bytes:
    """The receipt as an A4 PDF: the facts, and a QR code of its verification address."""
    facts = receipt_facts(application, kind)
    font = cjk_font()
    if font is None:
        raise PdfFontMissing
    url = receipt_verify_url(receipt_code(application, kind))
    region = region_settings()
    pdf = FPDF(format="A4")
    pdf.set_title(f"{facts.title} {facts.receipt_number}")
    pdf.set_creator("sscard")
    pdf.add_font("cjk", fname=font[0], collection_font_number=font[1])
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("cjk", size=22)
    pdf.cell(0, 14, facts.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.cell(
        0,
        8,
        f"社会保障卡服务“一件事” · {region.region_name}人力资源和社会保障局",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(6)
    pdf.set_font("cjk", size=12)
    for label, text in facts.rows():
        pdf.set_x(pdf.l_margin)
        pdf.cell(38, 9, label, border="B")
        pdf.multi_cell(0, 9, text, border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    top = pdf.get_y()
    pdf.image(qr_png(url, scale=6), x=pdf.l_margin, y=top, w=48, h=48)
    pdf.set_xy(pdf.l_margin + 54, top)
    pdf.set_font("cjk", size=11)
    pdf.multi_cell(
        0,
        7,
        "扫码核验：用手机扫描左侧二维码，打开人社部门的核验页面，"
        "页面所示信息与本凭证一致方为真实。",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_x(pdf.l_margin + 54)
    pdf.set_font("cjk", size=7)
    pdf.multi_cell(0, 4, url, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + 52))
    pdf.set_font("cjk", size=10)
    pdf.cell(
        0,
        8,
        f"出具时间：{_at(timezone.now())}　办件状态（出具时）：{facts.status}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
