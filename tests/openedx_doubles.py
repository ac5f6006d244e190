"""
Test doubles of the edx-platform modules that ``platform/openedx.py`` imports, shaped like the real ones.

- ``common.djangoapps.student.auth``: ``has_studio_read_access(user, course_key)`` and
  ``has_studio_write_access(user, course_key)`` (openedx-platform ``common/djangoapps/student/auth.py``).
- ``common.djangoapps.student.roles.GlobalStaff().has_user(user)`` (openedx-platform
  ``common/djangoapps/student/roles.py``).
- ``openedx.core.lib.url_utils.unquote_slashes`` (openedx-platform ``openedx/core/lib/url_utils.py``).
- ``lms.djangoapps.courseware.masquerade``: ``MASQUERADE_SETTINGS_KEY`` (the session key of a dict from course
  keys to ``CourseMasquerade`` objects) and ``is_masquerading_as_student(user, course_key)``, which reads the
  ``masquerade_settings`` that ``setup_masquerade`` copies from the session onto the user.
- ``openedx.core.lib.api.authentication.BearerAuthenticationAllowInactiveUser`` (JWTs are authenticated by the real
  edx-drf-extensions, which is installed, with the demo settings' ``JWT_AUTH``): ``authenticate(request)`` returns
  ``(user, token)``, None when the request carries no such token, or raises ``rest_framework.exceptions.
  AuthenticationFailed`` (an ``APIException``) for a bad one.
- ``xmodule.modulestore.django.modulestore()`` with ``get_item(usage_key)``, raising
  ``xmodule.modulestore.exceptions.ItemNotFoundError`` for an unknown key (openedx-platform
  ``xmodule/modulestore/django.py`` and ``xmodule/modulestore/exceptions.py``). The block has ``location`` (the
  ``UsageKey``, with ``block_type``), ``display_name``, the inherited ``graded`` settings field
  (``xmodule/modulestore/inheritance.py`` ``InheritanceMixin``: a block inside a graded subsection is graded),
  ``parent`` and ``get_parent()`` (XBlock ``xblock/core.py``: the parent block, or None at the top).
- ``lms.djangoapps.grades.api`` (openedx-platform ``lms/djangoapps/grades/api.py`` and ``models_api.py``):
  ``override_subsection_grade(user_id, course_key_or_id, usage_key_or_id, overrider=None, earned_all=None,
  earned_graded=None, feature='PROCTORING', comment=None)``, ``undo_override_subsection_grade(user_id,
  course_key_or_id, usage_key_or_id, feature='')`` and ``get_subsection_grade_override(user_id, course_key_or_id,
  usage_key_or_id)``. As ``PersistentSubsectionGradeOverride.update_or_create_override``
  (``lms/djangoapps/grades/models.py``), there is one override per subsection grade: a second override overwrites
  the first, ``system`` included. ``lms.djangoapps.grades.constants.GradeOverrideFeatureEnum``.
- ``lms.djangoapps.certificates.api`` (openedx-platform ``lms/djangoapps/certificates/api.py``):
  ``get_certificate_for_user_id(user, course_id)`` (a ``User``, despite the name; None without a certificate),
  ``create_certificate_invalidation_entry(certificate, user_requesting_invalidation, notes)`` (``update_or_create``
  on the certificate: one entry per certificate, made active), ``get_certificate_invalidation_entry(
  generated_certificate, invalidated_by=None, notes=None, active=None)`` and ``generate_certificate_task(user,
  course_key, generation_mode=None)`` (which calls ``lms/djangoapps/certificates/generation_handler.py``: nothing is
  queued while the certificate is on the invalidation list or without an eligible enrollment, and the
  ``CertificateCreationRequested`` filter runs synchronously before the task is queued; a refusal is raised as
  ``CertificateGenerationNotAllowed``). The certificate stands for
  ``GeneratedCertificate`` (``lms/djangoapps/certificates/models.py``) with ``invalidate(mode=None, source=None)``;
  the invalidation entry for ``CertificateInvalidation`` with ``deactivate()``.
- ``common.djangoapps.student.models`` (openedx-platform ``common/djangoapps/student/models/course_enrollment.py``
  and ``models/user.py``): ``CourseEnrollment.get_enrollment(user, course_key)``, ``unenroll(user, course_id,
  skip_refund=False)`` (keeps the row inactive and its mode; a ``CourseUnenrollmentStarted`` step may refuse with
  ``UnenrollmentNotAllowed``: set ``FakeOpenEdx.refuse_unenrollment``), ``enroll(user, course_key, mode=None, ...)``
  (``mode=None`` is the course's default mode, not the learner's old one) and ``enrollment_mode_for_user``;
  ``UserStanding`` (``ACCOUNT_DISABLED``/``ACCOUNT_ENABLED``, ``objects.get_or_create(user=..., defaults=...)``,
  ``save()``; ``changed_by`` is a non-null foreign key).
- ``openedx.core.djangoapps.content.course_overviews.models.CourseOverview.get_from_id(course_key)`` and
  ``CourseOverview.DoesNotExist`` (openedx-platform ``openedx/core/djangoapps/content/course_overviews/models.py``).
- edx-ace (openedx/edx-ace): ``edx_ace.ace.send(msg, limit_to_channels=None)`` (``edx_ace/ace.py``: renders the
  email templates ``{app_label}/edx_ace/{name}/email/{from_name.txt,subject.txt,body.html,head.html,body.txt}``
  with Django's loader as ``edx_ace/renderers.py`` does, and only reports a missing one, never raises),
  ``edx_ace.recipient.Recipient(lms_user_id, email_address=None)`` (``edx_ace/recipient.py``),
  ``edx_ace.message.MessageType``/``Message`` (``edx_ace/message.py``); and the platform's
  ``openedx.core.djangoapps.ace_common.message.BaseMessageType`` (``openedx/core/djangoapps/ace_common/message.py``)
  and ``openedx.core.djangoapps.ace_common.template_context.get_base_template_context(site)``
  (``openedx/core/djangoapps/ace_common/template_context.py``); ``openedx.core.djangoapps.lang_pref.LANGUAGE_KEY``
  and ``openedx.core.djangoapps.user_api.preferences.api.get_user_preference(user, key)``
  (``openedx/core/djangoapps/lang_pref/__init__.py``, ``openedx/core/djangoapps/user_api/preferences/api.py``).

Unlike the real tables, the doubles' state is not rolled back with a failed transaction.
"""
import itertools
import re
import sys
import types
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError
from django.template import TemplateDoesNotExist, loader
from django.utils import timezone
from openedx_filters.learning.filters import CertificateCreationRequested


