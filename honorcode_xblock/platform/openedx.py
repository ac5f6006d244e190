"""
The Open edX platform: the only module that calls edx-platform.

edx-platform is imported lazily inside each method, so this module imports anywhere (the tests run it against
doubles shaped like the real modules). Every method wraps one edx-platform call and names it.
"""
import logging
from functools import lru_cache

from crum import get_current_user
from django.contrib.auth import get_user_model
from django.db import transaction

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
        """``common.djangoapps.student.auth.has_studio_write_access(user, course_key)``: may edit the course."""
        from common.djangoapps.student.auth import has_studio_write_access  # pylint: disable=import-error,import-outside-toplevel

        return user is not None and bool(has_studio_write_access(user, course_key))

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
        if existing is not None and getattr(existing, "system", None) not in (None, "", self.GRADE_OVERRIDE_FEATURE):
            ref["previous"] = {
                "system": existing.system,
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
        ``lms.djangoapps.grades.api.undo_override_subsection_grade(user_id, course_key, usage_key,
        feature="honorcode")``: deletes only this app's override (returns quietly when there is none); an override
        another feature had made before is put back with ``override_subsection_grade(..., feature=<its system>)``.
        """
        from lms.djangoapps.grades import api as grades_api  # pylint: disable=import-error,import-outside-toplevel

        grades_api.undo_override_subsection_grade(user.pk, course_key, usage_key, feature=self.GRADE_OVERRIDE_FEATURE)
        previous = (ref or {}).get("previous")
        if previous:
            grades_api.override_subsection_grade(
                user.pk, course_key, usage_key, earned_all=previous["earned_all"],
                earned_graded=previous["earned_graded"], feature=previous["system"], comment=previous["comment"],
            )
            return {"restored_override": previous["system"]}
        return {}

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
        return {"certificate": certificate.id, "invalidation": entry.id}

    def restore_certificate(self, user, course_key, actor, ref):
        """
        As the instructor dashboard's ``re_validate_certificate``: this app's ``CertificateInvalidation`` (from
        ``certificates.api.get_certificate_invalidation_entry(certificate)``) is deactivated, then
        ``certificates.api.generate_certificate_task(user, course_key)`` issues the certificate again if the
        learner still qualifies, once the revert is committed; ``generation_handler.CertificateGenerationNotAllowed``
        (the learner does not) is logged, not an error. An invalidation this app did not make is left alone.
        """
        from lms.djangoapps.certificates import api as certs_api  # pylint: disable=import-error,import-outside-toplevel
        from lms.djangoapps.certificates.generation_handler import CertificateGenerationNotAllowed  # pylint: disable=import-error,import-outside-toplevel

        if not (ref or {}).get("invalidation"):
            return {"regenerated": False}
        certificate = certs_api.get_certificate_for_user_id(user, course_key)
        if certificate is None:
            return {"regenerated": False}
        entry = certs_api.get_certificate_invalidation_entry(certificate)
        if entry is None or entry.id != ref["invalidation"]:
            return {"regenerated": False}
        entry.deactivate()

        def regenerate():
            try:
                certs_api.generate_certificate_task(user, course_key)
            except CertificateGenerationNotAllowed as refused:
                log.info("No certificate generated again for user %s in %s: %s", user.pk, course_key, refused)

        # after the commit: a worker that starts the generation must see the invalidation lifted
        transaction.on_commit(regenerate, robust=True)
        return {"regeneration": "requested"}

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
        ``common.djangoapps.student.models.UserStanding`` set to ``ACCOUNT_DISABLED`` (``UserStandingMiddleware``
        answers every signed-in request with a 403) and ``user.set_unusable_password()`` (as the support tool's
        ``ManageUserDetailView`` disables an account); the ``StudentLoginRequested`` step refuses the sign-in. The
        standing the account had before is kept for the undo.
        """
        from common.djangoapps.student.models import UserStanding  # pylint: disable=import-error,import-outside-toplevel

        if actor is None:
            raise ValueError("an account termination needs the staff member who determined the case")
        standing, created = UserStanding.objects.get_or_create(user=user, defaults={"changed_by": actor})
        previous = "" if created else (standing.account_status or "")
        standing.account_status, standing.changed_by = UserStanding.ACCOUNT_DISABLED, actor
        standing.save()
        user.set_unusable_password()
        user.save(update_fields=["password"])
        return {"standing": UserStanding.ACCOUNT_DISABLED, "previous_standing": previous}

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
        the site of ``SITE_ID`` (``Site.objects.get_current()``: a task has no request). ``ace.send`` reports a
        missing template or a channel error in its log instead of raising.
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
        ace.send(message)

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
