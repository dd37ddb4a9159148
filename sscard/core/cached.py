"""Reference data many requests read and an administrator rarely changes — the settings row,
the holiday table, banks and outlets, staff permission sets — kept in Django's cache between
requests under versioned keys.

Each family (``"regions.settings"``, …) has a version number in the cache, and its values are
stored under keys that carry it. A save bumps the version — at once, and again when the
transaction commits, so a value another process read in between is never believed — and the
next read of every process sharing the cache (Redis, ``CACHE_URL``) reads the database again.
The default cache (``locmemcache://``) lives in one process and cannot hear another process's
save: there a value is kept ``SSCARD_REFERENCE_CACHE_SECONDS`` (a few seconds) only.

Values come back unpickled, a fresh copy each read: a caller changing one changes nothing
another request sees (and has to ``save()`` it, which bumps the version).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

_MISSING = object()


def _version_key(family: str) -> str:
    return f"sscard:ref:{family}:version"


def _fresh() -> int:
    # a counter the cache lost (evicted, cleared) restarts higher than any earlier one reached
    # (they started at an earlier clock reading and count saves), so a value stored under an old
    # version never comes back
    return time.time_ns()


def version(family: str) -> int:
    key = _version_key(family)
    current = cache.get(key)
    if current is None:
        cache.add(key, _fresh(), timeout=None)
        current = cache.get(key)
    return int(current or 0)


def _bump_now(family: str) -> None:
    key = _version_key(family)
    try:
        cache.incr(key)
    except ValueError:  # not there (any more): any fresh number will do
        cache.set(key, _fresh(), timeout=None)


def bump(family: str) -> None:
    """Every process's next read of ``family`` reads the database (with a shared cache)."""
    _bump_now(family)
    transaction.on_commit(lambda: _bump_now(family))


def remember(family: str, key: str, compute: Callable[[], T]) -> T:
    """``compute()``'s answer, from the cache while ``family`` has not changed."""
    stored = f"sscard:ref:{family}:{version(family)}:{key}"
    value: Any = cache.get(stored, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(stored, value, timeout=settings.SSCARD_REFERENCE_CACHE_SECONDS)
    return cast(T, value)


def bumps(family: str) -> Callable[..., None]:
    """A signal receiver bumping ``family`` (fixture loading, ``raw``, included); connect it
    with ``weak=False``, nothing else holds it."""

    def receiver(**_: Any) -> None:
        bump(family)

    receiver.__name__ = f"bump_{family.replace('.', '_')}"
    return receiver
