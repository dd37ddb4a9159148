"""The portal's logins: 账号密码登录 (with its captcha; the lock-out page is sscard.web.lockout's),
注册个人账号 in two steps, 人脸识别登录's link, 退出."""

from __future__ import annotations

import uuid

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
from sscard.verification.services import challenge_verify, sending_wait
from sscard.web.auth import PUBLIC_ROLES, WECHAT_TRIED_KEY, portal_login, safe_next_of
from sscard.web.forms import LoginForm


def face_login_url(next_url: str) -> str:
    """人脸识别登录 (the real-name identity provider), coming back to ``next_url``."""
    return identity_login_url(next_path=next_url)


@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = safe_next_of(request, reverse("portal:home"))
    form = LoginForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.user is not None  # noqa: S101 — set by a valid form
        if form.user.role not in PUBLIC_ROLES:
            # staff sign in at the back office, with their second factor: a staff password
            # alone opens no session here
            return redirect("backoffice:login")
        portal_login(request, form.user)
        audit_record(actor=form.user, action="login.password", target=form.user)
        return render(request, "portal/login_done.html", {"next": next_url})
    return render(
        request,
        "portal/login.html",
        {"form": form, "next": next_url, "face_url": face_login_url(next_url)},
        status=400 if request.method == "POST" else 200,
    )


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
