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
from sscard.core.documents import (
    DocType,
    DocumentError,
    DocumentFacts,
    Gender,
    age_on,
    validate_document,
)
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


REGISTRABLE_DOCUMENTS = [(kind.value, kind.label) for kind in DocType if kind != DocType.HOUSEHOLD]


class RegisterForm(AccountFieldsForm):
    """A citizen's password account: 证件类型 + 证件号码 + 姓名 (and, for a document that does
    not carry them, 性别, 出生日期 and 国籍), phone, account, password. Who the number names is
    not told here: a code goes to the phone on file for that person (or, for a number nobody
    holds yet, to the phone typed), and only the code links the account (DOMAIN.md §2)."""

    name = forms.CharField(label="姓名", max_length=60)
    doc_type = forms.ChoiceField(
        label="证件类型", choices=REGISTRABLE_DOCUMENTS, initial=DocType.RESIDENT_ID
    )
    doc_number = DocumentNumberField(label="证件号码")
    gender = forms.ChoiceField(
        label="性别", choices=[("", "请选择"), *Gender.choices], required=False
    )
    birth_date = forms.DateField(label="出生日期", required=False)
    nationality = forms.CharField(label="国籍", max_length=40, required=False)
    phone = forms.CharField(label="手机号码", max_length=11)
    consent = forms.BooleanField(
        label="本人已阅读并同意《个人信息保护告知书》，同意为办理社保卡业务处理本人信息",
        error_messages={"required": "请阅读并勾选同意后再注册"},
    )
    captcha = CaptchaField(label="验证码", error_messages=CAPTCHA_MESSAGES)

    field_order = [
        "name",
        "doc_type",
        "doc_number",
        "gender",
        "birth_date",
        "nationality",
        "phone",
        "username",
        "password1",
        "password2",
    ]
    own_required_messages = ("consent",)

    def __init__(self, *args: Any, guardian_age: int = 16, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.facts: DocumentFacts | None = None
        self.guardian_age = guardian_age
        self.fields["birth_date"].error_messages["invalid"] = "请输入有效的出生日期"

    def clean_name(self) -> str:
        return str(self._domain(validate_name, self.cleaned_data["name"].strip()))

    def clean_phone(self) -> str:
        return str(self._domain(validate_phone, self.cleaned_data["phone"].strip()))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        doc_type, raw = data.get("doc_type"), data.get("doc_number")
        if not doc_type or not raw:
            return data
        today = timezone.localdate()
        try:
            facts = validate_document(doc_type, raw, today=today)
        except DocumentError as exc:
            self.add_error("doc_number", exc.message)
            return data
        self.facts = facts
        data["doc_number"] = facts.number
        # what the document does not say, the person tells (and must agree with it if it does)
        data["gender"] = facts.gender or data.get("gender") or ""
        data["birth_date"] = facts.birth_date or data.get("birth_date")
        if not data["gender"]:
            self.add_error("gender", "请选择性别")
        if not data["birth_date"]:
            self.add_error("birth_date", "请填写出生日期")
        elif data["birth_date"] > today:
            self.add_error("birth_date", "出生日期不能晚于今天")
        elif age_on(data["birth_date"], today) < self.guardian_age:
            self.add_error(
                "doc_number",
                f"未满{self.guardian_age}周岁不能自行注册账号，"
                "请由监护人登录后为其办理社保卡业务（申领时选择“为未满16周岁的子女申领”）",
            )
        if facts.chinese_citizen:
            data["nationality"] = "中国"
        elif not data.get("nationality", "").strip():
            self.add_error("nationality", "请填写国籍")
        return data


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
