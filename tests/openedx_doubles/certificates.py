"""
``lms.djangoapps.certificates`` and the platform code that calls the certificate creation filter.

Read from openedx-platform @ e57a655d77b614f19223984e9805b1fb940ab192:

- ``lms/djangoapps/certificates/generation_handler.py``: ``generate_certificate_task`` takes the allowlist path or the
  regular one. Each checks eligibility first (``_can_generate_certificate_common``: an active ``CertificateInvalidation``
  refuses quietly, then the enrollment mode must be eligible, a downloadable certificate is final, the course needs
  an overview); a learner who cannot get one gets a status instead (``_set_regular_cert_status``: an invalidated
  certificate is made ``unavailable``, a learner who does not pass ``notpassing``). ``_generate_certificate_task`` runs
  ``CertificateCreationRequested`` synchronously, turns ``PreventCertificateCreation`` into
  ``CertificateGenerationNotAllowed(str(exc))``, and queues ``generate_certificate`` with the status the filter
  returned. Only ``generate_allowlist_certificate_task`` catches ``CertificateGenerationNotAllowed``.
- ``lms/djangoapps/certificates/tasks.py`` ``generate_certificate`` and ``generation.py`` ``_generate_certificate``:
  ``update_or_create`` of the learner's ``GeneratedCertificate`` with the given status (``downloadable`` by default),
  keeping its ``verify_uuid``.
- ``lms/djangoapps/certificates/models.py`` ``GeneratedCertificate.invalidate(mode=None, source=None)``: status
  ``unavailable``, the enrollment's mode by default, ``verify_uuid`` kept; ``CertificateInvalidation.deactivate()``.
- ``lms/djangoapps/certificates/api.py``: ``get_certificate_for_user_id(user, course_id)`` (a User despite its name),
  ``create_certificate_invalidation_entry``, ``get_certificate_invalidation_entry``, ``is_certificate_invalidated``.

The callers around the filter:

- ``lms/djangoapps/instructor_task/tasks_helper/certs.py`` ``generate_students_certificates`` (the instructor's
  "Generate certificates"): enrolled learners without a certificate, or whose certificate is ``unavailable``, each
  passed to ``generate_certificate_task(student, course_id)`` in a loop with **no try**: an exception ends the run.
  Counts only ``attempted``.
- ``lms/djangoapps/certificates/signals.py`` ``listen_for_passing_grade`` (``COURSE_GRADE_NOW_PASSED``, sent with
  ``send()`` from ``CourseGradeFactory._update``): returns when automatic generation is off or the certificate is
  already passing; catches ``CertificateGenerationNotAllowed``.
- ``lms/djangoapps/courseware/views/views.py`` ``generate_user_cert`` (the learner's "Request certificate"): calls
  ``generate_certificate_task(student, course_key, 'self')``; a ``CertificateGenerationNotAllowed`` becomes a 400 with
  its message; then 400 "Your certificate will be available when you pass the course.", 400 "Certificate has already
  been created.", or 200.
- ``lms/djangoapps/certificates/views/webview.py`` ``render_cert_by_uuid`` (``/certificates/<uuid>``, URL name
  ``certificates:render_cert_by_uuid``): loads only a ``downloadable`` certificate, else ``Http404``; the
  ``CertificateRenderStarted`` filter runs only inside ``render_html_view`` for a certificate found.
"""
import itertools
import types
import uuid
from types import SimpleNamespace

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.urls import path, re_path
from openedx_filters.learning.filters import CertificateCreationRequested


class CertificateGenerationNotAllowed(Exception):
    """Mirrors ``lms.djangoapps.certificates.generation_handler.CertificateGenerationNotAllowed``."""


class CertificateStatuses:
    """Mirrors ``lms.djangoapps.certificates.data.CertificateStatuses`` (the values the product reads)."""

    downloadable = "downloadable"
    generating = "generating"
    notpassing = "notpassing"
    unavailable = "unavailable"
    unverified = "unverified"
    PASSED_STATUSES = (downloadable, generating)


#: ``common.djangoapps.course_modes`` ``is_eligible_for_certificate``: audit never gets one.
INELIGIBLE_MODES = {"audit"}
_ids = itertools.count(1)


