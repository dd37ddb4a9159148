"""Settings of the processes the two-process test starts (two app servers, two RQ workers, two
periodic runners): the test settings on the test's PostgreSQL database, with production's
shared stores — Redis as the cache (sessions cached_db in front of the database, the upload
limits, the periodic lease) under a key prefix of the test's own, and the RQ task queue (the
Redis database is the test's own) — and a gateway that takes as long as the test says
(``scaleout_backend``)."""

import os

from config.test_settings import *  # noqa: F403

_REDIS = os.environ["SSCARD_TEST_SCALEOUT_REDIS"]

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": _REDIS,
        "KEY_PREFIX": os.environ["SSCARD_TEST_SCALEOUT_PREFIX"],
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SSCARD_REFERENCE_CACHE_SECONDS = 300
TASKS = {
    "default": {
        "BACKEND": "sscard.taskqueue.backends.RQBackend",
        "QUEUES": ["default"],
        "OPTIONS": {"RETRY_INTERVALS": [3]},
    }
}
# the test's Redis database: its "default" queue is this test's alone
RQ_QUEUES = {"default": {"URL": _REDIS}}
SSCARD_SMS_BACKEND = "sscard.core.tests.scaleout_backend.TimedFileBackend"
SSCARD_WECHAT_BACKEND = "sscard.core.tests.scaleout_backend.TimedFileBackend"
# a send cut short by a dead worker is taken over after this long
SSCARD_NOTIFY_LEASE_SECONDS = 2
SSCARD_PERIODIC_TASKS = ["sscard.accounts.tasks.deactivate_stale_staff_task"]
