"""
Who and where: the user and course behind a request or a block (through the platform layer), and who may do what
(the course team, limited staff, global staff, authors). Each ``require_*`` refuses with ``NotPermitted`` or
``NotFound``.
"""
from django.core.cache import cache
from django.utils.translation import gettext as _

from honorcode_xblock import policy
from honorcode_xblock.domain import common
from honorcode_xblock.exceptions import NotFound, NotPermitted
from honorcode_xblock.platform import get_platform


def user_for_xblock_user(xblock_user):
    """The Django user behind an XBlock user service's current user, or None for an anonymous visitor."""
    return get_platform().user_from_xblock_user(xblock_user) if xblock_user is not None else None


def course_key_for_block(block):
    """The course a block belongs to, or None outside a course."""
    return get_platform().course_key_for_block(block)


def is_masquerading(user):
    """Whether the current request is staff viewing the course as ``user``."""
    return get_platform().is_masquerading(user)


#: How long a user's course-staff standing is kept in the cache (role changes take effect within it).
STAFF_CACHE_SECONDS = 300


def _course_role(user, course_key):
    """
    ``user``'s place on the course team: ``"team"`` (staff, instructors, global staff), ``"limited"`` (limited staff,
    the platform's course staff without Studio access) or ``""``.

    The platform's answer costs role queries; it is kept in Django's cache for a few minutes, since both the block
    (the staff's counts) and the gate (the staff exemption) ask on every render.
    """
    if user is None:
        return ""
    key = f"honorcode:role:{course_key}:{user.pk}"
    cached = common.quietly(cache.get, key)
    if cached is None:
        platform = get_platform()
        if platform.is_course_staff(user, course_key):  # limited staff are asked about only when not on the team
            cached = policy.TEAM
        else:
            cached = policy.LIMITED_STAFF if platform.is_limited_staff(user, course_key) else ""
        common.quietly(cache.set, key, cached, STAFF_CACHE_SECONDS)
    return cached


def is_course_staff(user, course_key):
    """
    Whether ``user`` is on the course team (or global staff): who sees the acceptance counts and works on cases.
    Limited staff are not (see ``policy.LIMITED_STAFF``).
    """
    return _course_role(user, course_key) == policy.TEAM


def is_gate_exempt_staff(user, course_key):
    """Whether ``user`` is course staff the gate exempts (the team and limited staff alike)."""
    return _course_role(user, course_key) in policy.GATE_EXEMPT_ROLES


def can_edit_course(user, course_key):
    """
    Whether ``user`` may change the course's honor code settings: an author of the course in Studio (never its
    limited staff, in Studio, the LMS or the API alike).
    """
    return user is not None and get_platform().can_edit_course(user, course_key)


def acting_for_themselves(user):
    """Whether the current request is the learner's own (not staff viewing as them, not a task acting for them)."""
    requester = current_user()
    return requester is not None and requester.pk == user.pk and not is_masquerading(user)


def current_user():
    """The learner the current request renders for (the masqueraded learner when staff view as one), or None."""
    return get_platform().current_user()


def user_for_request(request):
    """The user a request acts for, or None."""
    return get_platform().user_for_request(request)


def is_global_staff(user):
    """Whether ``user`` is global staff (publishes policy versions, terminates accounts)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active
                and get_platform().is_global_staff(user))


def require_signed_in(user):
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise NotPermitted(_("Sign in first."))


def require_course_staff(user, course_key):
    """
    Refuse anyone who is not on the course team of ``course_key`` (or global staff), asking the platform each time
    (the gate's cached answer may be minutes old).

    Raises:
        NotPermitted; NotFound when the platform has no such course.
    """
    require_signed_in(user)
    platform = get_platform()
    if not platform.is_course_staff(user, course_key):  # live: a removed role stops case work at once
        raise NotPermitted(_("Only the course team of {course} can do this.").format(course=course_key))
    if not platform.course_exists(course_key):  # asked second: nobody off the team learns which courses exist
        raise NotFound(_("There is no course {course}.").format(course=course_key))


def require_course_staff_or(user, course_key, missing):
    """
    Refuse with ``missing`` (a ``NotFound``) anyone not on the course team: someone who may not see a record learns
    nothing of whether it exists, and gets the same answer as for an id that names nothing.
    """
    if not get_platform().is_course_staff(user, course_key):
        raise missing


def require_global_staff(user):
    """Refuse anyone who is not global staff (``NotPermitted``)."""
    require_signed_in(user)
    if not is_global_staff(user):
        raise NotPermitted(_("Only global staff can do this."))


def course_name(course_key):
    """The course's display name (its key when the platform has none)."""
    return get_platform().course_name(course_key) or str(course_key)


def course_tab_base():
    """The platform's course tab class (the base of the "Honor code cases" tab)."""
    return get_platform().course_tab_base()

