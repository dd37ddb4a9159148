"""The Django application as a back-channel peer inside a test: requests a service sends to
"another system" that is really this application (a simulator) are answered in-process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections


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
