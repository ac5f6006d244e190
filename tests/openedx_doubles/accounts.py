"""
Accounts: enrollments, standing, course roles, sign-in and OAuth2 tokens.

Read from openedx-platform @ e57a655d77b614f19223984e9805b1fb940ab192 (other versions where named):

- ``common/djangoapps/student/models/course_enrollment.py`` ``CourseEnrollment``: ``get_enrollment`` (None for an
  anonymous user), ``enrollment_mode_for_user`` (mode and is_active of the row), ``is_enrolled``,
  ``unenroll(user, course_id, skip_refund=False)`` (keeps the row inactive with its mode; a ``CourseUnenrollmentStarted``
  step may refuse with ``UnenrollmentNotAllowed``), ``enroll(user, course_key, mode=None, ...)`` (``mode=None`` is the
  course's default mode, not the learner's earlier one).
- ``common/djangoapps/student/models/user.py`` ``UserStanding`` (``account_status`` "disabled"/"enabled",
  ``changed_by`` a required foreign key), enforced by ``common/djangoapps/student/middleware.py``
  ``UserStandingMiddleware`` for session users only.
- ``common/djangoapps/student/roles.py``: ``GlobalStaff``, ``CourseStaffRole``, ``CourseInstructorRole`` and
  ``CourseLimitedStaffRole`` ("A Staff member of a course without access to Studio"; ``CourseStaffRole.has_user`` is
  True for limited staff by role inheritance). ``common/djangoapps/student/auth.py`` ``get_user_permissions``: limited
  staff get ``STUDIO_EDIT_CONTENT`` alone where ``SERVICE_VARIANT`` is ``lms`` and nothing in Studio, so in the LMS
  ``has_studio_write_access`` is True and ``has_studio_read_access`` False for them.
- ``openedx/core/djangoapps/user_authn/views/login.py`` ``login_user`` (``/login_ajax``): the user is looked up by the
  email, a locked-out account is refused, then ``StudentLoginRequested`` runs (before the password is checked; a
  ``PreventLogin`` becomes ``AuthFailedError(str(exc), redirect_url, error_code, context)``), then the password
  (``authenticate``: an unusable password never matches), then ``_handle_failed_authentication``: HTTP 400
  ``{"success": false, "value": "Email or password is incorrect.", "error_code": "incorrect-email-or-password",
  "context": {"failure_count": N}, "email": ...}``. A third-party-auth request with no first-party field skips the
  password. (``user_authn/exceptions.py`` read at the nearest stored version.)
- ``openedx/core/djangolib/oauth2_retirement_utils.py`` ``retire_dot_oauth2_models(user)``: deletes the user's DOT
  access tokens, refresh tokens, grants and applications (the support tool's account disabling and the retirement
  pipeline call it).
- ``openedx/core/lib/api/authentication.py`` ``BearerAuthentication`` / ``BearerAuthenticationAllowInactiveUser``: the
  token is looked up with ``oauth2_provider.models.AccessToken.objects.select_related('user').filter(token=...)``; one
  that no longer exists is refused (``token_nonexistent``), so is one past its ``expires`` (``token_expired``) and a
  user with an unusable password who owns no OAuth2 application (``user_is_disabled``); a header of one word, or of
  more than two, is refused too (``token_not_provided``, ``token_malformed``).
- ``lms/djangoapps/courseware/masquerade.py``: ``MASQUERADE_SETTINGS_KEY`` and ``is_masquerading_as_student``.
- ``common/djangoapps/third_party_auth``: ``is_enabled()`` and ``pipeline.running(request)`` (a sign-on in progress;
  the double's sign-in form names its user in ``tpa_username``);
  ``common/djangoapps/util/password_policy_validators.py`` ``normalize_password`` (NFKC, as ``login_user`` checks).
"""
import types
from types import SimpleNamespace

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import login as django_login
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from openedx_filters.learning.filters import StudentLoginRequested


