"""The smallest Django site that serves django-helpdesk as its install guide describes, for the benchmark.

Runs in helpdesk's own venv (var/bench/helpdesk-venv), never imported by civicgrid. Database and
connection reuse are as civicgrid's on PostgreSQL (CONN_MAX_AGE 60 with health checks), sessions in the
database as ours; everything else is helpdesk's default. Per-queue staff permission is on, because that
is how helpdesk narrows an agent to the queues they answer for, our town officer's scope.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
VAR = BASE_DIR.parents[2] / "var" / "bench"
SECRET_KEY = os.environ.get("HELPDESK_BENCH_SECRET_KEY", "bench-only-not-a-secret-0123456789abcdef")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",  # helpdesk builds links in e-mails from the site
    "django.contrib.humanize",
    "rest_framework",  # helpdesk's API and the ticket list's data request
    "helpdesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "urls"
WSGI_APPLICATION = "wsgi.application"
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
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("HELPDESK_BENCH_DB", "cg_bench_helpdesk"),
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": "5432",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"  # as helpdesk's own standalone site
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SITE_ID = 1

LOGIN_URL = "helpdesk:login"
LOGIN_REDIRECT_URL = "helpdesk:home"

# No pinax-teams: teams are an optional extra, and the ticket list does not use them.
HELPDESK_TEAMS_MODE_ENABLED = False
# An agent sees the queues they hold a permission for (and tickets assigned to them), not every ticket.
HELPDESK_ENABLE_PER_QUEUE_STAFF_PERMISSION = True

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("HELPDESK_BENCH_STATIC", str(VAR / "helpdesk-static"))
MEDIA_ROOT = os.environ.get("HELPDESK_BENCH_MEDIA", str(VAR / "helpdesk-media"))
MEDIA_URL = "/media/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "ERROR"}},
}
