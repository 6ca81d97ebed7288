"""Settings of the Sanhui portal, read from the environment.

Development defaults make ``make run`` work on a bare machine: SQLite in the project folder,
Celery tasks run in-process, mail printed to the console. Production sets ``DATABASE_URL``,
``CELERY_BROKER_URL``, ``SECRET_KEY`` and ``ALLOWED_HOSTS``; nothing else differs.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

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

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Chinese first; English for users who choose it.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
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
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

FILTERS_EMPTY_CHOICE_LABEL = _("全部")
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: printed to the console unless a backend is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
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
# Every periodic job of the portal is declared here, in one place.
CELERY_BEAT_SCHEDULE: dict = {
    # -- services and outreach
    # Daily at 08:00: remind organisations of themed days coming up with nothing registered.
    "outreach-themed-day-reminders": {
        "task": "outreach.tasks.send_themed_day_reminders",
        "schedule": crontab(hour=8, minute=0),
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
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True

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
        }
        if _CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sanhui"}
    )
}

# -- rollout settings
# Seats whose term ends within this many days are listed for district staff, and the admins of
# their organisation are mailed once per seat and term end (换届提醒).
SANHUI_TERM_REMINDER_DAYS = int(os.environ.get("SANHUI_TERM_REMINDER_DAYS", "90"))
# Reports (报表): time limits of one build, in seconds, and the folder under MEDIA_ROOT that
# built files are stored in (served only through the report pages, never as media URLs).
SANHUI_REPORT_SOFT_TIME_LIMIT = int(os.environ.get("SANHUI_REPORT_SOFT_TIME_LIMIT", "600"))
SANHUI_REPORT_TIME_LIMIT = int(os.environ.get("SANHUI_REPORT_TIME_LIMIT", "660"))
SANHUI_REPORT_STORAGE_PREFIX = os.environ.get("SANHUI_REPORT_STORAGE_PREFIX", "reports")
# WeasyPrint reports each layout step at INFO; only its warnings belong in the log.
LOGGING["loggers"]["weasyprint.progress"] = {"level": "WARNING"}
