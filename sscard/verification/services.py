"""SMS one-time codes: proof that the person holds a phone.

* :func:`challenge_start` — a new code for a phone, within the sending limits (per phone: 1 a
  minute, 5 an hour, 10 a day; per client address; per account; per account name typed at a
  login, counted like a phone). The row is written first; the code is made and sent by
  :func:`challenge_send`, outside any transaction.
* :func:`challenge_verify` — check an entered code. Call it outside a transaction: a wrong
  try must count even when what the caller does next fails. 5 wrong tries void the code.
* :func:`challenge_spend` — the action the code proved (a registration, a new phone) takes the
  proof under a row lock, once.

Only a keyed hash of a code is stored. Every send, every refusal to send and every failed
check is audited, with the phone masked.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from sscard.accounts.models import Person, User, phone_hash
from sscard.audit.models import AuditRecord
from sscard.audit.services import audit_record
from sscard.core import crypto
from sscard.core.errors import DomainError
from sscard.core.masking import mask_phone
from sscard.notifications.backends import DeliveryError, Outgoing
from sscard.verification.models import Challenge, Purpose

CODE_DIGITS = 6
CODE_SECONDS = 5 * 60
MAX_FAILED_TRIES = 5
# (window in seconds, most codes in it)
PHONE_LIMITS = ((60, 1), (3600, 5), (86400, 10))
ADDRESS_LIMITS = ((3600, 20), (86400, 60))
ACCOUNT_LIMITS = ((3600, 5), (86400, 10))

EXPIRED = "验证码已失效，请重新获取"
SEND_FAILED = "短信发送失败，请稍后重新获取验证码"


def _code_hash(challenge: Challenge, code: str) -> str:
    return crypto.blind_index(f"{challenge.pk}:{code}", purpose="sms-code")


def account_name_hash(username: str) -> str:
    """The keyed hash a login's code is counted by: the account name as typed (letter case
    aside), whether or not it names an account."""
    return crypto.blind_index(username.strip().casefold(), purpose="sms-code-account")


class TooManyCodes(DomainError):
    """A sending limit is reached: the message says how long to wait (a page answers 429)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="too_many", field="code")


def _wait_message(seconds: int) -> str:
    if seconds <= 120:
        return f"请{seconds}秒后再获取验证码"
    if seconds <= 3600:
        return f"获取验证码过于频繁，请{(seconds + 59) // 60}分钟后再试"
    return "今日获取验证码次数已达上限，请明天再试"


def _wait_seconds(
    rows: Iterable[datetime], limits: tuple[tuple[int, int], ...], now: datetime
) -> int:
    """How long until one more code is allowed, given the times codes were sent (0: now)."""
    times = sorted(rows, reverse=True)
    wait = 0
    for window, most in limits:
        recent = [t for t in times if t > now - timedelta(seconds=window)]
        if len(recent) >= most:
            oldest_counted = recent[most - 1]
            wait = max(
                wait, int((oldest_counted + timedelta(seconds=window) - now).total_seconds()) + 1
            )
    return wait


def sending_wait(
    *,
    phone: str = "",
    user: User | None = None,
    client_ip: str | None = None,
    account_name: str = "",
    now: datetime | None = None,
) -> int:
    """Seconds until a code may be sent again to ``phone`` / for ``user`` / from ``client_ip``
    / for the account name typed at a login (``account_name``, counted like a phone)."""
    now = now or timezone.now()
    day_ago = now - timedelta(days=1)
    recent = Challenge.objects.filter(created_at__gt=day_ago)
    wait = 0
    if account_name:
        times = recent.filter(asked_hash=account_name_hash(account_name)).values_list(
            "created_at", flat=True
        )
        wait = max(wait, _wait_seconds(times, PHONE_LIMITS, now))
    if phone:
        hashed = phone_hash(phone)
        times = recent.filter(Q(phone_hash=hashed) | Q(asked_hash=hashed)).values_list(
            "created_at", flat=True
        )
        wait = max(wait, _wait_seconds(times, PHONE_LIMITS, now))
    if user is not None:
        times = recent.filter(user=user).values_list("created_at", flat=True)
        wait = max(wait, _wait_seconds(times, ACCOUNT_LIMITS, now))
    if client_ip:
        times = recent.filter(client_ip=client_ip).values_list("created_at", flat=True)
        wait = max(wait, _wait_seconds(times, ADDRESS_LIMITS, now))
    return wait


