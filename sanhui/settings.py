"""Settings of the Sanhui portal, read from the environment.

Development defaults make ``make run`` work on a bare machine: SQLite in the project folder,
Celery tasks run in-process, mail printed to the console. Production sets ``DATABASE_URL``,
``CELERY_BROKER_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and the keys of personal data
(``SANHUI_FIELD_KEYS``, ``SANHUI_LOOKUP_KEY``); nothing else differs.
"""

import base64
import datetime
import hashlib
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-key-never-use-in-production"  # noqa: S105

# Personal data at rest (sanhui/crypto.py): phone and ID numbers are stored encrypted under
# SANHUI_FIELD_KEYS (Fernet keys, comma-separated; the first encrypts, every one listed decrypts)
# and matched through an HMAC-SHA256 under SANHUI_LOOKUP_KEY. Production sets both (a missing
# or malformed key is a system-check error); in development they derive from SECRET_KEY.
# Rotation: put a new key first and keep the old ones after it (with a new lookup key too), run
# `manage.py rotate_field_keys [--old-lookup-key …]` at once, then drop the old keys.


def _derived_key(purpose: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(f"{purpose}:{SECRET_KEY}".encode()).digest()).decode()


SANHUI_FIELD_KEYS = env_list("SANHUI_FIELD_KEYS") or ([_derived_key("sanhui-field-key")] if DEBUG else [])
SANHUI_LOOKUP_KEY = os.environ.get("SANHUI_LOOKUP_KEY", "").strip() or (
    _derived_key("sanhui-lookup-key") if DEBUG else ""
)
# Only while rotating: the lookup key the stored hashes were made with (rotate_field_keys checks them).
SANHUI_OLD_LOOKUP_KEY = os.environ.get("SANHUI_OLD_LOOKUP_KEY", "").strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "sanhui.admin_site.PortalAdminConfig",  # django.contrib.admin, for district staff only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "template_partials",
    "organizations",
    "services",
    "outreach",
    "rollout",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "sanhui.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organizations.context_processors.portal",
            ],
            # {% load figures %}: every figure on a page shown by sanhui.formats, in every app.
            "libraries": {"figures": "sanhui.templatetags.figures"},
        },
    },
]

