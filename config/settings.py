"""One settings file, read from the environment.

Development needs nothing set: SQLite under var/, DEBUG on, mail to the console.
Production sets DJANGO_DEBUG=0 and must then provide DJANGO_SECRET_KEY and
DJANGO_ALLOWED_HOSTS; a missing secret is a hard error, never a silent default.
"""

from __future__ import annotations

import os
import sys
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CONGVU_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
TESTING = env_bool("CONGVU_TESTING", "pytest" in sys.modules)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("CONGVU_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Fernet keys for personal data at rest (reporters' identities), newest first,
# comma-separated; without them a key is derived from SECRET_KEY. Production
# should set its own so that the two secrets can be kept and rotated apart.
FIELD_ENCRYPTION_KEYS = env_list("CONGVU_FIELD_ENCRYPTION_KEYS")
# Behind a reverse proxy every request comes from the proxy's address: set this
# so that rate limits (ratings, passphrase guesses) use the client's address from
# X-Forwarded-For. Only when the proxy overwrites that header.
TRUST_X_FORWARDED_FOR = env_bool("CONGVU_TRUST_X_FORWARDED_FOR", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's own form templates, for FORM_RENDERER below.
    "django.forms",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "django_tasks",
    "django_tasks_db",
    "congvu.core",
    "congvu.audit",
    "congvu.accounts",
    "congvu.organisations",
    "congvu.conduct",
    "congvu.planning",
    "congvu.reporting",
    "congvu.feedback",
    "congvu.cases",
    "congvu.inspections",
    "congvu.scoring",
    "congvu.portal",
    "congvu.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "congvu.core.middleware.RejectNullCharactersMiddleware",
    "congvu.core.middleware.ApiErrorsAsJsonMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "congvu.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "congvu.core.middleware.PrivateWhenSignedInMiddleware",
    "congvu.accounts.middleware.SessionLimitsMiddleware",
    "congvu.api.idempotency.IdempotencyKeyMiddleware",
    "congvu.api.versions.ConditionalApiMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "congvu.accounts.middleware.PasswordChangeRequiredMiddleware",
    "congvu.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "congvu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "congvu.core.context_processors.navigation",
            ],
            # `{{ message|bilingual }}` on every page without a {% load %}.
            "builtins": ["congvu.core.templatetags.bilingual"],
        },
    }
]
# Forms render with the engine above, so that congvu/templates/django/forms/
# overrides Django's error list (the English half of a message marked lang="en").
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -----------------------------------------------------------------
# SQLite under var/ by default; DATABASE_URL (postgresql://…) in production.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Opening a connection (and its PRAGMAs) costs over a millisecond: more than a whole
# rating submission. Keep it, on either database.
CONN_MAX_AGE = int(os.environ.get("CONGVU_CONN_MAX_AGE", "600"))
SQLITE_OPTIONS = {
    # WAL lets the worker and the web server read while one writes; IMMEDIATE avoids
    # "database is locked" on read-then-write transactions.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA busy_timeout=20000;"
    ),
}
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("CONGVU_SQLITE_PATH", str(VAR_DIR / "congvu.sqlite3")),
            "CONN_MAX_AGE": CONN_MAX_AGE,
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The same settings whether the file is named by DATABASE_URL=sqlite:///… or not:
    # without them a busy worker made a citizen's page fail with "database is locked".
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------
# Shared by every process (congvu/core/cache.py says what must be): the limit on guessing
# a case's passphrase is counted there. CONGVU_CACHE_URL=db keeps it in the database (the
# table made by `manage.py createcachetable`), redis://host:port/n in Redis (needs the
# `redis` package); unset, each process keeps its own (development; `check --deploy` warns).
CACHE_URL = os.environ.get("CONGVU_CACHE_URL", "").strip()