class CourseEnrollmentException(Exception):
    """Mirrors ``common.djangoapps.student.models.course_enrollment.CourseEnrollmentException``."""


class EnrollmentNotAllowed(CourseEnrollmentException):
    """Mirrors ``common.djangoapps.student.models.course_enrollment.EnrollmentNotAllowed``."""


class UnenrollmentNotAllowed(CourseEnrollmentException):
    """Mirrors ``common.djangoapps.student.models.course_enrollment.UnenrollmentNotAllowed``."""


#: ``common/djangoapps/student/auth.py`` permission bits.
STUDIO_EDIT_ROLES, STUDIO_VIEW_USERS, STUDIO_EDIT_CONTENT, STUDIO_VIEW_CONTENT = 8, 4, 2, 1


def student_models(fake):  # pylint: disable=too-many-statements
    """``common.djangoapps.student.models``: ``CourseEnrollment`` and ``UserStanding``."""
    models = types.ModuleType("common.djangoapps.student.models")

    class CourseEnrollment:
        """Mirrors the classmethods of ``CourseEnrollment`` used by plugins."""

        DoesNotExist = type("DoesNotExist", (ObjectDoesNotExist,), {})

        @classmethod
        def get_enrollment(cls, user, course_key, select_related=None):
            assert user
            if getattr(user, "is_anonymous", False):
                return None
            return fake.enrollments.get((user.pk, str(course_key)))

        @classmethod
        def enrollment_mode_for_user(cls, user, course_id):
            record = fake.enrollments.get((user.pk, str(course_id)))
            return (record.mode, record.is_active) if record is not None else (None, None)

        @classmethod
        def is_enrolled(cls, user, course_key):
            record = fake.enrollments.get((user.pk, str(course_key)))
            return bool(record is not None and record.is_active)

        @classmethod
        def unenroll(cls, user, course_id, skip_refund=False):
            record = fake.enrollments.get((user.pk, str(course_id)))
            if record is None:
                return  # the real one logs an error
            if fake.refuse_unenrollment:  # CourseUnenrollmentStarted.PreventUnenrollment
                raise UnenrollmentNotAllowed(fake.refuse_unenrollment)
            record.is_active = False  # update_enrollment(is_active=False, skip_refund=...): the mode stays
            fake.unenrollments.append({"user_id": user.pk, "course_key": str(course_id), "skip_refund": skip_refund})

        @classmethod
        def enroll(cls, user, course_key, mode=None, check_access=False, can_upgrade=False, enterprise_uuid=None):
            if mode is None:
                mode = fake.default_mode  # ``_default_course_mode``: not the learner's earlier mode
            record = fake.enrollments.get((user.pk, str(course_key))) or fake.add_enrollment(
                user, course_key, mode=mode, is_active=False)
            record.is_active, record.mode = True, mode
            return record

    class UserStanding:
        """Mirrors ``UserStanding``: saved rows live in ``fake.standings``."""

        ACCOUNT_DISABLED = "disabled"
        ACCOUNT_ENABLED = "enabled"
        DoesNotExist = type("DoesNotExist", (ObjectDoesNotExist,), {})

        def __init__(self, user, account_status="", changed_by=None, standing_last_changed_at=None):
            self.user, self.account_status, self.changed_by = user, account_status, changed_by
            self.standing_last_changed_at = standing_last_changed_at

        def save(self):
            if self.changed_by is None:  # ``changed_by`` is blank=True but not null=True
                raise IntegrityError("NOT NULL constraint failed: student_userstanding.changed_by_id")
            self.standing_last_changed_at = timezone.now()  # auto_now
            fake.standings[self.user.pk] = {"account_status": self.account_status,
                                            "changed_by_id": self.changed_by.pk,
                                            "standing_last_changed_at": self.standing_last_changed_at}

        class objects:  # pylint: disable=invalid-name
            """The manager: ``get`` and ``get_or_create`` on the user."""

            @staticmethod
            def get(user):
                row = fake.standings.get(getattr(user, "pk", user))
                if row is None:
                    raise UserStanding.DoesNotExist()
                changed_by = get_user_model().objects.get(pk=row["changed_by_id"])
                user = user if hasattr(user, "pk") else get_user_model().objects.get(pk=user)
                return UserStanding(user, row["account_status"], changed_by, row["standing_last_changed_at"])

            @staticmethod
            def get_or_create(user, defaults=None):
                try:
                    return UserStanding.objects.get(user), False
                except UserStanding.DoesNotExist:
                    standing = UserStanding(user, **(defaults or {}))
                    standing.save()
                    return standing, True

    models.CourseEnrollment = CourseEnrollment
    models.UserStanding = UserStanding
    models.CourseEnrollmentException = CourseEnrollmentException
    models.EnrollmentNotAllowed = EnrollmentNotAllowed
    models.UnenrollmentNotAllowed = UnenrollmentNotAllowed
    return models


