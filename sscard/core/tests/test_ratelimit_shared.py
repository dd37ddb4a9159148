"""The upload limit holds across processes once they share a cache: with CACHE_URL naming the
Redis every machine runs, hits counted by one worker process count for the next."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from django.conf import settings

from sscard.testing.services import REDIS as REDIS_PORT
from sscard.testing.services import needs

REDIS = "redis://127.0.0.1:6379/15"

# one worker process: counts `hits` uploads for one account against a limit of 3 in 10 minutes
# and prints how long each would have to wait (0: let through)
WORKER = """
import django
django.setup()
from sscard.core.ratelimit import Limit, limit_hit
print(" ".join(str(limit_hit("uploads", "{key}", Limit(3, 600))) for _ in range({hits})))
"""


def _worker(key: str, hits: int) -> list[int]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "CACHE_URL": REDIS,
    }
    done = subprocess.run(  # noqa: S603 — our own interpreter and a fixed probe
        [sys.executable, "-c", WORKER.format(key=key, hits=hits)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [int(wait) for wait in done.stdout.split()]


@needs(REDIS_PORT)
def test_two_worker_processes_sharing_redis_share_one_upload_limit():
    key = f"account-{uuid.uuid4().hex}"  # a fresh account: no count left by an earlier run

    first = _worker(key, 2)
    second = _worker(key, 2)

    assert first == [0, 0]
    # the second process sees the first one's two hits: one more is let through, then a wait
    assert second[0] == 0
    assert second[1] > 0


def test_the_shared_cache_is_django_redis():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "CACHE_URL": REDIS}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.CACHES['default']['BACKEND'])",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "django_redis.cache.RedisCache"
