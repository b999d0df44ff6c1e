"""Django settings for Yinfa. Every deployment-specific value comes from the environment (see README)."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from yinfa.env import (
    development_secrets,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("YINFA_VAR_DIR", str(BASE_DIR / "var")))

# development: the demo and local work; test: the test suite; production: a real deployment.
YINFA_ENV = env_choice("YINFA_ENV", {"development", "test", "production"}, "development")
PRODUCTION = YINFA_ENV == "production"

if PRODUCTION:
    _secrets = {}
else:
    _secrets = development_secrets(VAR_DIR / "dev-secrets.json")


def _secret(name):
    return env_str(name) if PRODUCTION else env_str(name, _secrets[name])


SECRET_KEY = _secret("SECRET_KEY")
# "keyid:hex,keyid:hex" — the first key encrypts, every key listed can decrypt.
YINFA_FIELD_KEYS = _secret("YINFA_FIELD_KEYS")
YINFA_BLIND_INDEX_KEY = _secret("YINFA_BLIND_INDEX_KEY")

DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") if PRODUCTION else env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Behind N reverse proxies, the client address is the N-th entry from the right of X-Forwarded-For.
YINFA_TRUSTED_PROXIES = env_int("YINFA_TRUSTED_PROXIES", 0, minimum=0, maximum=5)

# The deployment's own name may replace the default system name.
YINFA_SYSTEM_NAME = env_str("YINFA_SYSTEM_NAME", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "yinfa.core",
    "yinfa.people",
    "yinfa.partylife",
    "yinfa.dues",
    "yinfa.care",
    "yinfa.needs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "yinfa.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "yinfa.core.middleware.SessionLifetimeMiddleware",
    "yinfa.core.middleware.ScopeMiddleware",
    "yinfa.core.middleware.SecurityGateMiddleware",
    "yinfa.core.middleware.AccessControlMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yinfa.urls"
WSGI_APPLICATION = "yinfa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "yinfa.core.context_processors.shell",
            ],
        },
    }
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'yinfa.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One process: memory. Several processes or hosts: set REDIS_URL so they share one cache.
_redis_url = env_str("REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}
    if _redis_url
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "yinfa"}
}

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "yinfa.core.auth.UsernameOrMobileBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "yinfa.core.passwords.ComplexityValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "yinfa.core.passwords.NotContainingUsernameValidator"},
    {"NAME": "yinfa.core.passwords.HistoryValidator", "OPTIONS": {"remember": 5}},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# 等保 2.0 level 3 session rules: idle timeout and an absolute lifetime.
YINFA_IDLE_TIMEOUT = timedelta(minutes=env_int("YINFA_IDLE_TIMEOUT_MINUTES", 30, minimum=1))
YINFA_SESSION_LIFETIME = timedelta(hours=env_int("YINFA_SESSION_LIFETIME_HOURS", 12, minimum=1))
YINFA_PASSWORD_MAX_AGE_DAYS = env_int("YINFA_PASSWORD_MAX_AGE_DAYS", 90, minimum=0)
YINFA_REQUIRE_TOTP_FOR_ADMINS = env_bool("YINFA_REQUIRE_TOTP_FOR_ADMINS", True)
# Personal-data access records are kept at least this long (never below 180 days).
YINFA_AUDIT_RETENTION_DAYS = env_int("YINFA_AUDIT_RETENTION_DAYS", 3 * 365, minimum=180)
YINFA_WORKER_HEARTBEAT_MAX_AGE = timedelta(seconds=env_int("YINFA_WORKER_HEARTBEAT_MAX_AGE", 120, minimum=10))
SESSION_COOKIE_AGE = int(YINFA_IDLE_TIMEOUT.total_seconds())
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Account lockout (django-axes): 5 failures per username lock that username for 30 minutes.
AXES_FAILURE_LIMIT = env_int("YINFA_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("YINFA_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "yinfa.core.auth.axes_username"
AXES_LOCKOUT_CALLABLE = "yinfa.core.views.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp", "code"]
# A lock lasts 30 minutes from the lockout, whatever is typed meanwhile (the message says so).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "yinfa.core.middleware.client_ip"
# The issue asks for lockout per user name (not per IP: offices share one NAT address).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "zh-hans"
# Chinese for everyone, whatever the browser asks for (no LocaleMiddleware).
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "yinfa" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if YINFA_ENV == "test"
        else "django_tasks_db.DatabaseBackend"
    }
}

# Outgoing SMS: the default backend only writes to the log; a deployment names its provider's backend.
YINFA_SMS_BACKEND = env_str("YINFA_SMS_BACKEND", "yinfa.core.sms.LogSmsBackend")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["yinfa.core.api.permissions.ScopedPermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Yinfa API",
    "DESCRIPTION": "银发 · 离退休干部服务管理平台 接口",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Content Security Policy: every asset comes from this site, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("YINFA_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("YINFA_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if YINFA_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "yinfa.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env_str("YINFA_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
