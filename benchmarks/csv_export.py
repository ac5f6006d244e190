"""
CSV export: a course's 1,000,000 acceptances streamed as CSV from MariaDB, against a raw cursor read of the same rows.

A throwaway MariaDB database (``honorcode_bench_<random>``, dropped at the end, also on failure) is migrated (which
publishes honor code v1), and N acceptances of one course are seeded with bulk SQL from MariaDB's sequence engine
(plus 1% as many in a second course, so that the export has to pick its course's rows). Four reads of the same rows
then alternate, each in a child process of its own so its peak memory is its own:

* ``raw``: one query through an unbuffered server-side cursor (``MySQLdb.cursors.SSCursor``) over the same columns
  joined the same way (username, user id, course key, policy version number, course terms version, method,
  accepted_at, block_id), ``fetchmany`` in a loop, no CSV: the floor of reading the rows at all. ``STRAIGHT_JOIN``
  makes MariaDB read the acceptances first, in id order; left to itself it starts from the one-row policy table and
  sorts the whole course in a temporary table, which would make the floor slower than it is;
* ``raw_text``: the same rows in the cheapest form a cursor can read them (``RAW_TEXT_SQL``: the versions' ids, not
  their numbers; the time as the server's text, so that the driver makes no datetime; no course key), the same way.
  The floor the ratio is taken against is the faster of the two raw reads;
* ``export``: the product's export, ``api.acceptance_pages`` written by ``csv_export.csv_pages`` and streamed by
  ``csv_export.csv_response`` (what the REST ``acceptances.csv`` returns), its streaming content consumed piece by
  piece and counted;
* ``http``: the REST endpoint ``acceptances.csv`` through Django's test client, the streaming response consumed chunk
  by chunk.

Prints rows per second of each (medians, and the CPU time of the reading process: the server's share of the raw
read runs in MariaDB), the time ratio export / the faster raw read (target <= 2; the ratio of the medians, and round
by round) and each read's peak memory (``ru_maxrss`` at its
end, and its growth over the process after ``django.setup``; target < 150 MB). Children run with ``DEBUG`` off, as a
production site does (``HONORCODE_DEBUG``). Exits with 3 when a figure is outside its target.

    python benchmarks/csv_export.py [--rows 1000000] [--rounds 3] [--keep]

Needs the MariaDB server at ``HONORCODE_DB_HOST`` (127.0.0.1:3306, root, no password), 10.11 or later.
"""
import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "demo"))

from bulk import bulk_loading, insert_learners_who_accepted, server_settings  # noqa: E402  pylint: disable=wrong-import-position

SCRIPT = str(Path(__file__).resolve())
COURSE = "course-v1:Bench+Export+2026"
OTHER_COURSE = "course-v1:Bench+Other+2026"
BLOCK = "block-v1:Bench+Export+2026+type@honorcode+block@pledge"
STAFF = "bench-staff"
RAW_SQL = (
    "SELECT STRAIGHT_JOIN u.username, a.user_id, a.course_key, p.number, t.version, a.method, a.accepted_at, a.block_id"
    " FROM honorcode_acceptance a"
    " JOIN auth_user u ON u.id = a.user_id"
    " JOIN honorcode_policyversion p ON p.id = a.policy_version_id"
    " JOIN honorcode_courseterms t ON t.id = a.course_terms_id"
    " WHERE a.course_key = %s ORDER BY a.id"
)
SEED_BATCH = 250_000
#: The same rows in the cheapest form a cursor can read them: ids for the versions (two small lookups), the time as
#: the server's text (no datetime made by the driver), no course key (the one asked for).
RAW_TEXT_SQL = (
    "SELECT a.id, u.username, a.user_id, a.policy_version_id, a.course_terms_id, a.method,"
    " CAST(a.accepted_at AS CHAR), a.block_id"
    " FROM honorcode_acceptance a JOIN auth_user u ON u.id = a.user_id"
    " WHERE a.course_key = %s ORDER BY a.id"
)
MODES = ("raw", "raw_text", "export", "http")
TARGET_RATIO = 2.0
TARGET_MB = 150
#: The exit status of a run outside its targets (1 is a failure of the script).
OUTSIDE_TARGETS = 3


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="acceptances in the exported course")
    parser.add_argument("--rounds", type=int, default=3, help="reads of each kind, alternating")
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    return parser.parse_args()


