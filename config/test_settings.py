"""The test run: fixed throwaway keys, a file-backed SQLite test database (so that parallel
connections really race), tasks run inline, a fast password hasher where a test does not ask
for the real one."""

import os

os.environ.setdefault("SSCARD_ENV", "test")

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, DATABASES

SSCARD_DATA_KEYS = [
    "t2:dGVzdC1vbmx5LWRhdGEta2V5LXR3by0zMi1ieXRlcyE=",
    "t1:dGVzdC1vbmx5LWRhdGEta2V5LW9uZS0zMi1ieXRlcyE=",
]
SSCARD_INDEX_KEY = "test-only-index-key"
SECRET_KEY = "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# 人脸识别登录 runs against the built-in simulated provider (sscard.identity.simulator).
SSCARD_IDP_SIMULATOR = True
