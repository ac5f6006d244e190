"""
The standalone platform: the honor code app outside Open edX (the demo, the tests, any Django site).

It is not a mock. Users are this site's Django users, course staff are its staff accounts, and blocks that live
outside a course key (the xblock-sdk workbench) belong to one configured demo course.

For demos and tests only: the workbench has no sign-in, so whoever opens ``?student=<name>`` acts as that user.

Its sanctions change the standalone app's own tables (``models.py`` beside this module, app label
``honorcode_standalone``), which a site installs next to the honor code app.
"""
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import CourseKey

from honorcode_xblock.platform.base import Platform, ProblemSettings, course_key_of
from honorcode_xblock.platform.standalone.models import Certificate, Enrollment, GradeOverride

#: The XBlock user service attribute the xblock-sdk workbench sets (``workbench/runtime.py``
#: ``WorkBenchUserService``): the ``?student=`` value of the request.
WORKBENCH_USER_ID = "xblock-workbench.user_id"
#: Workbench student ids that mean "nobody is signed in" (the workbench's unauthenticated handler uses "none").
ANONYMOUS_STUDENT_IDS = frozenset({"", "none", "anonymous"})
DEFAULT_COURSE_KEY = "course-v1:HonorCode+Demo+2026"


@lru_cache(maxsize=16)
def _parse_course_key(value):
    return CourseKey.from_string(value)