class ItemNotFoundError(Exception):
    """Mirrors ``xmodule.modulestore.exceptions.ItemNotFoundError``."""


class CourseEnrollmentException(Exception):
    """Mirrors ``common.djangoapps.student.models.course_enrollment.CourseEnrollmentException``."""


class EnrollmentNotAllowed(CourseEnrollmentException):
    """Mirrors ``common.djangoapps.student.models.course_enrollment.EnrollmentNotAllowed``."""


class UnenrollmentNotAllowed(CourseEnrollmentException):
    """Mirrors ``common.djangoapps.student.models.course_enrollment.UnenrollmentNotAllowed``."""


class CertificateGenerationNotAllowed(Exception):
    """Mirrors ``lms.djangoapps.certificates.generation_handler.CertificateGenerationNotAllowed``."""


class CourseOverviewDoesNotExist(ObjectDoesNotExist):
    """Mirrors ``CourseOverview.DoesNotExist`` (an ``ObjectDoesNotExist``)."""


# --- edx-ace: module level, because ``platform/openedx.py`` defines its message type once per process -------------

@dataclass
class Recipient:
    """Mirrors ``edx_ace.recipient.Recipient`` (an attrs class): ``lms_user_id`` first."""

    lms_user_id: object
    email_address: object = None


@dataclass
class Message:  # pylint: disable=too-many-instance-attributes
    """Mirrors ``edx_ace.message.Message``: what ``MessageType.personalize`` returns and ``ace.send`` sends."""

    app_label: str
    name: str
    recipient: object = None
    expiration_time: object = None
    context: dict = field(default_factory=dict)
    send_uuid: object = None
    options: dict = field(default_factory=dict)
    language: object = None
    log_level: object = None
    uuid: object = field(default_factory=uuid.uuid4, init=False)

    def __post_init__(self):
        if self.recipient is not None and not isinstance(self.recipient, Recipient):  # attrs' instance_of validator
            raise TypeError(f"'recipient' must be an edx_ace.recipient.Recipient, not {self.recipient!r}")

    @property
    def unique_name(self):
        return f"{self.app_label}.{self.name}"


