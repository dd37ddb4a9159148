"""Outgoing HTTP to other systems (the identity provider, WeChat), built by one replaceable
factory: tests route a back channel to the Django application in-process
(``httpx.WSGITransport``) or to a stand-in, without touching the code that calls it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

HttpClientFactory = Callable[[float], httpx.Client]


def _default_http_client(timeout: float) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        headers={"Accept": "application/json", "User-Agent": "sscard"},
    )


_http_client_factory: HttpClientFactory = _default_http_client


def http_client(timeout: float) -> httpx.Client:
    """A client for one exchange with another system, closed by the caller (``with``)."""
    return _http_client_factory(timeout)


@contextmanager
def http_client_factory(factory: HttpClientFactory) -> Iterator[None]:
    """Use ``factory`` for every back channel inside the block (tests)."""
    global _http_client_factory
    previous, _http_client_factory = _http_client_factory, factory
    try:
        yield
    finally:
        _http_client_factory = previous
