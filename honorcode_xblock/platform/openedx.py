"""
The Open edX platform: the only module that calls edx-platform.

edx-platform is imported lazily inside each method, so this module imports anywhere (the tests run it against
doubles shaped like the real modules). Every method wraps one edx-platform call and names it.
"""
from crum import get_current_user
from django.contrib.auth import get_user_model

from honorcode_xblock.platform.base import Platform, course_key_of

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
        return get_user_model().objects.filter(pk=user_id, is_active=True).first()

    def is_masquerading(self, user):
        """
        Compare ``user`` with the user who made the request.

        ``lms/djangoapps/courseware/masquerade.py`` ``setup_masquerade`` renders the courseware for the
        masqueraded learner while ``request.user`` stays the staff member; edx-platform installs
        ``crum.CurrentRequestUserMiddleware``, so ``crum.get_current_user()`` is that real requester.
        """
        requester = get_current_user()
        if user is None or requester is None or not getattr(requester, "is_authenticated", False):
            return False
        return requester.pk != user.pk

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