def use_database(name):
    """
    Point the demo's settings at the database ``name`` (before ``django.setup``), in a work directory of the run's
    own (the parent makes it, the children share it): the workbench logs to ./var/workbench.log, and the demo keeps
    its cache there unless ``HONORCODE_VAR_DIR`` says otherwise. Returns the directory if this call made it.
    """
    os.environ.update(HONORCODE_DB="mysql", HONORCODE_DB_NAME=name, DJANGO_SETTINGS_MODULE="honorcode_demo.settings")
    made = None
    if "HONORCODE_BENCH_WORKDIR" not in os.environ:
        made = os.environ["HONORCODE_BENCH_WORKDIR"] = tempfile.mkdtemp(prefix="honorcode-bench-")
    work = Path(os.environ["HONORCODE_BENCH_WORKDIR"])
    (work / "var").mkdir(exist_ok=True)
    os.chdir(work)
    os.environ.setdefault("HONORCODE_VAR_DIR", str(work / "var"))
    return made


def maxrss_mb():
    """This process's peak resident memory so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the parent: database, seeding, the alternating runs ---------------------------------------------------------

def seed(rows):
    """Migrate, a staff account, the course's settings and terms, then ``rows`` learners who accepted, in bulk SQL."""
    from django.contrib.auth import get_user_model  # pylint: disable=import-outside-toplevel
    from django.core.management import call_command  # pylint: disable=import-outside-toplevel
    from django.db import connection, transaction  # pylint: disable=import-outside-toplevel
    from opaque_keys.edx.keys import CourseKey  # pylint: disable=import-outside-toplevel

    from honorcode_xblock import api  # pylint: disable=import-outside-toplevel
    from honorcode_xblock.models import CourseTerms  # pylint: disable=import-outside-toplevel

    call_command("migrate", verbosity=0)
    staff = get_user_model().objects.create_user(STAFF, is_staff=True)
    version = api.current_policy()
    assert version is not None and version.number == 1, "the migrations publish honor code v1"
    terms = {}
    for course in (COURSE, OTHER_COURSE):
        course_key = CourseKey.from_string(course)
        api.save_course_settings(course_key, terms_html="<p>Work alone on the exams.</p>", collaboration_text="",
                                 acceptance_mode="checkbox", gate_graded_content=True, actor=staff)
        terms[course] = CourseTerms.objects.current(course_key).pk
    other_rows = max(rows // 100, 1)
    with connection.cursor() as cursor:
        with bulk_loading(cursor):
            for first in range(1, rows + 1, SEED_BATCH):
                last = min(first + SEED_BATCH - 1, rows)
                with transaction.atomic():
                    insert_learners_who_accepted(
                        cursor, first, last, course=COURSE, version_pk=version.pk, terms_pk=terms[COURSE], block=BLOCK,
                        method_sql="IF(s.seq %% 10 = 0, 'continued_access', 'explicit')",
                    )
                    if first == 1:  # the first learners accepted in the other course too: between the course's rows
                        cursor.execute(
                            "INSERT INTO honorcode_acceptance (user_id, course_key, policy_version_id, course_terms_id,"
                            " method, signature, accepted_at, block_id)"
                            " SELECT u.id, %s, %s, %s, 'explicit', '', NOW(6), ''"
                            f" FROM seq_1_to_{min(other_rows, last)} s JOIN auth_user u"
                            " ON u.username = CONCAT('learner', s.seq)",
                            [OTHER_COURSE, version.pk, terms[OTHER_COURSE]],
                        )
        cursor.execute("SELECT COUNT(*) FROM honorcode_acceptance WHERE course_key = %s", [COURSE])
        seeded = cursor.fetchone()[0]
    assert seeded == rows, f"seeded {seeded} acceptances, not {rows}"


def child(mode, database):
    """Run one read in a fresh process; returns its figures (parsed from the child's last line)."""
    env = {**os.environ, "HONORCODE_DEBUG": "false", "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, SCRIPT, "--child", mode, "--db", database],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise RuntimeError(f"the {mode} read failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(args, database):
    started = time.perf_counter()
    seed(args.rows)
    seeding = time.perf_counter() - started
    print(f"seeded {args.rows:,} acceptances in {COURSE} (and {max(args.rows // 100, 1):,} in another course) "
          f"in {seeding:.1f} s")
    results = {mode: [] for mode in MODES}
    for round_number in range(args.rounds):
        order = MODES if round_number % 2 == 0 else tuple(reversed(MODES))
        for mode in order:
            result = child(mode, database)
            assert result["rows"] == args.rows, f"{mode} read {result['rows']} rows, not {args.rows}"
            results[mode].append(result)
            print(f"  round {round_number + 1} {mode:6}: {result['seconds']:6.2f} s ({result['cpu']:5.2f} s CPU), "
                  f"{result['rows'] / result['seconds']:>9,.0f} rows/s, {result['bytes'] / 1e6:6.1f} MB out, "
                  f"peak {result['peak_mb']:.0f} MB (+{result['peak_mb'] - result['base_mb']:.0f} MB)", flush=True)
    assert results["export"][0]["bytes"] == results["http"][0]["bytes"], "the page and the function differ"

    median = {mode: statistics.median(item["seconds"] for item in results[mode]) for mode in MODES}
    cpu = {mode: statistics.median(item["cpu"] for item in results[mode]) for mode in MODES}
    peak = {mode: max(item["peak_mb"] for item in results[mode]) for mode in MODES}
    growth = {mode: max(item["peak_mb"] - item["base_mb"] for item in results[mode]) for mode in MODES}
    print(f"\n{args.rows:,} acceptances of one course, {args.rounds} reads of each kind alternating (median times; "
          "CPU: the reading process's own, not the server's; peak memory: the largest of the reads)")
    labels = {"raw": "raw SSCursor read, no CSV", "raw_text": "raw SSCursor read, text, ids, no CSV",
              "export": "export (acceptance_pages, csv_pages)",
              "http": "HTTP acceptances.csv (test client)"}
    for mode in MODES:
        print(f"  {labels[mode]:38} {median[mode]:6.2f} s {args.rows / median[mode]:>9,.0f} rows/s "
              f"({cpu[mode]:5.2f} s CPU)  peak {peak[mode]:4.0f} MB (+{growth[mode]:.0f} MB over the process after "
              "django.setup)")
    # the floor: the faster of the two raw reads, round by round
    floors = [min(raw["seconds"], text["seconds"]) for raw, text in zip(results["raw"], results["raw_text"])]
    per_round = [export["seconds"] / floor for export, floor in zip(results["export"], floors)]
    ratio = median["export"] / min(median["raw"], median["raw_text"])
    print(f"time ratio export / raw read (median export over the faster median raw read): {ratio:.2f} "
          f"(target <= {TARGET_RATIO:g}); round by round {', '.join(f'{item:.2f}' for item in per_round)}, "
          f"their median {statistics.median(per_round):.2f}; export / raw {median['export'] / median['raw']:.2f}, "
          f"export / raw text {median['export'] / median['raw_text']:.2f}; "
          f"HTTP / faster raw: {median['http'] / min(median['raw'], median['raw_text']):.2f}; "
          f"CPU of the reading process, export / raw: {cpu['export'] / cpu['raw']:.2f}")
    print(f"peak memory of the export: {peak['export']:.0f} MB, HTTP: {peak['http']:.0f} MB (target < {TARGET_MB} MB)")
    ok = ratio <= TARGET_RATIO and peak["export"] < TARGET_MB and peak["http"] < TARGET_MB
    print("within targets" if ok else "OUTSIDE TARGETS")
    return 0 if ok else OUTSIDE_TARGETS


def main():
    args = arguments()
    if args.child:
        use_database(args.db)
        print(json.dumps(CHILDREN[args.child]()))
        return 0
    import MySQLdb  # pylint: disable=import-outside-toplevel

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped run drops its database too
    database = f"honorcode_bench_{uuid.uuid4().hex[:10]}"
    with MySQLdb.connect(**server_settings()) as admin:
        admin.cursor().execute(f"CREATE DATABASE {database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    started, work = time.perf_counter(), None
    try:
        work = use_database(database)
        import django  # pylint: disable=import-outside-toplevel

        django.setup()
        return run(args, database)
    finally:
        if args.keep:
            print(f"kept database {database}")
        else:
            with MySQLdb.connect(**server_settings()) as admin:
                admin.cursor().execute(f"DROP DATABASE IF EXISTS {database}")
        if work:
            shutil.rmtree(work, ignore_errors=True)
        print(f"total runtime {time.perf_counter() - started:.0f} s")


# --- the children: one read each ---------------------------------------------------------------------------------

def _setup():
    """django.setup and the staff account; returns (staff, course key, peak memory now)."""
    import django  # pylint: disable=import-outside-toplevel

    django.setup()
    from django.conf import settings  # pylint: disable=import-outside-toplevel
    from django.contrib.auth import get_user_model  # pylint: disable=import-outside-toplevel
    from opaque_keys.edx.keys import CourseKey  # pylint: disable=import-outside-toplevel

    settings.HONORCODE_STANDALONE_COURSES = [COURSE, OTHER_COURSE]  # the run's courses exist on the demo's platform
    import honorcode_xblock.api  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    import honorcode_xblock.rest.views  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import

    staff = get_user_model().objects.get(username=STAFF)
    return staff, CourseKey.from_string(COURSE), maxrss_mb()


def read_raw(sql=RAW_SQL):
    import MySQLdb  # pylint: disable=import-outside-toplevel
    from MySQLdb.cursors import SSCursor  # pylint: disable=import-outside-toplevel

    _staff, course_key, base = _setup()
    connection = MySQLdb.connect(db=os.environ["HONORCODE_DB_NAME"], **server_settings())
    started, cpu = time.perf_counter(), time.process_time()
    rows = 0
    cursor = connection.cursor(SSCursor)
    cursor.execute(sql, [str(course_key)])
    while True:
        chunk = cursor.fetchmany(5000)
        if not chunk:
            break
        rows += len(chunk)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    cursor.close()
    connection.close()
    return {"rows": rows, "bytes": 0, "seconds": seconds, "cpu": cpu, "base_mb": base, "peak_mb": maxrss_mb()}


def read_export():
    staff, course_key, base = _setup()
    from opaque_keys.edx.keys import CourseKey  # pylint: disable=import-outside-toplevel

    from honorcode_xblock import api  # pylint: disable=import-outside-toplevel
    from honorcode_xblock.csv_export import csv_pages, csv_response  # pylint: disable=import-outside-toplevel

    def export(course):
        return csv_response(csv_pages(api.acceptance_pages(staff, course)), "acceptances.csv").streaming_content

    for _chunk in export(CourseKey.from_string(OTHER_COURSE)):
        pass  # the first export, of the small course: imports, queries compiled once
    started, cpu = time.perf_counter(), time.process_time()
    size = newlines = 0
    for chunk in export(course_key):
        size += len(chunk)
        newlines += chunk.count(b"\n")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"rows": newlines - 1, "bytes": size, "seconds": seconds, "cpu": cpu, "base_mb": base,
            "peak_mb": maxrss_mb()}


def read_http():
    staff, course_key, base = _setup()
    from django.test import Client  # pylint: disable=import-outside-toplevel

    client = Client()
    client.force_login(staff)
    warm_up = client.get(f"/api/honorcode/v1/courses/{OTHER_COURSE}/acceptances.csv")
    for _chunk in warm_up.streaming_content:
        pass  # the first request, for the small course: URLs, views and renderers loaded once
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(f"/api/honorcode/v1/courses/{course_key}/acceptances.csv")
    assert response.status_code == 200 and response.streaming, response
    size = newlines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        newlines += chunk.count(b"\n")
    response.close()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"rows": newlines - 1, "bytes": size, "seconds": seconds, "cpu": cpu, "base_mb": base,
            "peak_mb": maxrss_mb()}


CHILDREN = {"raw": read_raw, "raw_text": lambda: read_raw(RAW_TEXT_SQL), "export": read_export, "http": read_http}


if __name__ == "__main__":
    sys.exit(main())
