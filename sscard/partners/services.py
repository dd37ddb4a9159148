"""Partner credentials, request authentication (signature, clock, nonce) and the
``Idempotency-Key`` store."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from sscard.accounts.models import User
from sscard.accounts.services import require_role
from sscard.audit.models import AuditRecord
from sscard.audit.services import audit_record
from sscard.core.errors import DomainError
from sscard.partners import signing
from sscard.partners.models import IdempotencyRecord, Nonce, Partner
from sscard.regions.models import Bank

NONCE_RETENTION = timedelta(seconds=signing.MAX_SKEW_SECONDS * 3)
IDEMPOTENCY_RETENTION = timedelta(hours=24)
IDEMPOTENCY_KEY_MAX = 100


class PartnerAuthError(Exception):
    """The request is not a valid signed request of an active partner (401)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Credentials:
    partner: Partner
    secret: str  # shown once, when created or rotated


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def partner_create(*, name: str, kind: str, bank: Bank, actor: User | None) -> Credentials:
    """New credentials for a bank's or a card factory's system (administrators, or the
    system itself for the demo)."""
    if actor is not None:
        require_role(actor, User.Role.ADMIN)
    if kind not in Partner.Kind.values:
        raise DomainError("合作方类型不正确", field="kind")
    secret = _new_secret()
    partner = Partner.objects.create(
        name=name, kind=kind, bank=bank, key_id=f"pk_{secrets.token_hex(8)}", secret=secret
    )
    audit_record(
        actor=actor,
        action="partner.created",
        target=partner,
        detail={"key_id": partner.key_id, "kind": kind, "bank": bank.code},
    )
    return Credentials(partner, secret)


@transaction.atomic
def partner_rotate_secret(*, partner: Partner, actor: User | None) -> Credentials:
    if actor is not None:
        require_role(actor, User.Role.ADMIN)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    secret = _new_secret()
    partner.secret = secret
    partner.secret_rotated_at = timezone.now()
    partner.save(update_fields=["secret", "secret_rotated_at"])
    audit_record(
        actor=actor, action="partner.secret_rotated", target=partner, detail={"key": partner.key_id}
    )
    return Credentials(partner, secret)


def _refuse(message: str, code: str, key_id: str = "") -> PartnerAuthError:
    audit_record(
        actor=None,
        action="partner.auth_failed",
        detail={"reason": code, "key": key_id[:40]},
        result=AuditRecord.Result.DENIED,
    )
    return PartnerAuthError(message, code)


def partner_authenticate(request: HttpRequest, *, now: float | None = None) -> Partner:
    """The active partner that signed ``request``, its nonce now spent (in the caller's
    transaction when there is one: a write's, which keeps it with the change); otherwise
    :class:`PartnerAuthError` (and an audit record of the refusal)."""
    headers = request.headers
    key_id = headers.get(signing.KEY_HEADER, "")
    timestamp = headers.get(signing.TIMESTAMP_HEADER, "")
    nonce = headers.get(signing.NONCE_HEADER, "")
    given = headers.get(signing.SIGNATURE_HEADER, "")
    if not (key_id and timestamp and nonce and given):
        raise _refuse("请求未签名：缺少签名请求头", "unsigned", key_id)
    partner = Partner.objects.select_related("bank").filter(key_id=key_id, active=True).first()
    if partner is None:
        raise _refuse("接入标识无效或已停用", "unknown_key", key_id)
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise _refuse("时间戳格式不正确", "bad_timestamp", key_id)
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > signing.MAX_SKEW_SECONDS:
        raise _refuse("时间戳与服务器时间相差超过5分钟", "stale_timestamp", key_id)
    if not signing.NONCE_PATTERN.fullmatch(nonce):
        raise _refuse("随机数（nonce）格式不正确", "bad_nonce", key_id)
    expected = signing.signature(
        partner.secret,
        request.method or "",
        request.get_full_path(),
        timestamp,
        nonce,
        request.body,
    )
    if not signing.signature_matches(expected, given):
        raise _refuse("签名不正确", "bad_signature", key_id)
    try:
        with transaction.atomic():
            Nonce.objects.create(partner=partner, value=nonce)
    except IntegrityError:
        raise _refuse("随机数（nonce）已使用过：请求被重放", "replayed_nonce", key_id) from None
    return partner


