"""The simulated provider's browser state, kept in its own cookies (path ``/idp-sim/``), apart
from the portal's session as a separate provider's would be.

* the *flow*: the authorization request being answered and, once entered, the identity to
  verify — for 15 minutes;
* the *remembered identity*: after a successful face check, so that a later visit on the same
  browser goes straight to the face step.

Both are encrypted (AES-GCM, ``sscard.core.crypto``) and signed with a timestamp (Django's
signer): the ID number is never readable in the browser, in a URL or in a log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from sscard.core import crypto

FLOW_COOKIE = "sscard_idp_sim_flow"
FLOW_MAX_AGE = 15 * 60
REMEMBER_COOKIE = "sscard_idp_sim_identity"
REMEMBER_MAX_AGE = 180 * 24 * 60 * 60


@dataclass(frozen=True)
class Claimed:
    """A name and citizen ID number as typed by the person (not yet face-verified)."""

    name: str = field(repr=False)
    id_number: str = field(repr=False)


def _cookie_path() -> str:
    return reverse("idp_sim:index")


def _seal(data: dict[str, Any], *, purpose: str) -> str:
    sealed = crypto.encrypt(json.dumps(data), context=f"idp-sim.{purpose}".encode())
    return signing.dumps(sealed, salt=f"sscard.identity.simulator.{purpose}")


def _open(value: str | None, *, purpose: str, max_age: int) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        sealed = signing.loads(value, salt=f"sscard.identity.simulator.{purpose}", max_age=max_age)
        data = json.loads(crypto.decrypt(str(sealed), context=f"idp-sim.{purpose}".encode()))
    except (signing.BadSignature, crypto.DecryptionError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _set(response: HttpResponse, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=_cookie_path(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def read_flow(request: HttpRequest) -> dict[str, Any] | None:
    return _open(request.COOKIES.get(FLOW_COOKIE), purpose="flow", max_age=FLOW_MAX_AGE)


def write_flow(response: HttpResponse, flow: dict[str, Any]) -> None:
    _set(response, FLOW_COOKIE, _seal(flow, purpose="flow"), FLOW_MAX_AGE)


def end_flow(response: HttpResponse) -> None:
    response.delete_cookie(FLOW_COOKIE, path=_cookie_path(), samesite="Lax")


def claimed_in(flow: dict[str, Any]) -> Claimed | None:
    claimed = flow.get("claimed")
    if not isinstance(claimed, dict) or not claimed.get("name") or not claimed.get("id_number"):
        return None
    return Claimed(name=str(claimed["name"]), id_number=str(claimed["id_number"]))


def with_claimed(flow: dict[str, Any], claimed: Claimed | None) -> dict[str, Any]:
    if claimed is None:
        return {k: v for k, v in flow.items() if k != "claimed"}
    return flow | {"claimed": {"name": claimed.name, "id_number": claimed.id_number}}


def remembered(request: HttpRequest) -> Claimed | None:
    data = _open(request.COOKIES.get(REMEMBER_COOKIE), purpose="identity", max_age=REMEMBER_MAX_AGE)
    if data is None:
        return None
    return claimed_in({"claimed": data})


def remember(response: HttpResponse, claimed: Claimed) -> None:
    value = _seal({"name": claimed.name, "id_number": claimed.id_number}, purpose="identity")
    _set(response, REMEMBER_COOKIE, value, REMEMBER_MAX_AGE)


def forget(response: HttpResponse) -> None:
    response.delete_cookie(REMEMBER_COOKIE, path=_cookie_path(), samesite="Lax")
