"""The shared cache production runs with (``CACHE_URL=redis://…``): django-redis, and the
sessions it then keeps in front of the database (``cached_db``), for tests about what every
process sees at once.

The Redis on 127.0.0.1:6379 (every CI machine runs one; ``SSCARD_TEST_REDIS_URL`` names
another): each test's keys carry a prefix of its own and are deleted after it, so that tests
running side by side (pytest-xdist) and other users of the same database never meet. Without a
Redis the tests are skipped, except in CI, where they fail."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.test import override_settings

REDIS_URL = os.environ.get("SSCARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


def redis_listening(url: str = REDIS_URL) -> bool:
    where = urlsplit(url)
    try:
        socket.create_connection((where.hostname or "127.0.0.1", where.port or 6379), 1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def shared_cache() -> Iterator[str]:
    """Production's shared cache and sessions for the test (its key prefix is returned)."""
    if not redis_listening():
        if os.environ.get("CI"):
            pytest.fail(f"no Redis at {REDIS_URL}: every CI machine runs one")
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"sscard-test-{uuid.uuid4().hex}"
    caches = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(
        CACHES=caches,
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
        SSCARD_REFERENCE_CACHE_SECONDS=300,
    ):
        from django.core.cache import cache

        try:
            yield prefix
        finally:
            cache.delete_pattern("*")  # type: ignore[attr-defined]  # this test's keys only
