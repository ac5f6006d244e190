"""
The Open edX platform: the only module that calls edx-platform.

edx-platform is imported lazily inside each method, so this module imports anywhere (the tests import it to check
it against doubles shaped like the real objects). Every method wraps one edx-platform call and names it.
"""
from django.contrib.auth import get_user_model

from honorcode_xblock.platform.base import Platform, course_key_of

#: XBlock user service attributes set by ``common/djangoapps/xblock_django/user_service.py``
#: (``DjangoXBlockUserService._convert_django_user_to_xblock_user``; keys in ``xblock_django/constants.py``).
ATTR_KEY_IS_AUTHENTICATED = "edx-platform.is_authenticated"
ATTR_KEY_USER_ID = "edx-platform.user_id"
ATTR_KEY_USER_IS_STAFF = "edx-platform.user_is_staff"


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

    def course_key_for_block(self, block):
        """
        The course of a block: ``block.scope_ids.usage_id.context_key`` (an ``opaque_keys`` ``UsageKey``).

        In the LMS and in Studio the usage id of a course block is a ``BlockUsageLocator`` whose ``context_key``
        is the ``CourseLocator`` (Studio's may carry a branch, dropped here); in a content library it is a library
        locator, which is not a course.
        """
        return course_key_of(block.scope_ids.usage_id)

    def is_course_staff(self, xblock_user, user, course_key):
        """
        Read ``edx-platform.user_is_staff`` from the XBlock user service.

        ``lms/djangoapps/courseware/block_render.py`` (``get_block_for_descriptor``) passes
        ``user_is_staff=has_access(user, 'staff', course_key)`` to ``DjangoXBlockUserService``, which exposes it as
        ``ATTR_KEY_USER_IS_STAFF``: True for course staff, instructors and global staff.
        """
        return user is not None and bool(xblock_user.opt_attrs.get(ATTR_KEY_USER_IS_STAFF))
