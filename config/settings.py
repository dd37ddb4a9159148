"""sscard settings: wiring only, every value from the environment (see .env.example)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(env.str("SSCARD_ENV_FILE", default=str(BASE_DIR / ".env")))

# "dev" (the demo service), "test" (the suite) or "production". Outside production a missing
# key falls back to an insecure development value so that a fresh clone runs; production
# refuses to start without one.
SSCARD_ENV = env.str("SSCARD_ENV", default="production")
_INSECURE_OK = SSCARD_ENV in {"dev", "test"}


def _secret(name: str, dev_default: str) -> str:
    if _INSECURE_OK:
        return env.str(name, default=dev_default)
    return env.str(name)


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = _secret("SECRET_KEY", "dev-insecure-secret-key-change-me-0123456789abcdefghij")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The issuing area this deployment serves; its tunable business settings live in the database.
SSCARD_REGION_CODE = env.str("SSCARD_REGION_CODE", default="445200")

# Personal data at rest (sscard.core.crypto): AES-256-GCM keys as "id:base64key", the first
# one encrypts, all of them decrypt; a separate key for the keyed lookup hashes.
SSCARD_DATA_KEYS = (
    env.list("SSCARD_DATA_KEYS", default=["dev1:ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE="])
    if _INSECURE_OK
    else env.list("SSCARD_DATA_KEYS")
)
SSCARD_INDEX_KEY = _secret("SSCARD_INDEX_KEY", "dev-only-index-key-change-me")

INSTALLED_APPS = [
    # the Django admin, opening only to sessions signed in with password and TOTP code
    "sscard.backoffice.admin_apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "template_partials",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "sscard.core",
    "sscard.audit",
    "sscard.regions",
    "sscard.accounts",
    "sscard.cards",
    "sscard.applications",
    "sscard.production",
    "sscard.demo",
    "sscard.portal",
    "sscard.backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sscard.audit.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# SQLite (WAL, IMMEDIATE transactions, a busy timeout) unless DATABASE_URL names another.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'sscard.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # staff accounts: at least 12 characters (等保 8.1.4.1; a TOTP code is the second factor)
    {"NAME": "sscard.backoffice.passwords.StaffPasswordLengthValidator"},
]
# The issuer shown in authenticator apps for staff TOTP devices.
OTP_TOTP_ISSUER = "sscard 业务经办"

TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# Enqueued by `manage.py run_periodic` (cron, or its --every loop beside the worker).
SSCARD_PERIODIC_TASKS = [
    "sscard.cards.tasks.expire_temporary_losses_task",
    "sscard.applications.tasks.mark_deadlines_task",
    "sscard.applications.tasks.seal_uncollected_cards_task",
]

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_AGE = int(timedelta(hours=8).total_seconds())
# HTTPS everywhere in production (the demo and the tests run on plain loopback HTTP).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not _INSECURE_OK)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if _INSECURE_OK else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not _INSECURE_OK)
# Set to "HTTP_X_FORWARDED_PROTO,https" behind a reverse proxy that sets that header.
_proxy_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
SECURE_PROXY_SSL_HEADER = tuple(_proxy_header) if len(_proxy_header) == 2 else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: our own files only, no inline script anywhere (htmx's own indicator
# style is switched off by the htmx-config meta tag in the base templates).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
