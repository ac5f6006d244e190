"""
Settings of the embedded default: the xblock-sdk workbench with the honor code app, on the standalone platform.

The test suite runs on these settings too. ``HONORCODE_DB=mysql`` switches the database to the MySQL/MariaDB
server named by ``HONORCODE_DB_HOST``/``PORT``/``USER``/``PASSWORD``/``NAME``; the default is SQLite.
"""
import os
import sys
from pathlib import Path

import django

from workbench.settings import *  # noqa: F401,F403  pylint: disable=wildcard-import,unused-wildcard-import
from workbench.settings import INSTALLED_APPS as WORKBENCH_APPS
from workbench.settings import MIDDLEWARE as WORKBENCH_MIDDLEWARE

from honorcode_xblock.settings.common import plugin_settings

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("HONORCODE_VAR_DIR", REPO_ROOT / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# The product's app, and the standalone platform's app with the tables its sanctions change (an LMS has only the first).
INSTALLED_APPS = [*WORKBENCH_APPS, "honorcode_xblock", "honorcode_xblock.platform.standalone", "honorcode_demo"]
ROOT_URLCONF = "honorcode_demo.urls"
# As in the LMS: the request cache is cleared per request, and crum knows the request (the gate's steps ask it).
MIDDLEWARE = [
    "edx_django_utils.cache.middleware.RequestCacheMiddleware",
    *WORKBENCH_MIDDLEWARE,
    "crum.CurrentRequestUserMiddleware",
]
TIME_ZONE = "UTC"
DEBUG = os.environ.get("HONORCODE_DEBUG", "true").lower() == "true"

if os.environ.get("HONORCODE_DB", "sqlite") == "mysql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "HOST": os.environ.get("HONORCODE_DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("HONORCODE_DB_PORT", "3306"),
            "USER": os.environ.get("HONORCODE_DB_USER", "root"),
            "PASSWORD": os.environ.get("HONORCODE_DB_PASSWORD", ""),
            "NAME": os.environ.get("HONORCODE_DB_NAME", "honorcode"),
            "OPTIONS": {"charset": "utf8mb4", "isolation_level": "read committed"},
            "TEST": {"NAME": os.environ.get("HONORCODE_DB_TEST_NAME"), "CHARSET": "utf8mb4",
                     "COLLATION": "utf8mb4_unicode_ci"},
        },
    }
else:
    # Several browser tabs or clients write at once on the demo: readers never wait for the writer (WAL), a writer
    # waits up to 30 s for another (busy timeout), and a transaction takes the write lock when it begins (IMMEDIATE),
    # so it never has to give up half-way with "database is locked". Django 4.2 has no transaction mode or init
    # command: there ``honorcode_demo.apps`` turns WAL on as each connection opens.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("HONORCODE_SQLITE_PATH", str(VAR_DIR / "demo.db")),
            "OPTIONS": {"timeout": 30, **({
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
                "transaction_mode": "IMMEDIATE",
            } if django.VERSION >= (5, 1) else {})},
        },
    }

# A cache every process of the demo shares (the server, management commands, the tests), with no service to run:
# the gate's cached states must go stale everywhere at once when a new honor code version is published.
# ``HONORCODE_CACHE=redis`` puts it in Redis instead, as an LMS does (``HONORCODE_REDIS_URL``).
if os.environ.get("HONORCODE_CACHE", "file") == "redis":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("HONORCODE_REDIS_URL", "redis://127.0.0.1:6379/0"),
            "KEY_PREFIX": os.environ.get("HONORCODE_CACHE_PREFIX", "honorcode-demo"),
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        },
    }

# Only the demo's own scenario is listed on the workbench's front page (the sample blocks stay loadable).
EXCLUDED_XBLOCKS = {
    "allscopes_demo", "attempts_scoreboard_demo", "equality_demo", "filethumbs", "helloworld_demo", "html_demo",
    "problem_demo", "sidebar_demo", "slider_demo", "textinput_demo", "thumbs", "view_counter_demo",
    "sequence_demo", "vertical_demo", "debugchild", "demo_subsection", "demo_unit", "demo_problem",
}

HONORCODE_PLATFORM = "honorcode_xblock.platform.standalone.platform.StandalonePlatform"
HONORCODE_STANDALONE_WORKBENCH_USERS = True  # the workbench has no sign-in: ?student=<name> is the user
HONORCODE_STANDALONE_COURSE_KEY = "course-v1:HonorCode+Demo+2026"

LOGGING["loggers"]["workbench.views"] = {"level": "WARNING"}  # noqa: F405

# The plugin's own settings, as the LMS's plugin framework applies them: the gate's filter steps and middleware.
plugin_settings(sys.modules[__name__])

# Celery: the demo and the tests run every task at once, in the web process. With ``HONORCODE_CELERY_EAGER=false``
# and a broker (``HONORCODE_CELERY_BROKER=redis://...``) a real worker runs them, as the integration suite does:
#     celery -A honorcode_demo.celery worker
CELERY_TASK_ALWAYS_EAGER = os.environ.get("HONORCODE_CELERY_EAGER", "true").lower() == "true"
CELERY_TASK_EAGER_PROPAGATES = False  # so an eager task retries as a worker would (a propagated Retry would end it)
CELERY_BROKER_URL = os.environ.get("HONORCODE_CELERY_BROKER", "memory://")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # with late acknowledgement, a killed worker holds back one message at most
HONORCODE_TASK_MAX_RETRIES = 2  # eager tasks retry at once, inside the request: keep it short
HONORCODE_TASK_RETRY_DELAY = int(os.environ.get("HONORCODE_TASK_RETRY_DELAY", "30"))

# The demo's outbox: every message the app sends is a file in var/mail, listed at /demo/outbox/.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = "honor-code@demo.invalid"
MEDIA_ROOT = str(VAR_DIR / "media")
HONORCODE_SITE_URL = os.environ.get("HONORCODE_SITE_URL", "http://127.0.0.1:8000")
# The demo course's tracking log, which the seed writes with planted multiple accounts; detection reads it with chdb.
HONORCODE_DETECTION_TRACKING_LOGS = [str(VAR_DIR / "tracking" / "tracking.log")]

INSTALLED_APPS += ["rest_framework"]
LOGIN_URL = "/demo/login/"

# JWT as the LMS issues them (edx-drf-extensions reads JWT_AUTH); a symmetric key for the demo and the tests only.
JWT_AUTH = {
    "JWT_ALGORITHM": "HS256",
    "JWT_AUTH_HEADER_PREFIX": "JWT",
    "JWT_ISSUER": "http://127.0.0.1:8000/oauth2",
    "JWT_AUDIENCE": "honorcode-demo",
    "JWT_SECRET_KEY": "honorcode-demo-jwt-secret-not-for-production-use",
    "JWT_VERIFY_AUDIENCE": True,
    "JWT_ISSUERS": [{
        "ISSUER": "http://127.0.0.1:8000/oauth2",
        "AUDIENCE": "honorcode-demo",
        "SECRET_KEY": "honorcode-demo-jwt-secret-not-for-production-use",
    }],
}
