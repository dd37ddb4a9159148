"""The services every machine of ours runs beside the suite (PostgreSQL on 5432, Redis on
6379). A test that needs one is skipped on a developer's machine without it, never in CI
(``CI`` set): there every machine runs both, so a missing one fails the test instead of
hiding it."""

from __future__ import annotations

import os
import socket

import pytest

POSTGRESQL, REDIS = 5432, 6379


def listening(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def needs(*ports: int) -> pytest.MarkDecorator:
    """Skip unless something listens on each of ``ports`` on 127.0.0.1 (never skipped in CI)."""
    missing = [port for port in ports if not listening(port)]
    return pytest.mark.skipif(
        bool(missing) and not os.environ.get("CI"),
        reason=f"nothing listens on 127.0.0.1:{', '.join(map(str, missing))}",
    )
