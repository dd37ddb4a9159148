"""The client's address, as the lockout and the audit trail record it.

Behind a reverse proxy every request comes from the proxy (``REMOTE_ADDR``) and the client's
address is in ``X-Forwarded-For``, which a client can also write itself. The header is read
only when the request comes from a proxy named in ``SSCARD_TRUSTED_PROXIES`` (addresses or
networks), and then from the right: the first address that is not one of our proxies is the
one our own proxy saw; whatever the client put further left is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def address_in(address: str, entries: list[str] | tuple[str, ...]) -> bool:
    """Whether ``address`` is one of ``entries`` (addresses or networks, ``10.0.0.0/8``); a
    malformed address is in none."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(entries)))


def _trusted(address: str) -> bool:
    return address_in(address, settings.SSCARD_TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not _trusted(remote):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if _trusted(hop):
            continue
        try:
            return str(ipaddress.ip_address(hop))
        except ValueError:
            return remote  # a malformed entry: not an address to key a lockout on
    return remote
