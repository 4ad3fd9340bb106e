"""Settings for Medborgarlöfte, read from the environment (see .env.example).

DJANGO_ENV=development (the default) gives a working local set-up on SQLite with no
configuration at all; DJANGO_ENV=production requires a real SECRET_KEY and turns on
every HTTPS protection that `manage.py check --deploy` asks for.
"""

import re
from pathlib import Path
from typing import Any

import dj_database_url
import plotly
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from medborgarlofte.env import email_url, env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_choice("DJANGO_ENV", "development", ("development", "production"))
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production")

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"
elif PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tables2",
    "django_filters",
    "simple_history",
    "promises.apps.AxesConfig",  # django-axes, named in Swedish in the admin
    "csp",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "promises",
    "followup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous readers get kept public pages here, before sessions and the database.
    "followup.public_cache.PublicCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the address (/en/…), never from the browser: medborgarlofte/middleware.py.
    "medborgarlofte.middleware.PathLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "medborgarlofte.middleware.SessionInactivityTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # A page, not a blank, for a button's address opened by hand (405). Below the CSP and
    # frame middleware, so the page it makes gets their headers too.
    "medborgarlofte.middleware.MethodNotAllowedPageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must be last: it turns a lockout raised by the auth backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "medborgarlofte.urls"
CSRF_FAILURE_VIEW = "medborgarlofte.views.csrf_failure"  # Swedish, not Django's English page
WSGI_APPLICATION = "medborgarlofte.wsgi.application"
ASGI_APPLICATION = "medborgarlofte.asgi.application"

TEMPLATES: list[dict[str, Any]] = [
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
                "promises.context_processors.roles",
                "promises.context_processors.navigation",
                "followup.context_processors.public",
            ],
        },
    },
]

# SQLite is the embedded default so a fresh clone runs with no database server;
# DATABASE_URL=postgres://... switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "promises.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user with their organisation and all their
    # permissions in one query each (promises/auth.py).
    "promises.auth.Backend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "public:index"

