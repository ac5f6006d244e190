"""
Look for suspected multiple accounts (a harvester account reveals answers that a master account submits) in one
course's problem events, and keep the pairs for the course team's "Suspected multiple accounts" page:

    ./manage.py lms honorcode_detect --course COURSE_KEY [--logs GLOB [GLOB ...]] [--clickhouse DSN]
        [--aspects-events TABLE] [--aspects-users TABLE] [--window S] [--min-problems N] [--min-score X]
        [--max-median-lag S] [--min-master-share X] [--username STAFF]

``--logs`` reads tracking logs (with chdb in this process, or on the ``--clickhouse`` server); ``--clickhouse`` alone
reads Aspects' xAPI tables there; neither reads what the settings name (``HONORCODE_DETECTION_*``).
"""
from django.core.management.base import BaseCommand, CommandError
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from honorcode_xblock import api
from honorcode_xblock.exceptions import HonorCodeError
from honorcode_xblock.management.commands import actor_named


class Command(BaseCommand):
    help = "Find suspected multiple accounts in a course's problem events and keep them for its course team."

    def add_arguments(self, parser):
        parser.add_argument("--course", required=True, help="The course key.")
        parser.add_argument("--logs", nargs="+", metavar="GLOB", help="Tracking log files or globs (plain or gzip).")
        parser.add_argument("--clickhouse", metavar="DSN",
                            help="A ClickHouse server: it reads the --logs, or without them Aspects' xAPI tables.")
        parser.add_argument("--aspects-events", metavar="TABLE", help="Aspects' parsed xAPI table.")
        parser.add_argument("--aspects-users", metavar="TABLE", help="Aspects' users by xAPI id.")
        for name, kind in (("window", int), ("min-problems", int), ("min-score", float), ("max-median-lag", int),
                           ("min-master-share", float)):
            parser.add_argument(f"--{name}", type=kind, help=f"The detector's {name.replace('-', '_')} threshold.")
        parser.add_argument("--username", help="Who runs it (recorded on the run and in the audit trail).")

    def handle(self, *args, **options):
        try:
            course_key = CourseKey.from_string(options["course"])
        except InvalidKeyError as error:
            raise CommandError(f"{options['course']} is not a course key.") from error
        actor = actor_named(options["username"])
        source = None
        if options["logs"] or options["clickhouse"]:
            defaults = api.EventSource()
            source = api.EventSource(
                paths=tuple(options["logs"] or ()), clickhouse_dsn=options["clickhouse"] or "",
                aspects_events_table=options["aspects_events"] or defaults.aspects_events_table,
                aspects_users_table=options["aspects_users"] or defaults.aspects_users_table)
        thresholds = {name: options[name] for name in ("window", "min_problems", "min_score", "max_median_lag",
                                                       "min_master_share")}
        try:
            run = api.detect_now(actor, course_key, source=source, thresholds=thresholds)
        except HonorCodeError as error:
            raise CommandError(str(error)) from error
        if run.status != api.DetectionStatus.DONE:
            raise CommandError(f"Detection run {run.pk} failed: {run.error}")
        pairs = run.pairs.count()
        self.stdout.write(f"Detection run {run.pk} in {course_key}: {pairs} suspected pair(s); "
                          f"{run.events_read} events read, {run.events_skipped} skipped.")
