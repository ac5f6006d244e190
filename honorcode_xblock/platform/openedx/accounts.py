"""
Accounts and enrollments: sign-in, the platform's own honor code agreement, unenrollment, termination.

Part of :class:`honorcode_xblock.platform.openedx.OpenEdxPlatform`: edx-platform is imported lazily inside each
method, and each method names the edx-platform call it wraps.
"""





class Accounts:
    """Accounts and enrollments: sign-in, the platform's own honor code agreement, unenrollment, termination."""

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
            from common.djangoapps.third_party_auth import (
                pipeline,  # pylint: disable=import-error,import-outside-toplevel
            )

            return bool(third_party_auth.is_enabled() and pipeline.running(request))
        from common.djangoapps.util.password_policy_validators import (
            normalize_password,  # pylint: disable=import-error,import-outside-toplevel
        )

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
        from openedx.core.djangoapps.agreements.api import (
            create_integrity_signature,  # pylint: disable=import-error,import-outside-toplevel
        )

        create_integrity_signature(user.username, str(course_key))
        return True

    def unenroll_without_refund(self, user, course_key):
        """
        ``common.djangoapps.student.models.CourseEnrollment.get_enrollment(user, course_key)`` (to keep the mode),
        then ``CourseEnrollment.unenroll(user, course_key, skip_refund=True)``, which keeps the row inactive and
        issues no refund. A ``CourseUnenrollmentStarted`` step may refuse (``UnenrollmentNotAllowed``): the sanction
        then fails with that message.
        """
        from common.djangoapps.student.models import (
            CourseEnrollment,  # pylint: disable=import-error,import-outside-toplevel
        )

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
        from common.djangoapps.student.models import (
            CourseEnrollment,  # pylint: disable=import-error,import-outside-toplevel
        )

        return user is not None and CourseEnrollment.get_enrollment(user, course_key) is not None

    def reenroll(self, user, course_key, ref):
        """``CourseEnrollment.enroll(user, course_key, mode=<the mode the learner had>)`` (the default mode would reset it)."""
        from common.djangoapps.student.models import (
            CourseEnrollment,  # pylint: disable=import-error,import-outside-toplevel
        )

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
        from common.djangoapps.student.models import (
            UserStanding,  # pylint: disable=import-error,import-outside-toplevel
        )
        from openedx.core.djangolib.oauth2_retirement_utils import (
            retire_dot_oauth2_models,  # pylint: disable=import-error,import-outside-toplevel
        )

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
        from common.djangoapps.student.models import (
            UserStanding,  # pylint: disable=import-error,import-outside-toplevel
        )

        if (ref or {}).get("previous_standing") == UserStanding.ACCOUNT_DISABLED:
            return {"standing": UserStanding.ACCOUNT_DISABLED, "password": "reset required"}
        standing, _created = UserStanding.objects.get_or_create(user=user, defaults={"changed_by": actor or user})
        standing.account_status, standing.changed_by = UserStanding.ACCOUNT_ENABLED, actor or user
        standing.save()
        return {"standing": UserStanding.ACCOUNT_ENABLED, "password": "reset required"}