# Internationalisation: source strings are English, Swedish is the default language.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True
# ISO dates and decimal commas, whatever the language (see medborgarlofte/formats/).
FORMAT_MODULE_PATH = ["medborgarlofte.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # plotly.js comes from the pinned plotly package, so it is served by us and never by a CDN.
    ("vendor/plotly", Path(plotly.__file__).parent / "package_data"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# The cache: CACHE_URL=redis://host:6379/0 shares it between app servers (Django's own Redis
# backend), so a dashboard is computed once per revision for all of them; unset, each process
# keeps its own in memory, which is right for one server and for development.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"CACHE_URL must be a redis://, rediss:// or unix:// URL, got {CACHE_URL!r}")
# Django's Redis backend, made to treat an unreachable Redis as a miss (medborgarlofte/cache.py):
# a Redis restart costs speed, never a request. Short socket timeouts, so a hung Redis does too.
CACHES = {
    "default": {
        "BACKEND": "medborgarlofte.cache.TolerantRedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "ml",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Public pages and open data (followup/public_cache.py): how long a browser or proxy may keep
# one without asking (it then asks with its ETag and mostly gets a 304), and how long the
# rendered page is kept here for a publication. A new publication changes both.
PUBLIC_CACHE_MAX_AGE = env_int("PUBLIC_CACHE_MAX_AGE", 60, minimum=0)
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 60 * 5, minimum=1)
# How long the publication stamp is kept: forgotten at once on a publication, but each
# process's own memory (CACHE_URL unset) only learns of it in the process that published.
PUBLIC_STAMP_SECONDS = env_int("PUBLIC_STAMP_SECONDS", 10, minimum=1)

# One installation for the whole country answers `/` with the national index of municipalities;
# one municipality's own installation names it here (its slug, e.g. "jonkoping") and `/` is
# that municipality's page. Its other pages live under /<slug>/ either way.
PUBLIC_DEFAULT_MUNICIPALITY = (env_str("PUBLIC_DEFAULT_MUNICIPALITY", "") or "").strip()
if PUBLIC_DEFAULT_MUNICIPALITY and not re.fullmatch(r"[-a-z0-9]+", PUBLIC_DEFAULT_MUNICIPALITY):
    raise ImproperlyConfigured(
        "PUBLIC_DEFAULT_MUNICIPALITY is the slug of the municipality's address, e.g. jonkoping "
        f"(lower-case letters a-z, digits and hyphens), not {PUBLIC_DEFAULT_MUNICIPALITY!r}."
    )

# Sessions: expire after inactivity and never outlive a working day. With a shared cache they
# are read from it and written through to the database; a per-process cache would let a
# logged-out session live on in another process, so without one they stay in the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if CACHE_URL else "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8, minimum=60)
SESSION_INACTIVITY_TIMEOUT = env_int("SESSION_INACTIVITY_TIMEOUT", 60 * 30, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login lockout (django-axes).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Content-Security-Policy: no inline script anywhere; chart data travels in json_script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Uploaded import files wait here between the preview and the confirmation (never served).
IMPORT_DIR = Path(env_str("IMPORT_DIR") or BASE_DIR / "var" / "imports")
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# E-mail notifications (followup/notifications.py, sent by `manage.py send_notifications`).
# EMAIL_URL=smtp+tls://user:password@smtp.example.se:587, or EMAIL_HOST, EMAIL_PORT,
# EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS one by one. Unset: every message is
# printed to the console (development); the command refuses to run that way in production.
# Tests get Django's in-memory outbox (pytest-django switches to the locmem backend).
_EMAIL = email_url("EMAIL_URL")
if _EMAIL is None and env_str("EMAIL_HOST"):
    _EMAIL = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": env_str("EMAIL_HOST"),
        "EMAIL_PORT": env_int("EMAIL_PORT", 587, minimum=1),
        "EMAIL_HOST_USER": env_str("EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": env_str("EMAIL_HOST_PASSWORD", ""),
        "EMAIL_USE_TLS": env_bool("EMAIL_USE_TLS", True),
        "EMAIL_USE_SSL": False,
    }
_EMAIL = _EMAIL or {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
EMAIL_BACKEND = str(_EMAIL["EMAIL_BACKEND"])
EMAIL_HOST = _EMAIL.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _EMAIL.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _EMAIL.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _EMAIL.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _EMAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _EMAIL.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
EMAIL_IS_CONFIGURED = EMAIL_BACKEND.endswith("smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "Medborgarlöfte <medborgarlofte@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in e-mails are absolute: the address the users reach the site at, without a trailing slash.
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, got {SITE_URL!r}")
# The weekly digest of missing entries goes out on the first run on or after this ISO weekday
# (1 Monday ... 7 Sunday): mid-week, while there is still time to log what is missing.
NOTIFICATION_DIGEST_WEEKDAY = env_int("NOTIFICATION_DIGEST_WEEKDAY", 3, minimum=1)
if NOTIFICATION_DIGEST_WEEKDAY > 7:
    raise ImproperlyConfigured(f"NOTIFICATION_DIGEST_WEEKDAY must be 1 to 7, got {NOTIFICATION_DIGEST_WEEKDAY}")

# Open data: read-only, anonymous, described by OpenAPI; Swagger UI served from our static
# files (drf-spectacular-sidecar), never from a CDN.
REST_FRAMEWORK: dict[str, object] = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_RATES": {},
}
# The write API (promises/api.py): requests per API token, in DRF's rate format (N/second,
# N/minute, N/hour, N/day). One request may carry 10,000 entries.
API_RATE_LIMIT = env_str("API_RATE_LIMIT") or "120/minute"
if not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", API_RATE_LIMIT):
    raise ImproperlyConfigured(
        f"API_RATE_LIMIT must look like 120/minute (second, minute, hour or day), got {API_RATE_LIMIT!r}"
    )
SPECTACULAR_SETTINGS = {
    "TITLE": "Medborgarlöfte – öppna data",
    "DESCRIPTION": "Published follow-ups of citizen promises (medborgarlöften): targets, outcomes, "
    "statuses and comments. Only published figures; small sensitive numbers are withheld. With an "
    "organisation's API token, its systems also log its activities and list them (/api/v1/activities/).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Without deep links an operation's path is plain text, not a link inside the operation's
    # button (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "promises.api.schema_entries_hook"],
}

# Open data: the licence named on /<municipality>/oppna-data/, and the partner sites that may show
# the embed pages (/<municipality>/inbaddning/) in a frame: space-separated origins such as https://polisen.se. Unset, no
# site may frame them; every other page refuses frames whatever this says.
OPEN_DATA_LICENCE = env_str("OPEN_DATA_LICENCE") or "CC0 1.0"
OPEN_DATA_LICENCE_URL = env_str("OPEN_DATA_LICENCE_URL") or (
    "https://creativecommons.org/publicdomain/zero/1.0/deed.sv" if OPEN_DATA_LICENCE == "CC0 1.0" else ""
)
EMBED_ALLOWED_ORIGINS = (env_str("EMBED_ALLOWED_ORIGINS") or "").split()
for _origin in EMBED_ALLOWED_ORIGINS:
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?", _origin):
        raise ImproperlyConfigured(
            f"EMBED_ALLOWED_ORIGINS must list origins such as https://polisen.se, got {_origin!r}"
        )

# Follow-up status thresholds: "risk" is at least this share of the expected value.
FOLLOWUP_RISK_THRESHOLD = 0.8

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A time on every line: gunicorn's stderr is not always behind a journal that adds one
    # (and the load test reads the times of the cache's computations).
    "formatters": {"timed": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "timed"}},
    # Axes logs every successful login at INFO; lockouts still come through as warnings.
    # WeasyPrint (the report's PDF) logs each step at INFO and each screen-only CSS rule it skips
    # as a warning; only its errors matter.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
    },
}
