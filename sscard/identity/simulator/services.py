"""What the simulated provider decides: whether a claimed identity may go to the face step,
and the one-time authorization codes that carry a verified identity to the token endpoint."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from sscard.accounts.services import person_by_identity
from sscard.core.documents import DocType, DocumentError, validate_document
from sscard.core.errors import DomainError
from sscard.identity.models import SimulatorGrant
from sscard.identity.oidc import pkce_challenge
from sscard.identity.simulator import keys
from sscard.identity.simulator.flow import Claimed

CODE_LIFETIME = timedelta(minutes=5)
ID_TOKEN_LIFETIME = 5 * 60
NAME_MAX_LENGTH = 30


def claimed_identity(*, name: str, id_number: str) -> Claimed:
    """The first-visit check (姓名 + 身份证号码): a valid citizen ID number, and a name that
    matches the person on record with that number (a real provider asks the police
    register; the simulator knows only the people this service has recorded)."""
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = "请输入姓名"
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = f"姓名不能超过{NAME_MAX_LENGTH}个字"
    number = ""
    try:
        number = validate_document(
            DocType.RESIDENT_ID, id_number, today=timezone.localdate()
        ).number
    except DocumentError as exc:
        errors["id_number"] = exc.message
    if not errors:
        person = person_by_identity(DocType.RESIDENT_ID, number)
        if person is not None and person.name != name:
            errors["name"] = "姓名与身份证号码不一致，请核对后重新输入"
    if errors:
        raise DomainError(next(iter(errors.values())), code="invalid", errors=errors)
    return Claimed(name=name, id_number=number)


@dataclass(frozen=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    state: str
    nonce: str
    code_challenge: str


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@transaction.atomic
def grant_issue(*, request: AuthorizationRequest, claimed: Claimed, issuer: str) -> str:
    """A one-time code for a face-verified identity; codes past their time are purged."""
    SimulatorGrant.objects.filter(expires_at__lt=timezone.now() - timedelta(days=1)).delete()
    code = secrets.token_urlsafe(32)
    SimulatorGrant.objects.create(
        code_hash=_hash(code),
        client_id=request.client_id,
        redirect_uri=request.redirect_uri,
        code_challenge=request.code_challenge,
        nonce=request.nonce,
        claims={
            "iss": issuer,
            "sub": keys.subject_for(claimed.id_number),
            keys.NAME_CLAIM: claimed.name,
            keys.ID_NUMBER_CLAIM: claimed.id_number,
        },
        expires_at=timezone.now() + CODE_LIFETIME,
    )
    return code


class GrantError(Exception):
    """An OAuth error answer of the token endpoint (RFC 6749 §5.2)."""

    def __init__(self, error: str, description: str = "") -> None:
        super().__init__(error)
        self.error = error
        self.description = description


def grant_redeem(
    *, code: str, client_id: str, redirect_uri: str, code_verifier: str
) -> dict[str, Any]:
    """The ID token's claims for a code, once. A replayed, expired or mismatched code, or a
    PKCE verifier that does not hash to the challenge, is ``invalid_grant``; the code is
    spent either way, so a guessed verifier gets no second try."""
    with transaction.atomic():
        grant = SimulatorGrant.objects.select_for_update().filter(code_hash=_hash(code)).first()
        if grant is None:
            raise GrantError("invalid_grant", "unknown code")
        if grant.redeemed_at is not None:
            raise GrantError("invalid_grant", "code already used")
        claims = grant.claims or {}
        grant.redeemed_at = timezone.now()
        grant.claims = None
        grant.save(update_fields=["redeemed_at", "claims"])
    if grant.expires_at < timezone.now():
        raise GrantError("invalid_grant", "code expired")
    if grant.client_id != client_id or grant.redirect_uri != redirect_uri:
        raise GrantError("invalid_grant", "code issued to another client or redirect_uri")
    if not secrets.compare_digest(pkce_challenge(code_verifier), grant.code_challenge):
        raise GrantError("invalid_grant", "PKCE verification failed")
    now = int(time.time())
    return claims | {
        "aud": client_id,
        "iat": now,
        "auth_time": now,
        "exp": now + ID_TOKEN_LIFETIME,
        "nonce": grant.nonce,
        "acr": keys.ACR,
        "amr": ["face"],
    }
