"""One periodic runner at a time (``run_periodic``): a runner started on another machine while
one is at work skips its round instead of running the same jobs beside it; a runner that died
holding the lease holds it only until it lapses, and then another takes over. Both ways the
lease is kept: in Redis (the shared cache) and, without one, in the database."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django_tasks import task

from sscard.core.leases import Lease
from sscard.core.management.commands.run_periodic import LEASE_KEY
from sscard.testing.redis import redis_listening

pytestmark = pytest.mark.django_db(transaction=True)  # the runners' threads see each other

REDIS = "redis://127.0.0.1:6379/8"
JOB = f"{__name__}.watched_job"


class Watch:
    """What the watched job saw: each run, and when it may finish."""

    def __init__(self) -> None:
        self.runs: list[int] = []
        self.started = threading.Event()
        self.finish = threading.Event()


WATCH = Watch()


@task()
def watched_job() -> None:
    """A periodic job that says it started, then waits to be let finish."""
    WATCH.runs.append(threading.get_ident())
    WATCH.started.set()
    WATCH.finish.wait(timeout=10)


@pytest.fixture(params=["redis", "database"])
def lease_store(request) -> Iterator[str]:
    """The lease in Redis (a key prefix of this test's own), or in the database (the cache
    being each process's own memory)."""
    global WATCH
    WATCH = Watch()
    if request.param == "database":
        with override_settings(SSCARD_PERIODIC_TASKS=[JOB]):
            assert not Lease(LEASE_KEY, seconds=1).in_cache
            yield request.param
        return
    if not redis_listening():
        if os.environ.get("CI"):
            pytest.fail("no Redis on 127.0.0.1:6379: every CI machine runs one")
        pytest.skip("needs the Redis on 127.0.0.1:6379")
    cache = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS,
        "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    with override_settings(CACHES={"default": cache}, SSCARD_PERIODIC_TASKS=[JOB]):
        assert Lease(LEASE_KEY, seconds=1).in_cache
        yield request.param


def _runner() -> None:
    try:
        call_command("run_periodic")
    finally:
        connections.close_all()


def test_a_runner_started_while_another_is_at_work_skips_its_round(lease_store):
    first = threading.Thread(target=_runner)
    first.start()
    assert WATCH.started.wait(timeout=30)

    call_command("run_periodic")  # the second runner, on another machine, meanwhile

    WATCH.finish.set()
    first.join(timeout=30)
    assert not first.is_alive()
    assert len(WATCH.runs) == 1
    assert Lease(LEASE_KEY, seconds=5).hold()  # and the first let it go when done


def test_a_runner_takes_over_once_the_lease_of_a_dead_holder_lapses(lease_store):
    WATCH.finish.set()
    # a runner on another machine took the lease and died without letting it go
    assert Lease(LEASE_KEY, seconds=2).hold()

    call_command("run_periodic")
    assert WATCH.runs == []

    time.sleep(2.5)
    call_command("run_periodic")
    assert len(WATCH.runs) == 1


def test_a_holder_renewing_its_lease_keeps_it_past_its_first_term(lease_store):
    holder = Lease(LEASE_KEY, seconds=4)
    other = Lease(LEASE_KEY, seconds=4)
    assert holder.hold()
    time.sleep(2.5)
    assert holder.hold()  # renewed: 4 s from now

    time.sleep(2.5)  # past the first term
    assert not other.hold()

    holder.release()
    assert other.hold()
    assert not holder.hold()