class StandalonePlatform(Platform):
    """The honor code app on a plain Django site."""

    name = "standalone"

    def user_from_xblock_user(self, xblock_user):
        """
        The Django user named by the workbench student id, created on first use.

        Every workbench student is a real user of the app: an acceptance refers to its ``auth_user`` row.
        """
        return self._user_named(xblock_user.opt_attrs.get(WORKBENCH_USER_ID))

    @staticmethod
    def _user_named(student_id):
        """The user with this workbench student id, created on first use and kept for the rest of the request."""
        student_id = str(student_id or "").strip()[:150]
        if student_id.lower() in ANONYMOUS_STUDENT_IDS:
            return None
        request_cache = RequestCache("honorcode.standalone.users")
        cached = request_cache.get_cached_response(student_id)
        if cached.is_found:
            return cached.value
        user, _created = get_user_model().objects.get_or_create(username=student_id)
        user = user if user.is_active else None
        request_cache.set(student_id, user)
        return user

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
        return self.default_course_key()

    def is_course_staff(self, user, course_key):
        """On a plain Django site the course team is the site's staff accounts (``User.is_staff``)."""
        return bool(user is not None and user.is_active and user.is_staff)

    def can_edit_course(self, user, course_key):
        """On a plain Django site the site's staff accounts edit every course."""
        return self.is_course_staff(user, course_key)

    def assignment_name(self, usage_key):
        """There is no course structure here to name blocks from: every key is taken as given."""
        return ""

    def is_graded(self, block, context=None):
        """
        The ``graded`` field of the block or of its nearest ancestor that has one.

        Open edX inherits ``graded`` from the subsection and loads it with each block. The workbench has no
        inheritance and reads every field from its database, so a container that knows its children's gradedness
        passes it on as ``context["graded"]`` (as the demo's unit does) and the ancestors are read only without it.
        """
        if context and isinstance(context.get("graded"), bool):
            return context["graded"]
        node = block
        while node is not None:
            if "graded" in getattr(node, "fields", {}):
                return bool(node.graded)
            node = node.get_parent() if hasattr(node, "get_parent") else None
        return False

    def is_gradable_usage(self, usage_key):
        """
        Load the block from the xblock-sdk workbench (the standalone platform's host) and ask :meth:`is_graded`;
        containers that keep no score of their own (units, subsections) are structure, not graded work.
        """
        from workbench.runtime import WorkbenchRuntime  # pylint: disable=import-outside-toplevel
        from xblock.exceptions import NoSuchDefinition, NoSuchUsage  # pylint: disable=import-outside-toplevel

        try:
            block = WorkbenchRuntime().get_block(usage_key)
        except (NoSuchUsage, NoSuchDefinition):
            return None
        return self.is_graded(block) and (getattr(block, "has_score", False) or not getattr(block, "has_children", False))

    def handler_call(self, request):
        """The workbench's handler URLs (``workbench/urls.py``: ``handler`` with ``usage_id`` and ``handler_slug``)."""
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name != "handler":
            return None
        return self.default_course_key(), match.kwargs.get("usage_id", "")

    def block_type(self, usage_key):
        """The workbench's own record of the usage's definition (``workbench/runtime.py`` ``ScenarioIdManager``)."""
        from workbench.runtime import ID_MANAGER  # pylint: disable=import-outside-toplevel
        from xblock.exceptions import NoSuchDefinition, NoSuchUsage  # pylint: disable=import-outside-toplevel

        try:
            return ID_MANAGER.get_block_type(ID_MANAGER.get_definition_id(usage_key))
        except (NoSuchUsage, NoSuchDefinition):
            return ""

    def user_for_request(self, request):
        """
        ``request.user``; where ``HONORCODE_STANDALONE_WORKBENCH_USERS`` is on (the demo), the student the
        workbench's ``?student=`` parameter names (``workbench/views.py``), since the workbench has no sign-in.
        """
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user if user.is_active else None
        # .. setting_name: HONORCODE_STANDALONE_WORKBENCH_USERS
        # .. setting_default: False
        # .. setting_description: On the standalone platform, take the user of a request from the xblock-sdk
        #   workbench's ``?student=`` parameter, creating the account on first use. For the demo only.
        # .. setting_warning: Anyone can act as any user when it is on: never turn it on for a real site.
        if not getattr(settings, "HONORCODE_STANDALONE_WORKBENCH_USERS", False):
            return None
        return self._user_named(request.GET.get("student", "student_1"))

    def previews_as_learner(self, user, course_key):
        """The workbench has no "view as learner" mode."""
        return False

    def accept_query(self, user):
        """The workbench has no session: the endpoint is told the student id."""
        return urlencode({"student": user.username}) if user is not None else ""

    @staticmethod
    def default_course_key():
        """The course of blocks without a course usage key (``HONORCODE_STANDALONE_COURSE_KEY``)."""
        return _parse_course_key(getattr(settings, "HONORCODE_STANDALONE_COURSE_KEY", DEFAULT_COURSE_KEY))

    def current_user(self):
        """
        The user of the current request (``crum.get_current_request()``, see :meth:`user_for_request`); outside a
        request, the user ``crum.impersonate`` names, if any.
        """
        from crum import get_current_request, get_current_user  # pylint: disable=import-outside-toplevel

        request = get_current_request()
        if request is not None:
            return self.user_for_request(request)
        user = get_current_user()
        return user if user is not None and getattr(user, "is_authenticated", False) else None

    # --- staff standing, sanctions and notifications on the standalone app's tables ---------------------------------

    def is_global_staff(self, user):
        """On a plain Django site, global staff are its superusers."""
        return bool(user is not None and user.is_active and user.is_superuser)

    def find_user(self, username):
        """``User.objects.get(username=...)``."""
        return get_user_model().objects.filter(username=username).first()

    def graded_assignment(self, course_key, usage_key):
        """A workbench block in a graded subsection (:meth:`is_gradable_usage`) is its own assignment here."""
        if course_key != self.default_course_key() or not usage_key:
            return None
        return usage_key if self.is_gradable_usage(usage_key) else None

    def override_grade_to_zero(self, user, course_key, usage_key, actor, comment):
        """A ``GradeOverride`` row with nothing earned."""
        GradeOverride.objects.update_or_create(
            user=user, course_key=course_key, usage_key=usage_key, defaults={"earned_graded": 0.0, "comment": comment},
        )
        return {"usage_key": usage_key}

    def undo_grade_override(self, user, course_key, usage_key, ref):
        """Delete the override row."""
        GradeOverride.objects.filter(user=user, course_key=course_key, usage_key=usage_key).delete()
        return {}

    def revoke_certificate(self, user, course_key, actor, notes):
        """Mark the learner's ``Certificate`` invalidated (the creation filter withholds a new one)."""
        certificate = Certificate.objects.filter(user=user, course_key=course_key).first()
        if certificate is None:
            return {"certificate": None}
        certificate.status, certificate.invalidation_notes = Certificate.UNAVAILABLE, notes
        certificate.save(update_fields=["status", "invalidation_notes"])
        return {"certificate": certificate.pk, "verify_uuid": certificate.verify_uuid}

    def restore_certificate(self, user, course_key, actor, ref):
        """Make the certificate valid again."""
        if ref.get("certificate"):
            Certificate.objects.filter(pk=ref["certificate"]).update(status=Certificate.DOWNLOADABLE)
        return {}

    def withheld_certificate_status(self):
        """The demo's certificates are ``unavailable`` when withheld, as Open edX marks them."""
        return Certificate.UNAVAILABLE

    def request_certificate(self, user, course_key):
        """
        The demo course's certificate is made when the learner asks for it (``/demo/certificate/<username>/``): a
        withheld one that the learner now qualifies for is made downloadable, as the LMS's generation task would,
        through the same creation filter.
        """
        from openedx_filters.learning.filters import CertificateCreationRequested  # pylint: disable=import-outside-toplevel

        try:
            _user, _key, _mode, status, _grade, _generation = CertificateCreationRequested.run_filter(
                user=user, course_key=course_key, mode="honor", status=None, grade=None, generation_mode=None)
        except CertificateCreationRequested.PreventCertificateCreation:
            return
        Certificate.objects.filter(user=user, course_key=course_key).exclude(
            status=Certificate.DOWNLOADABLE).update(status=status or Certificate.DOWNLOADABLE)

    def sign_in_proves_account(self, request, user):
        """The demo's sign-in form sends a username and a password: the account's own password proves it."""
        password = (getattr(request, "POST", None) or {}).get("password") or ""
        return bool(password and user.has_usable_password() and user.check_password(password))

    def grades_frozen(self, course_key):
        """A plain Django site never freezes grades."""
        return False

    #: The answer settings a problem reads from itself or, where it does not set them, from its nearest ancestor
    #: that does (as Open edX's ``InheritanceMixin`` inherits them from the subsection and the course).
    INHERITED_ANSWER_FIELDS = ("showanswer", "max_attempts", "show_correctness")

    def course_problems(self, course_key):
        """
        The problems of the demo course: every block of the workbench's scenarios (``workbench/scenarios.py``
        ``get_scenarios``) with a ``showanswer`` field, each setting read from the block or its nearest ancestor
        that sets it, else the block's default. Another course has none.
        """
        from workbench.runtime import WorkbenchRuntime  # pylint: disable=import-outside-toplevel
        from workbench.scenarios import get_scenarios  # pylint: disable=import-outside-toplevel

        if course_key != self.default_course_key():
            return []
        runtime, found = WorkbenchRuntime(), {}
        pending = [runtime.get_block(scenario.usage_id) for scenario in get_scenarios().values()]
        while pending:
            block = pending.pop()
            pending.extend(runtime.get_block(child) for child in getattr(block, "children", None) or [])
            if "showanswer" in block.fields and getattr(block, "has_score", False):
                found[str(block.scope_ids.usage_id)] = self._problem_settings(block)
        return [found[key] for key in sorted(found)]

    def _problem_settings(self, block):
        values = {}
        for name in self.INHERITED_ANSWER_FIELDS:
            node, values[name] = block, getattr(block, name, None)
            while node is not None:
                field = getattr(node, "fields", {}).get(name)
                if field is not None and field.is_set_on(node):
                    values[name] = getattr(node, name)
                    break
                node = node.get_parent() if hasattr(node, "get_parent") else None
        return ProblemSettings(
            usage_key=str(block.scope_ids.usage_id), display_name=getattr(block, "display_name", "") or
            getattr(block, "question", "") or "", showanswer=values["showanswer"] or "",
            max_attempts=values["max_attempts"],
            attempts_before_showanswer=getattr(block, "attempts_before_showanswer_button", 0) or 0,
            show_correctness=values["show_correctness"] or "always", graded=self.is_graded(block))

    def unenroll_without_refund(self, user, course_key):
        """Deactivate the learner's ``Enrollment``; ``refunded`` stays False."""
        enrollment = Enrollment.objects.filter(user=user, course_key=course_key).first()
        if enrollment is None:
            return {"was_enrolled": False}
        was_active = enrollment.is_active
        if was_active:
            enrollment.is_active = False
            enrollment.save(update_fields=["is_active"])
        return {"was_enrolled": was_active, "mode": enrollment.mode}

    def reenroll(self, user, course_key, ref):
        """Reactivate the enrollment, in its mode, if the learner was enrolled."""
        if ref.get("was_enrolled"):
            Enrollment.objects.filter(user=user, course_key=course_key).update(is_active=True)
        return {}

    def terminate_account(self, user, actor):
        """
        An unusable password and ``is_active`` off: Django's authentication backends refuse the user, and every session
        fails its hash check on its next request (the hash is made from the password).
        """
        user.set_unusable_password()
        user.is_active = False
        user.save(update_fields=["password", "is_active"])
        return {"deactivated": True, "sessions": "ended"}

    def restore_account(self, user, actor, ref):
        """``is_active`` on again; the learner sets a new password through the password reset."""
        user.is_active = True
        user.save(update_fields=["is_active"])
        return {"password": "reset required"}

    def send_notification(self, user, notification):
        """Django's email backend (``EMAIL_BACKEND``): a text message with an HTML alternative."""
        from django.core.mail import EmailMultiAlternatives  # pylint: disable=import-outside-toplevel

        if not user.email:
            raise ValueError(f"user {user.pk} has no email address")
        message = EmailMultiAlternatives(notification.subject, notification.text, to=[user.email])
        message.attach_alternative(notification.html, "text/html")
        message.send(fail_silently=False)

    def site_url(self, path):
        """``HONORCODE_SITE_URL`` (default ``http://127.0.0.1:8000``) and the path."""
        # .. setting_name: HONORCODE_SITE_URL
        # .. setting_default: 'http://127.0.0.1:8000'
        # .. setting_description: Outside Open edX, the address of the site, for links in the messages the honor
        #   code app sends (inside the LMS the LMS's own ``LMS_ROOT_URL`` is used).
        return getattr(settings, "HONORCODE_SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path

    def assignment_name_in_course(self, course_key, usage_key):
        """A block the workbench knows, in the demo course (the workbench cannot name blocks)."""
        if course_key != self.default_course_key() or not usage_key:
            return None
        return "" if self.block_type(usage_key) else None

    def course_exists(self, course_key):
        """
        The courses this site names in ``HONORCODE_STANDALONE_COURSES``, and the demo course
        (``HONORCODE_STANDALONE_COURSE_KEY``): a plain Django site has no course catalog of its own.
        """
        # .. setting_name: HONORCODE_STANDALONE_COURSES
        # .. setting_default: []
        # .. setting_description: Outside Open edX, the course keys (besides HONORCODE_STANDALONE_COURSE_KEY) that
        #   exist on the site: cases, exports and course pages are refused for any other key.
        known = {self.default_course_key(), *(_parse_course_key(str(key)) for key in
                                              getattr(settings, "HONORCODE_STANDALONE_COURSES", ()))}
        return course_key in known

    def course_name(self, course_key):
        """``HONORCODE_STANDALONE_COURSE_NAME`` for the demo course; the key for any other."""
        # .. setting_name: HONORCODE_STANDALONE_COURSE_NAME
        # .. setting_default: 'Honor Code Demo Course'
        # .. setting_description: Outside Open edX, the display name of the demo course in messages and pages.
        if course_key == self.default_course_key():
            return getattr(settings, "HONORCODE_STANDALONE_COURSE_NAME", "Honor Code Demo Course")
        return str(course_key)

    # is_learner_of: the base class's answer. The workbench has no enrollment step (any ``?student=`` learns in the
    # demo course), so every user counts as a learner of every course here.
