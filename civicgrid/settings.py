"""Settings, all from the environment. A bad value stops the process at start, with its name.

CIVICGRID_ENV selects the profile: ``development`` (default), ``test`` or ``production``.
Production refuses to start without an explicit secret key, data keys and allowed hosts.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from civicgrid.core import envconf

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("CIVICGRID_VAR_DIR", BASE_DIR.parent / "var")).resolve()

# pytest sets PYTEST_VERSION while it runs, so a bare `pytest` gets the test profile.
ENV = envconf.choice(
    "CIVICGRID_ENV",
    ["development", "test", "production"],
    "test" if os.environ.get("PYTEST_VERSION") else "development",
)
PRODUCTION = ENV == "production"
DEBUG = envconf.boolean("CIVICGRID_DEBUG", default=ENV == "development")

if not PRODUCTION:
    VAR_DIR.mkdir(parents=True, exist_ok=True)

if ENV == "test":
    # Fixed keys for tests, never for a real install; the protected-data tests rely on known keys.
    os.environ.setdefault("CIVICGRID_DATA_KEYS", "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=")
    os.environ.setdefault("CIVICGRID_HASH_KEY", "test-hash-key-test-hash-key-test-hash-key")
    os.environ.setdefault("CIVICGRID_SECRET_KEY", "test-secret-key-test-secret-key-test-secret-key")
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

SECRET_KEY = envconf.secret("CIVICGRID_SECRET_KEY", VAR_DIR / "secret_key", production=PRODUCTION)
# Fernet keys for personal data, newest first; older keys still decrypt until `civicgrid rotate_keys`.
DATA_KEYS = envconf.fernet_keys("CIVICGRID_DATA_KEYS", VAR_DIR / "data_keys", production=PRODUCTION)
# Key for the blind index (keyed hash) that makes exact lookup of an encrypted value possible.
HASH_KEY = envconf.secret("CIVICGRID_HASH_KEY", VAR_DIR / "hash_key", production=PRODUCTION)

ALLOWED_HOSTS = envconf.csv(
    "CIVICGRID_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("CIVICGRID_ALLOWED_HOSTS must name the hosts this server answers for.")
CSRF_TRUSTED_ORIGINS = envconf.csv("CIVICGRID_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "ninja",
    "civicgrid.core",
    "civicgrid.audit",
    "civicgrid.territory",
    "civicgrid.accounts",
    "civicgrid.access",
    "civicgrid.prints",
    "civicgrid.registry",
    "civicgrid.orgs",
    "civicgrid.cases",
    "civicgrid.notify",
    "civicgrid.keypersons",
    "civicgrid.visits",
    "civicgrid.partywork",
    "civicgrid.patrols",
    "civicgrid.portal",
    "civicgrid.open311",
    "civicgrid.web",
    "civicgrid.api",
    "civicgrid.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "civicgrid.core.sessions.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "civicgrid.urls"
WSGI_APPLICATION = "civicgrid.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civicgrid.web.context.shell",
            ],
        },
    }
]

# --- Database: embedded SQLite by default, PostgreSQL with DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    try:
        _db = dj_database_url.parse(
            DATABASE_URL, conn_max_age=envconf.integer("CIVICGRID_DB_CONN_MAX_AGE", 60)
        )
    except Exception as exc:  # dj_database_url raises several types for a malformed URL
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
    if _db["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise ImproperlyConfigured(f"DATABASE_URL names an unsupported engine: {_db['ENGINE']}")
    _db["CONN_HEALTH_CHECKS"] = True
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "civicgrid.sqlite3"),
    }
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while pages read; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of failing half-way with "database is locked".
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # journal_mode=WAL is set once per database file (see core.apps): switching it needs an
            # exclusive lock, so doing it on every connection fails while another process writes.
            "init_command": "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
    # Tests use an in-memory database unless a file is asked for (to inspect it afterwards).
    if os.environ.get("CIVICGRID_TEST_SQLITE"):
        _db.setdefault("TEST", {})["NAME"] = os.environ["CIVICGRID_TEST_SQLITE"]
DATABASES = {"default": _db}

# A PostgreSQL streaming replica for read-only selectors (lists, dashboards, exports): see core/dbroute.py.
REPLICA_URL = os.environ.get("CIVICGRID_REPLICA_URL", "").strip()
if REPLICA_URL:
    try:
        _replica = dj_database_url.parse(
            REPLICA_URL, conn_max_age=envconf.integer("CIVICGRID_DB_CONN_MAX_AGE", 60)
        )
    except Exception as exc:
        raise ImproperlyConfigured(f"CIVICGRID_REPLICA_URL is not a database URL: {exc}") from exc
    if _replica["ENGINE"] != "django.db.backends.postgresql" or _db["ENGINE"] != _replica["ENGINE"]:
        raise ImproperlyConfigured("CIVICGRID_REPLICA_URL needs PostgreSQL, as DATABASE_URL does.")
    # Tests read the replica's alias from the test database itself: there is one copy of the data.
    DATABASES["replica"] = {**_replica, "CONN_HEALTH_CHECKS": True, "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["civicgrid.core.dbroute.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": envconf.choice(
            "CIVICGRID_TASK_BACKEND",
            ["django_tasks_db.DatabaseBackend", "django.tasks.backends.immediate.ImmediateBackend"],
            "django.tasks.backends.immediate.ImmediateBackend"
            if ENV == "test"
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# --- Cache: shared by web processes and workers (import progress, later rate limits).
# Redis when CIVICGRID_REDIS_URL is set (several machines); otherwise files under var/ (one machine).
REDIS_URL = envconf.string("CIVICGRID_REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
elif ENV == "test":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Authentication and sessions.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = envconf.integer("CIVICGRID_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = envconf.integer("CIVICGRID_LOGIN_LOCKOUT_MINUTES", 15, minimum=1) / 60  # hours
# Behind N reverse proxies the client address is the Nth from the right in X-Forwarded-For.
AXES_IPWARE_PROXY_COUNT = envconf.integer("CIVICGRID_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
# Lock an account after repeated failures, and an address that tries many accounts.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Idle timeout: the session lives this long after the last request, renewed by each request.
SESSION_COOKIE_AGE = envconf.integer("CIVICGRID_IDLE_TIMEOUT_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = False  # civicgrid.core.sessions saves a used session once a minute instead
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation: Chinese first, English second; Accept-Language picks, a switcher overrides.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["civicgrid.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = envconf.string("CIVICGRID_TIME_ZONE", "Asia/Shanghai")

# --- Static files, vendored; no CDN.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Outside production, static files are served straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
CIVICGRID_IMPORT_MAX_BYTES = envconf.integer("CIVICGRID_IMPORT_MAX_MB", 200, minimum=1) * 1024 * 1024

# --- Security headers. CSP without unsafe-inline: every script and style is a static file.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = envconf.boolean("CIVICGRID_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envconf.integer("CIVICGRID_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": sys.stderr}},
    "root": {
        "handlers": ["console"],
        "level": envconf.choice("CIVICGRID_LOG_LEVEL", ["DEBUG", "INFO", "WARNING", "ERROR"], "INFO"),
    },
    "loggers": {"axes": {"level": "WARNING"}},
}

# Map tiles come from settings so an intranet deployment can point at its own tile server (or none).
MAP_TILE_URL = envconf.string("CIVICGRID_MAP_TILE_URL", "")

# --- Notifications (docs/notifications.md): outbound channels as dotted paths, checked at start.
CIVICGRID_NOTIFY_CHANNELS = envconf.csv(
    "CIVICGRID_NOTIFY_CHANNELS", ["civicgrid.notify.channels.ConsoleChannel"]
)
# Also text reporters without accounts (by an SMS channel) when their case changes state.
CIVICGRID_NOTIFY_REPORTERS = envconf.boolean("CIVICGRID_NOTIFY_REPORTERS", False)
# E-mail (Django's MAILERS): SMTP in production (a local relay on localhost:25 unless told otherwise);
# elsewhere SMTP only when CIVICGRID_EMAIL_HOST is set, otherwise printed to the console.
_email_host = envconf.string("CIVICGRID_EMAIL_HOST", "localhost" if PRODUCTION else "")
_email_tls = envconf.boolean("CIVICGRID_EMAIL_TLS", False)
_email_ssl = envconf.boolean("CIVICGRID_EMAIL_SSL", False)
if _email_tls and _email_ssl:
    raise ImproperlyConfigured("CIVICGRID_EMAIL_TLS and CIVICGRID_EMAIL_SSL cannot both be true.")
_smtp = {
    "host": _email_host,
    "port": envconf.integer("CIVICGRID_EMAIL_PORT", 25, minimum=1),
    "username": envconf.string("CIVICGRID_EMAIL_USER", ""),
    "password": envconf.string("CIVICGRID_EMAIL_PASSWORD", ""),
    "use_tls": _email_tls,
    "use_ssl": _email_ssl,
    "timeout": envconf.integer("CIVICGRID_EMAIL_TIMEOUT", 10, minimum=1),
}
MAILERS = {
    "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": _smtp}
    if _email_host
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
}
DEFAULT_FROM_EMAIL = envconf.string("CIVICGRID_EMAIL_FROM", "civicgrid@localhost")

# --- Resident portal (docs/portal.md): submissions and unknown-code lookups per client address per hour.
CIVICGRID_PORTAL_REPORTS_PER_HOUR = envconf.integer("CIVICGRID_PORTAL_REPORTS_PER_HOUR", 10, minimum=1)
CIVICGRID_PORTAL_LOOKUPS_PER_HOUR = envconf.integer("CIVICGRID_PORTAL_LOOKUPS_PER_HOUR", 60, minimum=1)
# The address residents reach the portal at, printed into the QR door plates (e.g. https://grid.example.gov.cn).
CIVICGRID_PUBLIC_URL = envconf.string("CIVICGRID_PUBLIC_URL", "")

# --- Grid work.
# ISO weekday (Monday 1 … Sunday 7) from which party members are reminded of households not contacted.
CIVICGRID_PARTYWORK_REMIND_WEEKDAY = envconf.integer(
    "CIVICGRID_PARTYWORK_REMIND_WEEKDAY", 4, minimum=1, maximum=7
)
# Minutes after a patrol shift's planned end before the sweep closes it and checks everyone out.
CIVICGRID_PATROL_GRACE_MINUTES = envconf.integer("CIVICGRID_PATROL_GRACE_MINUTES", 120, minimum=1)