class MessageType:
    """Mirrors ``edx_ace.message.MessageType`` (an attrs class with these arguments)."""

    NAME = None
    APP_LABEL = None

    def __init__(self, context=None, expiration_time=None, app_label=None, name=None, options=None,
                 log_level=None):
        self.context = {} if context is None else context
        self.uuid = uuid.uuid4()
        self.expiration_time = expiration_time
        self.app_label = app_label or self.APP_LABEL or apps.get_containing_app_config(type(self).__module__).label
        self.name = name or self.NAME or type(self).__name__.lower()
        self.options = {} if options is None else options
        self.log_level = log_level

    def personalize(self, recipient, language, user_context):
        """A ``Message`` for one recipient: this type's context updated with ``user_context``."""
        context = dict(self.context)
        context.update(user_context)
        return Message(app_label=self.app_label, name=self.name, expiration_time=self.expiration_time,
                       context=context, send_uuid=self.uuid, recipient=recipient, language=language,
                       log_level=self.log_level, options=self.options)


class BaseMessageType(MessageType):
    """Mirrors ``openedx.core.djangoapps.ace_common.message.BaseMessageType`` (``from_address`` left unset)."""


#: The files ``edx_ace``'s email renderer loads (``RenderedEmail`` fields).
ACE_EMAIL_FILES = {"from_name": "from_name.txt", "subject": "subject.txt", "body_html": "body.html",
                   "head_html": "head.html", "body": "body.txt"}


class FakeBlock:
    """A modulestore item: what ``get_item`` returns."""

    def __init__(self, fake, usage_key):
        self._fake = fake
        self.location = usage_key
        self.display_name = fake.blocks[usage_key]
        self.parent = fake.parents.get(usage_key)

    @property
    def graded(self):
        """Inherited: True when the block or one of its ancestors is marked graded."""
        key = self.location
        while key is not None:
            if key in self._fake.graded:
                return True
            key = self._fake.parents.get(key)
        return False

    @property
    def has_children(self):
        return any(parent == self.location for parent in self._fake.parents.values())

    def get_children(self):
        return [FakeBlock(self._fake, key) for key, parent in self._fake.parents.items() if parent == self.location]

    def get_parent(self):
        if self.parent is None or self.parent not in self._fake.blocks:
            return None
        return FakeBlock(self._fake, self.parent)


def _key(key_or_id, key_class):
    """As ``lms/djangoapps/grades/api.py`` ``_get_key``: a key object from a key or its string."""
    return key_class.from_string(key_or_id) if isinstance(key_or_id, str) else key_or_id


