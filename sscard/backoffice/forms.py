"""Back-office forms: the staff login (password + TOTP code in one step) and the small forms
of the decision screens. Forms only parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from sscard.applications.constants import RejectReason, ReturnReason
from sscard.audit.models import AuditRecord
from sscard.audit.services import audit_record
from sscard.backoffice.access import is_staff_member
from sscard.backoffice.passwords import STAFF_MIN_LENGTH
from sscard.core.documents import DocType
from sscard.core.formfields import DocumentNumberField

LOGIN_FAILED = "账号、密码或动态验证码错误"


class StaffLoginForm(AuthenticationForm):
    """账号 + 密码 + 动态验证码 (TOTP): a staff session exists only after both factors. Every
    failure gets the same message, whichever part was wrong."""

    otp_token = forms.CharField(
        label="动态验证码",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": LOGIN_FAILED,
        "inactive": LOGIN_FAILED,
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.device: TOTPDevice | None = None
        self.fields["username"].widget.attrs["autofocus"] = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # authenticates username + password
        user = self.get_user()
        if user is None:  # pragma: no cover — super().clean() raised already
            raise self.get_invalid_login_error()
        password = self.cleaned_data.get("password", "")
        if not is_staff_member(user) or len(password) < STAFF_MIN_LENGTH:
            self._refuse(user, "not_staff_or_short_password")
        token = (self.cleaned_data.get("otp_token") or "").strip()
        for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                continue
            if device.verify_token(token):
                self.device = device
                user.otp_device = device  # type: ignore[attr-defined]  # django-otp's attribute, no stubs
                return cleaned
        self._refuse(user, "otp_failed")
        return cleaned  # pragma: no cover

    def _refuse(self, user: Any, reason: str) -> None:
        audit_record(
            actor=user,
            action="staff.login",
            result=AuditRecord.Result.REFUSED,
            detail={"reason": reason},
        )
        self.user_cache = None
        raise forms.ValidationError(LOGIN_FAILED, code="invalid_login")


class ReturnForm(forms.Form):
    reason_code = forms.ChoiceField(label="退回原因", choices=ReturnReason.choices)
    reason = forms.CharField(label="补正说明", max_length=280, widget=forms.Textarea)
    status = forms.CharField(widget=forms.HiddenInput, required=False)


class RejectForm(forms.Form):
    reason_code = forms.ChoiceField(label="不予受理原因", choices=RejectReason.choices)
    reason = forms.CharField(label="说明", max_length=280, widget=forms.Textarea)
    status = forms.CharField(widget=forms.HiddenInput, required=False)


class EndForm(forms.Form):
    reason = forms.CharField(label="终止办理原因", max_length=280, widget=forms.Textarea)
    status = forms.CharField(widget=forms.HiddenInput, required=False)


class IdentityForm(forms.Form):
    doc_type = forms.ChoiceField(label="证件类型", choices=DocType.choices)
    doc_number = DocumentNumberField()
