"""The Django application as a back-channel peer inside a test: requests a service sends to
"another system" that is really this application (a simulator) are answered in-process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

import httpx
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

T = TypeVar("T", bound=httpx.BaseTransport)


@contextmanager
def _connections_kept() -> Iterator[None]:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def in_process(app: WSGIHandler):
    """The application as a WSGI callable that runs inside the test's transaction: Django
    must not close the shared connection at the start and end of the inner request (its own
    test client takes the same care)."""

    def wsgi(environ, start_response):
        with _connections_kept():
            result = app(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                result.close()

    return wsgi


class BackChannel(httpx.BaseTransport):
    """The back channel of a service to a simulated peer (an identity provider, WeChat),
    routed in-process to the application. It records the ``requests``; ``fail_with`` plays the
    peer being unreachable; a subclass may doctor an answer in :meth:`rewrite`."""

    def __init__(self) -> None:
        self.inner = httpx.WSGITransport(app=in_process(WSGIHandler()))
        self.fail_with: Exception | None = None
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail_with is not None:
            raise self.fail_with
        return self.rewrite(request, self.inner.handle_request(request))

    def rewrite(self, request: httpx.Request, response: httpx.Response) -> httpx.Response:
        return response


@contextmanager
def back_channel_routed(transport: T) -> Iterator[T]:
    """Every HTTP client the services make (``sscard.core.http``) goes through ``transport``."""
    from sscard.core.http import http_client_factory

    with http_client_factory(lambda timeout: httpx.Client(transport=transport, timeout=timeout)):
        yield transport
