"""Stepping up to L3+: a one-time code to the phone on file for the signed-in person.
The page keeps where the person was going and returns there; the page that
offers it is sscard.web.stepup's."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from sscard.accounts.models import User
from sscard.accounts.trust import TrustLevel
from sscard.audit.services import audit_record
from sscard.core.errors import DomainError
from sscard.core.net import client_ip
from sscard.identity.services import face_login_url, safe_next
from sscard.verification.models import Purpose
from sscard.verification.services import (
    TooManyCodes,
    challenge_send,
    challenge_start,
    challenge_verify,
    sending_wait,
)
from sscard.web.auth import TRUST_KEY, portal_login_required, session_trust

CHALLENGE_KEY = "step_up_challenge"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    return safe_next(target, default=reverse("portal:center"))


@portal_login_required
def verify_sms(request: HttpRequest) -> HttpResponse:
    """短信验证: 获取验证码 (to the phone on file, masked), then the 6 digits → L3+ for this
    session, and back to where the person was."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101
    person = user.person
    next_url = _next(request)
    if session_trust(request) >= TrustLevel.L3_PLUS:
        return redirect(next_url)
    context: dict[str, Any] = {
        "next": next_url,
        "face_url": face_login_url(next_path=next_url),
        "phone": person.masked_phone if person is not None and person.phone else "",
        "errors": {},
        "sent": bool(request.session.get(CHALLENGE_KEY)),
    }
    if person is None or not person.phone:
        return render(request, "portal/verify_sms.html", context)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            challenge = challenge_start(
                purpose=Purpose.STEP_UP,
                phone=person.phone,
                user=user,
                person=person,
                client_ip=client_ip(request),
            )
            challenge_send(challenge)
        except DomainError as exc:
            context["errors"] = {"code": exc.message}
            status = 429 if isinstance(exc, TooManyCodes) else 503
        else:
            request.session[CHALLENGE_KEY] = str(challenge.pk)
            context["sent"] = True
    elif request.method == "POST":
        challenge_id = request.session.get(CHALLENGE_KEY)
        try:
            if not challenge_id:
                raise DomainError("请先获取验证码", field="code", code="no_code")
            challenge_verify(
                challenge_id=challenge_id,
                code=request.POST.get("code", ""),
                purpose=Purpose.STEP_UP,
                user=user,
            )
        except DomainError as exc:
            context["errors"] = {"code": exc.message}
            status = 400
        else:
            request.session.cycle_key()  # a new session id for the raised level
            request.session[TRUST_KEY] = int(TrustLevel.L3_PLUS)
            request.session.pop(CHALLENGE_KEY, None)
            audit_record(
                actor=user,
                action="identity.step_up",
                target=user,
                detail={"method": "sms", "trust": TrustLevel.L3_PLUS.label},
            )
            return redirect(next_url)
    context["wait"] = sending_wait(phone=person.phone, user=user, client_ip=client_ip(request))
    return render(request, "portal/verify_sms.html", context, status=status)