def challenge_start(
    *,
    purpose: str,
    phone: str,
    user: User | None = None,
    person: Person | None = None,
    client_ip: str | None = None,
    payload: dict[str, Any] | None = None,
    limit_phone: str | None = None,
    limit_account: str | None = None,
) -> Challenge:
    """Record a code about to be sent to ``phone`` ("" for a decoy). Refused, with the wait in
    Chinese, when the limits for the phone (``limit_phone`` when the caller must not reveal
    which phone the code goes to), the account or the address are reached.

    ``limit_account``: the account name typed at a login, when the caller must not reveal
    whether it names an account, nor whether that account has a phone. The limits the page
    shows then count by that name (as a phone's) and the address alone; the recipient's phone
    and account limits are kept silently (reached: a decoy, nothing is sent)."""
    if limit_account is not None:
        visible_phone = ""
    else:
        visible_phone = phone if limit_phone is None else limit_phone
    with transaction.atomic():
        _count_alone(visible_phone, phone, user, client_ip, limit_account)
        started = _start(
            purpose=purpose,
            phone=phone,
            visible_phone=visible_phone,
            user=user,
            person=person,
            client_ip=client_ip,
            payload=payload,
            account_name=limit_account,
        )
    if isinstance(started, int):  # refused: the refusal's audit row is committed all the same
        raise TooManyCodes(_wait_message(started))
    return started


def _count_alone(
    visible_phone: str,
    phone: str,
    user: User | None,
    client_ip: str | None,
    account_name: str | None = None,
) -> None:
    """Until the transaction ends, no other process counts or records a code for these phones,
    this account or this address: the limits are counted and the new code written as one step,
    however many servers are asked at once. PostgreSQL: a transaction-level advisory lock for
    each, taken in one order (no two wait for each other); SQLite: its one writer at a time
    (the service's transactions take the write lock when they begin)."""
    if transaction.get_connection().vendor != "postgresql":
        return
    keys = {f"sms-code:phone:{phone_hash(p)}" for p in (visible_phone, phone) if p}
    if user is not None:
        keys.add(f"sms-code:user:{user.pk}")
    if client_ip:
        keys.add(f"sms-code:address:{client_ip}")
    if account_name:
        keys.add(f"sms-code:account-name:{account_name_hash(account_name)}")
    with transaction.get_connection().cursor() as cursor:
        for key in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _start(
    *,
    purpose: str,
    phone: str,
    visible_phone: str,
    user: User | None,
    person: Person | None,
    client_ip: str | None,
    payload: dict[str, Any] | None,
    account_name: str | None = None,
) -> Challenge | int:
    """The new code's row, or the seconds to wait (the refusal audited)."""
    now = timezone.now()
    if account_name is not None:
        # a login: what the page may show counts by the name typed; the account's own
        # limits are the hidden recipient's
        wait = sending_wait(account_name=account_name, client_ip=client_ip, now=now)
        hidden_wait = sending_wait(phone=phone, user=user, now=now) if phone else 0
        asked = account_name_hash(account_name)
    else:
        wait = sending_wait(phone=visible_phone, user=user, client_ip=client_ip, now=now)
        hidden_wait = sending_wait(phone=phone, now=now) if phone and phone != visible_phone else 0
        asked = phone_hash(visible_phone) if visible_phone else ""
    if wait:
        audit_record(
            actor=user,
            action="sms_code.limited",
            detail={"purpose": purpose, "phone": mask_phone(visible_phone), "wait": wait},
            result=AuditRecord.Result.REFUSED,
        )
        return wait
    if hidden_wait:
        phone = ""  # the hidden recipient had enough codes today: nothing is sent, silently
    return Challenge.objects.create(
        purpose=purpose,
        phone=phone,
        phone_hash=phone_hash(phone) if phone else "",
        asked_hash=asked,
        user=user,
        person=person,
        client_ip=client_ip or None,
        payload=payload or {},
        expires_at=now + timedelta(seconds=CODE_SECONDS),
    )


def _text(purpose: str, code: str) -> str:
    minutes = CODE_SECONDS // 60
    return (
        f"您的验证码为{code}，{minutes}分钟内有效，用于{Purpose(purpose).label}。"
        "工作人员不会向您索取验证码，请勿告诉他人；如非本人操作，请忽略本短信。"
    )