def role_modules(fake):
    """``common.djangoapps.student.auth`` and ``.roles`` over ``fake``'s course roles."""
    def permissions(user, course_key):
        """``get_user_permissions`` for a course (org roles are not modelled)."""
        if user is None or not user.is_active:
            return 0
        if user.pk in fake.global_staff or (user.pk, course_key) in fake.instructors:
            return STUDIO_EDIT_ROLES | STUDIO_VIEW_USERS | STUDIO_EDIT_CONTENT | STUDIO_VIEW_CONTENT
        if (user.pk, course_key) in fake.limited_staff:  # "HACK: Limited Staff should not have studio read access"
            return STUDIO_EDIT_CONTENT if fake.service_variant == "lms" else 0
        permission = 0
        if (user.pk, course_key) in fake.readers:
            permission |= STUDIO_VIEW_USERS | STUDIO_VIEW_CONTENT
        if (user.pk, course_key) in fake.writers:
            permission |= STUDIO_EDIT_CONTENT
        return permission

    auth = types.ModuleType("common.djangoapps.student.auth")
    auth.get_user_permissions = lambda user, course_key, org=None, service_variant=None: permissions(user, course_key)
    auth.has_studio_read_access = lambda user, course_key: bool(STUDIO_VIEW_CONTENT & permissions(user, course_key))
    auth.has_studio_write_access = lambda user, course_key, service_variant=None: bool(
        STUDIO_EDIT_CONTENT & permissions(user, course_key))
    roles = types.ModuleType("common.djangoapps.student.roles")

    class GlobalStaff:
        """Mirrors ``GlobalStaff``: ``has_user(user)``."""

        def has_user(self, user):
            return bool(user and user.pk in fake.global_staff)

    class CourseRole:
        """A course role: ``has_user`` with the roles that inherit from it (``RoleCache.get_roles``)."""

        members = ()

        def __init__(self, course_key):
            self.course_key = course_key

        def has_user(self, user):
            if user is None or not user.is_active:
                return False
            return any((user.pk, self.course_key) in getattr(fake, name) for name in self.members)

    roles.GlobalStaff = GlobalStaff
    roles.CourseStaffRole = type("CourseStaffRole", (CourseRole,), {"members": ("readers", "limited_staff")})
    roles.CourseInstructorRole = type("CourseInstructorRole", (CourseRole,), {"members": ("instructors",)})
    roles.CourseLimitedStaffRole = type("CourseLimitedStaffRole", (CourseRole,), {"members": ("limited_staff",)})
    return {"common.djangoapps.student.auth": auth, "common.djangoapps.student.roles": roles}


