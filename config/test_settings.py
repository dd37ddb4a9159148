"""The test run: fixed throwaway keys, a file-backed SQLite test database (so that parallel
connections really race), tasks run inline, a fast password hasher where a test does not ask
for the real one."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("SSCARD_ENV", "test")
# the suite never reads a developer's .env (made by `make demo`): only the environment counts
os.environ.setdefault("SSCARD_ENV_FILE", "/nonexistent")

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, DATABASES

SSCARD_DATA_KEYS = [
    "t2:dGVzdC1vbmx5LWRhdGEta2V5LXR3by0zMi1ieXRlcyE=",
    "t1:dGVzdC1vbmx5LWRhdGEta2V5LW9uZS0zMi1ieXRlcyE=",
]
SSCARD_INDEX_KEY = "test-only-index-key"
SSCARD_AUDIT_KEY = "test-only-audit-key"
SSCARD_SIGNING_KEYS = [
    "ts2:74Ip8+8M+0hu3MlUuld0R5muQu6O01XrBkwCSIw8S5M=",
    "ts1:kiLGeZh6WmLw4Sv3lx34ubxZjw6uJiHOOV74EuYQrog=",
]
SECRET_KEY = "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

if DATABASES["default"]["ENGINE"].endswith(".sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# The service's backends (Django's, with django-prometheus's query counters), except that
# their flush between tests may empty the audit trail, which the database refuses to anyone
# else (sscard/testing/db).
DATABASES["default"]["ENGINE"] = {
    "django_prometheus.db.backends.sqlite3": "sscard.testing.db.sqlite3",
    "django_prometheus.db.backends.postgresql": "sscard.testing.db.postgresql",
}.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# stored files are encrypted as in production, in a folder of this run's own (shared with
# the processes it starts: a live server reads what a test stored), one for each xdist worker
_media = os.environ.get("SSCARD_TEST_MEDIA_ROOT", "")
if not _media:
    _media = os.environ["SSCARD_TEST_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="sscard-media-")
    atexit.register(shutil.rmtree, _media, ignore_errors=True)
MEDIA_ROOT = Path(_media) / os.environ.get("PYTEST_XDIST_WORKER", "main")
MEDIA_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "sscard.core.storage.EncryptedFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The captcha answer "PASSED" is accepted in the test run only.
CAPTCHA_TEST_MODE = True
LOGGING = {
    **LOGGING,  # noqa: F405
    "loggers": {
        **LOGGING["loggers"],  # noqa: F405
        "captcha.conf.settings": {"level": "CRITICAL"},
    },
}
# every SMS and WeChat message lands in a list the tests read (sscard.notifications.backends)
SSCARD_SMS_BACKEND = "sscard.notifications.backends.MemoryBackend"
SSCARD_WECHAT_BACKEND = "sscard.notifications.backends.MemoryBackend"
# the simulated SMS gateway is served (a test points the HttpSmsBackend at it over HTTP)
SSCARD_SMS_SIMULATOR = True
# 人脸识别登录 runs against the built-in simulated provider (sscard.identity.simulator).
SSCARD_IDP_SIMULATOR = True
# WeChat web authorization runs against the built-in simulated WeChat (sscard.wechat.simulator).
SSCARD_WECHAT_SIMULATOR = True
# The simulated payment gateway is served (/pay-sim/); online payment itself stays off unless
# a test turns it on (SSCARD_PAYMENTS), as in a deployment that has not set it up.
SSCARD_PAYMENT_SIMULATOR = True
SSCARD_PAYMENT_KEY = "test-only-payment-key"
SSCARD_PAYMENT_MERCHANT_ID = "1900000109"
SSCARD_PAYMENT_GATEWAY_URL = "http://testserver/pay-sim/api"
