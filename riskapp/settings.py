"""Django settings for riskapp.

All configuration comes from environment variables, read once here through the strict helpers
of ``riskapp.env``. With no variable set, the project runs for development: SQLite and Kombu's
filesystem transport under ``RISKAPP_DATA_DIR``, so no database or broker server is needed.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from riskapp.env import read_bool, read_int, read_list, read_string

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(read_string("RISKAPP_DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = read_bool("DJANGO_DEBUG", True)

SECRET_KEY = read_string("SECRET_KEY")
ALLOWED_HOSTS = read_list("ALLOWED_HOSTS", [])
if DEBUG:
    SECRET_KEY = SECRET_KEY or "development-only-key-never-used-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
elif not SECRET_KEY or not ALLOWED_HOSTS:
    raise ImproperlyConfigured("With DJANGO_DEBUG=0, SECRET_KEY (or SECRET_KEY_FILE) and ALLOWED_HOSTS must be set.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "riskapp.accounts",
    "riskapp.catalog",
    "riskapp.scenarios",
    "riskapp.assessments",
    "riskapp.reports",
    "riskapp.workshops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user unless its view is marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "riskapp.urls"
WSGI_APPLICATION = "riskapp.wsgi.application"
ASGI_APPLICATION = "riskapp.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "riskapp.accounts.context_processors.admin_organisations",
            ],
        },
    },
]

# Database. SQLite needs WAL, immediate transactions and a busy timeout, or a Celery worker
# writing chunk results while the web process reads fails with "database is locked".
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASE_URL = read_string("DATABASE_URL", f"sqlite:///{DATA_DIR / 'riskapp.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
    # A file, not memory, so that a Celery worker started by a test reaches the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-riskapp.sqlite3")}

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "scenarios:list"
LOGOUT_REDIRECT_URL = "accounts:login"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at every request when it is missing.
STATICFILES_DIRS = [BASE_DIR / "static"]
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

# Production hardening; `manage.py check --deploy` passes with DJANGO_DEBUG=0.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = read_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = read_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = read_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = read_list("CSRF_TRUSTED_ORIGINS", [])

# Upload and request size limits: a scenario file is small, so anything larger is rejected.
DATA_UPLOAD_MAX_MEMORY_SIZE = read_int("RISKAPP_MAX_UPLOAD_BYTES", 1_048_576, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# Limits on the size of one problem and one run, so that a single request cannot exhaust
# memory or CPU. They are checked when a scenario is imported and when a run is started.
RISKAPP_LIMITS = {
    "max_file_bytes": DATA_UPLOAD_MAX_MEMORY_SIZE,
    "max_defenses": read_int("RISKAPP_MAX_DEFENSES", 50, minimum=1),
    "max_attacks": read_int("RISKAPP_MAX_ATTACKS", 50, minimum=1),
    "max_outcomes": read_int("RISKAPP_MAX_OUTCOMES", 50, minimum=2),
    "max_samples": read_int("RISKAPP_MAX_SAMPLES", 2_000_000, minimum=1),
}

# Celery. Tasks carry ids only; results are stored in the project's own tables, not in a
# Celery result backend.
CELERY_BROKER_URL = read_string("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FOLDER = DATA_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_FOLDER.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "control_folder": str(DATA_DIR / "broker-control"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
    (DATA_DIR / "broker-control").mkdir(parents=True, exist_ok=True)
else:
    # Redis redelivers an unacknowledged message only after this many seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": read_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# ARA jobs: draws per chunk, how long a chunk may stay claimed before the reaper re-enqueues
# it, how long a whole run may take, and how often every worker runs the reaper and records
# its heartbeat (riskapp.assessments.worker).
RISKAPP_ARA_CHUNK_SIZE = read_int("RISKAPP_ARA_CHUNK_SIZE", 5000, minimum=100, maximum=1_000_000)
RISKAPP_CHUNK_LEASE_SECONDS = read_int("RISKAPP_CHUNK_LEASE_SECONDS", 120, minimum=1)
RISKAPP_RUN_TIME_LIMIT_SECONDS = read_int("RISKAPP_RUN_TIME_LIMIT_SECONDS", 3600, minimum=10)
RISKAPP_REAPER_INTERVAL_SECONDS = read_int("RISKAPP_REAPER_INTERVAL_SECONDS", 15, minimum=1)
RISKAPP_WORKER_HEARTBEAT_SECONDS = read_int("RISKAPP_WORKER_HEARTBEAT_SECONDS", 10, minimum=1)

# The headless Chromium that renders the comparison report as PDF (riskapp.reports.pdf).
RISKAPP_CHROMIUM = read_string("RISKAPP_CHROMIUM", "/usr/bin/chromium")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"permission_denied": {"()": "riskapp.accounts.log_filters.PermissionDeniedWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": read_string("RISKAPP_LOG_LEVEL", "INFO")},
    "loggers": {"django": {"level": "INFO", "propagate": True},
                "django.request": {"filters": ["permission_denied"]}},
}
