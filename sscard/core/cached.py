"""Reference data many requests read and an administrator rarely changes — the settings row,
the holiday table, banks and outlets, staff permission sets — kept in Django's cache between
requests under versioned keys.

Each family (``"regions.settings"``, …) has a version number in the cache, and each value is
stored with the version it was read under; a value is believed only while that is still the
family's version (one cache round trip reads both). A save bumps the version — at once, and
again when the transaction commits, so a value another process read in between is never
believed — and the next read of every process sharing the cache (Redis, ``CACHE_URL``) reads
the database again.
Until it commits, the transaction that made the change reads the database itself and stores
nothing (the tests' transactions never commit: there every family a test changed is read from
the database).
The default cache (``locmemcache://``) lives in one process and cannot hear another process's
save: there a value is kept ``SSCARD_REFERENCE_CACHE_SECONDS`` (a few seconds) only, and what
must never be believed a moment after a save elsewhere is kept only in a :func:`shared` cache.
A family's version lives a day, then starts again from the clock (higher than any count it
reached, so nothing stored under the old one is believed): families of one row each (a
signed-in user) do not pile up in the cache.

Values come back unpickled, a fresh copy each read: a caller changing one changes nothing
another request sees (and has to ``save()`` it, which bumps the version).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

T = TypeVar("T")

# how long a family's version lives (see above): far longer than any value is kept
VERSION_SECONDS = 24 * 3600
# caches living inside one process: another process's save is never heard there
PER_PROCESS = ("LocMemCache", "DummyCache")


def shared() -> bool:
    """Whether every process of the service uses the same cache (Redis, Memcached, files on one
    host), so that one process's bump is heard by all of them at once."""
    backend: str = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(PER_PROCESS)


def _version_key(family: str) -> str:
    return f"sscard:ref:{family}:version"


def _value_key(family: str, key: str) -> str:
    return f"sscard:ref:{family}:value:{key}"


def _fresh() -> int:
    # a counter the cache lost (lapsed, evicted, cleared) restarts higher than any earlier one
    # reached (they started at an earlier clock reading and count saves), so a value stored
    # under an old version never comes back
    return time.time_ns()


def _start(key: str) -> int:
    cache.add(key, _fresh(), timeout=VERSION_SECONDS)
    return int(cache.get(key) or 0)


def version(family: str) -> int:
    key = _version_key(family)
    current = cache.get(key)
    return _start(key) if current is None else int(current)


def _bump_now(family: str) -> None:
    key = _version_key(family)
    try:
        cache.incr(key)
    except ValueError:  # not there (any more): any fresh number will do
        cache.set(key, _fresh(), timeout=VERSION_SECONDS)


class _Commit:
    """The bump a commit runs. While one is waiting, this connection's transaction holds a
    change of the family the others cannot see yet (and a rollback would undo)."""

    def __init__(self, family: str) -> None:
        self.family = family

    def __call__(self) -> None:
        _bump_now(self.family)


def bump(family: str) -> None:
    """Every process's next read of ``family`` reads the database (with a shared cache)."""
    _bump_now(family)
    transaction.on_commit(_Commit(family))


def _changing(family: str) -> bool:
    # the commit callbacks waiting on this connection (a rollback drops them with the change)
    waiting = getattr(connection, "run_on_commit", ())
    return any(isinstance(e[1], _Commit) and e[1].family == family for e in waiting)


def remember(family: str, key: str, compute: Callable[[], T]) -> T:
    """``compute()``'s answer, from the cache while ``family`` has not changed. Inside a
    transaction that changed the family the database answers, and nothing is stored: the
    change is not committed (a rollback undoes it), and the cache may hold what another
    process read before it."""
    if _changing(family):
        return compute()
    version_key, value_key = _version_key(family), _value_key(family, key)
    found = cache.get_many([version_key, value_key])
    current = found.get(version_key)
    current = _start(version_key) if current is None else int(current)
    stored = found.get(value_key)
    if stored is not None and stored[0] == current:
        return cast(T, stored[1])
    value: Any = compute()
    # stored with the version read before computing: a save since then has moved the version
    # on, and this value is not believed
    cache.set(value_key, (current, value), timeout=settings.SSCARD_REFERENCE_CACHE_SECONDS)
    return cast(T, value)


def forget(family: str, key: str) -> None:
    """Drop one kept value (one that can no longer be read): the next read computes it."""
    cache.delete(_value_key(family, key))


def bumps(family: str) -> Callable[..., None]:
    """A signal receiver bumping ``family`` (fixture loading, ``raw``, included); connect it
    with ``weak=False``, nothing else holds it."""

    def receiver(**_: Any) -> None:
        bump(family)

    receiver.__name__ = f"bump_{family.replace('.', '_')}"
    return receiver
