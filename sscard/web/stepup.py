"""The page an item shows when the login is not sure enough of the person: a
code to the phone on file (the portal's 短信验证, for L3+) or face verification, then back to
the item. What they had chosen or typed on the item's page waits in the session (see
:func:`stash_post`). The portal's items and /files/ show it, and so does WeChat."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from sscard.accounts.trust import TrustLevel
from sscard.core.errors import DomainError
from sscard.identity.services import face_login_url

STASH_KEY = "step_up_stash"
# fields of a posted item page that are not the person's choices
NOT_KEPT = {"csrfmiddlewaretoken", "token"}


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
