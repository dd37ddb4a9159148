"""The registration of a citizen's password account (注册个人账号); the login and the account
fields it shares with the other public sign-ins are in sscard.web.forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from sscard.core.documents import (
    DocType,
    DocumentError,
    DocumentFacts,
    Gender,
    age_on,
    validate_document,
)
from sscard.core.formfields import DocumentNumberField
from sscard.core.validators import validate_name, validate_phone
from sscard.web.forms import AccountFieldsForm, captcha_field

REGISTRABLE_DOCUMENTS = [(kind.value, kind.label) for kind in DocType if kind != DocType.HOUSEHOLD]


class RegisterForm(AccountFieldsForm):
    """A citizen's password account: 证件类型 + 证件号码 + 姓名 (and, for a document that does
    not carry them, 性别, 出生日期 and 国籍), phone, account, password. Who the number names is
    not told here: a code goes to the phone on file for that person (or, for a number nobody
    holds yet, to the phone typed), and only the code links the account."""

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
    captcha = captcha_field()

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
        "captcha",  # as the page shows them, and so the error summary lists them
        "consent",
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
