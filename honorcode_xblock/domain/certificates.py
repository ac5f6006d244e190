"""
Certificates: withholding a learner's certificate where the honor code asks for it (the creation step's answer), the
holds course staff and the learner see, and asking the platform again once nothing withholds it.
"""
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from honorcode_xblock import sanctions, signals
from honorcode_xblock.domain import access, common, courses, gate
from honorcode_xblock.models import Acceptance, AcceptanceMethod, CertificateHold, HoldReason, Sanction, SanctionKind
from honorcode_xblock.platform import get_platform

log = logging.getLogger(__name__)


def certificate_withheld(user, course_key):
    """
    Whether a certificate must be withheld because the learner never accepted the honor code in a gated course.

    A learner who accepted any version explicitly, or who is exempt as course staff, gets the certificate; so does
    every learner of a course that does not gate. Asked from a task or by staff, it records nothing for the learner.
    """
    state = gate.gate_state(user, course_key)
    if not state.withhold_graded:
        return False
    return not Acceptance.objects.for_user_in_course(user, course_key).filter(
        method=AcceptanceMethod.EXPLICIT).exists()


def certificate_hold_reason(user, course_key):
    """
    Why the learner's certificate in the course is withheld now: ``HoldReason.DETERMINATION`` (an applied sanction
    withholds or revokes it), ``HoldReason.NOT_ACCEPTED`` (a gated course, never accepted), or None.
    """
    if user is None or getattr(user, "pk", None) is None:
        return None
    if Sanction.objects.in_force(user, course_key, list(sanctions.BLOCK_CERTIFICATE)):
        return HoldReason.DETERMINATION
    if certificate_withheld(user, course_key):
        return HoldReason.NOT_ACCEPTED
    return None


def withhold_certificate(user, course_key, reason):
    """
    Record that the platform asked for the learner's certificate and the honor code withheld it: course staff and
    the learner see it, and it is asked for again once nothing withholds it (:func:`release_certificate`).

    Returns:
        the ``CertificateHold``.
    """
    with transaction.atomic():
        hold, changed = CertificateHold.objects.record(user, course_key, reason, timezone.now())
        if changed:
            common.record(None, "certificate.withheld", hold, course_key=course_key,
                    after={"user_id": user.pk, "reason": str(reason)})
    return hold


def withheld_certificate_status():
    """The status a withheld learner's certificate gets from the creation step (the platform's "unavailable")."""
    return get_platform().withheld_certificate_status()


def release_certificate(user, course_key, ask_anyway=False):
    """
    Once nothing withholds a held certificate any more (the learner accepted, the sanction was reverted): release the
    hold, and ask the platform for the certificate again, in a task once the transaction has committed (the platform
    reads the course grade). ``ask_anyway``: ask even without a hold (a revoked certificate's invalidation was lifted).

    Returns:
        True when a hold was released.
    """
    hold = CertificateHold.objects.held(user, course_key)
    released = hold is not None and certificate_hold_reason(user, course_key) is None
    with transaction.atomic():
        if released:
            _end_hold(hold, "released")
        if released or ask_anyway:
            _ask_for_certificate(user.pk, course_key)
    return released


def _end_hold(hold, why):
    """Mark a hold released, on the course's audit chain (``why``: released, issued, rechecked)."""
    hold.released_at = timezone.now()
    hold.save(update_fields=["released_at"])
    common.record(None, "certificate.released", hold, course_key=hold.course_key,
            after={"user_id": hold.user_id, "reason": hold.reason, "why": why})


def _ask_for_certificate(user_id, course_key):
    """After the commit, hand the certificate request to the task queue (never an error for the caller)."""
    def send():
        try:
            signals.certificate_wanted.send(sender=CertificateHold, user_id=user_id, course_key=str(course_key))
        except Exception:  # pylint: disable=broad-except
            log.exception("Asking for the certificate of user %s in %s failed; the sweep asks again.", user_id,
                          course_key)

    transaction.on_commit(send, robust=True)


