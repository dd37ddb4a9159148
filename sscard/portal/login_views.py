"""The portal's logins: 账号密码登录 (with its captcha, or a code by SMS for who cannot read it;
the lock-out page is sscard.web.lockout's),
注册个人账号 in two steps, 人脸识别登录's link, 退出."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sscard.audit.services import audit_record
from sscard.core.errors import DomainError
from sscard.core.masking import mask_phone
from sscard.core.net import client_ip
from sscard.identity.services import face_login_url as identity_login_url
from sscard.portal.forms import RegisterForm
from sscard.portal.services import (
    CODE_SENT,
    registration_complete,
    registration_resend,
    registration_start,
)
from sscard.regions.selectors import region_settings
from sscard.verification.models import Challenge, Purpose
from sscard.verification.services import TooManyCodes, challenge_verify, sending_wait
from sscard.web.auth import PUBLIC_ROLES, WECHAT_TRIED_KEY, portal_login, safe_next_of
from sscard.web.forms import LoginForm, SmsLoginForm
from sscard.web.sms_login import CODE_SENT as LOGIN_CODE_SENT
from sscard.web.sms_login import login_code_send, login_code_trust


def face_login_url(next_url: str) -> str:
    """人脸识别登录 (the real-name identity provider), coming back to ``next_url``."""
    return identity_login_url(next_path=next_url)


# the login's code by SMS (看不清？改用短信验证码), sent for the account name typed
LOGIN_CODE_KEY = "login_code_challenge"
# the buttons beside the captcha or the code field: they change the form, they do not log in
SWITCH_TO_SMS, SWITCH_TO_CAPTCHA, SEND_CODE = "use_sms", "use_captcha", "send_code"


def _uses_sms(request: HttpRequest, action: str) -> bool:
    if action in (SWITCH_TO_SMS, SEND_CODE):
        return True
    if action == SWITCH_TO_CAPTCHA:
        return False
    return (request.POST.get("way") or request.GET.get("way")) == "sms"


@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """账号密码绑定: 账号, 密码 and the image captcha — or, for who cannot read it, a code sent
    by SMS to the phone on file for the account (then the session is L3+)."""
    next_url = safe_next_of(request, reverse("portal:home"))
    action = request.POST.get("action", "") if request.method == "POST" else ""
    sms = _uses_sms(request, action)
    context: dict[str, Any] = {"next": next_url, "face_url": face_login_url(next_url), "sms": sms}
    if action in (SWITCH_TO_SMS, SWITCH_TO_CAPTCHA, SEND_CODE):
        return _login_form_changed(request, action, context)
    form: LoginForm
    if sms:
        form = SmsLoginForm(
            request, request.POST or None, challenge_id=request.session.get(LOGIN_CODE_KEY)
        )
    else:
        form = LoginForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.user is not None  # noqa: S101 — set by a valid form
        if form.user.role not in PUBLIC_ROLES:
            # staff sign in at the back office, with their second factor: a staff password
            # alone opens no session here
            return redirect("backoffice:login")
        if isinstance(form, SmsLoginForm) and form.challenge is not None:
            trust = login_code_trust(form.challenge, form.user)
            portal_login(request, form.user, trust=trust)
            request.session.pop(LOGIN_CODE_KEY, None)
            detail = {"method": "sms_code", "trust": trust.label}
        else:
            portal_login(request, form.user)
            detail = {}
        audit_record(actor=form.user, action="login.password", target=form.user, detail=detail)
        return render(request, "portal/login_done.html", {"next": next_url})
    if isinstance(form, SmsLoginForm):
        if form.code_tried and not form.errors.get("code"):
            # the code was right and is used up by this attempt: the next needs a new one
            request.session.pop(LOGIN_CODE_KEY, None)
        context["code_kept"] = not form.code_tried
        context["wait"] = _code_wait(request, str(form.data.get("username", "")))
    context["form"] = form
    return render(
        request, "portal/login.html", context, status=400 if request.method == "POST" else 200
    )


def _code_wait(request: HttpRequest, username: str) -> int:
    """Seconds until 获取短信验证码 may be pressed again for this name from this address."""
    username = username.strip()[:150]
    if not username:
        return 0
    return sending_wait(account_name=username, client_ip=client_ip(request))


def _login_form_changed(request: HttpRequest, action: str, context: dict[str, Any]) -> HttpResponse:
    """看不清？改用短信验证码, 改用图形验证码 and 获取短信验证码: the form again, the account name
    kept (the password too, with htmx: only the form is swapped and the password box kept
    as it is), with the code sent — the same answer whoever the name is."""
    typed = request.POST.get("username", "").strip()[:150]
    form_class = SmsLoginForm if context["sms"] else LoginForm
    context["form"] = form_class(request, initial={"username": typed})
    status = 200
    if action == SEND_CODE:
        if not typed:
            context["code_error"] = "请先填写账号，再获取短信验证码"
        else:
            try:
                challenge = login_code_send(username=typed, client_ip=client_ip(request))
            except TooManyCodes as exc:
                context["code_error"], status = exc.message, 429
            else:
                request.session[LOGIN_CODE_KEY] = str(challenge.pk)
                context["sent_message"] = LOGIN_CODE_SENT
    if context["sms"]:
        context["wait"] = _code_wait(request, typed)
    context["focus"] = _focus_after(action, typed, context)
    template = "portal/login.html" + ("#login-form" if getattr(request, "htmx", False) else "")
    return render(request, template, context, status=status)


def _focus_after(action: str, typed: str, context: dict[str, Any]) -> str:
    """Where the cursor goes when the changed form arrives (htmx honours ``autofocus`` in the
    new content; without JavaScript the page opens there): the next thing to do."""
    if action == SWITCH_TO_CAPTCHA:
        return "switch"
    if not typed:
        return "username"
    if action == SEND_CODE and "code_error" not in context:
        return "code"
    return "code" if context.get("code_error") or context.get("wait") else "send"


def captcha_refresh(request: HttpRequest) -> HttpResponse:
    """换一张: a new captcha in place (htmx); without JavaScript the link reloads the page."""
    return render(
        request,
        "portal/_captcha.html",
        {"field": LoginForm(request)["captcha"], "refreshed": True},
    )


REGISTER_KEY = "register_challenge"


@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """注册个人账号, step one: the entries, then the same answer whoever the number names."""
    form = RegisterForm(request.POST or None, guardian_age=region_settings().guardian_age)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assert form.facts is not None  # noqa: S101 — set by a valid form
        try:
            challenge = registration_start(
                facts=form.facts,
                name=data["name"],
                phone=data["phone"],
                username=data["username"],
                password=data["password1"],
                gender=data["gender"],
                birth_date=data["birth_date"],
                nationality=data["nationality"],
                client_ip=client_ip(request),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            request.session[REGISTER_KEY] = str(challenge.pk)
            return redirect("portal:register_code")
    return render(
        request,
        "portal/register.html",
        {"form": form, "face_url": face_login_url(reverse("portal:center"))},
        status=400 if form.errors else 200,
    )


@never_cache
def register_code(request: HttpRequest) -> HttpResponse:
    """注册个人账号, step two: the code texted in step one links the account."""
    challenge_id = str(request.session.get(REGISTER_KEY) or uuid.UUID(int=0))
    challenge = Challenge.objects.filter(pk=challenge_id, purpose=Purpose.REGISTER).first()
    if challenge is None:
        return redirect("portal:register")
    error, status = "", 200
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            challenge = registration_resend(challenge=challenge, client_ip=client_ip(request))
        except DomainError as exc:
            error, status = exc.message, 429
        else:
            request.session[REGISTER_KEY] = str(challenge.pk)
    elif request.method == "POST":
        try:
            challenge_verify(
                challenge_id=challenge.pk,
                code=request.POST.get("code", ""),
                purpose=Purpose.REGISTER,
            )
            user = registration_complete(challenge_id=challenge.pk)
        except DomainError as exc:
            error, status = exc.message, 400
        else:
            request.session.pop(REGISTER_KEY, None)
            portal_login(request, user)
            messages.success(request, "注册成功，已为您登录")
            return redirect("portal:center")
    typed = mask_phone(str(challenge.payload.get("phone", "")))
    return render(
        request,
        "portal/register_code.html",
        {
            "sent_message": CODE_SENT.format(phone=typed),
            "error": error,
            "face_url": face_login_url(reverse("portal:center")),
            "wait": sending_wait(
                phone=str(challenge.payload.get("phone", "")), client_ip=client_ip(request)
            ),
        },
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    request.session[WECHAT_TRIED_KEY] = True  # logged out inside WeChat stays logged out
    return redirect("portal:center")
