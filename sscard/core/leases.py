"""Leases: a named right that one process holds at a time, until it lapses unless renewed —
so that a job meant to run once (the periodic runner) runs once however many machines start it,
and is taken over by another when the holder dies without letting go.

In the shared cache when it can lock (Redis through django-redis: a key with an expiry, set,
renewed and deleted only by the token that holds it); otherwise in the database (a row of
``core.Lease`` whose expiry is read and written on the database's own clock, so that machines
whose clocks disagree still agree on it).

    lease = Lease("periodic", seconds=150)
    if lease.hold():       # taken, or renewed by its holder: for another 150 s
        ...
    lease.release()        # for the next holder, at once
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Now

from sscard.core.models import Lease as LeaseRow

KEY_PREFIX = "sscard:lease:"


def _holder() -> str:
    """This process among every machine's (the host, the process and a token of its own)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class Lease:
    """``key`` held by this object for ``seconds`` from each ``hold()``."""

    def __init__(self, key: str, *, seconds: float) -> None:
        self.key = key
        self.seconds = seconds
        self.holder = _holder()
        self._lock: Any = None
        if hasattr(cache, "lock"):  # django-redis
            self._lock = cache.lock(
                KEY_PREFIX + key, timeout=seconds, blocking=False, thread_local=False
            )

    @property
    def in_cache(self) -> bool:
        return self._lock is not None

    def hold(self) -> bool:
        """Take the lease, or renew it if this object holds it; False while another does."""
        if self._lock is not None:
            return self._hold_in_cache()
        return self._hold_in_database()

    def release(self) -> None:
        """Let the lease go (if this object still holds it)."""
        if self._lock is not None:
            from redis.exceptions import LockError

            with contextlib.suppress(LockError):  # lapsed, or never taken
                self._lock.release()
            return
        LeaseRow.objects.filter(key=self.key, holder=self.holder).delete()

    def _hold_in_cache(self) -> bool:
        from redis.exceptions import LockError

        try:
            self._lock.reacquire()  # renewed only under this object's token, if still there
        except LockError:  # not taken yet, or lapsed (and perhaps taken by another)
            return bool(self._lock.acquire(blocking=False))
        return True

    def _hold_in_database(self) -> bool:
        until = Now() + timedelta(seconds=self.seconds)
        mine_or_lapsed = Q(holder=self.holder) | Q(expires_at__lte=Now())
        # one statement: of two processes finding it lapsed, the second finds it taken
        if LeaseRow.objects.filter(mine_or_lapsed, key=self.key).update(
            holder=self.holder, expires_at=until
        ):
            return True
        try:
            with transaction.atomic():
                LeaseRow.objects.create(key=self.key, holder=self.holder, expires_at=until)
        except IntegrityError:
            return False  # held: by another, since this one's update found it not lapsed
        return True
