"""Settings of the worker processes the crash tests start: the test settings with the database
task queue, the slow gateway and a short lease."""

from config.test_settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SSCARD_SMS_BACKEND = "sscard.notifications.tests.slow_backend.SlowFileBackend"
SSCARD_WECHAT_BACKEND = "sscard.notifications.tests.slow_backend.SlowFileBackend"
SSCARD_NOTIFY_LEASE_SECONDS = 3
