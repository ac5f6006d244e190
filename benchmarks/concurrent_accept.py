"""
Acceptances per second with 50 concurrent clients, through the REST API of a real server process on MariaDB.

The demo runs under gunicorn (4 workers x 8 threads) on a throwaway MariaDB database, with Django's cache in Redis,
as ``make test-integration`` runs it. 50 clients (threads, each a learner with a JWT) are released at once; each
accepts the honor code in every one of ``--courses`` courses, so every request records a new acceptance. Side by
side, in alternating rounds, the same clients ask for their acceptance status (a read through the same
authentication and views): the ratio of the two rates is what recording an acceptance costs over reading one.

    python benchmarks/concurrent_accept.py [--clients 50] [--courses 8] [--rounds 3]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.integration import services  # noqa: E402  pylint: disable=wrong-import-position

DATABASE = f"honorcode_bench_accept_{uuid.uuid4().hex[:8]}"
REDIS_DB = 13  # the cache in 13 and the broker in 14 (the integration suite uses 10 to 12)
LOG_DIR = tempfile.mkdtemp(prefix="honorcode-bench-accept-")
os.environ.update(services.service_env(DATABASE, REDIS_DB, HONORCODE_VAR_DIR=LOG_DIR,
                                       HONORCODE_CACHE_PREFIX="honorcode-bench"))

import django  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order
import MySQLdb  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order


def server_connection():
    return MySQLdb.connect(host="127.0.0.1", port=3306, user="root", passwd="")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--courses", type=int, default=8, help="courses each client accepts in, per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    server_connection().cursor().execute(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4")
    server = None
    try:
        django.setup()
        from django.core.management import call_command  # pylint: disable=import-outside-toplevel

        call_command("migrate", run_syncdb=True, verbosity=0)
        server = services.start_server(dict(os.environ), LOG_DIR)
        run(server.base, args)
    finally:
        if server is not None:
            server.stop()
        server_connection().cursor().execute(f"DROP DATABASE IF EXISTS {DATABASE}")


def run(base, args):
    # pylint: disable=import-outside-toplevel
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from opaque_keys.edx.keys import CourseKey

    from honorcode_xblock import api
    from honorcode_xblock.models import Acceptance
    from tests.integration.helpers import call, jwt_for, together

    cache.clear()
    users = get_user_model().objects
    author = users.create_user("bench-author", is_staff=True)
    learners = [users.create_user(f"bench-learner-{n}", email=f"bench-learner-{n}@example.com")
                for n in range(args.clients)]
    tokens = [jwt_for(user) for user in learners]
    courses = [CourseKey.from_string(f"course-v1:Bench+C{n}+2026") for n in range(args.courses * args.rounds)]
    for course in courses:
        api.save_course_settings(course, terms_html="", collaboration_text="", acceptance_mode="checkbox",
                                 gate_graded_content=True, actor=author)
    rest = "/api/honorcode/v1/courses/{}/acceptance/"
    for token in tokens:  # one warm-up request per client: the server's workers have loaded everything
        call(base, "GET", rest.format(courses[0]), token)

    def timed(work):
        started = time.perf_counter()
        results = together(args.clients, work)
        seconds = time.perf_counter() - started
        bad = [result for answers in results for result in (answers if isinstance(answers, list) else [answers])
               if isinstance(result, Exception) or result[0] not in (200, 201)]
        if bad:
            raise SystemExit(f"{len(bad)} requests failed, e.g. {bad[:3]}")
        return args.clients * args.courses / seconds

    accepting, reading = [], []
    for number in range(args.rounds):
        mine = courses[number * args.courses:(number + 1) * args.courses]
        accepting.append(timed(lambda i, mine=mine: [
            call(base, "POST", rest.format(course), tokens[i], {"confirmed": True}) for course in mine]))
        reading.append(timed(lambda i, mine=mine: [call(base, "GET", rest.format(course), tokens[i])
                                                   for course in mine]))
        print(f"round {number + 1}: {accepting[-1]:.0f} acceptances/s, {reading[-1]:.0f} status reads/s")
    recorded = Acceptance.objects.count()
    expected = args.clients * args.courses * args.rounds
    if recorded != expected:
        raise SystemExit(f"{recorded} acceptances recorded, {expected} expected")
    accept_rate, read_rate = statistics.median(accepting), statistics.median(reading)
    print(f"\n{args.clients} concurrent clients, {expected} acceptances recorded (one per learner and course)")
    print(f"acceptances per second (median of {args.rounds} rounds): {accept_rate:.0f}")
    print(f"status reads per second, same clients and server:   {read_rate:.0f}")
    print(f"ratio accept / read throughput: {accept_rate / read_rate:.2f}")


if __name__ == "__main__":
    main()