# ---------------------------------------------------------------------------------------------
# Idempotency-Key (draft-ietf-httpapi-idempotency-key-header)


class IdempotencyConflict(Exception):
    """400 missing key, 409 first request still running, 422 key reused for another body."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Replay:
    status: int
    body: dict


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in ((request.method or "").encode(), request.path.encode(), request.body):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def idempotency_begin(request: HttpRequest, partner: Partner) -> IdempotencyRecord | Replay:
    """Inside the write's transaction: the request's key held until it ends (a copy sent
    meanwhile hears 409), then the first answer when this is a retry of a finished request,
    else the record to keep this request's answer in (:func:`idempotency_finish`)."""
    key = request.headers.get(signing.IDEMPOTENCY_HEADER, "")
    if not key:
        raise IdempotencyConflict(
            400, "写操作须带 Idempotency-Key 请求头", "idempotency_key_missing"
        )
    if len(key) > IDEMPOTENCY_KEY_MAX or not key.isascii() or not key.isprintable():
        raise IdempotencyConflict(
            400, "Idempotency-Key 须为不超过100个可见ASCII字符", "idempotency_key_invalid"
        )
    print_ = fingerprint(request)
    if not _hold_key(partner, key):
        raise IdempotencyConflict(
            409, "相同 Idempotency-Key 的请求正在处理中，请稍后重试", "request_in_flight"
        )
    record = IdempotencyRecord.objects.filter(partner=partner, key=key).first()
    if record is None:
        return IdempotencyRecord(partner=partner, key=key, fingerprint=print_)
    if record.fingerprint != print_:
        raise IdempotencyConflict(
            422, "该 Idempotency-Key 已用于另一个请求", "idempotency_key_reused"
        )
    if not record.done:  # a claim an earlier version committed before its write
        raise IdempotencyConflict(
            409, "相同 Idempotency-Key 的请求正在处理中，请稍后重试", "request_in_flight"
        )
    return Replay(record.status_code or 200, record.response or {})


def _hold_key(partner: Partner, key: str) -> bool:
    """Take the partner's key for the rest of the transaction; False when a transaction
    running now holds it. On PostgreSQL a transaction-level advisory lock, tried without
    waiting: the key's record is only written with the answer, at the end, so a copy would
    find nothing to wait on. SQLite runs one writing transaction at a time: a copy starts
    once the first has committed, and finds its answer."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("an Idempotency-Key is held by a transaction")
    if connection.vendor != "postgresql":
        return True
    # the lock's 64-bit number: the first 8 bytes of the key's SHA-256 (a lock id, no secret)
    digest = hashlib.sha256(f"sscard-idemkey:{partner.pk}:{key}".encode()).digest()[:8]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s)", [int.from_bytes(digest, signed=True)]
        )
        (held,) = cursor.fetchone()
    return bool(held)


def idempotency_finish(record: IdempotencyRecord, status: int, body: dict) -> None:
    """Keep the answer for a retry, in the write's transaction."""
    record.done, record.status_code, record.response = True, status, body
    record.save(force_insert=True)


def purge_replay_records(*, now: datetime | None = None) -> tuple[int, int]:
    """Forget nonces older than any timestamp still accepted and finished idempotency keys
    older than a day (partners are told: retry within 24 hours)."""
    now = now or timezone.now()
    nonces, _ = Nonce.objects.filter(seen_at__lt=now - NONCE_RETENTION).delete()
    keys, _ = IdempotencyRecord.objects.filter(created_at__lt=now - IDEMPOTENCY_RETENTION).delete()
    return nonces, keys
