"""
Publish a new version of the site-wide honor code.

    ./manage.py lms publish_honor_code --file honor_code.html --change-kind material \
        --summary "Clarifies when collaboration is allowed." --username operator

The version takes effect at once with today's "last updated" date. ``--show`` prints the versions on file.
"""
from django.core.management.base import BaseCommand, CommandError

from honorcode_xblock import api
from honorcode_xblock.exceptions import HonorCodeError
from honorcode_xblock.management.commands import actor_named


class Command(BaseCommand):
    help = "Publish a new honor code version (effective at once), or list the published versions with --show."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="Path of the HTML file holding the new honor code text.")
        parser.add_argument("--change-kind", choices=api.ChangeKind.values, default=None,
                            help="material (may call for re-acceptance) or minor.")
        parser.add_argument("--summary", default="", help="What changed, shown to learners.")
        parser.add_argument("--title", default="Honor Code")
        parser.add_argument("--username", default=None, help="The operator publishing it (recorded in the audit).")
        parser.add_argument("--show", action="store_true", help="List the published versions and exit.")

    def handle(self, *args, **options):
        if options["show"]:
            for version in api.published_policies():
                self.stdout.write(
                    f"v{version.number}\t{version.published_at:%Y-%m-%d %H:%M}\t{version.change_kind}\t{version.title}"
                )
            return
        if not options["file"]:
            raise CommandError("Give the new text with --file PATH (or use --show).")
        if not options["change_kind"]:
            raise CommandError("Say whether the change is material or minor with --change-kind.")
        try:
            with open(options["file"], encoding="utf-8") as handle:
                body = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from error
        actor = actor_named(options["username"])
        try:
            version = api.publish_new_policy(
                body=body, change_kind=options["change_kind"], change_summary=options["summary"],
                title=options["title"], actor=actor,
            )
        except HonorCodeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Published honor code version {version.number} ({version.change_kind}), "
            f"in force since {version.published_at:%Y-%m-%d %H:%M %Z}."
        ))
