"""
The Open edX platform: the only module that calls edx-platform.

edx-platform is imported lazily inside each method, so this module imports anywhere (the tests run it against
doubles shaped like the real modules). Every method wraps one edx-platform call and names it.
"""
import logging
from functools import lru_cache

from crum import get_current_user
from django.contrib.auth import get_user_model

from honorcode_xblock.exceptions import NoticeNotDelivered
from honorcode_xblock.platform.base import Platform, course_key_of

log = logging.getLogger(__name__)

#: XBlock user service attributes set by ``common/djangoapps/xblock_django/user_service.py``
#: (``DjangoXBlockUserService._convert_django_user_to_xblock_user``; keys in ``xblock_django/constants.py``).
ATTR_KEY_IS_AUTHENTICATED = "edx-platform.is_authenticated"
ATTR_KEY_USER_ID = "edx-platform.user_id"


class OpenEdxPlatform(Platform):
    """The honor code app inside the Open edX LMS and CMS."""

    name = "openedx"

    def user_from_xblock_user(self, xblock_user):
        """
        Resolve the LMS user from the XBlock user service.

        Relies on ``common.djangoapps.xblock_django.user_service.DjangoXBlockUserService``, which sets
        ``edx-platform.is_authenticated`` and ``edx-platform.user_id`` (the ``auth_user`` primary key) on the
        ``XBlockUser`` it returns; anonymous users get ``is_authenticated`` False and no user id.
        """
        attrs = xblock_user.opt_attrs
        user_id = attrs.get(ATTR_KEY_USER_ID)
        if not attrs.get(ATTR_KEY_IS_AUTHENTICATED) or user_id is None:
            return None
        requester = get_current_user()  # the request's user, already loaded: no query on the hot path
        if requester is not None and getattr(requester, "is_authenticated", False) and requester.pk == user_id:
            return requester if requester.is_active else None
        return get_user_model().objects.filter(pk=user_id, is_active=True).first()

    def is_masquerading(self, user):
        """
        Compare ``user`` with the user who made the request.

        ``lms/djangoapps/courseware/masquerade.py`` ``setup_masquerade`` replaces ``request.user`` with the
        masqueraded learner and keeps the staff member as that user's ``real_user``; edx-platform installs
        ``crum.CurrentRequestUserMiddleware``, so ``crum.get_current_user()`` is the request's user.
        """
        requester = get_current_user()
        if user is None or requester is None or not getattr(requester, "is_authenticated", False):
            return False
        real_user = getattr(requester, "real_user", requester)  # set on the masqueraded user by setup_masquerade
        return real_user.pk != user.pk

    def course_key_for_block(self, block):
        """
        The course of a block: ``block.scope_ids.usage_id.context_key`` (an ``opaque_keys`` ``UsageKey``).

        In the LMS and in Studio the usage id of a course block is a ``BlockUsageLocator`` whose ``context_key``
        is the ``CourseLocator`` (Studio's may carry a branch, dropped here); in a content library it is a library
        locator, which is not a course.
        """
        return course_key_of(block.scope_ids.usage_id)

    def is_course_staff(self, user, course_key):
        """
        ``common.djangoapps.student.auth.has_studio_read_access(user, course_key)``.

        True for the course's staff and instructors (``CourseStaffRole``, ``CourseInstructorRole``) and global staff;
        the function lives in ``common/`` and so answers the same in the LMS and the CMS.
        """
        from common.djangoapps.student.auth import has_studio_read_access  # pylint: disable=import-error,import-outside-toplevel

        return user is not None and bool(has_studio_read_access(user, course_key))

    def can_edit_course(self, user, course_key):
        """
        ``common.djangoapps.student.auth.has_studio_write_access(user, course_key)`` and ``has_studio_read_access``:
        an author of the course in Studio.

        Both, because ``get_user_permissions`` gives a course's limited staff write access alone where
        ``SERVICE_VARIANT`` is ``lms`` (and nothing in Studio): asking for both refuses them in the LMS as in Studio.
        """
        from common.djangoapps.student.auth import has_studio_read_access, has_studio_write_access  # pylint: disable=import-error,import-outside-toplevel

        return user is not None and bool(has_studio_write_access(user, course_key)) and bool(
            has_studio_read_access(user, course_key))

    def is_limited_staff(self, user, course_key):
        """
        ``common.djangoapps.student.roles.CourseLimitedStaffRole(course_key).has_user(user)``: a staff member of the
        course without access to Studio (``has_studio_read_access`` is False for them).
        """
        from common.djangoapps.student.roles import CourseLimitedStaffRole  # pylint: disable=import-error,import-outside-toplevel

        return user is not None and bool(CourseLimitedStaffRole(course_key).has_user(user))

    def assignment_name(self, usage_key):
        """
        ``xmodule.modulestore.django.modulestore().get_item(usage_key).display_name``.

        ``get_item`` raises ``xmodule.modulestore.exceptions.ItemNotFoundError`` for a key with no block.
        """
        from xmodule.modulestore.django import modulestore  # pylint: disable=import-error,import-outside-toplevel
        from xmodule.modulestore.exceptions import ItemNotFoundError  # pylint: disable=import-error,import-outside-toplevel

        try:
            block = modulestore().get_item(usage_key)
        except ItemNotFoundError:
            return None
        return block.display_name or ""

    def is_graded(self, block, context=None):
        """
        ``block.graded``: an inherited settings field (``xmodule/modulestore/inheritance.py`` ``InheritanceMixin``),
        True for every block inside a graded subsection; already loaded with the block, so reading it costs nothing.
        """
        return bool(getattr(block, "graded", False))

    #: Block types that structure a course: their handlers serve navigation and completion, not graded work.
    STRUCTURAL_TYPES = frozenset({"course", "chapter", "sequential", "vertical"})

    def is_gradable_usage(self, usage_key):
        """
        ``xmodule.modulestore.django.modulestore().get_item(usage_key)``: its inherited ``graded``, unless it is a
        course, chapter, subsection or unit.

        Only asked for learners the gate already withholds from, and never on the render path.
        """
        from xmodule.modulestore.django import modulestore  # pylint: disable=import-error,import-outside-toplevel
        from xmodule.modulestore.exceptions import ItemNotFoundError  # pylint: disable=import-error,import-outside-toplevel

        if usage_key.block_type in self.STRUCTURAL_TYPES:
            return False
        try:
            block = modulestore().get_item(usage_key)
        except ItemNotFoundError:
            return None
        return bool(getattr(block, "graded", False))

    def handler_call(self, request):
        """
        The LMS URLs that run a block for the requester (``lms/urls.py``): ``xblock_handler``, ``xblock_view`` and,
        for a signed-in requester, ``xblock_handler_noauth`` (it still runs the block for ``request.user``; for an
        anonymous caller, such as an LTI grade passback, it is a server-to-server callback and is left alone). Their
        ``course_id`` and ``usage_id`` come from ``COURSE_ID_PATTERN`` and ``USAGE_ID_PATTERN``.

        The usage key is read as ``lms/djangoapps/courseware/block_render.py`` does: ``UsageKey.from_string(
        unquote_slashes(usage_id))``, the block an aside wraps, then ``map_into_course(course_key)``, so the block
        checked is the block that runs.
        """
        from opaque_keys import InvalidKeyError  # pylint: disable=import-outside-toplevel
        from opaque_keys.edx.keys import CourseKey, UsageKey  # pylint: disable=import-outside-toplevel
        from openedx.core.lib.url_utils import unquote_slashes  # pylint: disable=import-error,import-outside-toplevel

        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name not in ("xblock_handler", "xblock_view", "xblock_handler_noauth"):
            return None
        if match.url_name == "xblock_handler_noauth" and not getattr(request.user, "is_authenticated", False):
            return None
        kwargs = match.kwargs
        if not {"course_id", "usage_id"} <= set(kwargs):
            return None  # Studio's xblock_handler has the same name and other arguments
        try:
            course_key = CourseKey.from_string(kwargs["course_id"])
            usage_key = UsageKey.from_string(unquote_slashes(kwargs["usage_id"]))
            usage_key = getattr(usage_key, "usage_key", usage_key)  # an aside's key wraps its block's
            usage_key = usage_key.map_into_course(course_key)
        except (InvalidKeyError, ValueError):
            return None  # not a course block (a library's, a malformed key): the LMS answers itself
        return course_key, usage_key

    def block_type(self, usage_key):
        """``UsageKey.block_type`` (opaque-keys)."""
        return usage_key.block_type

    def user_for_request(self, request):
        """
        ``request.user``, or the user of the request's JWT or OAuth2 bearer token.

        ``lms/djangoapps/courseware/block_render.py`` ``handle_xblock_callback`` authenticates token callers (the
        mobile apps) inside the view with ``edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication``
        and then ``openedx.core.lib.api.authentication.BearerAuthenticationAllowInactiveUser``; the gate, which
        runs before the view, asks the same two in the same order.
        """
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user if user.is_active else None
        if not request.META.get("HTTP_AUTHORIZATION"):
            return None
        from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication  # pylint: disable=import-error,import-outside-toplevel
        from openedx.core.lib.api.authentication import BearerAuthenticationAllowInactiveUser  # pylint: disable=import-error,import-outside-toplevel
        from rest_framework.exceptions import APIException  # pylint: disable=import-error,import-outside-toplevel

        for authenticator in (JwtAuthentication(), BearerAuthenticationAllowInactiveUser()):
            try:
                found = authenticator.authenticate(request)
            except APIException:
                continue
            if found is not None:
                return found[0]
        return None

    def previews_as_learner(self, user, course_key):
        """
        ``lms.djangoapps.courseware.masquerade.is_masquerading_as_student(user, course_key)`` ("View as Learner").

        Before the courseware view has run ``setup_masquerade`` (as in the handler middleware), the user has no
        ``masquerade_settings`` yet: they are taken from the session as ``setup_masquerade`` does
        (``request.session.get(MASQUERADE_SETTINGS_KEY, {})``).
        """
        from crum import get_current_request  # pylint: disable=import-outside-toplevel
        from lms.djangoapps.courseware.masquerade import (  # pylint: disable=import-error,import-outside-toplevel
            MASQUERADE_SETTINGS_KEY,
            is_masquerading_as_student,
        )

        request = get_current_request()
        if not hasattr(user, "masquerade_settings") and request is not None and hasattr(request, "session"):
            user.masquerade_settings = request.session.get(MASQUERADE_SETTINGS_KEY, {})
        return bool(is_masquerading_as_student(user, course_key))

    def accept_query(self, user):
        """The LMS identifies the learner by the session."""
        return ""

    def current_user(self):
        """
        ``crum.get_current_user()``: ``request.user``, which ``setup_masquerade`` has already replaced with the
        masqueraded learner where staff view the course as one (so the gate shows what that learner sees).
        """
        user = get_current_user()
        return user if user is not None and getattr(user, "is_authenticated", False) else None

    # --- staff standing, sanctions and notifications -------------------------------------------------------------

    #: The ``feature`` (stored as ``system``) of the grade overrides this app makes, so undoing one never removes
    #: an override proctoring or the gradebook made.
    GRADE_OVERRIDE_FEATURE = "honorcode"
    #: The ``source`` recorded on certificates this app invalidates.
    CERTIFICATE_SOURCE = "honorcode"

    def is_global_staff(self, user):
        """``common.djangoapps.student.roles.GlobalStaff().has_user(user)`` (``user.is_staff``)."""
        from common.djangoapps.student.roles import GlobalStaff  # pylint: disable=import-error,import-outside-toplevel

        return user is not None and user.is_active and bool(GlobalStaff().has_user(user))

    def find_user(self, username):
        """``User.objects.filter(username=...)``: the LMS's users are Django's ``auth_user``."""
        return get_user_model().objects.filter(username=username).first()

    def _usage_in_course(self, course_key, usage_key):
        from opaque_keys import InvalidKeyError  # pylint: disable=import-outside-toplevel
        from opaque_keys.edx.keys import UsageKey  # pylint: disable=import-outside-toplevel

        try:
            key = UsageKey.from_string(str(usage_key))
        except InvalidKeyError:
            return None
        return key if course_key_of(key) == course_key else None

    def assignment_name_in_course(self, course_key, usage_key):
        """The usage key parsed (``opaque_keys``) and in ``course_key``, then :meth:`assignment_name`."""
        key = self._usage_in_course(course_key, usage_key)
        return self.assignment_name(key) if key is not None else None

    def graded_assignment(self, course_key, usage_key):
        """
        ``xmodule.modulestore.django.modulestore().get_item(usage_key)`` and its ``get_parent()`` up to the
        subsection (``sequential``), which must be ``graded``: the grades API overrides subsection grades.
        """
        from xmodule.modulestore.django import modulestore  # pylint: disable=import-error,import-outside-toplevel
        from xmodule.modulestore.exceptions import ItemNotFoundError  # pylint: disable=import-error,import-outside-toplevel

        key = self._usage_in_course(course_key, usage_key)
        if key is None:
            return None
        try:
            block = modulestore().get_item(key)
        except ItemNotFoundError:
            return None
        while block is not None and block.location.block_type != "sequential":
            block = block.get_parent()
        if block is None or not getattr(block, "graded", False):
            return None
        return str(block.location)

    def override_grade_to_zero(self, user, course_key, usage_key, actor, comment):
        """
        ``lms.djangoapps.grades.api.override_subsection_grade(user_id, course_key, usage_key, overrider=actor,
        earned_all=0, earned_graded=0, feature="honorcode", comment=...)``: creates the subsection grade if the
        learner has none, and queues the recalculation (``SUBSECTION_OVERRIDE_CHANGED``). Repeating it updates the
        same override.

        A subsection grade holds one override (``PersistentSubsectionGradeOverride.update_or_create_override``): an
        override another feature made first (proctoring, the gradebook) is read with
        ``grades.api.get_subsection_grade_override`` and kept in the returned reference, so the undo restores it.
        """
        from django.core.exceptions import ObjectDoesNotExist  # pylint: disable=import-outside-toplevel
        from lms.djangoapps.grades import api as grades_api  # pylint: disable=import-error,import-outside-toplevel

        try:
            existing = grades_api.get_subsection_grade_override(user.pk, course_key, usage_key)
        except ObjectDoesNotExist:  # no subsection grade yet: nothing to keep
            existing = None
        ref = {"usage_key": str(usage_key)}
        if existing is not None and getattr(existing, "system", None) != self.GRADE_OVERRIDE_FEATURE:
            ref["previous"] = {  # any other override, one with no ``system`` (an older tool's) included
                "system": existing.system or "",
                "earned_all": getattr(existing, "earned_all_override", None),
                "earned_graded": getattr(existing, "earned_graded_override", None),
                "comment": getattr(existing, "override_reason", None),
            }
        grades_api.override_subsection_grade(
            user.pk, course_key, usage_key, overrider=actor, earned_all=0, earned_graded=0,
            feature=self.GRADE_OVERRIDE_FEATURE, comment=comment,
        )
        return ref

    def undo_grade_override(self, user, course_key, usage_key, ref):
        """
        ``lms.djangoapps.grades.api.get_subsection_grade_override(user_id, course_key, usage_key)`` first: the undo
        removes this app's override only while it is still the subsection's. An override someone made after the
        sanction (the gradebook, proctoring, a grade import: its ``system`` is theirs, or empty) is left in place and
        named in the result; ``undo_override_subsection_grade`` would delete one whose ``system`` is empty, and
        putting back the override that was there before would overwrite it.

        Then ``undo_override_subsection_grade(user_id, course_key, usage_key, feature="honorcode")``, and an override
        another feature had made before the sanction is put back with ``override_subsection_grade(...,
        feature=<its system>)``. ``get_subsection_grade_override`` raises ``ObjectDoesNotExist`` when the learner has
        no subsection grade (nothing of the sanction is left then).
        """
        from django.core.exceptions import ObjectDoesNotExist  # pylint: disable=import-outside-toplevel
        from lms.djangoapps.grades import api as grades_api  # pylint: disable=import-error,import-outside-toplevel

        try:
            current = grades_api.get_subsection_grade_override(user.pk, course_key, usage_key)
        except ObjectDoesNotExist:
            current = None
        if current is None:
            return {"removed": False}
        if getattr(current, "system", None) != self.GRADE_OVERRIDE_FEATURE:
            modified = getattr(current, "modified", None)
            return {"removed": False, "left_in_place": {
                "system": current.system or "", "earned_all": getattr(current, "earned_all_override", None),
                "earned_graded": getattr(current, "earned_graded_override", None),
                "modified": modified.isoformat() if modified else None,
            }}
        grades_api.undo_override_subsection_grade(user.pk, course_key, usage_key, feature=self.GRADE_OVERRIDE_FEATURE)
        previous = (ref or {}).get("previous")
        if previous:
            grades_api.override_subsection_grade(
                user.pk, course_key, usage_key, earned_all=previous["earned_all"],
                earned_graded=previous["earned_graded"], feature=previous["system"], comment=previous["comment"],
            )
            return {"removed": True, "restored_override": previous["system"]}
        return {"removed": True}

    def grades_frozen(self, course_key):
        """
        ``lms.djangoapps.grades.grade_utils.are_grades_frozen(course_key)``: the course waffle flag
        ``grades.enforce_freeze_grade_after_course_end`` is on and ``GRADEBOOK_FREEZE_DAYS`` have passed since the
        course's end. ``override_subsection_grade`` does not check it: the override would be stored and the
        recalculation task would return without changing the grade.
        """
        from lms.djangoapps.grades.grade_utils import are_grades_frozen  # pylint: disable=import-error,import-outside-toplevel

        return bool(are_grades_frozen(course_key))

    def revoke_certificate(self, user, course_key, actor, notes):
        """
        As the instructor dashboard's ``invalidate_certificate`` (``lms/djangoapps/instructor/views/api.py``):
        ``lms.djangoapps.certificates.api.get_certificate_for_user_id(user, course_key)``, then
        ``create_certificate_invalidation_entry(certificate, actor, notes)`` (which keeps the certificate from being
        generated again) and ``certificate.invalidate(source="honorcode")``.

        A certificate an instructor already invalidated (an active ``get_certificate_invalidation_entry``) is left
        as it is, entry included. Without a certificate, the creation filter step withholds any future one.
        """
        from lms.djangoapps.certificates import api as certs_api  # pylint: disable=import-error,import-outside-toplevel

        certificate = certs_api.get_certificate_for_user_id(user, course_key)
        if certificate is None:
            return {"certificate": None}
        existing = certs_api.get_certificate_invalidation_entry(certificate)
        if existing is not None and getattr(existing, "active", False):
            return {"certificate": certificate.id, "invalidation": None, "already_invalidated": existing.id}
        if actor is None:
            raise ValueError("a certificate invalidation needs the staff member who determined the case")
        entry = certs_api.create_certificate_invalidation_entry(certificate, actor, notes)
        certificate.invalidate(source=self.CERTIFICATE_SOURCE)
        # the certificate's link (``/certificates/<verify_uuid>``) outlives it: the revoked-certificate page answers
        return {"certificate": certificate.id, "invalidation": entry.id,
                "verify_uuid": getattr(certificate, "verify_uuid", "") or ""}

    def restore_certificate(self, user, course_key, actor, ref):
        """
        As the instructor dashboard's ``re_validate_certificate``: this app's ``CertificateInvalidation`` (from
        ``certificates.api.get_certificate_invalidation_entry(certificate)``) is deactivated; the product then asks for
        the certificate again once the revert is committed (:meth:`request_certificate`, in a task), and the
        platform issues it if the learner still qualifies. An invalidation this app did not make is left alone.
        """
        from lms.djangoapps.certificates import api as certs_api  # pylint: disable=import-error,import-outside-toplevel

        if not (ref or {}).get("invalidation"):
            return {"regenerated": False}
        certificate = certs_api.get_certificate_for_user_id(user, course_key)
        if certificate is None:
            return {"regenerated": False}
        entry = certs_api.get_certificate_invalidation_entry(certificate)
        if entry is None or entry.id != ref["invalidation"]:
            return {"regenerated": False}
        entry.deactivate()
        return {"invalidation_lifted": True}

    def withheld_certificate_status(self):
        """
        ``lms.djangoapps.certificates.data.CertificateStatuses.unavailable``: the status the creation step gives a
        withheld learner's certificate. ``generation_handler._generate_certificate_task`` passes the status the
        filter returns to the ``generate_certificate`` task, which writes the certificate with it (as the handler
        itself does with ``unverified`` for a learner without ID verification); the instructor's run, the
        grade-change receiver and every other caller go on without an exception.
        """
        from lms.djangoapps.certificates.data import CertificateStatuses  # pylint: disable=import-error,import-outside-toplevel

        return CertificateStatuses.unavailable

    def request_certificate(self, user, course_key):
        """
        ``lms.djangoapps.certificates.api.generate_certificate_task(user, course_key)``, from the product's task
        (``tasks.request_certificate``): the certificate a withheld learner qualifies for is generated when nothing
        withholds it any more (the learner accepted, the sanction was reverted); the platform reads the course grade
        and runs the creation filter again. ``generation_handler.CertificateGenerationNotAllowed`` (still refused,
        e.g. by another plugin) is logged.
        """
        from lms.djangoapps.certificates import api as certs_api  # pylint: disable=import-error,import-outside-toplevel
        from lms.djangoapps.certificates.generation_handler import CertificateGenerationNotAllowed  # pylint: disable=import-error,import-outside-toplevel

        try:
            certs_api.generate_certificate_task(user, course_key)
        except CertificateGenerationNotAllowed as refused:
            log.info("No certificate generated for user %s in %s: %s", user.pk, course_key, refused)

    def on_certificate_allowlist(self, user, course_key):
        """
        ``lms.djangoapps.certificates.generation_handler.is_on_certificate_allowlist(user, course_key)``: the path
        ``generate_certificate_task`` takes for such a learner catches ``CertificateGenerationNotAllowed``.
        """
        from lms.djangoapps.certificates.generation_handler import is_on_certificate_allowlist  # pylint: disable=import-error,import-outside-toplevel

        return bool(is_on_certificate_allowlist(user, course_key))

    def bearer_token_username(self, token):
        """
        The user of a DOT access token that exists and has not expired, as ``openedx/core/lib/api/authentication.py``
        ``BearerAuthentication.authenticate_credentials`` looks it up (``oauth2_provider.models.AccessToken``).
        """
        from django.utils import timezone  # pylint: disable=import-outside-toplevel
        from oauth2_provider.models import AccessToken  # pylint: disable=import-error,import-outside-toplevel

        found = AccessToken.objects.select_related("user").filter(token=token).first()
        if found is None or found.expires < timezone.now():
            return None
        return found.user.username

    def sign_in_proves_account(self, request, user):
        """
        As ``openedx/core/djangoapps/user_authn/views/login.py`` ``login_user`` tells the two kinds of sign-in apart:
        ``first_party_auth_requested = any(request.POST.get(p) for p in ["email", "email_or_username", "password"])``.

        - A third-party sign-in (no first-party field, ``common.djangoapps.third_party_auth.is_enabled()`` and
          ``pipeline.running(request)``) was authenticated by the identity provider.
        - A first-party one proves the account only with its password, checked as ``_authenticate_first_party`` does:
          ``common.djangoapps.util.password_policy_validators.normalize_password`` (NFKC), then the user's password
          (never a match for an unusable one), and never once the sign-in's rate limit (``request.limited``) is hit:
          the step must not become a password oracle that the platform's rate limit does not cover.
        """
        if getattr(request, "limited", False):  # ``login_user``'s rate limit refuses before any password is checked
            return False
        posted = getattr(request, "POST", None) or {}
        if not any(bool(posted.get(name)) for name in ("email", "email_or_username", "password")):
            from common.djangoapps import third_party_auth  # pylint: disable=import-error,import-outside-toplevel
            from common.djangoapps.third_party_auth import pipeline  # pylint: disable=import-error,import-outside-toplevel

            return bool(third_party_auth.is_enabled() and pipeline.running(request))
        from common.djangoapps.util.password_policy_validators import normalize_password  # pylint: disable=import-error,import-outside-toplevel

        password = posted.get("password") or ""
        return bool(password and user.has_usable_password() and user.check_password(normalize_password(password)))

    def record_platform_agreement(self, user, course_key):
        """
        The platform's own integrity signature, where the operator turned it on
        (``settings.FEATURES['ENABLE_INTEGRITY_SIGNATURE']``, or the flat ``ENABLE_INTEGRITY_SIGNATURE`` of later
        releases): ``openedx.core.djangoapps.agreements.api.create_integrity_signature(username, course_id)`` (a
        get-or-create, so the learning MFE's honor code dialog does not ask a learner who accepted here).

        Returns:
            True when a signature was recorded (or was there), False when the platform's signature is off.
        """
        from django.conf import settings  # pylint: disable=import-outside-toplevel

        enabled = getattr(settings, "ENABLE_INTEGRITY_SIGNATURE", None)
        if enabled is None:
            enabled = (getattr(settings, "FEATURES", None) or {}).get("ENABLE_INTEGRITY_SIGNATURE", False)
        if not enabled:
            return False
        from openedx.core.djangoapps.agreements.api import create_integrity_signature  # pylint: disable=import-error,import-outside-toplevel

        create_integrity_signature(user.username, str(course_key))
        return True

    def course_tab_base(self):
        """
        ``xmodule.tabs.CourseTab``, the base of course tabs: ``lms/djangoapps/courseware/tabs.py``
        ``get_course_tab_list`` adds each ``is_dynamic`` tab type of ``openedx.core.lib.course_tabs.
        CourseTabPluginManager`` (entry point ``openedx.course_tab``) whose ``is_enabled(course, user)`` holds; the
        learning MFE's tab bar comes from that list (``course_home_api`` ``CourseHomeMetadataView``).
        """
        from xmodule.tabs import CourseTab  # pylint: disable=import-error,import-outside-toplevel

        return CourseTab

    def unenroll_without_refund(self, user, course_key):
        """
        ``common.djangoapps.student.models.CourseEnrollment.get_enrollment(user, course_key)`` (to keep the mode),
        then ``CourseEnrollment.unenroll(user, course_key, skip_refund=True)``, which keeps the row inactive and
        issues no refund. A ``CourseUnenrollmentStarted`` step may refuse (``UnenrollmentNotAllowed``): the sanction
        then fails with that message.
        """
        from common.djangoapps.student.models import CourseEnrollment  # pylint: disable=import-error,import-outside-toplevel

        enrollment = CourseEnrollment.get_enrollment(user, course_key)
        if enrollment is None:
            return {"was_enrolled": False}
        was_active = bool(enrollment.is_active)
        if was_active:
            CourseEnrollment.unenroll(user, course_key, skip_refund=True)
        return {"was_enrolled": was_active, "mode": enrollment.mode}

    def is_learner_of(self, user, course_key):
        """
        ``common.djangoapps.student.models.CourseEnrollment.get_enrollment(user, course_key)``: the enrollment row,
        active or not (an unenrolled learner's conduct can still be judged).
        """
        from common.djangoapps.student.models import CourseEnrollment  # pylint: disable=import-error,import-outside-toplevel

        return user is not None and CourseEnrollment.get_enrollment(user, course_key) is not None

    def reenroll(self, user, course_key, ref):
        """``CourseEnrollment.enroll(user, course_key, mode=<the mode the learner had>)`` (the default mode would reset it)."""
        from common.djangoapps.student.models import CourseEnrollment  # pylint: disable=import-error,import-outside-toplevel

        if ref.get("was_enrolled"):
            CourseEnrollment.enroll(user, course_key, mode=ref.get("mode"))
        return {}

    def terminate_account(self, user, actor):
        """
        End the learner's use of the site as the platform's own account disabling does (the support tool's
        ``lms/djangoapps/support/views/manage_user.py`` ``ManageUserDetailView.post``, and the retirement pipeline):

        - ``common.djangoapps.student.models.UserStanding`` set to ``ACCOUNT_DISABLED`` by the deciding staff member
          (``UserStandingMiddleware`` answers each signed-in request with a 403);
        - ``user.set_unusable_password()`` and ``user.save()``: every session fails
          ``CacheBackedAuthenticationMiddleware``'s session-hash check on its next request and is flushed (the save's
          ``post_save`` clears the cached user); ``login_user``, the mobile apps' password grant, the token exchange,
          single sign-on (``set_logged_in_cookies``) and ``BearerAuthentication`` all refuse an unusable password;
        - ``openedx.core.djangolib.oauth2_retirement_utils.retire_dot_oauth2_models(user)``: the learner's OAuth2
          access and refresh tokens are deleted, so no bearer token works and no new JWT can be had.

        JWTs already issued stay valid until they expire (``JWT_ACCESS_TOKEN_EXPIRE_SECONDS``, an hour): the
        plugin's ``TerminatedAccountMiddleware`` refuses them. The standing the account had before is kept for the undo.
        """
        from common.djangoapps.student.models import UserStanding  # pylint: disable=import-error,import-outside-toplevel
        from openedx.core.djangolib.oauth2_retirement_utils import retire_dot_oauth2_models  # pylint: disable=import-error,import-outside-toplevel

        if actor is None:
            raise ValueError("an account termination needs the staff member who determined the case")
        standing, created = UserStanding.objects.get_or_create(user=user, defaults={"changed_by": actor})
        previous = "" if created else (standing.account_status or "")
        standing.account_status, standing.changed_by = UserStanding.ACCOUNT_DISABLED, actor
        standing.save()
        user.set_unusable_password()
        user.save(update_fields=["password"])
        retire_dot_oauth2_models(user)
        return {"standing": UserStanding.ACCOUNT_DISABLED, "previous_standing": previous, "sessions": "ended",
                "oauth2_tokens": "deleted"}

    def restore_account(self, user, actor, ref):
        """
        ``UserStanding`` back to ``ACCOUNT_ENABLED``, unless the account was already disabled before the sanction
        (support's decision stands); the password stays unusable until support sets a new one.
        """
        from common.djangoapps.student.models import UserStanding  # pylint: disable=import-error,import-outside-toplevel

        if (ref or {}).get("previous_standing") == UserStanding.ACCOUNT_DISABLED:
            return {"standing": UserStanding.ACCOUNT_DISABLED, "password": "reset required"}
        standing, _created = UserStanding.objects.get_or_create(user=user, defaults={"changed_by": actor or user})
        standing.account_status, standing.changed_by = UserStanding.ACCOUNT_ENABLED, actor or user
        standing.save()
        return {"standing": UserStanding.ACCOUNT_ENABLED, "password": "reset required"}

    def send_notice(self, user, notice):
        """
        edx-ace: a ``HonorCodeDetermination`` message type (an ``openedx.core.djangoapps.ace_common.message.
        BaseMessageType``) personalized for ``edx_ace.recipient.Recipient(user.id, user.email)`` with the base
        template context of ``openedx.core.djangoapps.ace_common.template_context.get_base_template_context(site)``,
        sent with ``edx_ace.ace.send``. Templates: ``templates/honorcode/edx_ace/determination/email/``.

        The message is in the learner's language preference (``openedx.core.djangoapps.user_api.preferences.api.
        get_user_preference(user, LANGUAGE_KEY)``, as ``user_authn``'s password reset messages are) and branded with
        the site of ``SITE_ID`` (``Site.objects.get_current()``: a task has no request). ``ace.send`` neither raises
        nor returns anything for a message it could not deliver: the notice counts as sent only when edx-ace signals
        the delivery (:meth:`_delivered`); otherwise ``NoticeNotDelivered`` leaves it unsent, retried, and shown to
        course staff.
        """
        from django.contrib.sites.models import Site  # pylint: disable=import-outside-toplevel
        from edx_ace import ace  # pylint: disable=import-error,import-outside-toplevel
        from edx_ace.recipient import Recipient  # pylint: disable=import-error,import-outside-toplevel
        from openedx.core.djangoapps.ace_common.template_context import get_base_template_context  # pylint: disable=import-error,import-outside-toplevel
        from openedx.core.djangoapps.lang_pref import LANGUAGE_KEY  # pylint: disable=import-error,import-outside-toplevel
        from openedx.core.djangoapps.user_api.preferences.api import get_user_preference  # pylint: disable=import-error,import-outside-toplevel

        message_type = determination_message_type()
        message = message_type(context=get_base_template_context(Site.objects.get_current())).personalize(
            recipient=Recipient(user.id, user.email), language=get_user_preference(user, LANGUAGE_KEY),
            user_context=notice.context,
        )
        if not self._delivered(ace, message):
            raise NoticeNotDelivered(
                f"edx-ace delivered no message {message.uuid}: no channel is configured, a template is missing or the "
                "channel failed (ace.send reports it in the LMS's monitoring only)"
            )

    @staticmethod
    def _delivered(ace, message):
        """
        ``edx_ace.ace.send(message)``, telling whether it was delivered: ``send`` returns None and swallows what stops
        a message (no channel, a missing template, a ``ChannelError``); only a delivery sends
        ``edx_ace.signals.ACE_MESSAGE_SENT`` (``edx_ace/utils/signals.py``), synchronously, with the message's uuid.
        """
        from edx_ace.signals import ACE_MESSAGE_SENT  # pylint: disable=import-error,import-outside-toplevel

        delivered, expected = [], str(message.uuid)

        def on_sent(sender, message=None, **kwargs):  # pylint: disable=unused-argument
            if isinstance(message, dict) and message.get("uuid") == expected:
                delivered.append(message.get("channel"))

        uid = f"honorcode-notice-{expected}"
        ACE_MESSAGE_SENT.connect(on_sent, weak=False, dispatch_uid=uid)
        try:
            ace.send(message)
        finally:
            ACE_MESSAGE_SENT.disconnect(dispatch_uid=uid)
        return bool(delivered)

    def site_url(self, path):
        """``settings.LMS_ROOT_URL`` and the path."""
        from django.conf import settings  # pylint: disable=import-outside-toplevel

        return getattr(settings, "LMS_ROOT_URL", "").rstrip("/") + path

    def course_exists(self, course_key):
        """
        ``openedx.core.djangoapps.content.course_overviews.models.CourseOverview.course_exists(course_key)``: the
        LMS's catalog of published courses (a ``CourseOverview`` row per course).
        """
        from openedx.core.djangoapps.content.course_overviews.models import CourseOverview  # pylint: disable=import-error,import-outside-toplevel

        return bool(CourseOverview.course_exists(course_key))

    def course_name(self, course_key):
        """``openedx.core.djangoapps.content.course_overviews.models.CourseOverview.get_from_id(course_key)``."""
        from openedx.core.djangoapps.content.course_overviews.models import CourseOverview  # pylint: disable=import-error,import-outside-toplevel

        try:
            return CourseOverview.get_from_id(course_key).display_name or str(course_key)
        except CourseOverview.DoesNotExist:
            return str(course_key)


@lru_cache(maxsize=None)
def determination_message_type():
    """
    The edx-ace message type of determination notices, defined on first use (its base class is edx-platform's).

    ``edx_ace`` renders ``{APP_LABEL}/edx_ace/{NAME}/email/{subject.txt,body.txt,body.html,head.html,from_name.txt}``.
    """
    from openedx.core.djangoapps.ace_common.message import BaseMessageType  # pylint: disable=import-error,import-outside-toplevel

    class HonorCodeDetermination(BaseMessageType):
        """A respondent's notice of the determination of an honor code case (transactional)."""

        APP_LABEL = "honorcode"
        NAME = "determination"

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.options["transactional"] = True  # pylint: disable=no-member

    return HonorCodeDetermination
