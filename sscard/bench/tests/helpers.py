from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.test import Client


def send(client: Client, request: dict[str, Any]) -> HttpResponse:
    """One request of a benchmark plan (``sscard.bench.profile.read_requests``) with its own
    cookies, CSRF header and body; the client should enforce CSRF checks, as the server does."""
    headers = {k: v for k, v in request["headers"].items() if k != "Content-Type"}
    content_type = request["headers"].get("Content-Type", "application/octet-stream")
    return client.generic(  # type: ignore[return-value]
        request["method"],
        request["path"],
        data=request["body"],
        content_type=content_type,
        headers=headers,
    )