class GeneratedCertificate(SimpleNamespace):
    """A ``GeneratedCertificate`` row of the double."""

    def invalidate(self, mode=None, source=None):
        """As ``GeneratedCertificate.invalidate``: unavailable; the mode defaults to the enrollment's."""
        if not mode:
            enrollment = self.fake.enrollments.get((self.user.pk, str(self.course_id)))
            mode = enrollment.mode if enrollment is not None else None
        self.status, self.mode, self.grade, self.download_url = CertificateStatuses.unavailable, mode, "", ""
        self.sources.append(source)

    def mark_notpassing(self, mode, grade, source):
        self.status, self.mode, self.grade = CertificateStatuses.notpassing, mode, grade
        self.sources.append(source)


def new_certificate(fake, user, course_key, status, mode):
    """A certificate row for the learner in the course."""
    certificate = GeneratedCertificate(fake=fake, id=next(_ids), user=user, course_id=course_key, status=status,
                                       mode=mode, verify_uuid=uuid.uuid4().hex, grade="", download_url="",
                                       sources=[])
    fake.certificates[(user.pk, str(course_key))] = certificate
    return certificate


def certificate_modules(fake):  # pylint: disable=too-many-locals,too-many-statements
    """The certificate API, the generation handler and the callers around the creation filter."""
    api = types.ModuleType("lms.djangoapps.certificates.api")
    handler = types.ModuleType("lms.djangoapps.certificates.generation_handler")

    def certificate_for(user, course_key):
        return fake.certificates.get((user.pk, str(course_key)))

    def has_certificate_invalidation(user, course_key):
        certificate = certificate_for(user, course_key)
        return certificate is not None and fake.active_invalidation(certificate) is not None

    def enrollment_mode(user, course_key):
        """``CourseEnrollment.enrollment_mode_for_user``: the row's mode, active or not."""
        enrollment = fake.enrollments.get((user.pk, str(course_key)))
        return enrollment.mode if enrollment is not None else None

    def passes(user, course_key):
        return (user.pk, str(course_key)) not in fake.not_passing

    def can_generate_common(user, course_key, mode):
        if has_certificate_invalidation(user, course_key):
            return False  # "is on the certificate invalidation list. Certificate cannot be generated."
        if mode is None or mode in INELIGIBLE_MODES:
            return False
        certificate = certificate_for(user, course_key)
        if certificate is not None and certificate.status == CertificateStatuses.downloadable:
            return False  # already in a final state
        return str(course_key) in fake.courses  # get_course_overview_or_none

    def generate_certificate_task_internal(user, course_key, mode, status=None, generation_mode=None):
        """``_generate_certificate_task``: the filter, then ``generate_certificate.apply_async``."""
        try:
            user, course_key, mode, status, _grade, generation_mode = CertificateCreationRequested.run_filter(
                user=user, course_key=course_key, mode=mode, status=status, grade=fake.course_grade(user, course_key),
                generation_mode=generation_mode,
            )
        except CertificateCreationRequested.PreventCertificateCreation as exc:
            raise CertificateGenerationNotAllowed(str(exc)) from exc
        kwargs = {"student": str(user.id), "course_key": str(course_key), "enrollment_mode": str(mode)}
        if status is not None:
            kwargs["status"] = status
        if generation_mode is not None:
            kwargs["generation_mode"] = generation_mode
        fake.certificate_queue.append(kwargs)
        return True

    def set_cert_status(user, course_key, mode):
        """``_set_regular_cert_status`` / ``_get_cert_status_common`` (the ID-verification branch is off)."""
        certificate = certificate_for(user, course_key)
        if certificate is not None and certificate.status == CertificateStatuses.downloadable \
                and not has_certificate_invalidation(user, course_key):
            return None
        if mode is None or mode in INELIGIBLE_MODES or str(course_key) not in fake.courses:
            return None
        if has_certificate_invalidation(user, course_key) and certificate is not None:
            if certificate.status != CertificateStatuses.unavailable:
                certificate.invalidate(mode=mode, source="certificate_generation")
            return CertificateStatuses.unavailable
        if not passes(user, course_key) and certificate is not None:
            if certificate.status != CertificateStatuses.notpassing:
                certificate.mark_notpassing(mode=mode, grade="", source="certificate_generation")
            return CertificateStatuses.notpassing
        return None

    def generate_allowlist_certificate_task(user, course_key, generation_mode=None, delay_seconds=2):
        mode = enrollment_mode(user, course_key)
        if can_generate_common(user, course_key, mode):
            try:
                return generate_certificate_task_internal(user, course_key, mode, generation_mode=generation_mode)
            except CertificateGenerationNotAllowed:
                return False  # "Certificate generation not allowed for user %s in course %s" (logged)
        return set_cert_status(user, course_key, mode) is not None

    def generate_regular_certificate_task(user, course_key, generation_mode=None):
        mode = enrollment_mode(user, course_key)
        if passes(user, course_key) and can_generate_common(user, course_key, mode):
            return generate_certificate_task_internal(user, course_key, mode, generation_mode=generation_mode)
        return set_cert_status(user, course_key, mode) is not None

    def generate_certificate_task(user, course_key, generation_mode=None, delay_seconds=2):
        call = {"user_id": user.pk, "course_key": str(course_key), "generation_mode": generation_mode}
        fake.certificate_tasks.append(call)
        queued_before = len(fake.certificate_queue)
        if (user.pk, str(course_key)) in fake.allowlist:
            result = generate_allowlist_certificate_task(user, course_key, generation_mode, delay_seconds)
        else:
            result = generate_regular_certificate_task(user, course_key, generation_mode)
        call["queued"] = len(fake.certificate_queue) > queued_before
        return result

    def get_certificate_for_user_id(user, course_id):
        if not hasattr(user, "pk"):
            raise TypeError("get_certificate_for_user_id takes a User, not an id")  # despite its name
        return certificate_for(user, course_id)

    def create_certificate_invalidation_entry(certificate, user_requesting_invalidation, notes):
        from django.db import IntegrityError  # pylint: disable=import-outside-toplevel

        if user_requesting_invalidation is None:
            raise IntegrityError("NOT NULL constraint failed: certificates_certificateinvalidation.invalidated_by_id")
        entry = fake.invalidations.get(certificate.id)
        if entry is None:
            entry = SimpleNamespace(id=next(_ids), generated_certificate=certificate)

            def deactivate(entry=entry):
                entry.active = False

            entry.deactivate = deactivate
            fake.invalidations[certificate.id] = entry
        entry.active, entry.invalidated_by, entry.notes = True, user_requesting_invalidation, notes
        return entry

    def get_certificate_invalidation_entry(generated_certificate, invalidated_by=None, notes=None, active=None):
        entry = fake.invalidations.get(generated_certificate.id)
        if entry is None or any(value is not None and getattr(entry, name) != value for name, value in (
                ("invalidated_by", invalidated_by), ("notes", notes), ("active", active))):
            return None
        return entry

    api.get_certificate_for_user_id = get_certificate_for_user_id
    api.create_certificate_invalidation_entry = create_certificate_invalidation_entry
    api.get_certificate_invalidation_entry = get_certificate_invalidation_entry
    api.is_certificate_invalidated = has_certificate_invalidation
    api.generate_certificate_task = generate_certificate_task
    handler.CertificateGenerationNotAllowed = CertificateGenerationNotAllowed
    handler.generate_certificate_task = generate_certificate_task
    handler.is_on_certificate_allowlist = lambda user, course_key: (user.pk, str(course_key)) in fake.allowlist
    handler.generate_allowlist_certificate_task = generate_allowlist_certificate_task
    data = types.ModuleType("lms.djangoapps.certificates.data")
    data.CertificateStatuses = CertificateStatuses
    return {"lms.djangoapps.certificates.api": api, "lms.djangoapps.certificates.generation_handler": handler,
            "lms.djangoapps.certificates.data": data}


