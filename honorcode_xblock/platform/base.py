"""The interface every platform implements."""
import abc
from dataclasses import dataclass

from opaque_keys.edx.keys import CourseKey


def course_key_of(usage_key):
    """
    The course a usage key belongs to, without branch or version (so Studio's and the LMS's keys agree), or None.

    Content libraries and other non-course contexts give None.
    """
    context_key = getattr(usage_key, "context_key", None)
    if not isinstance(context_key, CourseKey):
        return None
    if getattr(context_key, "branch", None) or getattr(context_key, "version_guid", None):
        context_key = context_key.replace(branch=None, version_guid=None)
    return context_key


@dataclass(frozen=True)
class ProblemSettings:
    """A problem of a course and the settings that decide when a learner may see its answer (inheritance applied)."""

    usage_key: str
    display_name: str
    #: ``showanswer``: "always", "answered", "attempted", "closed", "finished", "past_due", "after_attempts", ...
    showanswer: str
    #: ``max_attempts``: None for unlimited.
    max_attempts: object = None
    #: ``attempts_before_showanswer_button`` (for ``after_attempts``).
    attempts_before_showanswer: int = 0
    #: ``show_correctness``: "always", "never" or "past_due".
    show_correctness: str = "always"
    graded: bool = False


class Platform(abc.ABC):
    """
    What the honor code app needs from the platform it runs in.

    Implementations: :class:`~honorcode_xblock.platform.openedx.OpenEdxPlatform` (calls edx-platform) and
    :class:`~honorcode_xblock.platform.standalone.platform.StandalonePlatform` (the same work on the tables of its own
    app, ``honorcode_standalone``).
    """

    #: Short name shown in logs and the admin.
    name = ""

    @abc.abstractmethod
    def user_from_xblock_user(self, xblock_user):
        """
        The Django user behind the XBlock user service's current user.

        Arguments:
            xblock_user (xblock.reference.user_service.XBlockUser): from ``user_service.get_current_user()``.

        Returns:
            a ``User``, or None for an anonymous visitor.
        """

    @abc.abstractmethod
    def is_masquerading(self, user):
        """
        Whether the person making the current request is staff viewing the course as ``user`` (masquerade).

        Such a request may show the learner's state but must never act for the learner.
        """

    @abc.abstractmethod
    def course_key_for_block(self, block):
        """
        The course (``CourseKey``) a block belongs to.

        Returns:
            a ``CourseKey``, or None when the block lives outside any course (e.g. a content library).
        """

    @abc.abstractmethod
    def is_course_staff(self, user, course_key):
        """Whether ``user`` is on the course team of ``course_key`` (staff, instructor) or is global staff."""

    @abc.abstractmethod
    def can_edit_course(self, user, course_key):
        """Whether ``user`` may change the course's content and settings (Studio write access)."""

    @abc.abstractmethod
    def assignment_name(self, usage_key):
        """
        The display name of the assignment at ``usage_key``.

        Returns:
            the name (str), "" when the platform cannot name blocks, or None when no such block exists.
        """

    @abc.abstractmethod
    def is_graded(self, block, context=None):
        """
        Whether ``block`` sits in a graded subsection (what the gate withholds).

        Arguments:
            block: the block about to render.
            context (dict or None): the render context its container passes on.
        """

    @abc.abstractmethod
    def is_gradable_usage(self, usage_key):
        """
        Whether the block at ``usage_key`` is graded work: a leaf block in a graded subsection.

        Returns:
            True, False (ungraded, or a container such as a unit or subsection, whose handlers serve navigation and
            completion), or None when no such block exists.
        """

    @abc.abstractmethod
    def handler_call(self, request):
        """
        The XBlock handler call a request makes, or None.

        Returns:
            (course_key, usage_key mapped into that course), or None when the request does not call a block
            handler or render a block.
        """

    @abc.abstractmethod
    def block_type(self, usage_key):
        """The block type of the usage key :meth:`handler_call` returned ("" when it names no block)."""

    @abc.abstractmethod
    def user_for_request(self, request):
        """The user a request acts for, or None for an anonymous visitor."""

    @abc.abstractmethod
    def accept_query(self, user):
        """Query string (without ``?``) that the accept endpoint needs to identify ``user`` ("" when the session does)."""

    @abc.abstractmethod
    def previews_as_learner(self, user, course_key):
        """Whether course staff ``user`` is viewing the course in the role of a learner (so is not exempt)."""

    @abc.abstractmethod
    def current_user(self):
        """The user the current request renders the courseware for, or None."""

    # --- staff standing, sanctions and notifications (each returns what its reversal needs) --------------------------

    @abc.abstractmethod
    def is_global_staff(self, user):
        """Whether ``user`` is global staff (may publish policy versions and terminate accounts)."""

    @abc.abstractmethod
    def find_user(self, username):
        """The active or inactive user with this username, or None."""

    @abc.abstractmethod
    def graded_assignment(self, course_key, usage_key):
        """
        The assignment whose grade zero credit overrides, for a usage key a case names.

        Returns:
            the key (str) of the graded subsection that holds ``usage_key`` (or is it), or None when the key names
            no block of ``course_key`` in a graded subsection.
        """

    @abc.abstractmethod
    def override_grade_to_zero(self, user, course_key, usage_key, actor, comment):
        """Override the learner's grade on the assignment to zero. Returns what the undo needs."""

    @abc.abstractmethod
    def undo_grade_override(self, user, course_key, usage_key, ref):
        """Remove the override :meth:`override_grade_to_zero` made."""

    @abc.abstractmethod
    def revoke_certificate(self, user, course_key, actor, notes):
        """Invalidate the learner's certificate in the course, if there is one. Returns what the undo needs."""

    @abc.abstractmethod
    def restore_certificate(self, user, course_key, actor, ref):
        """Undo :meth:`revoke_certificate`."""

    @abc.abstractmethod
    def unenroll_without_refund(self, user, course_key):
        """Unenroll the learner from the course; no refund is issued. Returns what re-enrolling needs."""

    @abc.abstractmethod
    def reenroll(self, user, course_key, ref):
        """Undo :meth:`unenroll_without_refund` (in the mode the learner had)."""

    @abc.abstractmethod
    def terminate_account(self, user, actor):
        """End the learner's use of the site: no sign-in, no sessions. Returns what the undo needs."""

    @abc.abstractmethod
    def restore_account(self, user, actor, ref):
        """Undo :meth:`terminate_account` as far as the platform allows (the password stays unusable)."""

    @abc.abstractmethod
    def send_notification(self, user, notification):
        """
        Send one learner a message.

        Arguments:
            notification (honorcode_xblock.notifications.NotificationMessage): subject, text and HTML bodies, and the context
                they were rendered from.
        """

    @abc.abstractmethod
    def site_url(self, path):
        """An absolute URL for a path on this site (for links in messages)."""

    @abc.abstractmethod
    def assignment_name_in_course(self, course_key, usage_key):
        """
        The display name of the block a case names, if it belongs to ``course_key``.

        Arguments:
            usage_key (str): as staff typed it.
        Returns:
            the name ("" when the platform cannot name blocks), or None when it is no block of the course.
        """

    @abc.abstractmethod
    def course_exists(self, course_key):
        """Whether the platform has a course with this key (cases and exports are only about real courses)."""

    @abc.abstractmethod
    def course_name(self, course_key):
        """The course's display name ("" when unknown)."""

    @abc.abstractmethod
    def course_problems(self, course_key):
        """
        The course's problems with their answer settings, course-wide defaults applied.

        Returns:
            a list of :class:`ProblemSettings` (empty for a course without problems).
        """

    @abc.abstractmethod
    def grades_frozen(self, course_key):
        """Whether the course's grades are frozen (a grade override would not change them)."""

    @abc.abstractmethod
    def withheld_certificate_status(self):
        """The status the certificate creation step gives the certificate of a learner it withholds."""

    @abc.abstractmethod
    def request_certificate(self, user, course_key):
        """Ask the platform, once the transaction commits, to generate the learner's certificate if they qualify."""

    def certificate_link_uuid(self, request):
        """
        The ``verify_uuid`` a request for a certificate's public page names, or None for any other request: the LMS's
        ``lms/djangoapps/certificates/urls.py`` mounts ``render_cert_by_uuid`` (namespace ``certificates``) at
        ``/certificates/<certificate_uuid>`` (the demo mounts its stand-in under the same names). The LMS's view loads
        only a downloadable certificate (``GeneratedCertificate.eligible_certificates.get(verify_uuid=...,
        status=downloadable)``) and answers ``Http404`` for an invalidated one, before ``CertificateRenderStarted``
        could run.
        """
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name != "render_cert_by_uuid" or "certificates" not in match.namespaces:
            return None
        return match.kwargs.get("certificate_uuid")

    @abc.abstractmethod
    def sign_in_proves_account(self, request, user):
        """
        Whether a sign-in request proves it comes from the holder of ``user``'s account: the account's own password,
        or an identity provider's sign-on. (Only then may a refusal say why; anyone else gets the answer to a wrong
        password.)
        """

    def on_certificate_allowlist(self, user, course_key):
        """Whether the learner is on the course's certificate allowlist (a platform without one answers False)."""
        return False

    @staticmethod
    def request_jwt(request):
        """
        The JWT a request carries: ``Authorization: JWT <token>``, or the JWT cookies the MFEs send
        (edx-drf-extensions ``auth/jwt/cookies.py``: the whole token, or its header-and-payload and signature cookies).
        """
        from edx_rest_framework_extensions.auth.jwt.cookies import (  # pylint: disable=import-outside-toplevel
            jwt_cookie_header_payload_name,
            jwt_cookie_name,
            jwt_cookie_signature_name,
        )

        scheme, _sep, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "jwt" and token.strip():
            return token.strip()
        cookies = getattr(request, "COOKIES", {})
        if cookies.get(jwt_cookie_name()):
            return cookies[jwt_cookie_name()]
        header_payload = cookies.get(jwt_cookie_header_payload_name())
        signature = cookies.get(jwt_cookie_signature_name())
        return f"{header_payload}.{signature}" if header_payload and signature else None

    def request_carries_token(self, request):
        """Whether a request carries a JWT or an OAuth2 bearer token (cheap: headers and cookies only)."""
        scheme = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")[0].lower()
        return scheme == "bearer" or self.request_jwt(request) is not None

    def token_username(self, request, verified):
        """
        The username of the token a request carries, or None.

        A JWT names it in its ``preferred_username`` (else ``username``) claim, as edx-drf-extensions'
        ``JwtAuthentication`` reads it; ``verified`` checks its signature and expiry with the site's configured
        decoder (``auth/jwt/decoder.py`` ``configured_jwt_decode_handler``), else it is only decoded. A bearer token
        is looked up (:meth:`bearer_token_username`), which is its verification.
        """
        from edx_rest_framework_extensions.auth.jwt.decoder import (  # pylint: disable=import-outside-toplevel
            configured_jwt_decode_handler,
            unsafe_jwt_decode_handler,
        )

        scheme, _sep, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return self.bearer_token_username(credentials.strip())
        token = self.request_jwt(request)
        if not token:
            return None
        try:
            payload = configured_jwt_decode_handler(token) if verified else unsafe_jwt_decode_handler(token)
        except Exception:  # pylint: disable=broad-except  (malformed, forged or expired: the view answers it)
            return None
        return (payload.get("preferred_username") or payload.get("username")) if isinstance(payload, dict) else None

    def bearer_token_username(self, token):
        """The username of a valid OAuth2 access token (a platform without them answers None)."""
        return None

    def is_limited_staff(self, user, course_key):
        """
        Whether ``user`` is the course's limited staff: on the course team in the courseware, without access to
        Studio. A platform without that role answers False.
        """
        return False

    def record_platform_agreement(self, user, course_key):
        """
        Record the platform's own honor-code agreement for the learner in the course, where the platform has one
        and it is on (so that the learner is not asked twice). Returns whether one was recorded.
        """
        return False

    def course_tab_base(self):
        """The base class of the platform's course tabs (only a platform with course tabs has one)."""
        raise NotImplementedError(f"the {self.name} platform has no course tabs")

    def is_learner_of(self, user, course_key):
        """
        Whether ``user`` is or was enrolled in the course (a case can only be about the course's learners).

        A platform that knows no enrollments takes every user as a learner.
        """
        return user is not None