def _cache_from_url(url: str) -> dict[str, Any]:
    if not url or url.startswith("locmem:"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if url in {"db", "database"} or url.startswith("db://"):
        table = url.removeprefix("db://").strip("/") if url.startswith("db://") else ""
        return {"BACKEND": "congvu.core.cache.DatabaseCache", "LOCATION": table or "congvu_cache"}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(
        # Not the URL itself: a redis:// URL may hold a password.
        f"CONGVU_CACHE_URL must be db, db://TABLE, redis://… or locmem:// "
        f"(got one starting {url.split(':', 1)[0]!r})."
    )


CACHES = {"default": _cache_from_url(CACHE_URL)}

# --- Accounts and security --------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests log in thousands of times.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "congvu.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("CONGVU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client's address as the rest of the project reads it (X-Forwarded-For only when
# CONGVU_TRUST_X_FORWARDED_FOR says the proxy is ours). Axes alone reads REMOTE_ADDR: behind
# nginx every client was 127.0.0.1, so five wrong passwords from anywhere locked the
# official out everywhere.
AXES_CLIENT_IP_CALLABLE = "congvu.core.net.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# No log of successful sign-ins with their IP address and user agent kept forever: the
# lockout needs only the failed attempts (AccessAttempt, cleared on success), and each
# user's own history (accounts.SignIn) keeps coarse browser names only.
AXES_DISABLE_ACCESS_LOG = True

# Two-step sign-in (TOTP, django-otp; congvu/accounts/two_factor.py). Anyone may turn it
# on. Holders of these roles (and superusers) must: production defaults to the roles that
# manage accounts or see reporters' identities; development and the demo to none.
TWO_FACTOR_ROLES = env_list(
    "CONGVU_TWO_FACTOR_ROLES", "" if DEBUG else "admin,home_affairs,case_handler"
)
TWO_FACTOR_SUPERUSERS = env_bool("CONGVU_TWO_FACTOR_SUPERUSERS", not DEBUG)
# "Remember this browser" on the code page (accounts/trusted_browsers.py): for this many days
# a browser that passed the code skips it (the password is always asked); 0 turns it off.
TWO_FACTOR_REMEMBER_DAYS = max(0, int(os.environ.get("CONGVU_TWO_FACTOR_REMEMBER_DAYS", "30")))
# Each user's sign-in history (accounts/sign_ins.py): the newest this many are kept.
CONGVU_SIGN_IN_HISTORY = max(1, int(os.environ.get("CONGVU_SIGN_IN_HISTORY", "30")))
# Personal API tokens (accounts/services.py): the lifetimes, in days, offered when making
# one (the first is the default); "never expires" is offered only when allowed here.
API_TOKEN_LIFETIMES = [
    max(1, int(days)) for days in env_list("CONGVU_API_TOKEN_LIFETIMES", "365,90,30")
]
API_TOKEN_NEVER_EXPIRES = env_bool("CONGVU_API_TOKEN_NEVER_EXPIRES", False)
OTP_TOTP_ISSUER = "Công vụ"
OTP_TOTP_THROTTLE_FACTOR = 1  # after n wrong codes in a row, wait 2^(n-1) seconds


def _webauthn_site() -> tuple[str, str]:
    """The passkeys' relying party (a domain) and origin, from CONGVU_SITE_URL.

    An IP address cannot be a relying party: a development site on 127.0.0.1 becomes
    localhost (open it as http://localhost:8000 to use passkeys there)."""
    parts = urlsplit(SITE_URL)
    host = parts.hostname or "localhost"
    try:
        ip_address(host)
    except ValueError:
        pass
    else:
        host = "localhost"
    port = f":{parts.port}" if parts.port else ""
    return host, f"{parts.scheme or 'https'}://{host}{port}"


# Passkeys (WebAuthn, django-otp-webauthn; congvu/accounts/passkeys.py) as the second step,
# instead of the code. A passkey is bound to the relying party ID: changing it later makes
# every registered passkey unusable. Never passwordless: the password is always asked first.
OTP_WEBAUTHN_RP_ID = os.environ.get("CONGVU_WEBAUTHN_RP_ID", "") or _webauthn_site()[0]
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list("CONGVU_WEBAUTHN_ALLOWED_ORIGINS") or [_webauthn_site()[1]]
OTP_WEBAUTHN_RP_NAME = "Công vụ"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# Signed-in sessions (accounts/session_limits.py): signed out after this many minutes
# without a request, and this many hours after signing in however active (0: no limit).
# Offices and one-stop counters share computers. The cookie lasts no longer either.
SESSION_IDLE_MINUTES = max(0, int(os.environ.get("CONGVU_SESSION_IDLE_MINUTES", "60")))
SESSION_MAX_HOURS = max(0, int(os.environ.get("CONGVU_SESSION_MAX_HOURS", "12")))
if SESSION_MAX_HOURS:
    SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# A load balancer probes the health checks over plain HTTP: no redirect to HTTPS for them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/ready$"]
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_NAME = "congvu_lang"

# --- Static and media ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
CONGVU_IMPORT_MAX_BYTES = 20 * 1024 * 1024
# Evidence files of misconduct reports (each); see congvu/cases/uploads.py.
CASES_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
# Reporters' identities are erased this long after a case is finished (congvu/cases/retention.py).
CASES_RETENTION_DAYS = int(os.environ.get("CONGVU_CASES_RETENTION_DAYS", str(5 * 365 + 1)))
# The cases export: up to this many rows written in the request, more by the background
# worker; such a file (reporters' names, phones) is served this many minutes, then deleted
# (congvu/cases/export_jobs.py).
CASES_EXPORT_INLINE_MAX_ROWS = int(os.environ.get("CONGVU_CASES_EXPORT_INLINE_MAX_ROWS", "2000"))
CASES_EXPORT_KEEP_MINUTES = int(os.environ.get("CONGVU_CASES_EXPORT_KEEP_MINUTES", "60"))
# Reports filed without an account (the /report/ form, Open311, /api/v1/public/cases),
# counted per client address in the shared cache (congvu/cases/filing_limits.py): beyond
# these a client is answered 429 until its hour or day has passed. And mails to one
# e-mail address: at most this many reports' mails a day (the rest are stored, not mailed).
CASES_REPORTS_PER_CLIENT_HOUR = int(os.environ.get("CONGVU_REPORTS_PER_CLIENT_HOUR", "5"))
CASES_REPORTS_PER_CLIENT_DAY = int(os.environ.get("CONGVU_REPORTS_PER_CLIENT_DAY", "20"))
CASES_MAILED_REPORTS_PER_ADDRESS_DAY = int(
    os.environ.get("CONGVU_MAILED_REPORTS_PER_ADDRESS_DAY", "3")
)
# Working days an inspected organisation has to fix a breach unless the inspector sets
# another term on the corrective action (congvu/inspections/services.py).
INSPECTIONS_CORRECTIVE_DAYS = int(os.environ.get("CONGVU_INSPECTIONS_CORRECTIVE_DAYS", "10"))
# Inspections' evidence (congvu/inspections/uploads.py): the size of each file, and how
# many files one observation (the team's) or one corrective action (the organisation's
# proof) may carry.
INSPECTIONS_UPLOAD_MAX_BYTES = int(
    os.environ.get("CONGVU_INSPECTIONS_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024))
)
INSPECTIONS_UPLOAD_MAX_FILES = int(os.environ.get("CONGVU_INSPECTIONS_UPLOAD_MAX_FILES", "5"))
# The conduct record for the year-end rating (congvu/organisations/conduct_record.py): a
# satisfaction index (percent) below this, on at least this many counted ratings, marks
# the staff member "Cần lưu ý"; under that many ratings the index is not shown at all.
CONDUCT_RECORD_INDEX_THRESHOLD = float(
    os.environ.get("CONGVU_CONDUCT_RECORD_INDEX_THRESHOLD", "70")
)
CONDUCT_RECORD_MIN_RATINGS = int(os.environ.get("CONGVU_CONDUCT_RECORD_MIN_RATINGS", "10"))

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "congvu@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks (database-backed worker, no broker) ----------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# Finished tasks' results (arguments, return values) are deleted after this many days by
# a daily job (congvu/core/task_results.py, django-tasks' prune_db_task_results).
TASK_RESULTS_KEEP_DAYS = max(0, int(os.environ.get("CONGVU_TASK_RESULTS_KEEP_DAYS", "14")))

# --- Logging ----------------------------------------------------------------------------
# One line per event on stderr (systemd's journal or gunicorn's error log keeps it):
# "2025-07-01T08:00:00+0700 WARNING django.request Not Found: /nope". CONGVU_LOG_LEVEL sets
# the level (default INFO). Tokens in paths are cut out (congvu/core/logs.py).
LOG_LEVEL = os.environ.get("CONGVU_LOG_LEVEL", "INFO").strip().upper() or "INFO"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        }
    },
    "filters": {"redact": {"()": "congvu.core.logs.RedactSecretPaths"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "line",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "axes": {"level": "WARNING"},
        # One INFO line per page of every PDF made (WeasyPrint, its font subsetting).
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
