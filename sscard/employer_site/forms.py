"""单位注册 and 添加经办人, with the portal's account and password rules and its captcha."""

from __future__ import annotations

from django import forms

from sscard.accounts.models import Employer
from sscard.core.documents import validate_uscc
from sscard.core.formfields import DocumentNumberField
from sscard.core.validators import validate_name, validate_phone
from sscard.photos.uploads import validate_document_upload
from sscard.web.forms import AccountFieldsForm, captcha_field


class _AccountFields(AccountFieldsForm):
    """An employer's 经办人 login: the portal's account and password rules."""

    name_field = "contact_name"


class EmployerRegisterForm(_AccountFields):
    employer_name = forms.CharField(label="单位名称", max_length=120)
    uscc = DocumentNumberField(label="统一社会信用代码", length=18)
    contact_name = forms.CharField(label="经办人姓名", max_length=60)
    contact_phone = forms.CharField(label="经办人手机号码", max_length=11)
    licence = forms.FileField(
        label="营业执照扫描件",
        help_text="JPG、PNG图片或PDF文件，最大10MB；工作人员审核通过后即可办理批量申领",
        validators=[validate_document_upload],
        error_messages={"required": "请上传营业执照扫描件"},
    )
    field_order = [
        "employer_name",
        "uscc",
        "contact_name",
        "contact_phone",
        "licence",
        "username",
        "password1",
        "password2",
    ]
    captcha = captcha_field()
    own_required_messages = ("licence",)

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


class LicenceForm(forms.Form):
    licence = forms.FileField(
        label="营业执照扫描件",
        help_text="JPG、PNG图片或PDF文件，最大10MB",
        validators=[validate_document_upload],
        error_messages={"required": "请选择营业执照扫描件"},
    )


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
