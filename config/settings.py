"""sscard settings: wiring only, every value from the environment (see .env.example)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

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
# The audit trail's hash chain (sscard.audit.chain): HMAC-SHA-256 under this key. Records
# chained under one key verify only with it: it is kept, never rotated.
SSCARD_AUDIT_KEY = _secret("SSCARD_AUDIT_KEY", "dev-only-audit-key-change-me")
# Signatures anyone can check (sscard.core.signing): the 电子社保卡's QR code and the receipts'
# verification codes. Ed25519 keys as "id:base64(32-byte private key)"; the first signs, all
# verify and are published at /.well-known/jwks.json; retired keys as "id:base64(public key)".
SSCARD_SIGNING_KEYS = (
    env.list("SSCARD_SIGNING_KEYS", default=["dev1:MPpuMRq3bIVlPgeKHlpmSe7UDJaqgvExVE2004a3n9U="])
    if _INSECURE_OK
    else env.list("SSCARD_SIGNING_KEYS")
)
SSCARD_SIGNING_RETIRED_KEYS = env.list("SSCARD_SIGNING_RETIRED_KEYS", default=[])
# The font file (.ttf/.ttc/.otf with Chinese glyphs) the PDF receipts are set in; empty: found
# through fontconfig (fc-list :lang=zh) or the usual paths of fonts-wqy-microhei and Noto CJK.
SSCARD_PDF_FONT = env.str("SSCARD_PDF_FONT", default="")

INSTALLED_APPS = [
    # the Django admin, opening only to sessions signed in with password and TOTP code
    "sscard.backoffice.admin_apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    # RQ's workers (`manage.py rqworker`) when TASKS_REDIS_URL is set
    "django_rq",
    # django-tasks-db, django-axes and django-otp's TOTP devices under Chinese names
    "sscard.backoffice.admin_apps.TasksDatabaseConfig",
    "django_htmx",
    "template_partials",
    "csp",
    "sscard.backoffice.admin_apps.AxesConfig",
    "captcha",
    "django_otp",
    "sscard.backoffice.admin_apps.TotpConfig",
    "sscard.core",
    "sscard.taskqueue",
    "sscard.audit",
    "sscard.regions",
    "sscard.accounts",
    "sscard.cards",
    "sscard.photos",
    "sscard.applications",
    "sscard.appointments",
    "sscard.production",
    "sscard.partners",
    "sscard.notifications",
    "sscard.sms",
    "sscard.verification",
    "sscard.demo",
    "sscard.identity",
    "sscard.portal",
    "sscard.backoffice",
    "sscard.wechat",
    "sscard.employers",
    # 电子社保卡 (the holder's QR code and its verification) and verifiable receipts
    "sscard.ecard",
    "sscard.payments",
    "sscard.employer_site",
    "sscard.bench",
    # manage.py backup and restore (the database and the stored files, never the keys)
    "sscard.backups",
    # health probes and the operator's metrics
    "sscard.monitoring",
]

MIDDLEWARE = [
    # django-prometheus's request counters and timings: first and (but for axes) last; neither
    # reads the database, the session or the user
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # the request id, and one log line per request (SSCARD_LOG_FORMAT): outside everything
    # else, so that it sees every answer, a 405 or an HTTPS redirect included
    "sscard.core.middleware.RequestLogMiddleware",
    # TRACE, CONNECT and every method no view serves: 405 before anything else runs
    "sscard.core.middleware.MethodsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # the static files, from the application itself (see STATIC_ROOT below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # a signed-in person's pages are never stored (Cache-Control: private, no-store)
    "sscard.core.middleware.PrivateNoStoreMiddleware",
    # uploads per account and per address (SSCARD_UPLOAD_LIMIT_*), before any view runs
    "sscard.core.middleware.UploadRateLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with the policy built once per process
    "sscard.core.middleware.CSPMiddleware",
    # a view's empty 405 (a POST-only address opened as a link): the Chinese error page, with
    # the headers of the middleware above
    "sscard.core.middleware.MethodNotAllowedPageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sscard.audit.middleware.RequestContextMiddleware",
    "sscard.portal.middleware.IdleTimeoutMiddleware",
    "sscard.wechat.middleware.WeChatLoginMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # last, as django-axes asks: turns a locked-out login into our own lockout page
    "axes.middleware.AxesMiddleware",
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
                # 长辈模式, from its cookie: the portal's pages take its class
                "sscard.core.elder.elder_context",
            ],
            # {% url %} without arguments reversed once a process (the page frames' links)
            "builtins": ["sscard.core.templatetags.linked_once"],
        },
    },
]
# every form's errors linked to their fields (aria-describedby → the message's id e-<name>)
FORM_RENDERER = "sscard.core.formrendering.FormRenderer"

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
# persistent connections on either database: a new one per request costs PostgreSQL its
# throughput many times over, and SQLite its connect and pragmas
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
# Kept: before a request's first statement on a persistent connection, PostgreSQL is asked
# `SELECT 1` (SQLite asks nothing), so that a connection the server dropped (a restart, a
# failover, a proxy's idle timeout) is replaced instead of failing that request with a 500 —
# once for every worker after each restart otherwise. It costs one round trip, and only to
# requests that use the database at all: a page answered from the cache (the session, the
# signed-in user and the settings in Redis) sends nothing.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sscard.accounts.backends.AccountBackend",
]
LOGIN_URL = "portal:login"

# Brute force: a lockout per account + address pair with a 15-minute
# cool-off, never a permanent lock; failures during a lockout do not extend it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "sscard.web.lockout.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit log already
AXES_VERBOSE = False
# the client's address behind our reverse proxies (sscard.core.net), for the lockout and the
# audit trail alike; X-Forwarded-For is believed only from these addresses or networks
SSCARD_TRUSTED_PROXIES = env.list("SSCARD_TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "sscard.core.net.client_ip"

# The image captcha of the password login (django-simple-captcha).
CAPTCHA_LENGTH = 4
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
CAPTCHA_TIMEOUT = 5  # minutes
CAPTCHA_IMAGE_SIZE = (110, 44)
CAPTCHA_FONT_SIZE = 30
CAPTCHA_LETTER_ROTATION = (-20, 20)
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

# Background tasks: the database queue (django-tasks-db: `manage.py db_worker`) unless
# TASKS_REDIS_URL names a Redis: then RQ there (django-tasks-rq: `manage.py rqworker`, which
# `make serve` runs), with retries after SSCARD_TASK_RETRY_INTERVALS seconds and a job cut off
# after SSCARD_TASK_TIMEOUT seconds (sscard.taskqueue.backends). Failed tasks of either queue:
# /staff/tasks/failed/ (the 系统管理员).
if "TASKS_BACKEND" in env:
    raise ImproperlyConfigured(
        "TASKS_BACKEND is no longer read: set TASKS_REDIS_URL=redis://… for the RQ queue, or "
        "leave it unset for the database queue"
    )
# REDIS_URL (production only: a shell's never reaches the demo or the tests) is the Redis of the
# task queue and the cache where TASKS_REDIS_URL or CACHE_URL is not set (set and empty: the
# database queue)
REDIS_URL = "" if _INSECURE_OK else env.str("REDIS_URL", default="")
TASKS_REDIS_URL = env.str("TASKS_REDIS_URL", default=REDIS_URL)
if TASKS_REDIS_URL:
    TASKS = {
        "default": {
            "BACKEND": "sscard.taskqueue.backends.RQBackend",
            "QUEUES": ["default"],
            "OPTIONS": {
                "RETRY_INTERVALS": env.list(
                    "SSCARD_TASK_RETRY_INTERVALS", cast=int, default=[10, 60, 300]
                )
            },
        }
    }
    RQ_QUEUES = {
        "default": {
            "URL": TASKS_REDIS_URL,
            "DEFAULT_TIMEOUT": env.int("SSCARD_TASK_TIMEOUT", default=900),
        }
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    RQ_QUEUES = {}
# no django-rq dashboard in the Django admin (it shows jobs' arguments): the back office's
# failed-task page instead
RQ_SHOW_ADMIN_LINK = False

# Enqueued by `manage.py run_periodic` (cron, or its --every loop beside the worker).
SSCARD_PERIODIC_TASKS = [
    "sscard.cards.tasks.expire_temporary_losses_task",
    "sscard.portal.tasks.purge_stale_drafts_task",
    "sscard.partners.tasks.purge_replay_records_task",
    "sscard.notifications.tasks.deliver_due_messages_task",
    "sscard.cards.tasks.remind_temporary_losses_lapsing_task",
    "sscard.production.tasks.remind_uncollected_cards_task",
    "sscard.appointments.tasks.remind_appointments_task",
    "sscard.applications.tasks.mark_deadlines_task",
    "sscard.applications.tasks.seal_uncollected_cards_task",
    "sscard.applications.tasks.confirm_delivered_cards_task",
    "sscard.employers.tasks.resume_stalled_batches_task",
    "sscard.accounts.tasks.deactivate_stale_staff_task",
    "sscard.accounts.tasks.clear_expired_sessions_task",
    "sscard.applications.tasks.remove_expired_materials_task",
    "sscard.employers.tasks.remove_expired_batch_files_task",
    "sscard.payments.tasks.query_open_payments_task",
    "sscard.payments.tasks.close_unpaid_applications_task",
    "sscard.payments.tasks.retry_refunds_task",
    "sscard.payments.tasks.reconcile_yesterday_task",
]

# Notifications (sscard.notifications): the outbox and its channels. By default every SMS and
# WeChat message is written to a file under var/notifications/ instead of a real gateway.
SSCARD_SMS_BACKEND = env.str(
    "SSCARD_SMS_BACKEND", default="sscard.notifications.backends.FileBackend"
)
SSCARD_WECHAT_BACKEND = env.str(
    "SSCARD_WECHAT_BACKEND", default="sscard.notifications.backends.FileBackend"
)
SSCARD_NOTIFY_FILE_DIR = env.str(
    "SSCARD_NOTIFY_FILE_DIR", default=str(BASE_DIR / "var" / "notifications")
)
# The SMS gateway (sscard.sms.client), provider-neutral: every code and notice goes through it
# when SSCARD_SMS_BACKEND is the HttpSmsBackend.
SSCARD_SMS_GATEWAY_URL = env.str("SSCARD_SMS_GATEWAY_URL", default="")
SSCARD_SMS_GATEWAY_KEY = env.str("SSCARD_SMS_GATEWAY_KEY", default="")
SSCARD_SMS_SIGNATURE = env.str("SSCARD_SMS_SIGNATURE", default="揭阳人社")
SSCARD_SMS_TEMPLATE_ID = env.str("SSCARD_SMS_TEMPLATE_ID", default="")
SSCARD_SMS_CODE_TEMPLATE_ID = env.str("SSCARD_SMS_CODE_TEMPLATE_ID", default="")
SSCARD_SMS_TIMEOUT = env.float("SSCARD_SMS_TIMEOUT", default=5.0)
# the simulated SMS gateway and its 短信收件箱 at /sms-sim/ (demo and tests only; never routed
# in production, and `manage.py check` refuses it there: sms.E001)
SSCARD_SMS_SIMULATOR = env.bool("SSCARD_SMS_SIMULATOR", default=False)
# Online payment of the region's fees (sscard.payments): off, fees are shown and nothing is
# collected; on, an application that owes a fee waits in 待缴费 until paid through the gateway.
SSCARD_PAYMENTS = env.bool("SSCARD_PAYMENTS", default=False)
# The payment gateway (sscard.payments.gateway): its API's base address, our merchant id, the
# key that signs our requests and checks its notifications, how long to wait for an answer.
SSCARD_PAYMENT_GATEWAY_URL = env.str("SSCARD_PAYMENT_GATEWAY_URL", default="")
SSCARD_PAYMENT_GATEWAY_CLASS = env.str(
    "SSCARD_PAYMENT_GATEWAY_CLASS", default="sscard.payments.gateway.HttpGateway"
)
SSCARD_PAYMENT_MERCHANT_ID = env.str("SSCARD_PAYMENT_MERCHANT_ID", default="")
SSCARD_PAYMENT_KEY = env.str("SSCARD_PAYMENT_KEY", default="")
SSCARD_PAYMENT_TIMEOUT = env.float("SSCARD_PAYMENT_TIMEOUT", default=5.0)
# the daily reconciliation (reconcile_yesterday_task) runs from this hour (local time), when the
# gateway has published yesterday's statement file
SSCARD_PAYMENT_RECONCILE_HOUR = env.int("SSCARD_PAYMENT_RECONCILE_HOUR", default=10)
# the simulated payment gateway at /pay-sim/ (demo and tests only; never routed in production,
# and `manage.py check` refuses it there: payments.E001)
SSCARD_PAYMENT_SIMULATOR = env.bool("SSCARD_PAYMENT_SIMULATOR", default=False)
SSCARD_WECHAT_APPID = env.str("SSCARD_WECHAT_APPID", default="")
SSCARD_WECHAT_SECRET = env.str("SSCARD_WECHAT_SECRET", default="")
SSCARD_WECHAT_API_BASE = env.str("SSCARD_WECHAT_API_BASE", default="https://api.weixin.qq.com")
# WeChat web authorization (sscard.wechat): the official account's authorize page, the
# simulated WeChat for the demo and the tests (serves /wechat-sim/; never in production).
SSCARD_WECHAT_AUTHORIZE_URL = env.str(
    "SSCARD_WECHAT_AUTHORIZE_URL", default="https://open.weixin.qq.com/connect/oauth2/authorize"
)
SSCARD_WECHAT_SIMULATOR = env.bool("SSCARD_WECHAT_SIMULATOR", default=False)
SSCARD_WECHAT_TIMEOUT = env.float("SSCARD_WECHAT_TIMEOUT", default=5.0)
SSCARD_NOTIFY_TIMEOUT = env.float("SSCARD_NOTIFY_TIMEOUT", default=5.0)
SSCARD_NOTIFY_MAX_ATTEMPTS = env.int("SSCARD_NOTIFY_MAX_ATTEMPTS", default=5)
SSCARD_NOTIFY_BACKOFF_SECONDS = env.int("SSCARD_NOTIFY_BACKOFF_SECONDS", default=60)
SSCARD_NOTIFY_LEASE_SECONDS = env.int("SSCARD_NOTIFY_LEASE_SECONDS", default=120)
# The benchmark's reference pages, /bench/baseline (a bare JSON view, no database) and
# /bench/floor (a signed-in page rendering the portal's base template only): not routed unless
# a benchmark run turns them on (scripts/bench.py); `check --deploy` warns when they are.
SSCARD_BENCH_BASELINE = env.bool("SSCARD_BENCH_BASELINE", default=False)
# Where links in messages point (the portal's public address).
SSCARD_PUBLIC_URL = env.str("SSCARD_PUBLIC_URL", default="http://127.0.0.1:8000")
if SSCARD_SMS_SIMULATOR and not SSCARD_SMS_GATEWAY_URL:
    # the demo's gateway is the simulated one this service serves
    SSCARD_SMS_GATEWAY_URL = SSCARD_PUBLIC_URL.rstrip("/") + "/sms-sim/api/send"
if SSCARD_PAYMENT_SIMULATOR and not SSCARD_PAYMENT_GATEWAY_URL:
    # the demo's payment gateway is the simulated one this service serves
    SSCARD_PAYMENT_GATEWAY_URL = SSCARD_PUBLIC_URL.rstrip("/") + "/pay-sim/api"

# Shared by every worker for the upload limits below: Redis (django-redis, CACHE_URL=redis://…)
# when more than one process serves; the default local memory counts per process.
CACHES = {"default": env.cache_url("CACHE_URL", default=REDIS_URL or "locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # django-redis rather than Django's own client: the same atomic add/incr, plus locks
    CACHES["default"]["BACKEND"] = "django_redis.cache.RedisCache"
# Every key carries this deployment's prefix: two deployments given one Redis database by
# mistake (a training instance beside the city's) would otherwise read each other's settings
# row, signed-in users and staff permission sets, and share one periodic runner. By default it
# names the database (a digest of its engine, host, port and name); CACHE_KEY_PREFIX sets one.
_DB_IDENTITY = ":".join(
    str(DATABASES["default"].get(k) or "") for k in ("ENGINE", "HOST", "PORT", "NAME")
)
CACHES["default"].setdefault(
    "KEY_PREFIX",
    env.str("CACHE_KEY_PREFIX", default="")
    or "sscard-" + hashlib.sha256(_DB_IDENTITY.encode()).hexdigest()[:12],
)
# one cache for every process (sscard.core.cached.shared), not one inside each
_SHARED_CACHE = not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))
# The settings row, the holiday table, banks and outlets and staff permission sets are kept in
# this cache between requests; a save anywhere is seen at once by every process sharing it.
# The per-process default (locmem) cannot hear other processes' saves: it keeps them seconds.
# A shared cache also keeps the signed-in user with their person (sscard.accounts.backends).
SSCARD_REFERENCE_CACHE_SECONDS = env.int(
    "SSCARD_REFERENCE_CACHE_SECONDS", default=300 if _SHARED_CACHE else 5
)
# Sessions: in the database; with a shared cache, read from the cache in front of it and
# written to both (cached_db: a session costs no query, a Redis restart logs nobody out; see
# the README's production server). Never in front of the per-process cache: a logout deletes
# the session from the database and from its own worker's memory only, and every other
# worker would go on accepting the cookie from memory for up to SESSION_COOKIE_AGE.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if _SHARED_CACHE
    else "django.contrib.sessions.backends.db"
)
# Uploads (photos, the photo check, scans, sheets) per window of SSCARD_UPLOAD_LIMIT_WINDOW
# seconds: per signed-in account and per client address (sscard.core.middleware).
SSCARD_UPLOAD_LIMIT_ACCOUNT = env.int("SSCARD_UPLOAD_LIMIT_ACCOUNT", default=30)
SSCARD_UPLOAD_LIMIT_ADDRESS = env.int("SSCARD_UPLOAD_LIMIT_ADDRESS", default=120)
SSCARD_UPLOAD_LIMIT_WINDOW = env.int("SSCARD_UPLOAD_LIMIT_WINDOW", default=600)
# Threads OpenCV may use for one photo check (sscard.photos): as many as a worker serves
# requests with (one blocking thread a worker: 1), never a thread a core of its own.
SSCARD_OPENCV_THREADS = env.int("SSCARD_OPENCV_THREADS", default=1)

# The service speaks Chinese only: no LocaleMiddleware, so Django's own messages are Chinese
# whatever language the phone asks for (Accept-Language).
LANGUAGE_CODE = "zh-hans"
# Our own catalogue, above every app's: Django's "这个字段是必填项。" back in place of the
# wording django-simple-captcha's catalogue gives every form (locale/zh_Hans/.../django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Static files are served by the application's own WSGI stack (WhiteNoise, right after the
# security middleware): in production from STATIC_ROOT as `collectstatic` left it (`make serve`
# runs it), each name carrying its content's hash (browsers keep such a file for good), with a
# gzipped copy beside it; in the demo and the tests from each app's static folder, as it is.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
_STATIC_STORAGE = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
    if _INSECURE_OK
    else "sscard.core.staticfiles.ManifestStaticFilesStorage"
)
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = _INSECURE_OK
WHITENOISE_ALLOW_ALL_ORIGINS = False  # no other site uses our files
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# Uploaded files (photos, scans, employers' batch files) are encrypted with SSCARD_DATA_KEYS
# on their way into MEDIA_ROOT and decrypted on their way out (sscard.core.storage).
STORAGES = {
    "default": {"BACKEND": "sscard.core.storage.EncryptedFileSystemStorage"},
    "staticfiles": {"BACKEND": _STATIC_STORAGE},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
# A Secure session cookie is a __Host- one: browsers then accept it only
# over HTTPS, for this host alone (no Domain) and the whole site (Path=/). The plain-HTTP demo
# and benchmark turn Secure off, and a browser would drop a __Host- cookie that is not Secure.
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
SESSION_COOKIE_DOMAIN = None
SESSION_COOKIE_PATH = "/"
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_AGE = int(timedelta(hours=8).total_seconds())  # the longest a session lives
# A session unused for this long is logged out (sscard.portal.middleware).
SSCARD_IDLE_TIMEOUT = timedelta(minutes=env.int("SSCARD_IDLE_MINUTES", default=30))
SSCARD_STAFF_IDLE_TIMEOUT = timedelta(minutes=env.int("SSCARD_STAFF_IDLE_MINUTES", default=15))
# A staff account not signed in for this many days is deactivated (sscard.accounts.hygiene).
SSCARD_STAFF_STALE_DAYS = env.int("SSCARD_STAFF_STALE_DAYS", default=90)
SESSION_COOKIE_SAMESITE = "Lax"
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
# A form sent without a valid CSRF token gets the Chinese 403 page of the error pages.
CSRF_FAILURE_VIEW = "sscard.core.errorpages.csrf_failure"

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
        "base-uri": ["'none'"],  # no page uses <base>
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# 人脸识别登录 (sscard.identity): an OpenID Connect provider that verifies the person's face and
# returns their real name and ID number. With no issuer set and the simulator on, the built-in
# simulated provider at /idp-sim/ is used (demo and tests only: never in production).
SSCARD_IDP_SIMULATOR = env.bool("SSCARD_IDP_SIMULATOR", default=False)
SSCARD_OIDC_ISSUER = env.str("SSCARD_OIDC_ISSUER", default="")
SSCARD_OIDC_CLIENT_ID = env.str("SSCARD_OIDC_CLIENT_ID", default="")
SSCARD_OIDC_CLIENT_SECRET = env.str("SSCARD_OIDC_CLIENT_SECRET", default="")
# Empty: this site's own /login/face/callback/ on the host the visitor came in on.
SSCARD_OIDC_REDIRECT_URI = env.str("SSCARD_OIDC_REDIRECT_URI", default="")
SSCARD_OIDC_SCOPES = env.str("SSCARD_OIDC_SCOPES", default="openid profile")
SSCARD_OIDC_NAME_CLAIM = env.str("SSCARD_OIDC_NAME_CLAIM", default="name")
SSCARD_OIDC_ID_NUMBER_CLAIM = env.str("SSCARD_OIDC_ID_NUMBER_CLAIM", default="id_number")
# Explicit endpoints for a provider without discovery (all three, or none).
SSCARD_OIDC_AUTHORIZATION_ENDPOINT = env.str("SSCARD_OIDC_AUTHORIZATION_ENDPOINT", default="")
SSCARD_OIDC_TOKEN_ENDPOINT = env.str("SSCARD_OIDC_TOKEN_ENDPOINT", default="")
SSCARD_OIDC_JWKS_URI = env.str("SSCARD_OIDC_JWKS_URI", default="")
SSCARD_OIDC_TOKEN_AUTH_METHOD = env.str(
    "SSCARD_OIDC_TOKEN_AUTH_METHOD", default="client_secret_basic"
)
SSCARD_OIDC_ALGORITHMS = env.list("SSCARD_OIDC_ALGORITHMS", default=["RS256", "ES256", "PS256"])
# Authentication context classes that count as a face-verified identity (empty: any).
SSCARD_OIDC_ACR_VALUES = env.list("SSCARD_OIDC_ACR_VALUES", default=[])
SSCARD_OIDC_TIMEOUT = env.float("SSCARD_OIDC_TIMEOUT", default=5.0)

# Health, metrics and logs (sscard.monitoring, sscard.core.logs; README: production server).
# /healthz (alive) and /readyz (database, cache, migrations, task queue) for the load balancer,
# over plain HTTP too; /ops/metrics for Prometheus, only from these networks (empty: any) and,
# when a token is set, only with "Authorization: Bearer <token>".
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^ops/"]
SSCARD_METRICS_ALLOWED_NETWORKS = env.list(
    "SSCARD_METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"]
)
SSCARD_METRICS_TOKEN = env.str("SSCARD_METRICS_TOKEN", default="")
# django-prometheus's database backends count and time every query (same engines beneath)
DATABASES["default"]["ENGINE"] = {
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
}.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
# One log line per request and per task: JSON objects in production (for the log shipper),
# the human format in the demo and the suite.
SSCARD_LOG_FORMAT = env.str("SSCARD_LOG_FORMAT", default="plain" if _INSECURE_OK else "json")
if SSCARD_LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("SSCARD_LOG_FORMAT is plain or json")

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"()": "sscard.core.logs.plain_formatter"},
        "json": {"()": "sscard.core.logs.json_formatter"},
    },
    # personal data typed into a URL or carried by an exception is masked on the way out
    "filters": {"mask_personal_data": {"()": "sscard.core.logs.MaskPersonalData"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": SSCARD_LOG_FORMAT,
            "filters": ["mask_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes logs every reset at INFO; lockouts (WARNING) are what operators need
    "loggers": {"axes": {"level": "WARNING"}},
}