def run_certificate_tasks(fake):
    """
    The Celery worker: each queued ``generate_certificate`` writes the learner's certificate with its status
    (``downloadable`` by default), keeping the ``verify_uuid`` of one that exists (``generation._generate_certificate``).
    """
    from django.contrib.auth import get_user_model  # pylint: disable=import-outside-toplevel
    from opaque_keys.edx.keys import CourseKey  # pylint: disable=import-outside-toplevel

    done = []
    while fake.certificate_queue:
        kwargs = fake.certificate_queue.pop(0)
        user = get_user_model().objects.get(id=kwargs["student"])
        course_key = CourseKey.from_string(kwargs["course_key"])
        status = kwargs.get("status", CertificateStatuses.downloadable)
        certificate = fake.certificates.get((user.pk, str(course_key)))
        if certificate is None:
            certificate = new_certificate(fake, user, course_key, status, kwargs["enrollment_mode"])
        certificate.status, certificate.mode = status, kwargs["enrollment_mode"]
        done.append(certificate)
    return done


def generate_students_certificates(fake, course_key):
    """
    ``instructor_task/tasks_helper/certs.py`` ``generate_students_certificates`` for "all learners": the enrolled
    learners who have no certificate or an ``unavailable`` one, each given to ``generate_certificate_task`` with no
    try (an exception ends the task, which the instructor dashboard then shows as failed with its message).

    Returns:
        the task's progress: ``attempted``, ``succeeded`` and ``failed`` (never counted), ``skipped``, ``total``.
    """
    from lms.djangoapps.certificates.api import generate_certificate_task  # pylint: disable=import-error,import-outside-toplevel

    enrolled = [row.user for (_user_id, key), row in sorted(fake.enrollments.items()) if key == str(course_key)
                and row.is_active]
    have = {user.pk for user in enrolled if (certificate := fake.certificates.get((user.pk, str(course_key))))
            is not None and certificate.status != CertificateStatuses.unavailable}
    require = [user for user in enrolled if user.pk not in have]
    progress = {"attempted": 0, "succeeded": 0, "failed": 0, "skipped": len(enrolled) - len(require),
                "total": len(enrolled)}
    for student in require:
        progress["attempted"] += 1
        generate_certificate_task(student, course_key)
    return progress


