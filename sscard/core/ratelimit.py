"""A fixed-window counter in Django's cache, shared by every process that shares the cache
(Redis through django-redis, or Memcached, in a deployment of several workers; the default
local-memory cache counts per process, which suits one process and the tests)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    count: int  # at most this many hits …
    seconds: int  # … per window of this many seconds


def limit_hit(scope: str, key: str, limit: Limit, *, now: float | None = None) -> int:
    """Count one hit of ``key`` in ``scope``; the seconds to wait when it is over the limit,
    else 0. ``cache.add`` then ``cache.incr`` are atomic in Redis and Memcached."""
    now = time.time() if now is None else now
    window = int(now // limit.seconds)
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=limit.seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between the two calls
        cache.set(cache_key, 1, timeout=limit.seconds + 5)
        count = 1
    if count <= limit.count:
        return 0
    return max(1, int((window + 1) * limit.seconds - now))
