"""
Doubles of record: the edx-platform modules ``platform/openedx/`` calls, and the platform code that calls the
product's hooks, as openedx-platform does them at commit ``PLATFORM_COMMIT`` (where the index held another version of
a file, its module says which).

A double reproduces what the product relies on, exceptions and quiet refusals included, and the callers around the
product's hooks (the instructor's certificate run, the grade-change receiver, the learner's certificate request, the
certificate page, the sign-in view). A double kinder than the platform is a defect. ``docs/openedx_contract.md`` lists
each touch point with its source and the test that shows it.

- ``content``: the modulestore, course overviews, ``url_utils``;
- ``accounts``: enrollments, standing, course roles (limited staff included), the sign-in view, OAuth2 tokens and
  their retirement, masquerade;
- ``grades``: subsection-grade overrides and frozen grades;
- ``certificates``: the certificate API, the generation handler and its callers, the certificate page;
- ``ace``: edx-ace and the platform's ``ace_common``;
- ``agreements``: the platform's integrity signature.

Unlike the real tables, the doubles' state is not rolled back with a failed transaction.
"""
import sys
import types
from contextlib import contextmanager
from types import SimpleNamespace

from .accounts import (
    EnrollmentNotAllowed,
    UnenrollmentNotAllowed,
    add_tokens,
    masquerade_module,
    role_modules,
    sign_in_modules,
    student_models,
    token_modules,
)
from .ace import ACE_EMAIL_FILES, ace_modules, Recipient
from .agreements import agreements_modules
from .certificates import CertificateGenerationNotAllowed, certificate_modules, new_certificate
from .content import CourseOverviewDoesNotExist, ItemNotFoundError, content_modules, get_course_tab_list, tab_modules
from .grades import grades_modules

#: The openedx-platform commit the doubles were read from (https://github.com/openedx/openedx-platform).
PLATFORM_COMMIT = "e57a655d77b614f19223984e9805b1fb940ab192"

__all__ = ["ACE_EMAIL_FILES", "get_course_tab_list", "CertificateGenerationNotAllowed", "CourseOverviewDoesNotExist",
           "EnrollmentNotAllowed", "FakeOpenEdx", "ItemNotFoundError", "PLATFORM_COMMIT", "Recipient",
           "UnenrollmentNotAllowed", "current", "installed"]
_CURRENT = []


def current():
    """The ``FakeOpenEdx`` whose modules are installed (what the double views answer from)."""
    return _CURRENT[-1]