def listen_for_passing_grade(fake, user, course_id):
    """``certificates/signals.py`` ``listen_for_passing_grade``, the receiver of ``COURSE_GRADE_NOW_PASSED``."""
    from lms.djangoapps.certificates.generation_handler import (  # pylint: disable=import-error,import-outside-toplevel
        CertificateGenerationNotAllowed as NotAllowed,
        generate_certificate_task,
    )

    if not fake.auto_certificates:
        return None
    certificate = fake.certificates.get((user.pk, str(course_id)))
    if certificate is not None and certificate.status in CertificateStatuses.PASSED_STATUSES:
        return None
    try:
        return generate_certificate_task(user, course_id)
    except NotAllowed:
        return False  # log.exception("Certificate generation not allowed for user %s in course %s", ...)


def generate_user_cert(request, course_id):
    """``courseware/views/views.py`` ``generate_user_cert`` (POST, the learner's "Request certificate")."""
    from lms.djangoapps.certificates import api as certs_api  # pylint: disable=import-error,import-outside-toplevel
    from lms.djangoapps.certificates.generation_handler import CertificateGenerationNotAllowed as NotAllowed  # pylint: disable=import-error,import-outside-toplevel
    from opaque_keys.edx.keys import CourseKey  # pylint: disable=import-outside-toplevel

    from . import current  # pylint: disable=import-outside-toplevel

    fake = current()
    if not request.user.is_authenticated:
        return HttpResponseBadRequest(f"You must be signed in to {fake.platform_name} to create a certificate.")
    student, course_key = request.user, CourseKey.from_string(course_id)
    if str(course_key) not in fake.courses:
        return HttpResponseBadRequest("Course is not valid")
    try:
        certs_api.generate_certificate_task(student, course_key, "self")
    except NotAllowed as error:
        return HttpResponseBadRequest(str(error))
    if (student.pk, str(course_key)) in fake.not_passing:
        return HttpResponseBadRequest("Your certificate will be available when you pass the course.")
    certificate = fake.certificates.get((student.pk, str(course_key)))
    if certificate is not None and certificate.status == CertificateStatuses.downloadable:
        return HttpResponseBadRequest("Certificate has already been created.")
    return HttpResponse()


def render_cert_by_uuid(request, certificate_uuid):
    """``certificates/views/webview.py`` ``render_cert_by_uuid``: a downloadable certificate, else ``Http404``."""
    from . import current  # pylint: disable=import-outside-toplevel

    for certificate in current().certificates.values():
        if certificate.verify_uuid == certificate_uuid and certificate.status == CertificateStatuses.downloadable:
            return HttpResponse(f"Certificate of {certificate.user.username} in {certificate.course_id}")
    raise Http404("No certificate")


#: ``lms/djangoapps/certificates/urls.py`` (``app_name = 'certificates'``, mounted at ``certificates/``) and the
#: learner's request in ``lms/urls.py``.
certificate_urls = ([re_path(r"^(?P<certificate_uuid>[0-9a-f]{32})$", render_cert_by_uuid,
                             name="render_cert_by_uuid")], "certificates")
generate_cert_urls = [path("courses/<path:course_id>/generate_user_cert", generate_user_cert,
                           name="generate_user_cert")]