class FakeOpenEdx:  # pylint: disable=too-many-instance-attributes
    """Course teams, course content, grades, certificates, enrollments and messages the doubles answer from."""

    def __init__(self):
        self.readers = set()   # (user id, course key) pairs with Studio read access (course staff)
        self.writers = set()   # (user id, course key) pairs with Studio write access (course authors)
        self.blocks = {}       # usage key -> display name
        self.graded = set()    # usage keys marked graded (``graded`` is inherited by their descendants)
        self.parents = {}      # usage key -> the usage key of its parent
        self.tokens = {}  # "JWT <token>" / "Bearer <token>" Authorization headers -> user
        self.global_staff = set()  # user ids with the GlobalStaff role (``user.is_staff`` in the LMS)
        self.courses = {}      # course key (str) -> display name of its CourseOverview
        self.grade_overrides = {}  # (user id, str(subsection usage key)) -> the override
        self.grade_signals = []    # SUBSECTION_OVERRIDE_CHANGED sends (their keyword arguments)
        self.certificates = {}     # (user id, str(course key)) -> the GeneratedCertificate
        self.invalidations = {}    # certificate id -> its CertificateInvalidation
        self.certificate_tasks = []  # generate_certificate_task calls: user_id, course_key, generation_mode, queued
        self.enrollments = {}      # (user id, str(course key)) -> the CourseEnrollment
        self.unenrollments = []    # CourseEnrollment.unenroll calls that unenrolled: user_id, course_key, skip_refund
        self.refuse_unenrollment = None  # a message: a CourseUnenrollmentStarted step refuses every unenrollment
        self.default_mode = "audit"  # ``_default_course_mode``: what ``enroll(mode=None)`` gives
        self.standings = {}        # user id -> the saved UserStanding row (account_status, changed_by_id, ...)
        self.platform_name = "Open edX Test"
        self.template_context_sites = []  # the sites get_base_template_context was given
        self.ace_messages = []     # messages edx_ace.ace.send was given
        self.ace_emails = []       # (message, {field: rendered text}) as the email renderer made them
        self.ace_errors = []       # what ace.send reported instead of sending (it never raises)
        self.preferences = {}      # (user id, preference key) -> value (``user_api.preferences.api``)
        self._ids = itertools.count(1)

    def make_staff(self, user, course_key, write=True):
        self.readers.add((user.pk, course_key))
        if write:
            self.writers.add((user.pk, course_key))

    def add_block(self, usage_key, display_name="", parent=None, graded=False):
        """Put a block in the modulestore under ``parent`` (marked graded, as a subsection's setting is)."""
        self.blocks[usage_key] = display_name
        if parent is not None:
            self.parents[usage_key] = parent
        if graded:
            self.graded.add(usage_key)
        return usage_key

    def add_certificate(self, user, course_key, status="downloadable", mode="verified"):
        """A ``GeneratedCertificate`` for the learner in the course."""
        certificate = SimpleNamespace(
            id=next(self._ids), user=user, course_id=course_key, status=status, mode=mode, sources=[],
        )

        def invalidate(mode=None, source=None):
            """As ``GeneratedCertificate.invalidate``: the mode defaults to the enrollment's; status unavailable."""
            if not mode:
                enrollment = self.enrollments.get((user.pk, str(course_key)))
                mode = enrollment.mode if enrollment is not None else None
            certificate.status, certificate.mode = "unavailable", mode
            certificate.sources.append(source)

        certificate.invalidate = invalidate
        self.certificates[(user.pk, str(course_key))] = certificate
        return certificate

    def add_enrollment(self, user, course_key, mode="verified", is_active=True):
        """A ``CourseEnrollment`` row."""
        enrollment = SimpleNamespace(user=user, course_id=course_key, mode=mode, is_active=is_active)
        self.enrollments[(user.pk, str(course_key))] = enrollment
        return enrollment

    def active_invalidation(self, certificate):
        entry = self.invalidations.get(certificate.id)
        return entry if entry is not None and entry.active else None

    def modules(self):  # pylint: disable=too-many-locals,too-many-statements
        auth = types.ModuleType("common.djangoapps.student.auth")
        auth.has_studio_read_access = lambda user, course_key: (user.pk, course_key) in self.readers
        auth.has_studio_write_access = lambda user, course_key: (user.pk, course_key) in self.writers
        roles = types.ModuleType("common.djangoapps.student.roles")
        fake = self

        class GlobalStaff:
            """Mirrors ``common.djangoapps.student.roles.GlobalStaff``: ``has_user(user)``."""

            def has_user(self, user):
                return bool(user and user.pk in fake.global_staff)

        roles.GlobalStaff = GlobalStaff

        def get_item(usage_key):
            if usage_key not in self.blocks:
                raise ItemNotFoundError(usage_key)
            return FakeBlock(self, usage_key)

        store = SimpleNamespace(get_item=get_item)
        url_utils = types.ModuleType("openedx.core.lib.url_utils")
        url_utils.unquote_slashes = lambda text: re.sub(r";(;|_)", lambda m: "/" if m.group(1) == "_" else ";", text)
        from rest_framework import exceptions as drf_exceptions  # the real one: DRF is a dependency

        def authentication_class(scheme):
            fake = self

            class Authentication:
                def authenticate(self, request):
                    header = request.META.get("HTTP_AUTHORIZATION", "")
                    if not header.startswith(scheme + " "):
                        return None
                    if header not in fake.tokens:
                        raise drf_exceptions.AuthenticationFailed("bad token")
                    return fake.tokens[header], header
            return Authentication

        bearer = types.ModuleType("openedx.core.lib.api.authentication")
        bearer.BearerAuthenticationAllowInactiveUser = authentication_class("Bearer")
        masquerade = types.ModuleType("lms.djangoapps.courseware.masquerade")
        masquerade.MASQUERADE_SETTINGS_KEY = "masquerade_settings"

        def is_masquerading_as_student(user, course_key):
            """As edx-platform: the role of the user's masquerade settings for the course (set from the session)."""
            course_masquerade = getattr(user, "masquerade_settings", {}).get(course_key)
            return getattr(course_masquerade, "role", None) == "student"

        masquerade.is_masquerading_as_student = is_masquerading_as_student
        modulestore_django = types.ModuleType("xmodule.modulestore.django")
        modulestore_django.modulestore = lambda: store
        exceptions = types.ModuleType("xmodule.modulestore.exceptions")
        exceptions.ItemNotFoundError = ItemNotFoundError
        certificates_api = self._certificates_api()
        generation_handler = types.ModuleType("lms.djangoapps.certificates.generation_handler")
        generation_handler.CertificateGenerationNotAllowed = CertificateGenerationNotAllowed
        generation_handler.generate_certificate_task = certificates_api.generate_certificate_task
        packages = {name: types.ModuleType(name) for name in (
            "common", "common.djangoapps", "common.djangoapps.student", "xmodule", "xmodule.modulestore",
            "openedx", "openedx.core", "openedx.core.lib", "openedx.core.lib.api", "lms", "lms.djangoapps",
            "lms.djangoapps.courseware", "lms.djangoapps.grades", "lms.djangoapps.certificates",
            "openedx.core.djangoapps", "openedx.core.djangoapps.content",
            "openedx.core.djangoapps.content.course_overviews", "openedx.core.djangoapps.ace_common", "edx_ace")}
        modules = {
            **packages,
            "common.djangoapps.student.auth": auth,
            "common.djangoapps.student.roles": roles,
            "common.djangoapps.student.models": self._student_models(),
            "xmodule.modulestore.django": modulestore_django,
            "xmodule.modulestore.exceptions": exceptions,
            "openedx.core.lib.url_utils": url_utils,
            "lms.djangoapps.courseware.masquerade": masquerade,
            "lms.djangoapps.grades.api": self._grades_api(),
            "lms.djangoapps.grades.constants": self._grades_constants(),
            "lms.djangoapps.certificates.api": certificates_api,
            "lms.djangoapps.certificates.generation_handler": generation_handler,
            "openedx.core.djangoapps.content.course_overviews.models": self._course_overviews(),
            "openedx.core.lib.api.authentication": bearer,
            **self._ace_modules(),
        }
        for name, module in modules.items():  # ``from package import submodule`` finds it as an attribute
            parent, _dot, child = name.rpartition(".")
            if parent in packages:
                setattr(packages[parent], child, module)
        return modules

    # --- lms.djangoapps.grades ---------------------------------------------------------------------------------

    @staticmethod
    def _grades_constants():
        constants = types.ModuleType("lms.djangoapps.grades.constants")
        constants.GradeOverrideFeatureEnum = SimpleNamespace(
            proctoring="PROCTORING", gradebook="GRADEBOOK", grade_import="grade-import")
        return constants

    def _grades_api(self):
        from opaque_keys.edx.keys import CourseKey, UsageKey  # pylint: disable=import-outside-toplevel

        grades = types.ModuleType("lms.djangoapps.grades.api")

        def override_subsection_grade(user_id, course_key_or_id, usage_key_or_id, overrider=None, earned_all=None,
                                      earned_graded=None, feature="PROCTORING", comment=None):
            course_key = _key(course_key_or_id, CourseKey)
            usage_key = _key(usage_key_or_id, UsageKey)
            if usage_key not in self.blocks:  # ``_create_subsection_grade``: ``course.get_child(usage_key)``
                raise Exception(  # pylint: disable=broad-exception-raised
                    "Subsection with given usage_key does not exist.")
            get_user_model().objects.get(id=user_id)  # raises User.DoesNotExist, as the real one
            self.grade_overrides[(user_id, str(usage_key))] = SimpleNamespace(  # update_or_create: all overwritten
                course_id=course_key, usage_key=usage_key, requesting_user=overrider, system=feature,
                earned_all_override=earned_all, earned_graded_override=earned_graded, override_reason=comment,
                modified=timezone.now(),
            )
            self.grade_signals.append({"user_id": user_id, "course_id": str(course_key), "usage_id": str(usage_key),
                                       "only_if_higher": False, "score_deleted": False,
                                       "score_db_table": "overrides"})

        def undo_override_subsection_grade(user_id, course_key_or_id, usage_key_or_id, feature=""):
            course_key = _key(course_key_or_id, CourseKey)
            usage_key = _key(usage_key_or_id, UsageKey)
            override = self.grade_overrides.get((user_id, str(usage_key)))
            if override is not None and (not feature or not override.system or feature == override.system):
                del self.grade_overrides[(user_id, str(usage_key))]
            else:
                return
            self.grade_signals.append({"user_id": user_id, "course_id": str(course_key), "usage_id": str(usage_key),
                                       "only_if_higher": False, "score_deleted": True,
                                       "score_db_table": "overrides"})

        def get_subsection_grade_override(user_id, course_key_or_id, usage_key_or_id):
            return self.grade_overrides.get((user_id, str(_key(usage_key_or_id, UsageKey))))

        grades.override_subsection_grade = override_subsection_grade
        grades.undo_override_subsection_grade = undo_override_subsection_grade
        grades.get_subsection_grade_override = get_subsection_grade_override
        return grades

    # --- lms.djangoapps.certificates ---------------------------------------------------------------------------

    def _certificates_api(self):
        certificates = types.ModuleType("lms.djangoapps.certificates.api")

        def get_certificate_for_user_id(user, course_id):
            if not hasattr(user, "pk"):
                raise TypeError("get_certificate_for_user_id takes a User, not an id")  # despite its name
            return self.certificates.get((user.pk, str(course_id)))

        def create_certificate_invalidation_entry(certificate, user_requesting_invalidation, notes):
            if user_requesting_invalidation is None:
                raise IntegrityError(
                    "NOT NULL constraint failed: certificates_certificateinvalidation.invalidated_by_id")
            entry = self.invalidations.get(certificate.id)
            if entry is None:
                entry = SimpleNamespace(id=next(self._ids), generated_certificate=certificate)

                def deactivate(entry=entry):
                    entry.active = False

                entry.deactivate = deactivate
                self.invalidations[certificate.id] = entry
            entry.active, entry.invalidated_by, entry.notes = True, user_requesting_invalidation, notes
            return entry

        def get_certificate_invalidation_entry(generated_certificate, invalidated_by=None, notes=None, active=None):
            entry = self.invalidations.get(generated_certificate.id)
            if entry is None or any(value is not None and getattr(entry, name) != value for name, value in (
                    ("invalidated_by", invalidated_by), ("notes", notes), ("active", active))):
                return None
            return entry

        def generate_certificate_task(user, course_key, generation_mode=None):
            """
            As ``generation_handler.generate_certificate_task`` (regular path): nothing is queued for a learner on
            the invalidation list or without a certificate-eligible enrollment; otherwise the
            ``CertificateCreationRequested`` filter runs at once, in the caller's transaction, and its
            ``PreventCertificateCreation`` is raised as ``CertificateGenerationNotAllowed`` (not caught on the
            regular path). The learner is taken to pass.
            """
            certificate = self.certificates.get((user.pk, str(course_key)))
            enrollment = self.enrollments.get((user.pk, str(course_key)))
            mode = enrollment.mode if enrollment is not None else None
            call = {"user_id": user.pk, "course_key": str(course_key), "generation_mode": generation_mode,
                    "queued": False}
            self.certificate_tasks.append(call)
            if certificate is not None and self.active_invalidation(certificate) is not None:
                return False  # "is on the certificate invalidation list. Certificate cannot be generated."
            if mode is None or mode == "audit":
                return False  # no enrollment, or a mode not eligible for a certificate
            try:
                CertificateCreationRequested.run_filter(user=user, course_key=course_key, mode=mode, status=None,
                                                        grade="1.0", generation_mode=generation_mode)
            except CertificateCreationRequested.PreventCertificateCreation as exc:
                raise CertificateGenerationNotAllowed(str(exc)) from exc
            call["queued"] = True  # generate_certificate.apply_async(countdown=CERTIFICATE_DELAY_SECONDS, ...)
            return True

        certificates.get_certificate_for_user_id = get_certificate_for_user_id
        certificates.create_certificate_invalidation_entry = create_certificate_invalidation_entry
        certificates.get_certificate_invalidation_entry = get_certificate_invalidation_entry
        certificates.generate_certificate_task = generate_certificate_task
        return certificates

    # --- common.djangoapps.student.models ----------------------------------------------------------------------

    def _student_models(self):
        models = types.ModuleType("common.djangoapps.student.models")
        fake = self

        class CourseEnrollment:
            """Mirrors the classmethods of ``common.djangoapps.student.models.CourseEnrollment`` used by plugins."""

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
                fake.unenrollments.append({"user_id": user.pk, "course_key": str(course_id),
                                           "skip_refund": skip_refund})

            @classmethod
            def enroll(cls, user, course_key, mode=None, check_access=False, can_upgrade=False,
                       enterprise_uuid=None):
                if mode is None:
                    mode = fake.default_mode  # ``_default_course_mode``: not the learner's earlier mode
                record = fake.enrollments.get((user.pk, str(course_key))) or fake.add_enrollment(
                    user, course_key, mode=mode, is_active=False)
                record.is_active, record.mode = True, mode
                return record

        class UserStanding:
            """Mirrors ``common.djangoapps.student.models.UserStanding``: saved rows live in ``fake.standings``."""

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

    # --- course overviews --------------------------------------------------------------------------------------

    def _course_overviews(self):
        module = types.ModuleType("openedx.core.djangoapps.content.course_overviews.models")
        fake = self

        class CourseOverview:
            """Mirrors ``CourseOverview.get_from_id`` for courses in ``fake.courses``."""

            DoesNotExist = CourseOverviewDoesNotExist

            def __init__(self, course_key, display_name):
                self.id, self.display_name = course_key, display_name

            @classmethod
            def course_exists(cls, course_id):
                """As the real one: a ``CourseOverview`` row, else ``modulestore().has_course`` (both: ``courses``)."""
                return str(course_id) in fake.courses

            @classmethod
            def get_from_id(cls, course_id):
                if str(course_id) not in fake.courses:
                    raise cls.DoesNotExist(f"Course {course_id} does not exist")
                return cls(course_id, fake.courses[str(course_id)])

        module.CourseOverview = CourseOverview
        return module

    # --- edx-ace ----------------------------------------------------------------------------------------------

    def _ace_modules(self):
        ace = types.ModuleType("edx_ace.ace")

        def send(msg, limit_to_channels=None):
            """Render the email templates of the message; a missing one is reported, not raised (as edx-ace)."""
            self.ace_messages.append(msg)
            rendered = {}
            for name, filename in ACE_EMAIL_FILES.items():
                path = f"{msg.app_label}/edx_ace/{msg.name}/email/{filename}"
                try:
                    rendered[name] = loader.get_template(path).render(msg.context)
                except TemplateDoesNotExist as error:
                    self.ace_errors.append(("template_error", str(error)))
                    return
            self.ace_emails.append((msg, rendered))

        ace.send = send
        recipient = types.ModuleType("edx_ace.recipient")
        recipient.Recipient = Recipient
        message = types.ModuleType("edx_ace.message")
        message.MessageType, message.Message = MessageType, Message
        ace_message = types.ModuleType("openedx.core.djangoapps.ace_common.message")
        ace_message.BaseMessageType = BaseMessageType
        template_context = types.ModuleType("openedx.core.djangoapps.ace_common.template_context")

        def get_base_template_context(site):
            self.template_context_sites.append(site)
            return {
                "homepage_url": "/", "dashboard_url": "/dashboard", "template_revision": None,
                "platform_name": self.platform_name, "contact_email": "support@example.com",
                "contact_mailing_address": "", "social_media_urls": {}, "social_media_logo_urls": {},
                "mobile_store_urls": {}, "mobile_store_logo_urls": {}, "logo_url": "/static/logo.png",
                "site_configuration_values": site.configuration.site_values if hasattr(site, "configuration")
                else {},
            }

        template_context.get_base_template_context = get_base_template_context
        lang_pref = types.ModuleType("openedx.core.djangoapps.lang_pref")
        lang_pref.LANGUAGE_KEY = "pref-lang"
        preferences = types.ModuleType("openedx.core.djangoapps.user_api.preferences.api")
        preferences.get_user_preference = lambda user, key, username=None: self.preferences.get((user.pk, key))
        return {"edx_ace.ace": ace, "edx_ace.recipient": recipient, "edx_ace.message": message,
                "openedx.core.djangoapps.ace_common.message": ace_message,
                "openedx.core.djangoapps.ace_common.template_context": template_context,
                "openedx.core.djangoapps.lang_pref": lang_pref,
                "openedx.core.djangoapps.user_api": types.ModuleType("openedx.core.djangoapps.user_api"),
                "openedx.core.djangoapps.user_api.preferences":
                    types.ModuleType("openedx.core.djangoapps.user_api.preferences"),
                "openedx.core.djangoapps.user_api.preferences.api": preferences}


@contextmanager
def installed(fake):
    """Make the doubles importable for the duration of the block."""
    modules = fake.modules()
    saved = {name: sys.modules.get(name) for name in modules}
    sys.modules.update(modules)
    try:
        yield fake
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
