"""
Queue again the honor code work lost on the way to the workers: sanctions still pending and determination notifications
still unsent (after a broker outage, or a worker killed mid-task), and certificates whose hold no longer applies.
Safe to run at any time, e.g. from cron:

    ./manage.py lms resume_honor_code_work [--older-than 600]
"""
from django.core.management.base import BaseCommand

from honorcode_xblock import api


class Command(BaseCommand):
    help = "Queue again the sanctions still pending, the notifications still unsent and the certificates no longer withheld."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=api.STALE_WORK_SECONDS,
                            help="Only work decided at least this many seconds ago (default %(default)s).")

    def handle(self, *args, **options):
        sanctions, determinations, certificates = api.resume_pending_work(max(0, options["older_than"]))
        self.stdout.write(f"Queued {sanctions} pending sanction(s), the notifications of {determinations} "
                          f"determination(s) and {certificates} certificate request(s).")