def token_modules(fake):
    """DOT tokens as the LMS keeps them, the bearer authentication that reads them, and their retirement."""
    from rest_framework import exceptions as drf_exceptions  # pylint: disable=import-outside-toplevel
    from rest_framework.authentication import get_authorization_header  # pylint: disable=import-outside-toplevel

    class BearerAuthentication:
        """
        ``BearerAuthentication``: the header must hold one token, which must exist and not have expired; its user must
        have a usable password (or own an OAuth2 application) and, unless inactive users are allowed, be active.
        """

        allow_inactive_users = False

        def authenticate(self, request):
            auth = get_authorization_header(request).split()
            if len(auth) == 1:
                raise drf_exceptions.AuthenticationFailed({
                    "error_code": "token_not_provided",
                    "developer_message": "Invalid token header. No credentials provided."})
            if len(auth) > 2:
                raise drf_exceptions.AuthenticationFailed({
                    "error_code": "token_malformed",
                    "developer_message": "Invalid token header. Token string should not contain spaces."})
            if not auth or auth[0].lower() != b"bearer":
                return None
            token = fake.access_tokens.get(auth[1].decode("utf8"))
            if token is None:
                raise drf_exceptions.AuthenticationFailed({
                    "error_code": "token_nonexistent",
                    "developer_message": "The provided access token does not match any valid tokens."})
            if token.expires < timezone.now():
                raise drf_exceptions.AuthenticationFailed({
                    "error_code": "token_expired",
                    "developer_message": "The provided access token has expired and is no longer valid."})
            user = get_user_model().objects.get(pk=token.user_id)
            if not user.has_usable_password() and user.pk not in fake.oauth_applications:
                raise drf_exceptions.AuthenticationFailed({
                    "error_code": "user_is_disabled", "developer_message": f"User disabled by admin: {user.username}"})
            if not self.allow_inactive_users and not user.is_active:
                raise drf_exceptions.AuthenticationFailed({
                    "error_code": "user_not_active", "developer_message": f"User inactive or deleted: {user.username}"})
            return user, token

    authentication = types.ModuleType("openedx.core.lib.api.authentication")
    authentication.BearerAuthentication = BearerAuthentication
    authentication.BearerAuthenticationAllowInactiveUser = type(
        "BearerAuthenticationAllowInactiveUser", (BearerAuthentication,), {"allow_inactive_users": True})
    retirement = types.ModuleType("openedx.core.djangolib.oauth2_retirement_utils")

    def retire_dot_oauth2_models(user):
        for store in (fake.access_tokens, fake.refresh_tokens):
            for token, row in list(store.items()):
                if row.user_id == user.id:
                    del store[token]
        fake.oauth_applications.discard(user.id)
        fake.dot_retired.append(user.id)

    retirement.retire_dot_oauth2_models = retire_dot_oauth2_models
    dot_models = types.ModuleType("oauth2_provider.models")

    class AccessTokenQuery:
        """``AccessToken.objects.select_related("user").filter(token=...).first()`` over ``fake.access_tokens``."""

        def __init__(self, token=None):
            self.token = token

        def select_related(self, *names):  # pylint: disable=unused-argument
            return self

        def filter(self, token):
            return AccessTokenQuery(token)

        def first(self):
            row = fake.access_tokens.get(self.token)
            if row is None:
                return None
            return SimpleNamespace(token=row.token, expires=row.expires,
                                   user=get_user_model().objects.get(pk=row.user_id))

    dot_models.AccessToken = SimpleNamespace(objects=AccessTokenQuery())
    return {"openedx.core.lib.api.authentication": authentication,
            "openedx.core.djangolib.oauth2_retirement_utils": retirement, "oauth2_provider.models": dot_models}


def sign_in_modules(fake):
    """``common.djangoapps.third_party_auth`` (and its ``pipeline``) and ``util.password_policy_validators``."""
    import unicodedata  # pylint: disable=import-outside-toplevel

    third_party_auth = types.ModuleType("common.djangoapps.third_party_auth")
    third_party_auth.is_enabled = lambda: fake.third_party_auth
    pipeline = types.ModuleType("common.djangoapps.third_party_auth.pipeline")
    pipeline.running = lambda request: bool(getattr(request, "POST", {}).get("tpa_username"))
    validators = types.ModuleType("common.djangoapps.util.password_policy_validators")
    validators.normalize_password = lambda password: unicodedata.normalize("NFKC", password)
    return {"common.djangoapps.third_party_auth": third_party_auth,
            "common.djangoapps.third_party_auth.pipeline": pipeline,
            "common.djangoapps.util.password_policy_validators": validators}


