"""Back-office forms: the staff login (password + TOTP code in one step) and the small forms
of the decision screens. Forms only parse input; the services decide."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from captcha.fields import CaptchaField
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.db.models import Q, Sum
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sscard.applications.constants import RejectReason, ReturnReason
from sscard.audit.models import AuditRecord
from sscard.audit.services import audit_record
from sscard.backoffice.access import is_staff_member
from sscard.backoffice.passwords import STAFF_MIN_LENGTH
from sscard.core.documents import DocType
from sscard.core.formfields import DocumentNumberField
from sscard.core.net import client_ip

LOGIN_FAILED = "账号、密码或动态验证码错误"
CAPTCHA_MESSAGES = {"invalid": "验证码错误，请重新输入", "required": "请输入验证码"}
# failures (from this address, or for the account typed) after which the page asks for the
# image captcha too
CAPTCHA_AFTER_FAILURES = 2


def recent_login_failures(request: HttpRequest, username: str = "") -> int:
    """Failed logins django-axes counted within the cool-off, from the request's address or
    (when one is typed) for the account, whichever address tried it."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    who = Q(ip_address=client_ip(request))
    if username:
        who |= Q(username=username)
    total = AccessAttempt.objects.filter(who, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return int(total or 0)


class StaffLoginForm(AuthenticationForm):
    """账号 + 密码 + 动态验证码 (TOTP): a staff session exists only after both factors. The
    login knows only staff: a citizen's account with its right password, a wrong password and
    an unknown name get the same message, and every failure counts towards django-axes'
    lockout. After the second failure an image captcha is asked for as well, and nothing is
    tried against the password store until it is right."""

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
        self.ask_for_captcha_if_due()

    def ask_for_captcha_if_due(self) -> None:
        """Add the captcha once this address (or the account typed) has failed twice: when
        the form is made, and again when a failure is answered (the page then shows it)."""
        if self.request is None or "captcha" in self.fields:
            return
        typed = str(self.data.get("username", ""))[:150] if self.is_bound else ""
        if recent_login_failures(self.request, typed) >= CAPTCHA_AFTER_FAILURES:
            self.fields["captcha"] = CaptchaField(label="验证码", error_messages=CAPTCHA_MESSAGES)

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if "captcha" in self.errors or not username or not password:
            return self.cleaned_data  # the captcha wrong or missing: no password is tried
        # a wrong password or an unknown name: django-axes counts it (user_login_failed)
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            audit_record(
                actor=None,
                action="staff.login",
                result=AuditRecord.Result.REFUSED,
                detail={"reason": "bad_credentials"},
            )
            raise self.get_invalid_login_error()
        self.user_cache = user
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
                return self.cleaned_data
        self._refuse(user, "otp_failed")
        return self.cleaned_data  # pragma: no cover

    def _refuse(self, user: Any, reason: str) -> None:
        """A failure after the password matched (not staff, a short legacy password, a wrong
        code): counted by django-axes like a wrong password, and answered alike."""
        audit_record(
            actor=user,
            action="staff.login",
            result=AuditRecord.Result.REFUSED,
            detail={"reason": reason},
        )
        self.user_cache = None
        user_login_failed.send(
            sender=__name__,
            credentials={"username": self.cleaned_data["username"]},
            request=self.request,
        )
        raise self.get_invalid_login_error()


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
