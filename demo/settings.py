"""
Settings of the embedded default: the xblock-sdk workbench with the honor code app, on the standalone platform.

The test suite runs on these settings too. ``HONORCODE_DB=mysql`` switches the database to the MySQL/MariaDB
server named by ``HONORCODE_DB_HOST``/``PORT``/``USER``/``PASSWORD``/``NAME``; the default is SQLite.
"""
import os
from pathlib import Path

from workbench.settings import *  # noqa: F401,F403  pylint: disable=wildcard-import,unused-wildcard-import
from workbench.settings import INSTALLED_APPS as WORKBENCH_APPS

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HONORCODE_VAR_DIR", REPO_ROOT / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [*WORKBENCH_APPS, "honorcode_xblock", "demo"]
ROOT_URLCONF = "demo.urls"
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
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("HONORCODE_SQLITE_PATH", str(VAR_DIR / "demo.db")),
        },
    }

# Only the demo's own scenario is listed on the workbench's front page (the sample blocks stay loadable).
EXCLUDED_XBLOCKS = {
    "allscopes_demo", "attempts_scoreboard_demo", "equality_demo", "filethumbs", "helloworld_demo", "html_demo",
    "problem_demo", "sidebar_demo", "slider_demo", "textinput_demo", "thumbs", "view_counter_demo",
    "sequence_demo", "vertical_demo", "debugchild",
}

HONORCODE_PLATFORM = "honorcode_xblock.platform.standalone.StandalonePlatform"
HONORCODE_STANDALONE_COURSE_KEY = "course-v1:HonorCode+Demo+2026"

LOGGING["loggers"]["workbench.views"] = {"level": "WARNING"}  # noqa: F405
