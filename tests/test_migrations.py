"""
What the migrations make: the product's tables, and only those, on a site that installs the product alone (an LMS);
the standalone platform's own tables where its app is installed too (the demo, the tests); and, on a site migrated
before the standalone platform had an app of its own, its old tables in the product dropped.

Each case runs in a fresh process (an app registry of its own) on a fresh database of the suite's engine: an SQLite
file, or a throwaway database on the MySQL/MariaDB server of ``HONORCODE_DB=mysql``.
"""
import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings

REPO = Path(__file__).resolve().parent.parent
BASE_APPS = ["django.contrib.auth", "django.contrib.contenttypes"]
PRODUCT = [*BASE_APPS, "honorcode_xblock"]
WITH_STANDALONE = [*PRODUCT, "honorcode_xblock.platform.standalone"]

#: Every table the product's migrations create (app label ``honorcode``), by name.
PRODUCT_TABLES = [
    "honorcode_acceptance",
    "honorcode_auditchainhead",
    "honorcode_auditevent",
    "honorcode_case",
    "honorcode_caserespondent",
    "honorcode_certificatehold",
    "honorcode_coursesettings",
    "honorcode_courseterms",
    "honorcode_detectionrun",
    "honorcode_determination",
    "honorcode_evidence",
    "honorcode_notification",
    "honorcode_policyversion",
    "honorcode_sanction",
    "honorcode_suspectedpair",
]
#: The standalone platform's tables (app label ``honorcode_standalone``).
STANDALONE_TABLES = [
    "honorcode_standalone_certificate",
    "honorcode_standalone_enrollment",
    "honorcode_standalone_gradeoverride",
]
#: Where the product's 0004 and 0006 kept them before (0007 drops them).
OLD_STANDALONE_TABLES = [
    "honorcode_standalonecertificate",
    "honorcode_standaloneenrollment",
    "honorcode_standalonegradeoverride",
]
#: What ``auth``, ``contenttypes`` and the migration recorder make, whatever else is installed.
BASE_TABLES = [
    "auth_group", "auth_group_permissions", "auth_permission", "auth_user", "auth_user_groups",
    "auth_user_user_permissions", "django_content_type", "django_migrations",
]

SCRIPT = r'''
import json, sys
import django
from django.conf import settings

config = json.loads(sys.argv[1])
settings.configure(INSTALLED_APPS=config["apps"], DATABASES={"default": config["database"]}, USE_TZ=True)
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

server = connection.vendor != "sqlite"
if server:  # a throwaway database on the server
    with connection._nodb_cursor() as cursor:
        name = connection.ops.quote_name(config["database"]["NAME"])
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}" + (" CHARACTER SET utf8mb4" if connection.vendor == "mysql" else ""))


def tables():
    return sorted(connection.introspection.table_names())


def migrate(*args):
    call_command("migrate", *args, verbosity=0)
    return tables()


def changes_to_make():
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    except SystemExit as exit_:
        return exit_.code != 0
    return False


result = {}
try:
    if config["case"] == "fresh":
        result["tables"] = migrate()
        result["changes_to_make"] = changes_to_make()
    elif config["case"] == "upgrade":
        migrate("auth")
        migrate("contenttypes")
        migrate("honorcode", "0006")
        user_id = get_user_model().objects.create_user("old-learner").pk
        with connection.cursor() as cursor:  # the old tables, as 0004 and 0006 used to make them (in short)
            for table in config["old_tables"]:
                cursor.execute(f"CREATE TABLE {table} (id integer NOT NULL PRIMARY KEY, user_id integer NOT NULL, "
                               f"course_key varchar(255) NOT NULL, FOREIGN KEY (user_id) REFERENCES auth_user (id))")
                cursor.execute(f"INSERT INTO {table} (id, user_id, course_key) VALUES (1, %s, %s)",
                               [user_id, "course-v1:Old+Site+2025"])
        result["before"] = tables()
        result["after"] = migrate()
        result["back_to_0006"] = migrate("honorcode", "0006")  # going back leaves them gone
        result["forward_again"] = migrate()
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM honorcode_policyversion")
            result["policy_versions"] = cursor.fetchone()[0]
finally:
    if server:
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(config['database']['NAME'])}")
print(json.dumps(result))
'''


def database(tmp_path):
    """A database of the suite's engine that nothing else uses: a new SQLite file, or a throwaway server database."""
    configured = settings.DATABASES["default"]
    if configured["ENGINE"].endswith("sqlite3"):
        return {"ENGINE": configured["ENGINE"], "NAME": str(tmp_path / "fresh.sqlite3")}
    test_name = (configured.get("TEST") or {}).get("NAME") or f"test_{configured['NAME']}"
    return {
        **{key: configured[key] for key in ("ENGINE", "HOST", "PORT", "USER", "PASSWORD", "OPTIONS") if key in configured},
        "NAME": f"{test_name}_migrations"[:64],
    }


def run(tmp_path, case, apps, **extra):
    config = {"case": case, "apps": apps, "database": database(tmp_path), **extra}
    result = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(config)], cwd=REPO, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_product_alone_creates_only_its_own_tables(tmp_path):
    """An LMS installs ``honorcode_xblock`` alone: a fresh ``migrate`` makes the product's tables and nothing else."""
    result = run(tmp_path, "fresh", PRODUCT)
    assert [table for table in result["tables"] if table.startswith("honorcode")] == PRODUCT_TABLES
    assert result["tables"] == sorted(BASE_TABLES + PRODUCT_TABLES)
    assert not {*STANDALONE_TABLES, *OLD_STANDALONE_TABLES} & set(result["tables"])
    assert result["changes_to_make"] is False  # makemigrations --check: the product's models match its migrations


def test_the_standalone_platform_app_brings_its_own_tables(tmp_path):
    result = run(tmp_path, "fresh", WITH_STANDALONE)
    assert [table for table in result["tables"] if table.startswith("honorcode_standalone")] == STANDALONE_TABLES
    assert result["tables"] == sorted(BASE_TABLES + PRODUCT_TABLES + STANDALONE_TABLES)
    assert result["changes_to_make"] is False  # and the standalone app's models match its migrations


def test_a_site_migrated_before_loses_the_old_standalone_tables_in_the_product(tmp_path):
    result = run(tmp_path, "upgrade", WITH_STANDALONE, old_tables=OLD_STANDALONE_TABLES)
    assert set(OLD_STANDALONE_TABLES) <= set(result["before"])
    assert result["after"] == sorted(BASE_TABLES + PRODUCT_TABLES + STANDALONE_TABLES)
    assert result["forward_again"] == result["after"]
    # 0008 names the determination's message a notification; back at 0006 it is a notice again, every row kept;
    # 0009's detection tables go
    assert result["back_to_0006"] == sorted(
        "honorcode_notice" if table == "honorcode_notification" else table for table in result["after"]
        if table not in ("honorcode_detectionrun", "honorcode_suspectedpair"))
    assert result["policy_versions"] == 1  # the default honor code, published by 0002, is still there

