"""
Publishing a policy version with 10,000 versus 1,000,000 acceptances on file, side by side.

Two throwaway MariaDB databases (``honorcode_bench_<random>_small`` and ``_large``, dropped at the end, also on
failure) are migrated (which publishes honor code v1) and seeded with bulk SQL from MariaDB's sequence engine: one
course whose learners all accepted v1, 10,000 in one database and 1,000,000 in the other. A worker process per
database, each with its own Django cache as the demo configures it (file-based, in its own directory), then publishes
new versions through the real API call, ``api.publish_new_policy`` (what ``manage.py publish_honor_code`` and the REST
API's ``POST policy-versions/`` call: a draft created, validated and sanitized, then published, each step recorded in
the audit chain, every cached gate state made stale), material and minor changes in turn. The two databases alternate
publish by publish, the order swapped every two rounds (so each kind of change starts in each). Prints the median time at each size, the ratio large / small
(target <= 1.2), the queries of one publish at each size (none may read the acceptances: publishing does nothing per
learner; a learner agrees by continued use, or is asked again, on the next visit) and the part the cache takes.

    python benchmarks/publish_scale.py [--small 10000] [--large 1000000] [--rounds 40] [--keep]

Needs the MariaDB server at ``HONORCODE_DB_HOST`` (127.0.0.1:3306, root, no password), 10.11 or later.
"""
import argparse
import multiprocessing
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "demo"))

from bulk import bulk_loading, insert_learners_who_accepted, server_settings  # noqa: E402  pylint: disable=wrong-import-position

COURSE = "course-v1:Bench+Publish+2026"
BLOCK = "block-v1:Bench+Publish+2026+type@honorcode+block@pledge"
OPERATOR = "bench-operator"
SEED_BATCH = 250_000
TARGET_RATIO = 1.2


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--small", type=int, default=10_000, help="acceptances on file in the small database")
    parser.add_argument("--large", type=int, default=1_000_000, help="acceptances on file in the large database")
    parser.add_argument("--rounds", type=int, default=40, help="publishes in each database, alternating")
    parser.add_argument("--keep", action="store_true", help="keep the databases (their names are printed)")
    return parser.parse_args()


# --- a worker: one database, its seeding and its publishes -------------------------------------------------------

def seed(rows):
    """Migrate, an operator, the course's settings and terms, then ``rows`` learners who accepted v1, in bulk SQL."""
    from django.contrib.auth import get_user_model  # pylint: disable=import-outside-toplevel
    from django.core.management import call_command  # pylint: disable=import-outside-toplevel
    from django.db import connection, transaction  # pylint: disable=import-outside-toplevel
    from opaque_keys.edx.keys import CourseKey  # pylint: disable=import-outside-toplevel

    from honorcode_xblock import api  # pylint: disable=import-outside-toplevel
    from honorcode_xblock.models import CourseTerms  # pylint: disable=import-outside-toplevel

    call_command("migrate", verbosity=0)
    operator = get_user_model().objects.create_user(OPERATOR, is_staff=True, is_superuser=True)
    version = api.current_policy()
    assert version is not None and version.number == 1, "the migrations publish honor code v1"
    course_key = CourseKey.from_string(COURSE)
    api.save_course_settings(course_key, terms_html="<p>Work alone on the exams.</p>", collaboration_text="",
                             acceptance_mode="checkbox", gate_graded_content=True, actor=operator)
    terms = CourseTerms.objects.current(course_key).pk
    with connection.cursor() as cursor:
        with bulk_loading(cursor):
            for first in range(1, rows + 1, SEED_BATCH):
                last = min(first + SEED_BATCH - 1, rows)
                with transaction.atomic():
                    insert_learners_who_accepted(cursor, first, last, course=COURSE, version_pk=version.pk,
                                                 terms_pk=terms, block=BLOCK)
        cursor.execute("SELECT COUNT(*) FROM honorcode_acceptance")
        seeded = cursor.fetchone()[0]
    assert seeded == rows, f"seeded {seeded} acceptances, not {rows}"
    return operator


def worker(pipe, database, rows):
    """Seed ``database`` with ``rows`` acceptances, then publish a version for each request on ``pipe``."""
    work = Path(tempfile.mkdtemp(prefix="honorcode-bench-"))  # its own cache, as a site of its own has
    (work / "var").mkdir()
    os.chdir(work)  # the workbench logs to ./var/workbench.log
    os.environ.update(HONORCODE_DB="mysql", HONORCODE_DB_NAME=database, HONORCODE_VAR_DIR=str(work / "var"),
                      HONORCODE_DEBUG="false", DJANGO_SETTINGS_MODULE="honorcode_demo.settings")
    try:
        import django  # pylint: disable=import-outside-toplevel

        django.setup()
        from django.conf import settings  # pylint: disable=import-outside-toplevel
        from django.db import connection  # pylint: disable=import-outside-toplevel
        from django.test.utils import CaptureQueriesContext  # pylint: disable=import-outside-toplevel

        from honorcode_xblock import api  # pylint: disable=import-outside-toplevel
        from honorcode_xblock.domain import gate  # pylint: disable=import-outside-toplevel

        started = time.perf_counter()
        operator = seed(rows)
        pipe.send({"seeded": time.perf_counter() - started, "cache": settings.CACHES["default"]["BACKEND"]})
        body = api.default_policy_text()
        count = 0
        while True:
            command = pipe.recv()
            if command is None:
                break
            if command.get("cache_only"):
                started = time.perf_counter()
                gate.forget_all_states()  # what publishing does to the cache
                pipe.send({"seconds": time.perf_counter() - started})
                continue
            count += 1
            kind = command["kind"]
            fields = {"body": body + f"<p>Revision {count}.</p>", "change_kind": kind,
                      "change_summary": f"<p>A {kind} change, revision {count}.</p>", "actor": operator}
            if command.get("queries"):
                with CaptureQueriesContext(connection) as captured:
                    api.publish_new_policy(**fields)
                sql = [query["sql"] for query in captured.captured_queries]
                pipe.send({"queries": len(sql), "on_acceptances": sum("honorcode_acceptance" in q for q in sql)})
            else:
                started = time.perf_counter()
                version = api.publish_new_policy(**fields)
                pipe.send({"seconds": time.perf_counter() - started, "number": version.number})
        connection.close()
    except Exception as error:  # pylint: disable=broad-except
        pipe.send({"error": f"{type(error).__name__}: {error}"})
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- the parent: the two workers, alternating ---------------------------------------------------------------------