def answer_certificate_request(user, course_key):
    """
    The platform asks for the learner's certificate (the creation step): withhold it if something withholds it now,
    recorded for course staff and the learner to see (:func:`withhold_certificate`); otherwise the certificate is
    being issued, and a hold left from before is over. All in a savepoint of its own: an error here never breaks the
    caller's transaction, and is answered by :func:`certificate_check_failed`.

    Returns:
        the ``HoldReason`` the certificate is withheld for, or None to let the platform issue it.
    """
    try:
        with transaction.atomic():
            reason = certificate_hold_reason(user, course_key)
            if reason is not None:
                withhold_certificate(user, course_key, reason)
                return reason
            hold = CertificateHold.objects.held(user, course_key)
            if hold is not None:
                _end_hold(hold, "issued")
            return None
    except Exception:  # pylint: disable=broad-except
        log.exception("Honor code: checking the certificate of user %s in %s failed", getattr(user, "pk", None),
                      course_key)
        return certificate_check_failed(user, course_key)


def request_certificate(user_id, course_key):
    """
    Ask the platform for a learner's certificate (the task's work): the platform issues it if the learner qualifies,
    and runs the creation step again, which withholds it if something still does.

    Returns:
        True when the platform was asked (False: the learner no longer exists).
    """
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return False
    get_platform().request_certificate(user, CourseKey.from_string(str(course_key)))
    return True


def certificate_check_failed(user, course_key):
    """
    The creation step could not check the learner: withhold the certificate in a course that uses the honor code
    (never issue one that should be withheld), recorded so that staff see it and the sweep asks for it again; leave
    it alone in a course that does not. If even that cannot be told, withhold.

    Returns:
        ``HoldReason.CHECK_FAILED``, or None when the course does not use the honor code.
    """
    try:
        with transaction.atomic():
            if not courses.course_uses_honor_code(course_key):
                return None
            withhold_certificate(user, course_key, HoldReason.CHECK_FAILED)
    except Exception:  # pylint: disable=broad-except
        log.exception("Recording the withheld certificate of user %s in %s failed", getattr(user, "pk", None),
                      course_key)
    return HoldReason.CHECK_FAILED


def certificate_refusal_reaches_learner(user, course_key):
    """
    Whether refusing the learner's own certificate request with a message reaches them: the platform swallows the
    refusal for a learner on the certificate allowlist (and would answer their request as if it were granted).
    False too when the allowlist cannot be read: the step then withholds by status, which reaches every caller.
    """
    try:
        return not get_platform().on_certificate_allowlist(user, course_key)
    except Exception:  # pylint: disable=broad-except
        log.exception("Honor code: the certificate allowlist could not be read")
        return False


def recheck_holds(cutoff):
    """
    Holds in force since before ``cutoff`` whose reason no longer applies (gating turned off, the learner became
    staff, the check had failed): released, and the certificate asked for again.

    Returns:
        the number of certificates asked for.
    """
    asked = 0
    for hold in CertificateHold.objects.in_force().filter(last_held_at__lte=cutoff).select_related("user"):
        if hold.reason != HoldReason.CHECK_FAILED and certificate_hold_reason(hold.user, hold.course_key):
            continue
        with transaction.atomic():
            _end_hold(hold, "rechecked")
            _ask_for_certificate(hold.user_id, hold.course_key)
        asked += 1
    return asked


def certificate_holds(actor, course_key, limit=None):
    """
    The certificates withheld in a course now, for its course team: the learner, why, since when; the newest first,
    at most ``limit`` of them when given.

    Raises:
        NotPermitted, NotFound (no such course).
    """
    access.require_course_staff(actor, course_key)
    holds = CertificateHold.objects.in_force().filter(course_key=course_key).select_related("user").order_by(
        "-last_held_at", "pk")
    return list(holds[:limit] if limit is not None else holds)


def certificate_revoked_at_link(certificate_uuid):
    """
    The sanction in force that revoked the certificate whose public link carries ``certificate_uuid``, or None.

    The platform's certificate page shows only valid certificates; for a revoked one, the page its link leads to
    says that the certificate was revoked.
    """
    if not certificate_uuid:
        return None
    return Sanction.objects.revoking_certificate(str(certificate_uuid))


def certificate_link_uuid(request):
    """The certificate uuid a request for a certificate's public page names, or None."""
    return get_platform().certificate_link_uuid(request)


def certificate_revoked(user, course_key):
    """Whether the certificate of a learner (a user, or a user id) in the course was revoked by an applied sanction."""
    return user is not None and Sanction.objects.in_force(user, course_key, [SanctionKind.CERTIFICATE_REVOKED])


def my_certificate_hold(user, course_key):
    """The hold on the learner's own certificate in the course, if the platform asked for it and it was withheld."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    return CertificateHold.objects.held(user, course_key)
