"""Display masking (脱敏), the same everywhere: pages, API, exports, messages, logs, audit.

ID ``4452**********1234`` (first 4 + last 4), phone ``138****5678``, name ``张**`` (first
character + one ``*`` per other character), card number ``A****5678``, bank account
``****1234``, 统一社会信用代码 ``9144**********123X``.
"""

from __future__ import annotations

import re

MASK = "*"


def mask_id_number(value: str | None) -> str:
    """18-character numbers keep 4 + 4; shorter documents (passports, permits) keep at most
    a quarter of their characters, so the mask never shows most of a number."""
    if not value:
        return ""
    if len(value) >= 15:
        return value[:4] + MASK * (len(value) - 8) + value[-4:]
    if len(value) >= 8:
        return value[:1] + MASK * (len(value) - 3) + value[-2:]
    return value[:1] + MASK * (len(value) - 1)


def mask_uscc(value: str | None) -> str:
    """统一社会信用代码 (18 characters) in the back office's lists: first 4 + last 4, like an
    ID number."""
    return mask_id_number(value)


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 8:
        return MASK * len(value)
    return value[:3] + MASK * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    return value[:1] + MASK * (len(value) - 1)


def mask_account(value: str | None) -> str:
    """A login name (citizens often choose their phone or ID number as one): two characters."""
    if not value:
        return ""
    return value[:2] + MASK * 4


def mask_card_number(value: str | None) -> str:
    if not value:
        return ""
    return value[:1] + MASK * 4 + value[-4:]


def mask_bank_account(value: str | None) -> str:
    if not value:
        return ""
    return MASK * 4 + value[-4:]


def mask_address(value: str | None) -> str:
    """Keep the leading six characters (province, city) and hide the street and number."""
    if not value:
        return ""
    return value[:6] + MASK * 4


# Free text that may carry an ID or phone number someone typed (a URL in a "Not Found" log
# line, an exception message): masked wherever it is written out. The lookarounds keep
# longer numbers (receipt numbers, card serials) as they are.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def mask_text(text: str) -> str:
    """Every 18-character resident ID number and mobile number in ``text``, masked."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group()), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text)