def challenge_send(challenge: Challenge) -> None:
    """Make the code and send it, outside any transaction. A decoy sends nothing. When the
    gateway fails the code is void at once and :class:`DomainError` says to try again later."""
    if challenge.is_decoy:
        audit_record(
            actor=challenge.user,
            action="sms_code.not_sent",
            detail={"purpose": challenge.purpose},
        )
        return
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    Challenge.objects.filter(pk=challenge.pk).update(code_hash=_code_hash(challenge, code))
    backend = import_string(settings.SSCARD_SMS_BACKEND)()
    try:
        backend.send(
            Outgoing(
                key=str(challenge.pk),
                channel="sms",
                address=challenge.phone,
                address_masked=challenge.masked_phone,
                title="短信验证码",
                body=_text(challenge.purpose, code),
                template_id=settings.SSCARD_SMS_CODE_TEMPLATE_ID,
                params={"code": code},
            )
        )
    except DeliveryError as exc:
        Challenge.objects.filter(pk=challenge.pk).update(
            code_hash="", expires_at=timezone.now(), send_error=str(exc)[:200]
        )
        audit_record(
            actor=challenge.user,
            action="sms_code.sent",
            detail={
                "purpose": challenge.purpose,
                "phone": challenge.masked_phone,
                "error": str(exc)[:80],
            },
            result=AuditRecord.Result.REFUSED,
        )
        raise DomainError(SEND_FAILED, code="sms_failed", field="code") from exc
    Challenge.objects.filter(pk=challenge.pk).update(sent_at=timezone.now())
    audit_record(
        actor=challenge.user,
        action="sms_code.sent",
        detail={"purpose": challenge.purpose, "phone": challenge.masked_phone},
    )


def challenge_verify(
    *, challenge_id: Any, code: str, purpose: str, user: User | None = None
) -> Challenge:
    """The challenge, now used, when ``code`` opens it; else :class:`DomainError` next to the
    code field. Another account's challenge or another purpose's is not found."""
    code = (code or "").strip()
    if not (code.isdigit() and len(code) == CODE_DIGITS):
        raise DomainError("请输入6位数字验证码", field="code", code="invalid_code")
    with transaction.atomic():
        challenge = (
            Challenge.objects.select_for_update()
            .filter(pk=challenge_id, purpose=purpose, user=user)
            .first()
        )
        if challenge is None:
            raise DomainError(EXPIRED, field="code", code="expired")
        now = timezone.now()
        if (
            challenge.used_at
            or challenge.expires_at <= now
            or challenge.failed_tries >= MAX_FAILED_TRIES
        ):
            raise DomainError(EXPIRED, field="code", code="expired")
        if challenge.code_hash and secrets.compare_digest(
            challenge.code_hash, _code_hash(challenge, code)
        ):
            challenge.used_at = now
            challenge.save(update_fields=["used_at"])
            return challenge
        challenge.failed_tries += 1
        challenge.save(update_fields=["failed_tries"])
        audit_record(
            actor=user,
            action="sms_code.failed",
            detail={"purpose": purpose, "tries": challenge.failed_tries},
            result=AuditRecord.Result.REFUSED,
        )
    left = MAX_FAILED_TRIES - challenge.failed_tries
    if left <= 0:
        raise DomainError("验证码错误次数过多，已失效，请重新获取", field="code", code="void")
    raise DomainError(f"验证码错误，还可尝试{left}次", field="code", code="wrong_code")


def challenge_spend(
    *,
    challenge_id: Any,
    purpose: str,
    user: User | None = None,
    phone: str | None = None,
    within: int = 15 * 60,
    now: datetime | None = None,
) -> Challenge:
    """Take the proof a used challenge gives, once, inside the caller's transaction (at
    ``now``): refused when it was not verified, was spent already, is older than ``within``
    seconds, or was for another phone."""
    challenge = (
        Challenge.objects.select_for_update()
        .filter(pk=challenge_id, purpose=purpose, user=user)
        .first()
    )
    now = now or timezone.now()
    if (
        challenge is None
        or challenge.used_at is None
        or challenge.spent_at is not None
        or challenge.used_at < now - timedelta(seconds=within)
        or (phone is not None and challenge.phone != phone)
    ):
        raise DomainError("请先获取并输入短信验证码", field="code", code="unproved")
    challenge.spent_at = now
    challenge.save(update_fields=["spent_at"])
    return challenge


def challenge_proved(
    *,
    challenge_id: Any,
    purpose: str,
    user: User | None = None,
    phone: str | None = None,
    within: int = 15 * 60,
) -> bool:
    """Whether the right code was entered for this challenge and its proof is still there to
    spend (for a page that asks again after the action failed for another reason)."""
    now = timezone.now()
    return (
        Challenge.objects.filter(
            pk=challenge_id,
            purpose=purpose,
            user=user,
            used_at__gte=now - timedelta(seconds=within),
            spent_at__isnull=True,
        )
        .filter(Q() if phone is None else Q(phone_hash=phone_hash(phone)))
        .exists()
    )
