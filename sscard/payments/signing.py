"""The signature both directions carry, in the shape of WeChat Pay API v3: headers
``Pay-Timestamp`` (Unix seconds), ``Pay-Nonce`` and ``Pay-Signature``, the signature an
HMAC-SHA256 (hex) of ``timestamp\\nnonce\\nbody\\n`` under the merchant key
(``SSCARD_PAYMENT_KEY``). A message older or newer than five minutes is refused, so a
captured notification cannot be replayed later."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping

from django.conf import settings

WINDOW_SECONDS = 300


class BadSignature(Exception):
    pass


def _digest(key: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    body: bytes, *, key: str | None = None, at: float | None = None
) -> dict[str, str]:
    timestamp = str(int(at if at is not None else time.time()))
    nonce = secrets.token_hex(16)
    return {
        "Pay-Timestamp": timestamp,
        "Pay-Nonce": nonce,
        "Pay-Signature": _digest(key or settings.SSCARD_PAYMENT_KEY, timestamp, nonce, body),
    }


def verify(body: bytes, headers: Mapping[str, str], *, now: float | None = None) -> None:
    """Raise :class:`BadSignature` unless ``body`` was signed with our key within the window."""
    key = settings.SSCARD_PAYMENT_KEY
    timestamp = headers.get("Pay-Timestamp", "")
    nonce = headers.get("Pay-Nonce", "")
    signature = headers.get("Pay-Signature", "")
    if not key or not timestamp.isdigit() or not nonce or not signature:
        raise BadSignature("签名信息不完整")
    now = now if now is not None else time.time()
    if abs(now - int(timestamp)) > WINDOW_SECONDS:
        raise BadSignature("通知时间超出允许范围")
    if not hmac.compare_digest(_digest(key, timestamp, nonce, body), signature):
        raise BadSignature("签名不正确")