def masquerade_module():
    """``lms.djangoapps.courseware.masquerade``."""
    masquerade = types.ModuleType("lms.djangoapps.courseware.masquerade")
    masquerade.MASQUERADE_SETTINGS_KEY = "masquerade_settings"

    def is_masquerading_as_student(user, course_key):
        """The role of the user's masquerade settings for the course (set from the session)."""
        course_masquerade = getattr(user, "masquerade_settings", {}).get(course_key)
        return getattr(course_masquerade, "role", None) == "student"

    masquerade.is_masquerading_as_student = is_masquerading_as_student
    return masquerade


def _auth_failed(value, error_code=None, context=None, email=None, redirect_url=None):
    """``AuthFailedError.get_response()`` and the view's ``email``: falsy attributes are left out."""
    body = {"success": False, "value": value}
    for name, item in (("redirect_url", redirect_url), ("error_code", error_code), ("context", context)):
        if item:
            body[name] = item
    body["email"] = email
    return JsonResponse(body, status=400)


@csrf_exempt
@require_POST
def login_user(request):
    """``user_authn/views/login.py`` ``login_user`` (API v1: ``email`` and ``password``), in its order of steps."""
    from . import current  # pylint: disable=import-outside-toplevel

    fake = current()
    third_party = fake.third_party_auth and request.POST.get("tpa_username")  # a running sign-on, and its user
    first_party = any(bool(request.POST.get(name)) for name in ("email", "email_or_username", "password"))
    users = get_user_model().objects
    if third_party and not first_party:
        user = users.filter(username=third_party).first()
    elif "email" not in request.POST or "password" not in request.POST:
        return _auth_failed("There was an error receiving your login information. Please email us.")
    else:
        user = users.filter(email=request.POST["email"]).first()
    posted = request.POST.get("email")
    if user is not None and fake.login_failures.get(user.pk, 0) >= fake.max_failed_logins:
        return _auth_failed("To protect your account, it's been temporarily locked.", "account-locked-out",
                            {"locked_out_period": 30}, user.email)
    try:
        possibly_authenticated = StudentLoginRequested.run_filter(user=user)
    except StudentLoginRequested.PreventLogin as exc:
        return _auth_failed(str(exc), exc.error_code, exc.context, user.email if user else posted, exc.redirect_to)
    if not (third_party and not first_party):
        possibly_authenticated = authenticate(username=user.username if user else "",
                                              password=request.POST["password"], request=request)
    if possibly_authenticated is None:
        failure_count = 0
        if user is not None:
            fake.login_failures[user.pk] = failure_count = fake.login_failures.get(user.pk, 0) + 1
        return _auth_failed("Email or password is incorrect.", "incorrect-email-or-password",
                            {"failure_count": failure_count}, user.email if user else posted)
    fake.login_failures.pop(possibly_authenticated.pk, None)
    django_login(request, possibly_authenticated, backend="django.contrib.auth.backends.ModelBackend")
    return JsonResponse({"success": True, "redirect_url": "/dashboard"})


#: ``openedx/core/djangoapps/user_authn/urls_common.py``: ``login_ajax`` (name ``login_api``).
login_urls = [path("login_ajax", login_user, name="login_api")]


def add_tokens(fake, user, access="access-token", refresh="refresh-token"):
    """An access and a refresh token of the user's mobile app, as DOT stores them (the access token for 10 hours)."""
    fake.access_tokens[access] = SimpleNamespace(user_id=user.pk, token=access,
                                                 expires=timezone.now() + timezone.timedelta(hours=10))
    fake.refresh_tokens[refresh] = SimpleNamespace(user_id=user.pk, token=refresh)
