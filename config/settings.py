"""Passage settings. Everything that differs between deployments comes from
the environment, read once here by the strict helpers in config.env."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_database,
    env_decimal,
    env_int,
    env_list,
    env_master_keys,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PASSAGE_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'passage.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Master keys, newest first. They never touch the database or the repository.
PASSAGE_MASTER_KEYS = env_master_keys("PASSAGE_MASTER_KEYS", "PASSAGE_MASTER_KEY_FILE")

# Second factor: always in production; optional only on a DEBUG development run.
PASSAGE_REQUIRE_2FA = env_bool("PASSAGE_REQUIRE_2FA", default=False) or not DEBUG

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "guardian",
    "simple_history",
    "csp",
    "accounts",
    "audit",
    "vault",
    "cases",
    "shelters",
    "documents",
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "accounts.middleware.RequestIdMiddleware",
    "accounts.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "accounts.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "vault.middleware.VaultMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:start"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after a short idle time and when the browser closes (a seized laptop).
PASSAGE_SESSION_IDLE_MINUTES = env_int("PASSAGE_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = PASSAGE_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"

# Transport security. In production every cookie is Secure and the browser is told to use HTTPS only.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    # The proxy terminates TLS and says so in this header; it must strip the header from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
if not DEBUG:
    # The __Host- prefix binds the cookie to this exact host over HTTPS.
    SESSION_COOKIE_NAME = "__Host-passage-session"
    CSRF_COOKIE_NAME = "__Host-passage-csrf"
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's check looks for its own CSRF middleware by name; ours extends it (accounts.csrf),
# and accounts.checks makes sure ours is installed instead.
SILENCED_SYSTEM_CHECKS = ["security.W003"]

# Nothing but Passage itself: no inline script or style, no third-party origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
        "manifest-src": [SELF],
    },
}

# Behind N reverse proxies the client address is the Nth from the right in X-Forwarded-For;
# with none configured, the header is ignored, so nobody can forge an address with it.
PASSAGE_TRUSTED_PROXY_COUNT = env_int("PASSAGE_TRUSTED_PROXY_COUNT", 0, minimum=0)

# Brute force: lock a username and address pair together.
AXES_FAILURE_LIMIT = env_int("PASSAGE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PASSAGE_LOCKOUT_MINUTES", 60, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True

OTP_TOTP_ISSUER = "Passage"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # should a device admin ever be registered again: no keys on screen
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

ANONYMOUS_USER_NAME = None  # guardian: no database row for anonymous visitors
GUARDIAN_MONKEY_PATCH_USER = False

SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# The access log flags anybody who opens more distinct cases than this within one clock hour.
PASSAGE_UNUSUAL_READS_PER_HOUR = env_int("PASSAGE_UNUSUAL_READS_PER_HOUR", 20, minimum=1)

# Safe houses and the coordinator's dashboard (shelters/): a house this full, in percent of its beds, is flagged.
PASSAGE_SHELTER_FULL_PERCENT = env_int("PASSAGE_SHELTER_FULL_PERCENT", 90, minimum=1)
if PASSAGE_SHELTER_FULL_PERCENT > 100:
    raise ImproperlyConfigured(f"PASSAGE_SHELTER_FULL_PERCENT must be at most 100, not {PASSAGE_SHELTER_FULL_PERCENT}.")
# The dashboard's figures are recomputed at most this often (0: on every visit).
PASSAGE_DASHBOARD_CACHE_SECONDS = env_int("PASSAGE_DASHBOARD_CACHE_SECONDS", 60, minimum=0)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("PASSAGE_STATIC_ROOT") or VAR_DIR / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing one
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Encrypted uploads live here (or in object storage); there is no MEDIA_URL: nothing is served from it.
PASSAGE_FILES_DIR = Path(env_str("PASSAGE_FILES_DIR") or VAR_DIR / "files")
STORAGES = {
    # Every file Passage stores is sealed; the default storage refuses anything else.
    "default": {"BACKEND": "vault.storage.SealedFileSystemStorage", "OPTIONS": {"location": PASSAGE_FILES_DIR}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# No e-mail of errors: a traceback can carry case data.
ADMINS: list[tuple[str, str]] = []
MANAGERS: list[tuple[str, str]] = []
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "accounts.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [request %(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # Replaces Django's default, which also mails tracebacks to ADMINS.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # The development server logs each request line; query strings never carry personal data here.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "passage": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Case work settings used by later features; read once here.
PASSAGE_DEFAULT_BUDGET_EUR = env_decimal("PASSAGE_DEFAULT_BUDGET_EUR", "4000.00")
PASSAGE_CASES_PER_PAGE = 50

# Documents, sharing and summaries (documents/).
PASSAGE_UPLOAD_MAX_BYTES = env_int("PASSAGE_UPLOAD_MAX_MB", 25, minimum=1) * 1024 * 1024
# Uploads stay in memory, never in a temporary file in clear, up to the limit above per request.
FILE_UPLOAD_HANDLERS = ["documents.uploads.MemoryOnlyUploadHandler"]
PASSAGE_IMAGE_MAX_PIXELS = env_int("PASSAGE_IMAGE_MAX_MEGAPIXELS", 60, minimum=1) * 1_000_000
PASSAGE_SUMMARY_ANNEX_MAX_BYTES = env_int("PASSAGE_SUMMARY_ANNEX_MAX_MB", 150, minimum=1) * 1024 * 1024
PASSAGE_BATCH_EXPORT_MAX_CASES = env_int("PASSAGE_BATCH_EXPORT_MAX_CASES", 100, minimum=1)
PASSAGE_EXPORT_TTL_MINUTES = env_int("PASSAGE_EXPORT_TTL_MINUTES", 60, minimum=1)
# "thread": batch exports run in an in-process worker thread (one machine); "inline": after the request's commit.
PASSAGE_EXPORT_RUNNER = env_str("PASSAGE_EXPORT_RUNNER") or "thread"
if PASSAGE_EXPORT_RUNNER not in {"thread", "inline"}:
    raise ImproperlyConfigured("PASSAGE_EXPORT_RUNNER must be thread or inline.")
# Break-glass: how long a coordinator may read one case's sealed fields after giving a reason.
PASSAGE_BREAK_GLASS_MINUTES = env_int("PASSAGE_BREAK_GLASS_MINUTES", 60, minimum=1)
# Retention: days after a case is closed as resettled before it is listed for erasure.
PASSAGE_RETENTION_DAYS = env_int("PASSAGE_RETENTION_DAYS", 365, minimum=1)
# Stages and money (cases/stages.py, cases/money.py).
PASSAGE_PAPER_EXPIRY_WARNING_DAYS = env_int("PASSAGE_PAPER_EXPIRY_WARNING_DAYS", 60, minimum=1)
PASSAGE_RATE_MAX_AGE_DAYS = env_int("PASSAGE_RATE_MAX_AGE_DAYS", 31, minimum=0)
