"""我的电子社保卡 (个人中心 → 我的电子社保卡): the card face and its QR code (亮码), for the
holder's own card and those of the minors in their care. The code lasts 60 seconds and
refreshes itself with htmx (every 50 seconds); the 刷新 link reloads the page without
JavaScript. A card not in use shows why, and no code."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sscard.accounts.requests import AuthedHttpRequest
from sscard.accounts.trust import StepUpRequired
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.cards.selectors import card_effective_status
from sscard.core.errors import DomainError, NotFound
from sscard.core.qrcodes import qr_svg
from sscard.ecard.services import (
    VALID_SECONDS,
    CardNotUsable,
    ShownCode,
    TooManyShows,
    ecard_card,
    ecard_cards,
    ecard_show,
)
from sscard.regions.selectors import region_settings
from sscard.web.auth import portal_login_required, requester_of
from sscard.web.stepup import step_up_page

QR_TITLE = "电子社保卡二维码，请向核验人员出示"
# the page asks for a new code this long after the last one (the code lasts 60 seconds)
REFRESH_SECONDS = 50


@dataclass(frozen=True)
class Face:
    card: Card
    area: str
    status: str
    own: bool
    code: ShownCode | None
    qr: str  # the code's inline SVG
    why: str  # why there is no code


def _face(request: AuthedHttpRequest, card: Card, area_names: dict[str, str]) -> Face:
    code, svg, why = None, "", ""
    try:
        code = ecard_show(requester=requester_of(request), card=card)
        svg = qr_svg(code.token, title=QR_TITLE)
    except (CardNotUsable, TooManyShows) as refused:
        why = refused.message
    return Face(
        card=card,
        area=area_names.get(card.issuing_area, card.issuing_area),
        status=CardStatus(card_effective_status(card)).label,
        own=card.person_id == request.user.person_id,
        code=code,
        qr=svg,
        why=why,
    )


def _area_names() -> dict[str, str]:
    region = region_settings()
    return {region.region_code: region.region_name}


@require_GET
@portal_login_required
def ecard(request: AuthedHttpRequest) -> HttpResponse:
    if request.user.person is None:
        return render(request, "portal/ecard.html", {"faces": [], "no_person": True})
    try:
        cards = ecard_cards(requester=requester_of(request))
    except StepUpRequired as exc:
        return step_up_page(request, exc)
    names = _area_names()
    faces = [_face(request, card, names) for card in cards]
    return render(
        request,
        "portal/ecard.html",
        {"faces": faces, "valid_seconds": VALID_SECONDS, "refresh_seconds": REFRESH_SECONDS},
    )


@portal_login_required
def ecard_code(request: AuthedHttpRequest, card_id: int) -> HttpResponse:
    """One card's code block, new (htmx asks every 50 seconds and at 刷新). Another
    account's card id is not found, by any method."""
    try:
        card = ecard_card(requester=requester_of(request), card_id=card_id)
    except StepUpRequired as exc:
        return step_up_page(request, exc)
    except NotFound:
        return render(request, "404.html", status=404)
    except DomainError:  # pragma: no cover — ecard_card raises only the two above
        raise
    face = _face(request, card, _area_names())
    return render(
        request,
        "portal/ecard.html#code",
        {"face": face, "valid_seconds": VALID_SECONDS, "refresh_seconds": REFRESH_SECONDS},
    )
