"""The password login (“账号密码绑定”) and the registration of a password account."""

from __future__ import annotations

import re
from typing import Any

from captcha.fields import CaptchaField
from django import forms
from django.contrib.auth import authenticate, password_validation
from django.http import HttpRequest
from django.utils import timezone

from sscard.accounts.models import User
from sscard.audit.models import AuditRecord
from sscard.audit.services import audit_record
from sscard.core.documents import DocType, DocumentError, DocumentFacts, validate_document
from sscard.core.errors import DomainError
from sscard.core.formfields import DocumentNumberField
from sscard.core.validators import validate_name, validate_phone

# One message for an unknown account and a wrong password: the page must not tell which.
BAD_CREDENTIALS = "账号或密码错误，请重新输入"
CAPTCHA_MESSAGES = {"invalid": "验证码错误，请重新输入", "required": "请输入验证码"}
ACCOUNT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,29}$")


class LoginForm(forms.Form):
    username = forms.CharField(
        label="账号", max_length=150, error_messages={"required": "请输入账号"}
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "请输入密码"},
    )
    captcha = CaptchaField(label="验证码", error_messages=CAPTCHA_MESSAGES)

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # nothing is tried against the password store until the captcha is right
        if self.errors:
            return data
        user = authenticate(self.request, username=data["username"], password=data["password"])
        if not isinstance(user, User) or not user.is_active:
            # what was typed is not recorded: the account name may be mistyped personal data
            audit_record(
                actor=None,
                action="login.password",
                detail={"reason": "bad_credentials"},
                result=AuditRecord.Result.REFUSED,
            )
            raise forms.ValidationError(BAD_CREDENTIALS, code="invalid_login")
        self.user = user
        return data


class AccountFieldsForm(forms.Form):
    """账号 and 密码 (twice) of a public account, citizen or employer, checked by the rules of
    SECURITY.md; ``name_field`` names the field whose value a password must not resemble."""

    username = forms.CharField(
        label="账号",
        max_length=30,
        help_text="4–30位，以字母开头，可含字母、数字和下划线",
    )
    password1 = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="确认密码", strip=False, widget=forms.PasswordInput)

    name_field = "name"
    own_required_messages: tuple[str, ...] = ()  # fields that say "required" their own way

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in self.own_required_messages:
                field.error_messages["required"] = f"请填写{field.label}"

    def _domain(self, check: Any, value: str) -> Any:
        try:
            return check(value)
        except (DomainError, DocumentError) as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if not ACCOUNT_RE.match(username):
            raise forms.ValidationError("账号须为4–30位，以字母开头，只含字母、数字和下划线")
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("该账号已被使用，请换一个")
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "两次输入的密码不一致")
        elif first:
            probe = User(
                username=data.get("username", ""), first_name=data.get(self.name_field, "")
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", [_password_message(error) for error in exc.error_list])
        return data


class RegisterForm(AccountFieldsForm):
    """A citizen's password account: 姓名 + 居民身份证号码 (checked), phone, account, password."""

    name = forms.CharField(label="姓名", max_length=60)
    doc_number = DocumentNumberField(label="身份证号码", length=18)
    phone = forms.CharField(label="手机号码", max_length=11)
    consent = forms.BooleanField(
        label="本人已阅读并同意《个人信息保护告知书》，同意为办理社保卡业务处理本人信息",
        error_messages={"required": "请阅读并勾选同意后再注册"},
    )
    captcha = CaptchaField(label="验证码", error_messages=CAPTCHA_MESSAGES)

    field_order = ["name", "doc_number", "phone", "username", "password1", "password2"]
    own_required_messages = ("consent",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.facts: DocumentFacts | None = None

    def clean_name(self) -> str:
        return str(self._domain(validate_name, self.cleaned_data["name"].strip()))

    def clean_doc_number(self) -> str:
        facts: DocumentFacts = self._domain(
            lambda raw: validate_document(DocType.RESIDENT_ID, raw, today=timezone.localdate()),
            self.cleaned_data["doc_number"],
        )
        self.facts = facts
        return facts.number

    def clean_phone(self) -> str:
        return str(self._domain(validate_phone, self.cleaned_data["phone"].strip()))


# Our own words for the password rules (SECURITY.md): Django's would follow the phone's
# language, and its Chinese catalogue lacks the "too short" message of Django 5.2.
PASSWORD_MESSAGES = {
    "password_too_short": "密码太短，至少需要{min_length}位",
    "password_entirely_numeric": "密码不能全为数字",
    "password_too_common": "密码过于常见，请换一个",
    "password_too_similar": "密码与账号或姓名过于相近，请换一个",
}


def _password_message(error: forms.ValidationError) -> str:
    template = PASSWORD_MESSAGES.get(error.code or "")
    if template is None:
        return str(error.messages[0])
    return template.format(**(error.params or {}))
