"""单位注册 and 添加经办人, with the portal's account and password rules and its captcha."""

from __future__ import annotations

from typing import Any

from captcha.fields import CaptchaField
from django import forms
from django.contrib.auth import password_validation

from sscard.accounts.models import Employer, User
from sscard.core.documents import DocumentError, validate_uscc
from sscard.core.errors import DomainError
from sscard.core.validators import validate_name, validate_phone
from sscard.portal.forms import ACCOUNT_RE, CAPTCHA_MESSAGES, _password_message


class _AccountFields(forms.Form):
    username = forms.CharField(
        label="账号", max_length=30, help_text="4–30位，以字母开头，可含字母、数字和下划线"
    )
    password1 = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="确认密码", strip=False, widget=forms.PasswordInput)

    name_field = "contact_name"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
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


class EmployerRegisterForm(_AccountFields):
    employer_name = forms.CharField(label="单位名称", max_length=120)
    uscc = forms.CharField(label="统一社会信用代码", max_length=18)
    contact_name = forms.CharField(label="经办人姓名", max_length=60)
    contact_phone = forms.CharField(label="经办人手机号码", max_length=11)
    field_order = [
        "employer_name",
        "uscc",
        "contact_name",
        "contact_phone",
        "username",
        "password1",
        "password2",
    ]
    captcha = CaptchaField(label="验证码", error_messages=CAPTCHA_MESSAGES)

    def clean_employer_name(self) -> str:
        name = self.cleaned_data["employer_name"].strip()
        if len(name) < 4:
            raise forms.ValidationError("请填写营业执照上的单位全称")
        return name

    def clean_uscc(self) -> str:
        code = str(self._domain(validate_uscc, self.cleaned_data["uscc"]))
        if Employer.objects.filter(uscc=code).exists():
            raise forms.ValidationError("该统一社会信用代码已注册，请使用单位原账号登录")
        return code

    def clean_contact_name(self) -> str:
        return str(self._domain(validate_name, self.cleaned_data["contact_name"].strip()))

    def clean_contact_phone(self) -> str:
        return str(self._domain(validate_phone, self.cleaned_data["contact_phone"].strip()))


class ClerkForm(_AccountFields):
    name = forms.CharField(label="经办人姓名", max_length=60)
    field_order = ["name", "username", "password1", "password2"]
    name_field = "name"

    def clean_name(self) -> str:
        return str(self._domain(validate_name, self.cleaned_data["name"].strip()))


class UploadForm(forms.Form):
    workbook = forms.FileField(
        label="职工信息表（.xlsx）", error_messages={"required": "请选择填写好的职工信息表"}
    )
    photos = forms.FileField(
        label="照片压缩包（.zip）",
        required=True,
        error_messages={"required": "请选择照片压缩包"},
    )
