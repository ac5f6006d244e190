"""
The standalone platform: the honor code app outside Open edX (the demo, the tests, any Django site).

It is not a mock. Users are this site's Django users, course staff are its staff accounts, and blocks that live
outside a course key (the xblock-sdk workbench) belong to one configured demo course.

For demos and tests only: the workbench has no sign-in, so whoever opens ``?student=<name>`` acts as that user.
"""
from django.conf import settings
from django.contrib.auth import get_user_model
from opaque_keys.edx.keys import CourseKey

from honorcode_xblock.platform.base import Platform, course_key_of

#: The XBlock user service attribute the xblock-sdk workbench sets (``workbench/runtime.py``
#: ``WorkBenchUserService``): the ``?student=`` value of the request.
WORKBENCH_USER_ID = "xblock-workbench.user_id"
#: Workbench student ids that mean "nobody is signed in" (the workbench's unauthenticated handler uses "none").
ANONYMOUS_STUDENT_IDS = frozenset({"", "none", "anonymous"})
DEFAULT_COURSE_KEY = "course-v1:HonorCode+Demo+2026"


class StandalonePlatform(Platform):
    """The honor code app on a plain Django site."""

    name = "standalone"

    def user_from_xblock_user(self, xblock_user):
        """
        The Django user named by the workbench student id, created on first use.

        Every workbench student is a real user of the app: an acceptance refers to its ``auth_user`` row.
        """
        student_id = str(xblock_user.opt_attrs.get(WORKBENCH_USER_ID) or "").strip()
        if student_id.lower() in ANONYMOUS_STUDENT_IDS:
            return None
        user, _created = get_user_model().objects.get_or_create(username=student_id[:150])
        return user if user.is_active else None

    def is_masquerading(self, user):
        """The workbench has no masquerade: each request acts as the user it names."""
        return False

    def course_key_for_block(self, block):
        """
        The block's course: the course of its usage key, or ``HONORCODE_STANDALONE_COURSE_KEY``.

        The workbench's usage ids are plain strings, so its blocks belong to the configured demo course.
        """
        course_key = course_key_of(block.scope_ids.usage_id)
        if course_key is not None:
            return course_key
        # .. setting_name: HONORCODE_STANDALONE_COURSE_KEY
        # .. setting_default: 'course-v1:HonorCode+Demo+2026'
        # .. setting_description: Outside Open edX, the course that Honor Code blocks without a course usage key
        #   (such as those in the xblock-sdk workbench) belong to.
        return CourseKey.from_string(getattr(settings, "HONORCODE_STANDALONE_COURSE_KEY", DEFAULT_COURSE_KEY))

    def is_course_staff(self, user, course_key):
        """On a plain Django site the course team is the site's staff accounts (``User.is_staff``)."""
        return bool(user is not None and user.is_active and user.is_staff)

    def can_edit_course(self, user, course_key):
        """On a plain Django site the site's staff accounts edit every course."""
        return self.is_course_staff(user, course_key)

    def assignment_name(self, usage_key):
        """There is no course structure here to name blocks from: every key is taken as given."""
        return ""
