"""
Verify the honor code's audit trail: every chain (one per course, one for the site) link by link.

    ./manage.py lms verify_honor_code_audit [--course course-v1:Org+Course+Run]

Exits with an error naming the first broken link of each broken chain (an edited, removed or inserted event).
"""
from django.core.management.base import BaseCommand, CommandError
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from honorcode_xblock import api


class Command(BaseCommand):
    help = "Verify the hash chains of the honor code audit trail and name the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("--course", default=None, help="Verify one course's chain only.")

    def handle(self, *args, **options):
        scope = None
        if options["course"]:
            try:
                scope = str(CourseKey.from_string(options["course"]))
            except InvalidKeyError as error:
                raise CommandError(f"{options['course']} is not a course key.") from error
        checked, broken = api.verify_audit(scope)
        if broken:
            lines = [f"chain {link.scope or '(site)'}: event {link.event_id} (link {link.sequence}): {link.reason}"
                     for link in broken]
            raise CommandError(f"{len(broken)} broken audit chain(s) among {checked} events checked:\n"
                               + "\n".join(lines))
        self.stdout.write(self.style.SUCCESS(f"The audit trail is intact: {checked} events verified."))
