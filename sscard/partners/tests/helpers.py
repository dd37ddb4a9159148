"""Signed requests to the partner API, for the tests."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sscard.partners import signing
from sscard.partners.services import Credentials

PREFIX = "/partner/api/v1"


def call(
    client,
    creds: Credentials,
    method: str,
    path: str,
    body: Any = None,
    *,
    key: str | None = "auto",
    secret: str | None = None,
    **sign: Any,
):
    """One signed request through the Django test client; writes get a fresh
    Idempotency-Key unless ``key`` names one (or is None: no key at all)."""
    full = PREFIX + path
    data = b"" if body is None else json.dumps(body).encode()
    headers = signing.signed_headers(
        key_id=creds.partner.key_id,
        secret=secret or creds.secret,
        method=method,
        path=full,
        body=data,
        **sign,
    )
    if method != "GET" and key is not None:
        headers[signing.IDEMPOTENCY_HEADER] = uuid.uuid4().hex if key == "auto" else key
    return client.generic(method, full, data=data, content_type="application/json", headers=headers)
