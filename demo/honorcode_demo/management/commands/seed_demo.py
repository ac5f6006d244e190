"""
Seed the demo: a staff login, two learners, the demo course's honor code settings, and the course's tracking log with
planted multiple accounts, which detection reads at once (idempotent: the log is written once).
"""
import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from honorcode_demo import tracking
from honorcode_xblock import api
from honorcode_xblock.models import PolicyVersion
from honorcode_xblock.platform.standalone.models import Enrollment

STAFF_USERNAME = "staff"
STAFF_PASSWORD = "staff-demo-password"
LEARNERS = ("alice", "bob")
COURSE_TERMS = (
    "<p>In this course, quizzes are individual work. The final project is done in teams of up to three; "
    "name your teammates when you submit it.</p>"
)
COLLABORATION = "block-v1:HonorCode+Demo+2026+type@problem+block@final_project | Final project: teams of up to three"


class Command(BaseCommand):
    help = "Create the demo's staff and learner accounts and the demo course's honor code settings."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="Port the demo serves on (for the printed URLs).")

    def handle(self, *args, **options):
        users = get_user_model().objects
        staff, created = users.get_or_create(
            username=STAFF_USERNAME, defaults={"is_staff": True, "is_superuser": True, "email": "staff@example.com"},
        )
        if created or not staff.has_usable_password():
            staff.set_password(STAFF_PASSWORD)
            staff.save()
        course_key = CourseKey.from_string(settings.HONORCODE_STANDALONE_COURSE_KEY)
        for username in LEARNERS:
            learner, created = users.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
            if created or (learner.is_active and not learner.has_usable_password()):
                learner.set_password(f"{username}-demo-password")
                learner.save()
            Enrollment.objects.get_or_create(user=learner, course_key=course_key, defaults={"mode": "verified"})
        self._seed_tracking_log(course_key, staff)
        if api.studio_values(course_key) is None:
            api.save_course_settings(
                course_key, terms_html=COURSE_TERMS, collaboration_text=COLLABORATION,
                acceptance_mode="checkbox", gate_graded_content=True, actor=staff,
            )
        base = f"http://127.0.0.1:{options['port']}"
        scenario = f"{base}/scenario/demo_course.0/"
        self.stdout.write(self.style.SUCCESS("Honor code demo ready."))
        self.stdout.write(f"  Learner view (alice):  {scenario}?student=alice")
        self.stdout.write(f"  Learner view (bob):    {scenario}?student=bob")
        self.stdout.write(f"  Course staff view:     {scenario}?student={STAFF_USERNAME}")
        block_alone = f"{base}/scenario/honorcode.0/"
        self.stdout.write(f"  Studio editor:         {block_alone}studio_view/?student={STAFF_USERNAME}")
        self.stdout.write(f"  Studio preview:        {block_alone}author_view/?student={STAFF_USERNAME}")
        self.stdout.write(f"  The honor code page:   {base}/honorcode/")
        self.stdout.write(f"  Django admin:          {base}/admin/  (login {STAFF_USERNAME} / {STAFF_PASSWORD})")
        self.stdout.write(f"  Honor code cases:      {base}/honorcode/courses/{course_key}/cases/  "
                          f"(sign in at {base}/demo/login/ as {STAFF_USERNAME})")
        self.stdout.write(f"  Suspected accounts:    {base}/honorcode/courses/{course_key}/suspected-accounts/  "
                          f"(signed in as {STAFF_USERNAME})")
        self.stdout.write(f"  My honor code record:  {base}/honorcode/me/  (signed in as a learner)")
        self.stdout.write(f"  Alice in the platform: {base}/demo/learner/alice/  (enrollment, grades, certificate)")
        self.stdout.write(f"  Sent mail:             {base}/demo/outbox/")
        self.stdout.write(f"  Learner sign-in:       {base}/demo/login/  (alice / alice-demo-password)")

    def _seed_tracking_log(self, course_key, staff):
        """
        The course's learners and its tracking log (``HONORCODE_DETECTION_TRACKING_LOGS``), written once; then a
        detection run over it, as the staff page's "Run detection" would.

        The demo course has been running for two weeks under its honor code: the version the migrations published is
        dated to the course's start, so that conduct in the log falls under it (a case judges conduct against the
        version in force when it happened).
        """
        users = get_user_model().objects
        user_ids = {}
        for username in tracking.accounts():
            learner, created = users.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
            if created:
                learner.set_password(f"{username}-demo-password")
                learner.save()
            Enrollment.objects.get_or_create(user=learner, course_key=course_key, defaults={"mode": "audit"})
            user_ids[username] = learner.pk
        path = Path(settings.HONORCODE_DETECTION_TRACKING_LOGS[0])
        if not path.exists():
            started = tracking.write_log(path, course_key, user_ids, timezone.now())
            course_start = started - datetime.timedelta(days=1)
            PolicyVersion.objects.filter(number=1, published_at__gt=course_start).update(published_at=course_start)
        run = api.detect_now(staff, course_key, trigger="demo seed")
        self.stdout.write(f"Detection run {run.pk} over {path}: {run.get_status_display().lower()}, "
                          f"{run.pairs.count()} suspected pair(s).{' ' + run.error if run.error else ''}")