WSGI_APPLICATION = "sanhui.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# A PostgreSQL read replica of the primary (streaming replication), e.g.
# postgres://sanhui_ro:…@db-replica:5432/sanhui. When set, the dashboards, their JSON and the
# report builds read from it (sanhui/db.py: the paths marked with reading_replica()); every
# write, and sessions, sign-in, roles and the audit trail, stay on the primary. Empty: one database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    # Tests read the test database through it.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
SANHUI_REPLICA_DATABASE = "replica" if DATABASE_REPLICA_URL else ""
DATABASE_ROUTERS = ["sanhui.db.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Password rules, sign-in lockout and session lifetime: see "accounts" below.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Chinese first; English for users who choose it.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["sanhui.locale_formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic gathers the static files that whitenoise serves.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded evidence lives outside the static tree and is served only through views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Largest evidence file (photo, sign-in sheet, PDF) accepted, in MB.
SANHUI_MAX_UPLOAD_MB = int(os.environ.get("SANHUI_MAX_UPLOAD_MB", "10"))
# Spreadsheet imports (organizations.imports.reading): the largest file accepted, in MB; the most
# data rows one file may hold (a larger roster is split into several files); and the most an
# XLSX (a zip archive) may unpack to, in MB, so that a small file cannot expand to gigabytes.
SANHUI_IMPORT_MAX_MB = int(os.environ.get("SANHUI_IMPORT_MAX_MB", "10"))
SANHUI_IMPORT_MAX_ROWS = int(os.environ.get("SANHUI_IMPORT_MAX_ROWS", "20000"))
SANHUI_IMPORT_MAX_UNCOMPRESSED_MB = int(os.environ.get("SANHUI_IMPORT_MAX_UNCOMPRESSED_MB", "200"))
# Files with more data rows than this are checked and committed by a Celery task, the page
# showing the progress; smaller ones in the request.
SANHUI_IMPORT_SYNC_ROWS = int(os.environ.get("SANHUI_IMPORT_SYNC_ROWS", "300"))
# An import's stored file and the content of its rows (names, phone and ID numbers in clear)
# are removed this many days after it finished; a file checked and never committed is given up
# after as many. The record of the import (who, when, which file, its counts) stays.
SANHUI_IMPORT_KEEP_DAYS = int(os.environ.get("SANHUI_IMPORT_KEEP_DAYS", "30"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

FILTERS_EMPTY_CHOICE_LABEL = _("全部")
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: printed to the console in development; in production sent through the SMTP server the
# EMAIL_* variables name, unless EMAIL_BACKEND says otherwise.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds the SMTP connection may wait on the server, so that a slow one cannot hold a worker.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "sanhui@localhost")

# Celery: with no broker configured, tasks run eagerly in the calling process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker process dies under it (killed, out of memory) goes back to the queue and
# runs again; one started SANHUI_TASK_MAX_DELIVERIES times without ever finishing is refused and
# recorded as failed (sanhui.celery.PortalTask), so that a task that kills its worker cannot loop.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
SANHUI_TASK_MAX_DELIVERIES = int(os.environ.get("SANHUI_TASK_MAX_DELIVERIES", "3"))
# Redis gives a message taken by a worker that died to another worker after this many seconds.
# It must exceed the longest a task may run plus its longest retry countdown (a report:
# SANHUI_REPORT_TIME_LIMIT + 600), or a task still running would be started a second time.
SANHUI_BROKER_VISIBILITY_TIMEOUT = int(os.environ.get("SANHUI_BROKER_VISIBILITY_TIMEOUT", "3600"))
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": SANHUI_BROKER_VISIBILITY_TIMEOUT}
# Queues: building and issuing reports (minutes of CPU each) have a queue of their own, so that
# a run of report builds never holds up reminders, imports and exports, which use the default
# queue. A worker started without -Q consumes both; at scale, workers are started per queue
# (celery -A sanhui worker -Q celery, and -Q reports on the report hosts; docs/scaling.md).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue("celery"), Queue("reports"))
CELERY_TASK_ROUTES = {
    "rollout.tasks.build_report": {"queue": "reports"},
    "rollout.tasks.issue_quarter_report": {"queue": "reports"},
    "rollout.tasks.rebuild_town_standing": {"queue": "reports"},
    "rollout.tasks.fold_town_changes": {"queue": "reports"},
}
# Every periodic job of the portal is declared here, in one place.
CELERY_BEAT_SCHEDULE: dict = {
    # -- services and outreach
    # Daily at 08:00: remind organisations of themed days coming up with nothing registered.
    "outreach-themed-day-reminders": {
        "task": "outreach.tasks.send_themed_day_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # -- organisations
    # Daily at 03:20: delete login log lines past SANHUI_LOGIN_LOG_DAYS (never under 184 days).
    "organizations-prune-login-events": {
        "task": "organizations.tasks.prune_login_events",
        "schedule": crontab(hour=3, minute=20),
    },
    # Daily at 03:40: delete audit entries past SANHUI_AUDIT_LOG_DAYS (never under 184 days).
    "organizations-prune-audit-entries": {
        "task": "organizations.tasks.prune_audit_entries",
        "schedule": crontab(hour=3, minute=40),
    },
    # Daily at 04:10: delete the background exports of lists past SANHUI_EXPORT_KEEP_DAYS.
    "organizations-prune-export-files": {
        "task": "organizations.exports.tasks.prune_export_files",
        "schedule": crontab(hour=4, minute=10),
    },
    # Daily at 04:20: remove the files and row contents of imports past SANHUI_IMPORT_KEEP_DAYS.
    "organizations-prune-import-files": {
        "task": "organizations.imports.tasks.prune_import_files",
        "schedule": crontab(hour=4, minute=20),
    },
    # -- rollout
    # Daily at 07:30: remind organisation admins of leadership terms ending soon (换届提醒).
    "rollout-term-reminders": {
        "task": "rollout.tasks.send_term_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    # The supervision report of the quarter just finished, on the first day of each quarter.
    "rollout-quarterly-supervision-reports": {
        "task": "rollout.tasks.queue_quarterly_supervision_reports",
        "schedule": crontab(day_of_month=1, month_of_year="1,4,7,10", hour=6, minute=0),
    },
    # Every SANHUI_REPORT_REDISPATCH_INTERVAL seconds: send again the report builds the queue
    # never got (requested while it was unreachable) or may have lost.
    "rollout-redispatch-reports": {
        "task": "rollout.tasks.redispatch_reports",
        "schedule": float(os.environ.get("SANHUI_REPORT_REDISPATCH_INTERVAL", "60")),
    },
}

# -- transport security and response headers (等保 2.0 level 2; `check --deploy` passes with
# DEBUG off). Production sits behind a reverse proxy that terminates TLS and names the original
# scheme in a header (SECURE_PROXY_SSL_HEADER, the request.META key; empty: no proxy is trusted).
_PROXY_SSL_HEADER = os.environ.get("SECURE_PROXY_SSL_HEADER", "" if DEBUG else "HTTP_X_FORWARDED_PROTO")
SECURE_PROXY_SSL_HEADER = (_PROXY_SSL_HEADER, "https") if _PROXY_SSL_HEADER else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# HSTS: browsers keep to HTTPS for this many seconds (a year in production; 0 turns it off).
# includeSubDomains and preload cover only names under the portal's own host name (never its
# siblings in the district's domain), so they are on in production; either may be turned off.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from the portal's own static
# files (vendor libraries included, never a CDN), inline ones only with the request's nonce;
# no inline event handlers or style attributes. Images may be data: URIs (Bootstrap's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Uploaded images are decoded in full when checked; one with more pixels than this (in millions)
# is refused before decoding, whatever its file size.
SANHUI_MAX_IMAGE_MEGAPIXELS = int(os.environ.get("SANHUI_MAX_IMAGE_MEGAPIXELS", "40"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Portal settings.
SANHUI_DISTRICT_NAME = _("鄞州区")
# The portal's address as its users reach it, e.g. https://sanhui.example.gov.cn: used in QR
# codes, posters and links in mail. Empty: pages use the address they were opened at, and mail
# the development server's.
SANHUI_SITE_URL = os.environ.get("SANHUI_SITE_URL", "").rstrip("/")
# The demo login password; make run prints it.
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "sanhui-demo-2026")

# -- accounts: sign-in security (GB/T 22239-2019 level 2, 身份鉴别 and 安全审计)
# Lockout (django-axes): after SANHUI_LOGIN_FAILURE_LIMIT failed sign-ins within the lockout
# period, an account, and separately an address, is refused for SANHUI_LOGIN_LOCKOUT_MINUTES
# after its last counted failure; district staff see and lift locks at /accounts/lockouts/.
# The address is the one SANHUI_CLIENT_IP_HEADER names behind a proxy, else REMOTE_ADDR.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += [
    "organizations.accounts.middleware.PasswordChangeRequiredMiddleware",
    # django-axes turns a refused sign-in into the login page's lockout answer; it stays last.
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "organizations.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    # The admin's permissions of district staff come from their role, not from grants.
    "organizations.accounts.backends.DistrictStaffPermissionBackend",
]
SANHUI_LOGIN_FAILURE_LIMIT = int(os.environ.get("SANHUI_LOGIN_FAILURE_LIMIT", "5"))
SANHUI_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("SANHUI_LOGIN_LOCKOUT_MINUTES", "30"))
AXES_ENABLED = env_bool("SANHUI_LOGIN_LOCKOUT", True)
AXES_FAILURE_LIMIT = SANHUI_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=SANHUI_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Attempts made while locked neither count nor extend the lock: the time the login page names
# stays true. A successful sign-in forgets that account's failures (organizations.accounts).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "organizations.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "organizations.accounts.selectors.client_address"
# The portal keeps its own login log (LoginEvent) and lifts locks on its own, audited page.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Passwords: at least SANHUI_PASSWORD_MIN_LENGTH characters, SANHUI_PASSWORD_MIN_CLASSES of
# upper case, lower case, digits and symbols, not like the user name, not one of the last
# SANHUI_PASSWORD_HISTORY passwords. A password district staff set (a new account, a reset)
# must be changed at the next sign-in.
SANHUI_PASSWORD_MIN_LENGTH = int(os.environ.get("SANHUI_PASSWORD_MIN_LENGTH", "8"))
SANHUI_PASSWORD_MIN_CLASSES = int(os.environ.get("SANHUI_PASSWORD_MIN_CLASSES", "3"))
SANHUI_PASSWORD_HISTORY = int(os.environ.get("SANHUI_PASSWORD_HISTORY", "5"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "organizations.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": SANHUI_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "organizations.accounts.passwords.CharacterClassesValidator",
        "OPTIONS": {"min_classes": SANHUI_PASSWORD_MIN_CLASSES},
    },
    {
        "NAME": "organizations.accounts.passwords.PasswordHistoryValidator",
        "OPTIONS": {"count": SANHUI_PASSWORD_HISTORY},
    },
]
# Password reset by mail (忘记密码): the link is valid for SANHUI_PASSWORD_RESET_MINUTES and
# once only; the form is refused past SANHUI_PASSWORD_RESET_RATE_LIMIT requests for one mail
# address, or SANHUI_PASSWORD_RESET_IP_RATE_LIMIT from one client address (an office shares
# one), within SANHUI_PASSWORD_RESET_RATE_WINDOW seconds.
SANHUI_PASSWORD_RESET_MINUTES = int(os.environ.get("SANHUI_PASSWORD_RESET_MINUTES", "60"))
PASSWORD_RESET_TIMEOUT = SANHUI_PASSWORD_RESET_MINUTES * 60
SANHUI_PASSWORD_RESET_RATE_LIMIT = int(os.environ.get("SANHUI_PASSWORD_RESET_RATE_LIMIT", "5"))
SANHUI_PASSWORD_RESET_IP_RATE_LIMIT = int(os.environ.get("SANHUI_PASSWORD_RESET_IP_RATE_LIMIT", "20"))
SANHUI_PASSWORD_RESET_RATE_WINDOW = int(os.environ.get("SANHUI_PASSWORD_RESET_RATE_WINDOW", "3600"))
# Sessions end after SANHUI_SESSION_IDLE_MINUTES without a request (each request renews the
# session) and when the browser closes.
SANHUI_SESSION_IDLE_MINUTES = int(os.environ.get("SANHUI_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = SANHUI_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
# Login log (logins, logouts, failed logins) kept this many days; never fewer than 184
# (网络安全法 Art. 21), pruned daily by beat (organizations-prune-login-events).
SANHUI_LOGIN_LOG_DAYS = int(os.environ.get("SANHUI_LOGIN_LOG_DAYS", "184"))
if SANHUI_LOGIN_LOG_DAYS < 184:
    raise ImproperlyConfigured("SANHUI_LOGIN_LOG_DAYS must be at least 184 (six months).")
# Audit trail (who changed what, before and after) kept this many days, three years unless set;
# never fewer than 184 (网络安全法 Art. 21), pruned daily by beat (organizations-prune-audit-entries).
SANHUI_AUDIT_LOG_DAYS = int(os.environ.get("SANHUI_AUDIT_LOG_DAYS", "1095"))
if SANHUI_AUDIT_LOG_DAYS < 184:
    raise ImproperlyConfigured("SANHUI_AUDIT_LOG_DAYS must be at least 184 (six months).")

# -- services and outreach settings
# The public QR check-in page opens this many hours before an activity starts and closes this
# many hours after it ends.
SANHUI_CHECKIN_OPEN_HOURS_BEFORE = int(os.environ.get("SANHUI_CHECKIN_OPEN_HOURS_BEFORE", "2"))
SANHUI_CHECKIN_CLOSE_HOURS = int(os.environ.get("SANHUI_CHECKIN_CLOSE_HOURS", "3"))
# Check-in submissions accepted from one client address for one activity per window (seconds).
# Generous on purpose: a whole audience on the venue's Wi-Fi shares one address.
SANHUI_CHECKIN_RATE_LIMIT = int(os.environ.get("SANHUI_CHECKIN_RATE_LIMIT", "60"))
SANHUI_CHECKIN_RATE_WINDOW = int(os.environ.get("SANHUI_CHECKIN_RATE_WINDOW", "300"))
# Request header that carries the client address behind a reverse proxy, e.g. HTTP_X_REAL_IP or
# HTTP_X_FORWARDED_FOR (its last entry is used); empty: the socket address (REMOTE_ADDR).
SANHUI_CLIENT_IP_HEADER = os.environ.get("SANHUI_CLIENT_IP_HEADER", "")
# Themed-day reminders go out this many days before the day.
SANHUI_THEMED_DAY_REMINDER_DAYS = int(os.environ.get("SANHUI_THEMED_DAY_REMINDER_DAYS", "14"))
# How far ahead the public event calendar and its iCalendar feed look, in days.
SANHUI_PUBLIC_CALENDAR_DAYS = int(os.environ.get("SANHUI_PUBLIC_CALENDAR_DAYS", "120"))
# Rate limits and other short-lived counters must be shared by every web host: Redis when
# CACHE_URL (or a Redis broker) is configured, memory of the single process otherwise.
_CACHE_URL = os.environ.get("CACHE_URL", "") or CELERY_BROKER_URL
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
            "KEY_PREFIX": "sanhui",
            # A cache that is down must not hold a page for long (services/ratelimit.py then
            # lets the request through).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if _CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sanhui"}
    )
}

# Exports of the list pages: more rows than SANHUI_EXPORT_SYNC_ROWS are built by a Celery task
# (the user follows its progress) instead of being streamed at once; the files built so are
# kept for SANHUI_EXPORT_KEEP_DAYS days.
SANHUI_EXPORT_SYNC_ROWS = int(os.environ.get("SANHUI_EXPORT_SYNC_ROWS", "5000"))
SANHUI_EXPORT_KEEP_DAYS = int(os.environ.get("SANHUI_EXPORT_KEEP_DAYS", "7"))

# -- rollout settings
# Seats whose term ends within this many days are listed for district staff, and the admins of
# their organisation are mailed once per seat and term end (换届提醒).
SANHUI_TERM_REMINDER_DAYS = int(os.environ.get("SANHUI_TERM_REMINDER_DAYS", "90"))
# Reports (报表): time limits of one build, in seconds, and the folder under MEDIA_ROOT that
# built files are stored in (served only through the report pages, never as media URLs).
SANHUI_REPORT_SOFT_TIME_LIMIT = int(os.environ.get("SANHUI_REPORT_SOFT_TIME_LIMIT", "600"))
SANHUI_REPORT_TIME_LIMIT = int(os.environ.get("SANHUI_REPORT_TIME_LIMIT", "660"))
SANHUI_REPORT_STORAGE_PREFIX = os.environ.get("SANHUI_REPORT_STORAGE_PREFIX", "reports")
# A requested run is stored before its build is sent to the queue; a run the queue never got
# (it was unreachable) is sent at the next redispatch (rollout-redispatch-reports), one still
# queued this many seconds after it was sent is sent again (a build runs once whatever arrives).
SANHUI_REPORT_REDISPATCH_AFTER = int(os.environ.get("SANHUI_REPORT_REDISPATCH_AFTER", "900"))
# WeasyPrint reports each layout step at INFO; only its warnings belong in the log.
LOGGING["loggers"]["weasyprint.progress"] = {"level": "WARNING"}
