"""The sign-in forms more than one interface shows: the public password login (“账号密码绑定”,
on the portal and in WeChat; on the portal also with a code by SMS in place of the image
captcha), the account fields of a public registration (a citizen's, an
employer's 经办人) and the staff login (the back office, and the lock-out page for /staff/)."""

from __future__ import annotations

import re
from typing import Any

from axes.models import AccessAttempt
from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.db.models import Q, Sum
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sscard.accounts.models import User
from sscard.accounts.staff import STAFF_MIN_LENGTH, is_staff_member
from sscard.audit.models import AuditRecord
from sscard.audit.services import audit_record
from sscard.core.documents import DocumentError
from sscard.core.errors import DomainError
from sscard.core.net import client_ip
from sscard.verification.models import Challenge
from sscard.web.sms_login import login_code_check

# One message for an unknown account and a wrong password: the page must not tell which.
BAD_CREDENTIALS = "账号或密码错误，请重新输入"
CAPTCHA_MESSAGES = {"invalid": "验证码错误，请重新输入", "required": "请输入验证码"}
ACCOUNT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,29}$")


class CaptchaInput(CaptchaTextInput):
    """django-simple-captcha's image and text box, the image described in Chinese and
    sized (forms/captcha.html). Its audio version needs flite on the server, which we do not
    install (and it spells the letters in English): the portal's login offers a code by SMS
    instead (:class:`SmsLoginForm`), and the pages 人脸识别登录 and 12333."""

    template_name = "forms/captcha.html"


def captcha_field() -> CaptchaField:
    """The image captcha (验证码) of every public form and of the staff login."""
    return CaptchaField(label="验证码", error_messages=CAPTCHA_MESSAGES, widget=CaptchaInput())


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
    captcha = captcha_field()

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # nothing is tried against the password store until the captcha is right
        if self.errors:
            return data
        self.check_before_password(data)
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

    def check_before_password(self, data: dict[str, Any]) -> None:
        """What must be right before the password is tried, beyond the fields' own checks
        (the captcha checks itself as a field)."""


class SmsLoginForm(LoginForm):
    """账号 + 密码 + 短信验证码 (看不清？改用短信验证码): the code sent for this account name
    (sscard.web.sms_login) in place of the image captcha. Like the captcha it is checked
    before the password, and it is used up by the attempt whatever the password; a wrong code
    counts towards the code's five tries, not towards django-axes' lockout (nothing was tried
    against the password store), which still counts every wrong password."""

    captcha = None  # Django's way to leave out a parent's field
    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        error_messages={"required": "请输入短信验证码", "max_length": "请输入6位数字验证码"},
    )

    def __init__(self, request: HttpRequest, *args: Any, challenge_id: Any = None, **kwargs: Any):
        self.challenge_id = challenge_id
        self.challenge: Challenge | None = None
        self.code_tried = False  # the code was checked (and, if right, used up)
        super().__init__(request, *args, **kwargs)

    def check_before_password(self, data: dict[str, Any]) -> None:
        self.code_tried = True
        try:
            self.challenge = login_code_check(
                challenge_id=self.challenge_id, username=data["username"], code=data["code"]
            )
        except DomainError as exc:
            self.add_error("code", exc.message)


class AccountFieldsForm(forms.Form):
    """账号 and 密码 (twice) of a public account, citizen or employer, checked by the password
    rules; ``name_field`` names the field whose value a password must not resemble."""

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


# Our own words for the password rules: Django's would follow the phone's
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


LOGIN_FAILED = "账号、密码或动态验证码错误"


# failures (from this address, or for the account typed) after which the staff login asks
# for the image captcha too
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
            self.fields["captcha"] = captcha_field()

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
