"""Stepping up to L3+: a one-time code to the phone on file for the signed-in person
(DOMAIN.md §2). The page keeps where the person was going and returns there; what they had
chosen or typed on an item's page waits in the session (see :func:`stash_post`)."""

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
from sscard.portal.auth import TRUST_KEY, portal_login_required, session_trust
from sscard.verification.models import Purpose
from sscard.verification.services import (
    TooManyCodes,
    challenge_send,
    challenge_start,
    challenge_verify,
    sending_wait,
)

CHALLENGE_KEY = "step_up_challenge"
STASH_KEY = "step_up_stash"
# fields of a posted item page that are not the person's choices
NOT_KEPT = {"csrfmiddlewaretoken", "token"}


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    return safe_next(target, default=reverse("portal:center"))


def stash_post(request: HttpRequest) -> None:
    """Keep what the person chose and typed on the page that asked for the step-up, so the
    page shows it again when they come back (files are not kept: they are chosen again)."""
    if request.method != "POST":
        return
    request.session[STASH_KEY] = {
        "path": request.path,
        "values": {k: v for k, v in request.POST.items() if k not in NOT_KEPT},
    }


def take_stash(request: HttpRequest) -> dict[str, Any] | None:
    """What :func:`stash_post` kept for this page, once."""
    stash = request.session.get(STASH_KEY)
    if not stash or stash.get("path") != request.path:
        return None
    del request.session[STASH_KEY]
    return dict(stash.get("values") or {})


def step_up_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """The page an item shows when the login is not sure enough of the person: a code to the
    phone on file (for L3+) or face verification (for either), then back to this page."""
    stash_post(request)
    back = request.path if request.method == "POST" else request.get_full_path()
    level = getattr(exc, "level", TrustLevel.L4)
    user = request.user
    person = getattr(user, "person", None)
    return render(
        request,
        "portal/step_up.html",
        {
            "face_url": face_login_url(next_path=back),
            "sms_url": (
                f"{reverse('portal:verify_sms')}?next={back}"
                if level <= TrustLevel.L3_PLUS and person is not None and person.phone
                else ""
            ),
            "sms_possible": level <= TrustLevel.L3_PLUS,
            "message": exc.message,
        },
        status=403,
    )


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
