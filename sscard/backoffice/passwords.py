"""Staff passwords: at least 12 characters (等保 8.1.4.1 a; the TOTP code is the second
factor). Citizens and employers keep the project-wide minimum of 8."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from sscard.accounts.staff import STAFF_MIN_LENGTH, STAFF_ROLES


def is_staff_role(user: Any) -> bool:
    return getattr(user, "role", None) in STAFF_ROLES


class StaffPasswordLengthValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if user is not None and is_staff_role(user) and len(password) < STAFF_MIN_LENGTH:
            raise ValidationError(
                f"工作人员密码至少需要{STAFF_MIN_LENGTH}个字符。",
                code="staff_password_too_short",
            )

    def get_help_text(self) -> str:
        return f"工作人员密码至少需要{STAFF_MIN_LENGTH}个字符。"
