"""个人中心 → 修改密码: the form (old password, the new one twice, the password rules) and
the write (audited; the holder and their guardians are told, by SMS
whatever their preferences, with the “不是本人操作？” link)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.db import transaction

from sscard.accounts.models import User
from sscard.audit.models import AuditRecord
from sscard.audit.services import audit_record
from sscard.core.errors import DomainError
from sscard.notifications.constants import Event
from sscard.notifications.services import notify_account_event
from sscard.web.forms import _password_message

# wrong old passwords in one session before it is ended (a stolen session must not become a
# way to guess the password)
MAX_WRONG_OLD = 5
WRONG_OLD = "原密码不正确"
FACE_ONLY = "您的账号通过人脸识别登录，未设置登录密码，无需修改"


class WrongPassword(DomainError):
    """The old password given is not the account's: the page counts the tries."""

    def __init__(self) -> None:
        super().__init__(WRONG_OLD, field="old_password", code="wrong_password")


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", strip=False, widget=forms.PasswordInput)
    password1 = forms.CharField(label="新密码", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="确认新密码", strip=False, widget=forms.PasswordInput)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = f"请填写{field.label}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        old, first, second = data.get("old_password"), data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "两次输入的新密码不一致")
        elif first and old and first == old:
            self.add_error("password1", "新密码不能与原密码相同")
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", [_password_message(error) for error in exc.error_list])
        return data


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """The account's new password, once the old one is given. The caller has checked the new
    one against the password rules (the form)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.has_usable_password():
        raise DomainError(FACE_ONLY, code="no_password")
    if not user.check_password(old_password):
        raise WrongPassword
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="account.password_changed", target=user)
    if user.person is not None:
        notify_account_event(Event.PASSWORD_CHANGED, user=user, person=user.person)
    return user


def password_change_refused(*, user: User) -> None:
    """A wrong old password, written down (outside the refused change's transaction)."""
    audit_record(
        actor=user,
        action="account.password_changed",
        target=user,
        detail={"error": WRONG_OLD},
        result=AuditRecord.Result.REFUSED,
    )
