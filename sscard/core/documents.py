"""Identity documents and employer codes: format rules, check characters, derived facts.

Pure functions, no database. Every refusal is a ``DocumentError`` whose ``.message`` is the
Chinese sentence shown to the user and whose ``.code`` is a stable machine-readable reason.

Sources: GB 11643-1999 (citizen ID number, ISO 7064 MOD 11-2), GB 32100-2015 (unified social
credit code), and the National Immigration Administration's adaptation notes for the 2023
foreign permanent-residence ID (``9`` + 2-digit province of application + 3-digit nationality
+ 8-digit birth date + 3-digit sequence + MOD 11-2 check; e.g. ``932682198501010017``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    HOUSEHOLD = "household", _("居民户口簿")
    PASSPORT = "passport", _("护照")
    HK_MACAO_PERMIT = "hkmo_permit", _("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "tw_permit", _("台湾居民来往大陆通行证")
    FOREIGN_PERMANENT = "foreign_pr", _("外国人永久居留身份证")
    HKMOTW_RESIDENCE = "hkmotw_residence", _("港澳台居民居住证")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class DocumentError(ValueError):
    """A refused document number or code; ``.message`` is user-facing Chinese."""

    message: str
    code: str

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class DocumentFacts:
    doc_type: DocType
    number: str
    birth_date: date | None
    gender: Gender | None
    chinese_citizen: bool


# --- constants ---------------------------------------------------------------------------

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
# No document number or code is longer (passports 17, the others at most 18 characters).
LONGEST_NUMBER = 18
# A number of the wrong length, in the words the forms use too (sscard.core.formfields).
LENGTH_MESSAGE = "{what}应为{length}位，您输入了{given}位"

_MOD11_2_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_MOD11_2_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)

# First two digits of a GB/T 2260 province-level area code.
_MAINLAND_PROVINCES = frozenset(
    f"{n}"
    for n in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
    )
)
# 81/82/83 are the codes of the Hong Kong, Macao and Taiwan residence permits, never of a
# resident ID: such a number is the other document, and must be hashed as that one.
_CITIZEN_ID_PROVINCES = _MAINLAND_PROVINCES | {"71"}
_RESIDENCE_PERMIT_AREAS = {"810000": "香港", "820000": "澳门", "830000": "台湾"}

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_FORBIDDEN_LETTERS = frozenset("IOSVZ")

_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_CITIZEN_ID_RE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_CN_PASSPORT_RE = re.compile(r"E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|G[0-9]{8}", re.ASCII)
_FOREIGN_PASSPORT_RE = re.compile(r"[0-9A-Z]{5,17}", re.ASCII)
_HK_MACAO_RE = re.compile(r"[HM](?:[0-9]{8}|[0-9]{10})", re.ASCII)
_TAIWAN_RE = re.compile(r"[0-9]{8}|[0-9]{10}", re.ASCII)
_OLD_FOREIGN_PR_RE = re.compile(r"[A-Z]{3}[0-9]{12}", re.ASCII)
_DIGITS_RE = re.compile(r"[0-9]+", re.ASCII)


# --- public helpers ----------------------------------------------------------------------


def mod11_2_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character ("0"-"9" or "X") for 17 ASCII digits."""
    if len(first17) != 17 or not _DIGITS_RE.fullmatch(first17):
        raise ValueError("mod11_2_check_char needs exactly 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, _MOD11_2_WEIGHTS, strict=True))
    return _MOD11_2_CHARS[total % 11]


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015 check character for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(c not in USCC_ALPHABET for c in first17):
        raise ValueError("uscc_check_char needs 17 characters of the USCC alphabet")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def age_on(birth_date: date, day: date) -> int:
    """Full years completed on ``day`` (a 29 February birthday counts from 1 March)."""
    if day < birth_date:
        raise ValueError("day precedes birth_date")
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


# --- canonical form ----------------------------------------------------------------------


def _canonical(raw: str, *, what: str, empty_message: str) -> str:
    """Full-width to half-width, strip, refuse inner whitespace/control chars, upper-case."""
    text = (raw or "").translate(_FULL_WIDTH).strip()
    if not text:
        raise DocumentError(empty_message, code="empty")
    if any(c.isspace() for c in text):
        raise DocumentError(f"{what}中不能包含空格，请连续输入", code="whitespace")
    if any(unicodedata.category(c).startswith("C") for c in text):
        raise DocumentError(f"{what}中含有无法识别的字符，请重新手动输入", code="control_character")
    return "".join(c.upper() if "a" <= c <= "z" else c for c in text)


def _birth_date(yyyymmdd: str, *, what: str, today: date) -> date:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise DocumentError(
            f"{what}中的出生日期“{yyyymmdd}”不是有效日期，请核对", code="birth_date_invalid"
        ) from None
    if born > today:
        raise DocumentError(f"{what}中的出生日期晚于今天，请核对", code="birth_date_future")
    if born < EARLIEST_BIRTH_DATE:
        raise DocumentError(f"{what}中的出生日期早于1900年，请核对", code="birth_date_too_early")
    return born


def _gender_from(sequence_char: str) -> Gender:
    return Gender.MALE if int(sequence_char) % 2 == 1 else Gender.FEMALE


def _check_mod11_2(number: str, *, what: str) -> None:
    if mod11_2_check_char(number[:17]) != number[17]:
        raise DocumentError(f"{what}校验位不正确，请核对后重新输入", code="check_char")


def _require_length(number: str, length: int, *, what: str) -> None:
    if len(number) != length:
        raise DocumentError(
            LENGTH_MESSAGE.format(what=what, length=length, given=len(number)), code="length"
        )


def _require_id_characters(number: str, *, what: str) -> None:
    if not _CITIZEN_ID_RE.fullmatch(number):
        raise DocumentError(f"{what}前17位应为数字，最后一位为数字或字母X", code="characters")


# --- per-type rules ----------------------------------------------------------------------


def _citizen_id(doc_type: DocType, number: str, *, today: date) -> DocumentFacts:
    what = "身份证号码" if doc_type == DocType.RESIDENT_ID else "户口簿上的公民身份号码"
    _require_length(number, 18, what=what)
    _require_id_characters(number, what=what)
    if number[0] == "9":
        raise DocumentError(
            "以9开头的是外国人永久居留身份证号码，请将证件类型选为“外国人永久居留身份证”",
            code="wrong_doc_type",
        )
    if number[:2] in ("81", "82", "83"):
        raise DocumentError(
            f"以{number[:2]}开头的是港澳台居民居住证号码，请将证件类型选为“港澳台居民居住证”",
            code="wrong_doc_type",
        )
    if number[:2] not in _CITIZEN_ID_PROVINCES:
        raise DocumentError(
            f"{what}前两位“{number[:2]}”不是有效的省级行政区划代码，请核对", code="area_code"
        )
    born = _birth_date(number[6:14], what=what, today=today)
    _check_mod11_2(number, what=what)
    return DocumentFacts(doc_type, number, born, _gender_from(number[16]), chinese_citizen=True)


def _residence_permit(number: str, *, today: date) -> DocumentFacts:
    what = "港澳台居民居住证号码"
    _require_length(number, 18, what=what)
    _require_id_characters(number, what=what)
    if number[:6] not in _RESIDENCE_PERMIT_AREAS:
        raise DocumentError(
            f"{what}应以810000（香港）、820000（澳门）或830000（台湾）开头，请核对",
            code="area_code",
        )
    born = _birth_date(number[6:14], what=what, today=today)
    _check_mod11_2(number, what=what)
    return DocumentFacts(
        DocType.HKMOTW_RESIDENCE, number, born, _gender_from(number[16]), chinese_citizen=False
    )


def _passport(number: str) -> DocumentFacts:
    if _CN_PASSPORT_RE.fullmatch(number):
        return DocumentFacts(DocType.PASSPORT, number, None, None, chinese_citizen=True)
    if _FOREIGN_PASSPORT_RE.fullmatch(number):
        return DocumentFacts(DocType.PASSPORT, number, None, None, chinese_citizen=False)
    if not re.fullmatch(r"[0-9A-Z]+", number, re.ASCII):
        raise DocumentError("护照号码只能包含字母和数字", code="characters")
    raise DocumentError(f"护照号码应为5至17位字母或数字，您输入了{len(number)}位", code="length")


def _hk_macao_permit(number: str) -> DocumentFacts:
    what = "港澳居民来往内地通行证号码"
    if number[0] not in "HM":
        raise DocumentError(f"{what}应以字母H（香港居民）或M（澳门居民）开头", code="characters")
    if not _HK_MACAO_RE.fullmatch(number):
        raise DocumentError(
            f"{what}应为字母H或M加8位数字（旧版证件为10位数字），请核对", code="length"
        )
    return DocumentFacts(DocType.HK_MACAO_PERMIT, number, None, None, chinese_citizen=False)


def _taiwan_permit(number: str) -> DocumentFacts:
    if not _TAIWAN_RE.fullmatch(number):
        raise DocumentError(
            "台湾居民来往大陆通行证号码应为8位数字（旧版证件为10位数字），请核对",
            code="characters" if not _DIGITS_RE.fullmatch(number) else "length",
        )
    return DocumentFacts(DocType.TAIWAN_PERMIT, number, None, None, chinese_citizen=False)


def _foreign_permanent(number: str, *, today: date) -> DocumentFacts:
    what = "外国人永久居留身份证号码"
    if _OLD_FOREIGN_PR_RE.fullmatch(number):
        return DocumentFacts(DocType.FOREIGN_PERMANENT, number, None, None, chinese_citizen=False)
    if number[0] != "9":
        raise DocumentError(
            f"{what}应为以9开头的18位号码（2023年版）或3位字母加12位数字（旧版），请核对",
            code="characters",
        )
    _require_length(number, 18, what=what)
    _require_id_characters(number, what=what)
    if number[1:3] not in _MAINLAND_PROVINCES:
        raise DocumentError(
            f"{what}第2、3位“{number[1:3]}”不是有效的受理地省级行政区划代码，请核对",
            code="area_code",
        )
    born = _birth_date(number[6:14], what=what, today=today)
    _check_mod11_2(number, what=what)
    return DocumentFacts(
        DocType.FOREIGN_PERMANENT, number, born, _gender_from(number[16]), chinese_citizen=False
    )


# --- entry points ------------------------------------------------------------------------


def validate_document(doc_type: DocType | str, raw: str, *, today: date) -> DocumentFacts:
    """Check ``raw`` against the rules of ``doc_type``; return the canonical number and facts."""
    try:
        kind = DocType(doc_type)
    except ValueError:
        raise DocumentError("请选择有效的证件类型", code="doc_type") from None
    number = _canonical(raw, what="证件号码", empty_message="请输入证件号码")
    if kind in (DocType.RESIDENT_ID, DocType.HOUSEHOLD):
        return _citizen_id(kind, number, today=today)
    if kind == DocType.HKMOTW_RESIDENCE:
        return _residence_permit(number, today=today)
    if kind == DocType.PASSPORT:
        return _passport(number)
    if kind == DocType.HK_MACAO_PERMIT:
        return _hk_macao_permit(number)
    if kind == DocType.TAIWAN_PERMIT:
        return _taiwan_permit(number)
    return _foreign_permanent(number, today=today)


def validate_uscc(raw: str) -> str:
    """Check a unified social credit code (GB 32100-2015); return it in canonical form."""
    what = "统一社会信用代码"
    code = _canonical(raw, what=what, empty_message="请输入统一社会信用代码")
    _require_length(code, 18, what=what)
    forbidden = sorted(_USCC_FORBIDDEN_LETTERS.intersection(code))
    if forbidden:
        raise DocumentError(
            f"{what}中不使用字母I、O、S、V、Z，请核对“{'、'.join(forbidden)}”"
            "是否应为数字（如0、1、2、5）或其他字母",
            code="forbidden_letter",
        )
    if any(c not in USCC_ALPHABET for c in code):
        raise DocumentError(f"{what}只能包含数字和大写字母", code="characters")
    if not _DIGITS_RE.fullmatch(code[2:8]):
        raise DocumentError(f"{what}第3至8位应为6位数字的行政区划代码，请核对", code="area_code")
    if uscc_check_char(code[:17]) != code[17]:
        raise DocumentError(f"{what}校验位不正确，请核对后重新输入", code="check_char")
    return code
