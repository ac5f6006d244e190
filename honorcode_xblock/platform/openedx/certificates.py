"""
Certificates: invalidation and its undo, the status of a withheld one, asking for one, the allowlist.

Part of :class:`honorcode_xblock.platform.openedx.OpenEdxPlatform`: edx-platform is imported lazily inside each
method, and each method names the edx-platform call it wraps.
"""
import logging

log = logging.getLogger(__name__)


class Certificates:
    """Certificates: invalidation and its undo, the status of a withheld one, asking for one, the allowlist."""

    #: The ``source`` recorded on certificates this app invalidates.
    CERTIFICATE_SOURCE = "honorcode"

    def revoke_certificate(self, user, course_key, actor, notes):
        """
        As the instructor dashboard's ``invalidate_certificate`` (``lms/djangoapps/instructor/views/api.py``):
        ``lms.djangoapps.certificates.api.get_certificate_for_user_id(user, course_key)``, then
        ``create_certificate_invalidation_entry(certificate, actor, notes)`` (which keeps the certificate from being
        generated again) and ``certificate.invalidate(source="honorcode")``.

        A certificate an instructor already invalidated (an active ``get_certificate_invalidation_entry``) is left
        as it is, entry included. Without a certificate, the creation filter step withholds any future one.
        """
        from lms.djangoapps.certificates import api as certs_api  # pylint: disable=import-error,import-outside-toplevel

        certificate = certs_api.get_certificate_for_user_id(user, course_key)
        if certificate is None:
            return {"certificate": None}
        existing = certs_api.get_certificate_invalidation_entry(certificate)
        if existing is not None and getattr(existing, "active", False):
            return {"certificate": certificate.id, "invalidation": None, "already_invalidated": existing.id}
        if actor is None:
            raise ValueError("a certificate invalidation needs the staff member who determined the case")
        entry = certs_api.create_certificate_invalidation_entry(certificate, actor, notes)
        certificate.invalidate(source=self.CERTIFICATE_SOURCE)
        # the certificate's link (``/certificates/<verify_uuid>``) outlives it: the revoked-certificate page answers
        return {"certificate": certificate.id, "invalidation": entry.id,
                "verify_uuid": getattr(certificate, "verify_uuid", "") or ""}

    def restore_certificate(self, user, course_key, actor, ref):
        """
        As the instructor dashboard's ``re_validate_certificate``: this app's ``CertificateInvalidation`` (from
        ``certificates.api.get_certificate_invalidation_entry(certificate)``) is deactivated; the product then asks for
        the certificate again once the revert is committed (:meth:`request_certificate`, in a task), and the
        platform issues it if the learner still qualifies. An invalidation this app did not make is left alone.
        """
        from lms.djangoapps.certificates import api as certs_api  # pylint: disable=import-error,import-outside-toplevel

        if not (ref or {}).get("invalidation"):
            return {"regenerated": False}
        certificate = certs_api.get_certificate_for_user_id(user, course_key)
        if certificate is None:
            return {"regenerated": False}
        entry = certs_api.get_certificate_invalidation_entry(certificate)
        if entry is None or entry.id != ref["invalidation"]:
            return {"regenerated": False}
        entry.deactivate()
        return {"invalidation_lifted": True}

    def withheld_certificate_status(self):
        """
        ``lms.djangoapps.certificates.data.CertificateStatuses.unavailable``: the status the creation step gives a
        withheld learner's certificate. ``generation_handler._generate_certificate_task`` passes the status the
        filter returns to the ``generate_certificate`` task, which writes the certificate with it (as the handler
        itself does with ``unverified`` for a learner without ID verification); the instructor's run, the
        grade-change receiver and every other caller go on without an exception.
        """
        from lms.djangoapps.certificates.data import (
            CertificateStatuses,  # pylint: disable=import-error,import-outside-toplevel
        )

        return CertificateStatuses.unavailable

    def request_certificate(self, user, course_key):
        """
        ``lms.djangoapps.certificates.api.generate_certificate_task(user, course_key)``, from the product's task
        (``tasks.request_certificate``): the certificate a withheld learner qualifies for is generated when nothing
        withholds it any more (the learner accepted, the sanction was reverted); the platform reads the course grade
        and runs the creation filter again. ``generation_handler.CertificateGenerationNotAllowed`` (still refused,
        e.g. by another plugin) is logged.
        """
        from lms.djangoapps.certificates import api as certs_api  # pylint: disable=import-error,import-outside-toplevel
        from lms.djangoapps.certificates.generation_handler import (
            CertificateGenerationNotAllowed,  # pylint: disable=import-error,import-outside-toplevel
        )

        try:
            certs_api.generate_certificate_task(user, course_key)
        except CertificateGenerationNotAllowed as refused:
            log.info("No certificate generated for user %s in %s: %s", user.pk, course_key, refused)

    def on_certificate_allowlist(self, user, course_key):
        """
        ``lms.djangoapps.certificates.generation_handler.is_on_certificate_allowlist(user, course_key)``: the path
        ``generate_certificate_task`` takes for such a learner catches ``CertificateGenerationNotAllowed``.
        """
        from lms.djangoapps.certificates.generation_handler import (
            is_on_certificate_allowlist,  # pylint: disable=import-error,import-outside-toplevel
        )

        return bool(is_on_certificate_allowlist(user, course_key))
