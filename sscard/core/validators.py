"""Field rules for contact details and names, each refusing with a message for its field."""

from __future__ import annotations

import re
import unicodedata

from sscard.core.errors import DomainError

PHONE_RE = re.compile(r"1[3-9]\d{9}")
POSTCODE_RE = re.compile(r"\d{6}")
NAME_RE = re.compile(r"[\u3400-\u9fff\u00b7A-Za-z][\u3400-\u9fff\u00b7·A-Za-z .\-]{0,59}")


def _has_control(value: str) -> bool:
    return any(unicodedata.category(ch).startswith("C") for ch in value)


def validate_phone(value: str) -> str:
    if not PHONE_RE.fullmatch(value or ""):
        raise DomainError("请输入11位手机号码", field="phone")
    return value


def validate_postcode(value: str) -> str:
    if not POSTCODE_RE.fullmatch(value or ""):
        raise DomainError("邮政编码为6位数字", field="postcode")
    return value


def validate_address(value: str, *, field: str = "address") -> str:
    value = (value or "").strip()
    if len(value) < 5:
        raise DomainError("请填写详细通讯地址（不少于5个字）", field=field)
    if len(value) > 200 or _has_control(value):
        raise DomainError("通讯地址不能超过200个字，且不能包含特殊控制字符", field=field)
    return value


def validate_name(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError("请输入姓名", field="name")
    if _has_control(value) or not NAME_RE.fullmatch(value):
        raise DomainError("姓名只能包含汉字、字母和间隔号“·”，不超过60个字", field="name")
    return value
