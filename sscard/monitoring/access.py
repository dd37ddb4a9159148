"""Who reaches the operator's pages (``/ops/``): a request from one of
``SSCARD_METRICS_ALLOWED_NETWORKS`` (empty: from anywhere) that, when ``SSCARD_METRICS_TOKEN``
is set, also carries it as ``Authorization: Bearer …``. The address is the client's as the
lockout and the audit trail see it: behind a proxy named in ``SSCARD_TRUSTED_PROXIES``, the
one the proxy saw, not the proxy's own loopback."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest

from sscard.core.net import address_in, client_ip


def operator_allowed(request: HttpRequest) -> bool:
    networks = settings.SSCARD_METRICS_ALLOWED_NETWORKS
    if networks and not address_in(client_ip(request), networks):
        return False
    token = settings.SSCARD_METRICS_TOKEN
    if not token:
        return True
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )
