"""Sample bulk-application files (a filled-in template and its photo ZIP) for the demo and the
tests: synthetic employees with valid ID numbers, some rows deliberately wrong."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import date

from openpyxl import load_workbook

from sscard.core.sample_ids import JIEYANG_AREAS, resident_id
from sscard.employers import sheets
from sscard.employers.archives import build_photo_archive
from sscard.photos.samples import sample_portrait
from sscard.regions.models import Bank, Outlet

SURNAMES = "陈林黄张李王吴刘蔡杨郑谢许洪曾"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂"
# what the wrong rows get wrong, in turn (the line number is the row's position + 2)
MISTAKES = ("bad_id", "no_photo", "bad_phone", "no_bank", "duplicate")


@dataclass
class SampleFiles:
    workbook: bytes
    photos: bytes
    doc_numbers: list[str] = field(default_factory=list)
    bad_lines: dict[int, str] = field(default_factory=dict)


def sample_files(
    rows: int,
    *,
    bad: int = 0,
    seed: int = 20261129,
    photo: bytes | None = None,
    first_serial: int = 0,
) -> SampleFiles:
    """``rows`` employees (``bad`` of them spread through the file with a mistake each) in
    the downloaded template, and a ZIP with one photo per good row named by ID number."""
    rng = random.Random(seed)  # noqa: S311 — synthetic data
    picture = photo or sample_portrait()
    # a bank with an outlet, and one of its outlets: the card is collected where its bank is
    outlet = (
        Outlet.objects.filter(active=True, bank__active=True)
        .select_related("bank")
        .order_by("bank__code", "code")
        .first()
    )
    bank = outlet.bank if outlet else Bank.objects.filter(active=True).order_by("code").first()
    book = load_workbook(io.BytesIO(sheets.template_workbook()))
    sheet = book["批量申领"]
    step = rows // bad if bad else 0
    bad_at = {i * step + step // 2: MISTAKES[i % len(MISTAKES)] for i in range(bad)}
    photos: dict[str, bytes] = {}
    out = SampleFiles(workbook=b"", photos=b"")
    first: dict[str, str] | None = None
    for i in range(rows):
        n = first_serial + i
        birth = date(1975 + n % 30, 1 + n % 12, 1 + n % 28)
        male = n % 2 == 0
        number = resident_id(
            birth, male=male, area=JIEYANG_AREAS[(n // 499) % 5], serial=(n // 7) % 499
        )
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN))
        values = {
            "name": name,
            "doc_type": "居民身份证",
            "doc_number": number,
            "gender": "男" if male else "女",
            "ethnicity": "汉族",
            "nationality": "中国",
            "birth_date": birth.isoformat(),
            "phone": f"139{n:08d}",
            "address": f"广东省揭阳市榕城区临江北路{1 + n % 300}号",
            "postcode": "522000",
            "occupation": "职员",
            "bank": bank.name if bank else "",
            "delivery": "网点领取",
            "outlet": outlet.name if outlet else "",
            "mail_address": "",
        }
        mistake = bad_at.get(i, "")
        if mistake == "bad_id":
            values["doc_number"] = number[:-1] + ("0" if number[-1] != "0" else "1")
        elif mistake == "bad_phone":
            values["phone"] = "1234"
        elif mistake == "no_bank":
            values["bank"] = ""
        elif mistake == "duplicate" and first is not None:
            values = dict(first)
        if mistake != "no_photo" and mistake != "duplicate":
            photos[f"{values['doc_number']}.jpg"] = picture
        if first is None and not mistake:
            first = values
        if mistake:
            out.bad_lines[i + 3] = mistake
        else:
            out.doc_numbers.append(values["doc_number"])
        for col, (_h, key, _r) in enumerate(sheets.COLUMNS, start=1):
            sheet.cell(row=i + 3, column=col, value=values[key])
    buffer = io.BytesIO()
    book.save(buffer)
    out.workbook = buffer.getvalue()
    out.photos = build_photo_archive(photos)
    return out