class FakeOpenEdx:  # pylint: disable=too-many-instance-attributes
    """Course teams, course content, grades, certificates, enrollments, accounts and messages the doubles hold."""

    def __init__(self):
        # course teams
        self.readers = set()   # (user id, course key): course staff (Studio read access)
        self.writers = set()   # (user id, course key): Studio write access
        self.instructors = set()  # (user id, course key): CourseInstructorRole
        self.limited_staff = set()  # (user id, course key): CourseLimitedStaffRole
        self.global_staff = set()  # user ids with the GlobalStaff role (``user.is_staff`` in the LMS)
        self.service_variant = "lms"  # settings.SERVICE_VARIANT: "lms" or "cms"
        # content
        self.blocks = {}       # usage key -> display name
        self.graded = set()    # usage keys marked graded (``graded`` is inherited by their descendants)
        self.parents = {}      # usage key -> the usage key of its parent
        self.courses = {}      # course key (str) -> display name of its CourseOverview
        self.settings = {}     # usage key -> {settings field: value} set on that block (the course block's are the
        #                        course's Advanced Settings), inherited by its descendants (``InheritanceMixin``)
        # grades
        self.subsection_grades = {}  # (user id, str(subsection usage key)) -> PersistentSubsectionGrade
        self.grade_overrides = {}  # (user id, str(subsection usage key)) -> its PersistentSubsectionGradeOverride
        self.grade_signals = []    # SUBSECTION_OVERRIDE_CHANGED sends (their keyword arguments)
        self.recalculations = []   # (user id, usage key) the recalculation task updated (none in a frozen course)
        self.frozen_courses = set()  # str(course key): ``are_grades_frozen``
        # certificates
        self.certificates = {}     # (user id, str(course key)) -> the GeneratedCertificate
        self.invalidations = {}    # certificate id -> its CertificateInvalidation
        self.certificate_tasks = []  # generate_certificate_task calls: user_id, course_key, generation_mode, queued
        self.certificate_queue = []  # ``generate_certificate`` tasks waiting for the worker (their kwargs)
        self.allowlist = set()     # (user id, str(course key)) on the certificate allowlist
        self.not_passing = set()   # (user id, str(course key)) without a passing grade (everyone else passes)
        self.auto_certificates = True  # ``auto_certificate_generation_enabled()``
        # enrollments and accounts
        self.enrollments = {}      # (user id, str(course key)) -> the CourseEnrollment
        self.unenrollments = []    # CourseEnrollment.unenroll calls that unenrolled: user_id, course_key, skip_refund
        self.refuse_unenrollment = None  # a message: a CourseUnenrollmentStarted step refuses every unenrollment
        self.default_mode = "audit"  # ``_default_course_mode``: what ``enroll(mode=None)`` gives
        self.standings = {}        # user id -> the saved UserStanding row (account_status, changed_by_id, ...)
        self.access_tokens = {}    # DOT access token -> row (user_id)
        self.refresh_tokens = {}   # DOT refresh token -> row (user_id)
        self.oauth_applications = set()  # ids of users who own a DOT Application
        self.dot_retired = []      # user ids given to retire_dot_oauth2_models
        self.login_failures = {}   # user id -> failed sign-ins (LoginFailures)
        self.third_party_auth = True  # FEATURES['ENABLE_THIRD_PARTY_AUTH']
        self.max_failed_logins = 6  # MAX_FAILED_LOGIN_ATTEMPTS_ALLOWED
        self.integrity_signatures = {}  # (user id, str(course key)) -> the IntegritySignature
        # messages
        self.platform_name = "Open edX Test"
        self.template_context_sites = []  # the sites get_base_template_context was given
        self.ace_messages = []     # messages edx_ace.ace.send was given
        self.ace_emails = []       # (message, {field: rendered text}) as the email renderer made them
        self.ace_errors = []       # what ace.send reported instead of sending (it never raises)
        self.ace_channels = True   # an email channel is registered (ACE_ENABLED_CHANNELS)
        self.ace_channel_error = ""  # a message: the channel fails (an SMTP error), which ace.send reports
        self.ace_templates_missing = set()  # template paths the LMS's loader does not find
        self.preferences = {}      # (user id, preference key) -> value (``user_api.preferences.api``)

    # --- making the world ---------------------------------------------------------------------------------------

    def make_staff(self, user, course_key, write=True):
        """Course staff (``CourseStaffRole``): Studio read access, and write access unless ``write`` is False."""
        self.readers.add((user.pk, course_key))
        if write:
            self.writers.add((user.pk, course_key))

    def make_limited_staff(self, user, course_key):
        """``CourseLimitedStaffRole``: LMS staff without access to Studio."""
        self.limited_staff.add((user.pk, course_key))

    def add_block(self, usage_key, display_name="", parent=None, graded=False):
        """Put a block in the modulestore under ``parent`` (marked graded, as a subsection's setting is)."""
        self.blocks[usage_key] = display_name
        if parent is not None:
            self.parents[usage_key] = parent
        if graded:
            self.graded.add(usage_key)
        return usage_key

    def add_subsection_grade(self, user_id, usage_key, earned=1.0, possible=1.0):
        """A ``PersistentSubsectionGrade`` of the learner (made when they first submit, or by an override)."""
        grade = SimpleNamespace(user_id=user_id, usage_key=usage_key, earned_all=earned, possible_all=possible,
                                earned_graded=earned, possible_graded=possible)
        self.subsection_grades[(user_id, str(usage_key))] = grade
        return grade

    def add_certificate(self, user, course_key, status="downloadable", mode="verified"):
        """A ``GeneratedCertificate`` for the learner in the course."""
        return new_certificate(self, user, course_key, status, mode)

    def add_enrollment(self, user, course_key, mode="verified", is_active=True):
        """A ``CourseEnrollment`` row."""
        enrollment = SimpleNamespace(user=user, course_id=course_key, mode=mode, is_active=is_active)
        self.enrollments[(user.pk, str(course_key))] = enrollment
        return enrollment

    def add_tokens(self, user, access="access-token", refresh="refresh-token"):
        """The user's OAuth2 access and refresh tokens (a mobile app's)."""
        add_tokens(self, user, access, refresh)

    def active_invalidation(self, certificate):
        entry = self.invalidations.get(certificate.id)
        return entry if entry is not None and entry.active else None

    def course_grade(self, user, course_key):
        """What ``CourseGradeFactory().read`` gives the generation handler (passed, percent)."""
        passed = (user.pk, str(course_key)) not in self.not_passing
        return SimpleNamespace(passed=passed, percent=0.9 if passed else 0.2)

    # --- the modules --------------------------------------------------------------------------------------------

    def modules(self):
        """Every module the doubles stand for, with the packages above them."""
        modules = {
            **content_modules(self),
            **role_modules(self),
            "common.djangoapps.student.models": student_models(self),
            **token_modules(self),
            **sign_in_modules(self),
            **tab_modules(),
            "lms.djangoapps.courseware.masquerade": masquerade_module(),
            **grades_modules(self),
            **certificate_modules(self),
            **ace_modules(self),
            **agreements_modules(self),
        }
        packages = {}
        for name in list(modules):
            parts = name.split(".")
            for depth in range(1, len(parts)):
                package = ".".join(parts[:depth])
                if package not in modules:
                    packages.setdefault(package, types.ModuleType(package))
        modules.update(packages)
        for name, module in modules.items():  # ``from package import submodule`` finds it as an attribute
            parent, _dot, child = name.rpartition(".")
            if parent:
                setattr(modules[parent], child, module)
        return modules


@contextmanager
def installed(fake):
    """Make the doubles importable (and ``current()``) for the duration of the block."""
    modules = fake.modules()
    saved = {name: sys.modules.get(name) for name in modules}
    sys.modules.update(modules)
    _CURRENT.append(fake)
    try:
        yield fake
    finally:
        _CURRENT.pop()
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
