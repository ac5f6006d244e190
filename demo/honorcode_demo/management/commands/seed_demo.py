"""Seed the demo: a staff login, two learners and the demo course's honor code settings (idempotent)."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from opaque_keys.edx.keys import CourseKey

from honorcode_xblock import api
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
        self.stdout.write(f"  My honor code record:  {base}/honorcode/me/  (signed in as a learner)")
        self.stdout.write(f"  Alice in the platform: {base}/demo/learner/alice/  (enrollment, grades, certificate)")
        self.stdout.write(f"  Sent mail:             {base}/demo/outbox/")
        self.stdout.write(f"  Learner sign-in:       {base}/demo/login/  (alice / alice-demo-password)")