def ask(worker_pipe, command):
    worker_pipe.send(command)
    answer = worker_pipe.recv()
    if "error" in answer:
        raise RuntimeError(answer["error"])
    return answer


def run(args, databases):
    context = multiprocessing.get_context("spawn")
    pipes, processes = {}, []
    for size, database in databases.items():
        here, there = context.Pipe()
        process = context.Process(target=worker, args=(there, database, getattr(args, size)), daemon=True)
        process.start()
        pipes[size] = here
        processes.append(process)
    try:
        for size, pipe in pipes.items():  # the two seed at the same time
            answer = pipe.recv()
            if "error" in answer:
                raise RuntimeError(answer["error"])
            print(f"seeded {getattr(args, size):>9,} acceptances in {answer['seeded']:.1f} s", flush=True)
            backend = answer["cache"].rsplit(".", 1)[-1]
        kinds = ("material", "minor")
        for warm_up in range(4):
            for pipe in pipes.values():
                ask(pipe, {"kind": kinds[warm_up % 2]})
        timings = {size: {kind: [] for kind in kinds} for size in pipes}
        cache = {size: [] for size in pipes}
        order = list(pipes)
        for round_number in range(args.rounds):
            kind = kinds[round_number % 2]
            for size in order if round_number % 4 < 2 else reversed(order):  # each kind starts in each database
                timings[size][kind].append(ask(pipes[size], {"kind": kind})["seconds"])
                cache[size].append(ask(pipes[size], {"cache_only": True})["seconds"])
        queries = {size: {kind: ask(pipe, {"kind": kind, "queries": True}) for kind in kinds}
                   for size, pipe in pipes.items()}
    finally:
        for pipe in pipes.values():
            try:
                pipe.send(None)
            except OSError:  # that worker is gone
                pass
        for process in processes:
            process.join(60)
            if process.is_alive():
                process.terminate()

    def median(size, kind=None):
        values = timings[size][kind] if kind else timings[size]["material"] + timings[size]["minor"]
        return statistics.median(values)

    print(f"\n{args.rounds} publishes in each database through api.publish_new_policy, material and minor in turn, "
          "the databases alternating (median times)")
    for size in pipes:
        print(f"  {getattr(args, size):>9,} acceptances on file: {median(size) * 1000:6.2f} ms "
              f"(material {median(size, 'material') * 1000:.2f} ms, minor {median(size, 'minor') * 1000:.2f} ms); "
              f"queries per publish: material {queries[size]['material']['queries']}, minor "
              f"{queries[size]['minor']['queries']}, of them on the acceptances: "
              f"{queries[size]['material']['on_acceptances'] + queries[size]['minor']['on_acceptances']}")
    ratio = median("large") / median("small")
    print(f"time ratio {args.large:,} / {args.small:,}: {ratio:.3f} (target <= {TARGET_RATIO:g}); "
          f"material {median('large', 'material') / median('small', 'material'):.3f}, "
          f"minor {median('large', 'minor') / median('small', 'minor'):.3f}")
    print(f"of a publish, making every cached gate state stale (the generation key bumped now and on commit, in "
          f"{backend}) takes {statistics.median(cache['small'] + cache['large']) * 1000:.2f} ms")
    ok = ratio <= TARGET_RATIO and all(queries[size][kind]["on_acceptances"] == 0 for size in pipes for kind in kinds)
    print("within targets" if ok else "OUTSIDE TARGETS")
    return 0 if ok else 3  # outside the targets (1: the script failed)


def main():
    args = arguments()
    import MySQLdb  # pylint: disable=import-outside-toplevel

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped run drops its databases too
    name = f"honorcode_bench_{uuid.uuid4().hex[:10]}"
    databases = {"small": f"{name}_small", "large": f"{name}_large"}
    started = time.perf_counter()
    try:
        with MySQLdb.connect(**server_settings()) as admin:
            for database in databases.values():
                admin.cursor().execute(
                    f"CREATE DATABASE {database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        return run(args, databases)
    finally:
        if args.keep:
            print(f"kept databases {', '.join(databases.values())}")
        else:
            with MySQLdb.connect(**server_settings()) as admin:
                for database in databases.values():
                    admin.cursor().execute(f"DROP DATABASE IF EXISTS {database}")
        print(f"total runtime {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
