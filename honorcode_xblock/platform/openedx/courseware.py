"""
Users, courses, course teams and the courseware's blocks and requests, in the Open edX LMS and CMS.

Part of :class:`honorcode_xblock.platform.openedx.OpenEdxPlatform`: edx-platform is imported lazily inside each
method, and each method names the edx-platform call it wraps.
"""
from crum import get_current_user
from django.contrib.auth import get_user_model

from honorcode_xblock.platform.base import ProblemSettings, course_key_of

#: XBlock user service attributes set by ``common/djangoapps/xblock_django/user_service.py``
#: (``DjangoXBlockUserService._convert_django_user_to_xblock_user``; keys in ``xblock_django/constants.py``).
ATTR_KEY_IS_AUTHENTICATED = "edx-platform.is_authenticated"
ATTR_KEY_USER_ID = "edx-platform.user_id"


class Courseware:
    """Users, courses, course teams and the courseware's blocks and requests, in the Open edX LMS and CMS."""

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
        from common.djangoapps.student.auth import (
            has_studio_read_access,  # pylint: disable=import-error,import-outside-toplevel
        )

        return user is not None and bool(has_studio_read_access(user, course_key))

    def can_edit_course(self, user, course_key):
        """
        ``common.djangoapps.student.auth.has_studio_write_access(user, course_key)`` and ``has_studio_read_access``:
        an author of the course in Studio.

        Both, because ``get_user_permissions`` gives a course's limited staff write access alone where
        ``SERVICE_VARIANT`` is ``lms`` (and nothing in Studio): asking for both refuses them in the LMS as in Studio.
        """
        from common.djangoapps.student.auth import (  # pylint: disable=import-error,import-outside-toplevel
            has_studio_read_access,
            has_studio_write_access,
        )

        return user is not None and bool(has_studio_write_access(user, course_key)) and bool(
            has_studio_read_access(user, course_key))

    def is_limited_staff(self, user, course_key):
        """
        ``common.djangoapps.student.roles.CourseLimitedStaffRole(course_key).has_user(user)``: a staff member of the
        course without access to Studio (``has_studio_read_access`` is False for them).
        """
        from common.djangoapps.student.roles import (
            CourseLimitedStaffRole,  # pylint: disable=import-error,import-outside-toplevel
        )

        return user is not None and bool(CourseLimitedStaffRole(course_key).has_user(user))

    def assignment_name(self, usage_key):
        """
        ``xmodule.modulestore.django.modulestore().get_item(usage_key).display_name``.

        ``get_item`` raises ``xmodule.modulestore.exceptions.ItemNotFoundError`` for a key with no block.
        """
        from xmodule.modulestore.django import modulestore  # pylint: disable=import-error,import-outside-toplevel
        from xmodule.modulestore.exceptions import (
            ItemNotFoundError,  # pylint: disable=import-error,import-outside-toplevel
        )

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
        from xmodule.modulestore.exceptions import (
            ItemNotFoundError,  # pylint: disable=import-error,import-outside-toplevel
        )

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
        from edx_rest_framework_extensions.auth.jwt.authentication import (
            JwtAuthentication,  # pylint: disable=import-error,import-outside-toplevel
        )
        from openedx.core.lib.api.authentication import (
            BearerAuthenticationAllowInactiveUser,  # pylint: disable=import-error,import-outside-toplevel
        )
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

    def is_global_staff(self, user):
        """``common.djangoapps.student.roles.GlobalStaff().has_user(user)`` (``user.is_staff``)."""
        from common.djangoapps.student.roles import GlobalStaff  # pylint: disable=import-error,import-outside-toplevel

        return user is not None and user.is_active and bool(GlobalStaff().has_user(user))

    def find_user(self, username):
        """``User.objects.filter(username=...)``: the LMS's users are Django's ``auth_user``."""
        return get_user_model().objects.filter(username=username).first()

    def course_tab_base(self):
        """
        ``xmodule.tabs.CourseTab``, the base of course tabs: ``lms/djangoapps/courseware/tabs.py``
        ``get_course_tab_list`` adds each ``is_dynamic`` tab type of ``openedx.core.lib.course_tabs.
        CourseTabPluginManager`` (entry point ``openedx.course_tab``) whose ``is_enabled(course, user)`` holds; the
        learning MFE's tab bar comes from that list (``course_home_api`` ``CourseHomeMetadataView``).
        """
        from xmodule.tabs import CourseTab  # pylint: disable=import-error,import-outside-toplevel

        return CourseTab

    def site_url(self, path):
        """``settings.LMS_ROOT_URL`` and the path."""
        from django.conf import settings  # pylint: disable=import-outside-toplevel

        return getattr(settings, "LMS_ROOT_URL", "").rstrip("/") + path

    def course_exists(self, course_key):
        """
        ``openedx.core.djangoapps.content.course_overviews.models.CourseOverview.course_exists(course_key)``: the
        LMS's catalog of published courses (a ``CourseOverview`` row per course).
        """
        from openedx.core.djangoapps.content.course_overviews.models import (
            CourseOverview,  # pylint: disable=import-error,import-outside-toplevel
        )

        return bool(CourseOverview.course_exists(course_key))

    def course_name(self, course_key):
        """``openedx.core.djangoapps.content.course_overviews.models.CourseOverview.get_from_id(course_key)``."""
        from openedx.core.djangoapps.content.course_overviews.models import (
            CourseOverview,  # pylint: disable=import-error,import-outside-toplevel
        )

        try:
            return CourseOverview.get_from_id(course_key).display_name or str(course_key)
        except CourseOverview.DoesNotExist:
            return str(course_key)

    def course_problems(self, course_key):
        """
        ``xmodule.modulestore.django.modulestore().get_items(course_key, qualifiers={"category": "problem"})``
        (``xmodule/modulestore/split_mongo/split.py`` ``SplitMongoModuleStore.get_items`` @ e7d393d): the course's
        problem blocks, whose ``showanswer``, ``max_attempts`` and ``show_correctness`` are inherited settings
        (``xmodule/modulestore/inheritance.py`` ``InheritanceMixin`` @ e57a655: a problem that does not set one takes
        its subsection's, else the course's Advanced Settings value, else ``showanswer`` "finished" and unlimited
        attempts); ``attempts_before_showanswer_button`` is the problem's own field (``xmodule/capa_block.py`` @
        09b3dcc). The extracted problem block of openedx/xblocks-contrib has the same fields and category.
        """
        from xmodule.modulestore.django import modulestore  # pylint: disable=import-error,import-outside-toplevel

        problems = []
        for block in modulestore().get_items(course_key, qualifiers={"category": "problem"}):
            problems.append(ProblemSettings(
                usage_key=str(block.location),
                display_name=getattr(block, "display_name", "") or "",
                showanswer=getattr(block, "showanswer", "") or "",
                max_attempts=getattr(block, "max_attempts", None),
                attempts_before_showanswer=getattr(block, "attempts_before_showanswer_button", 0) or 0,
                show_correctness=getattr(block, "show_correctness", "always") or "always",
                graded=bool(getattr(block, "graded", False)),
            ))
        return sorted(problems, key=lambda problem: problem.usage_key)
