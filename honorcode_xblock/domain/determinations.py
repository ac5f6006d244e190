"""
Determinations and the sanction workflow: deciding a case, applying each sanction through the platform (every
attempt audited, a failure recorded and retried by its task), retrying and reverting by staff, resuming work lost on
the way to the workers, and sending each respondent the determination's message.

What a failed attempt means is decided here, once: :func:`apply_sanction` marks it ``failed`` (and rolls back what
the platform call half did), :func:`retry_would_help` says whether the task tries again (the rule is
``sanctions.retry_can_help``), :func:`retry_sanction` is staff's retry, and :func:`resume_pending_work` queues again
what never reached a worker. The tasks only schedule the retries (``tasks.py``: how many, how far apart).
"""
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from honorcode_xblock import audit, events, notifications, policy, sanctions, signals
from honorcode_xblock.domain import access, cases, certificates, common, terminations
from honorcode_xblock.exceptions import (
    Conflict,
    InvalidInput,
    NotFound,
    NotPermitted,
    PlatformRefused,
    SanctionCannotTakeEffect,
)
from honorcode_xblock.models import (
    CaseStatus,
    Determination,
    Finding,
    Notification,
    Sanction,
    SanctionKind,
    SanctionState,
)
from honorcode_xblock.platform import get_platform

log = logging.getLogger(__name__)


def determine(actor, case_id, *, finding, rationale, sanctions_requested=(), expected_sequence=None):
    """
    Record the determination of a case and the sanctions that follow, for every respondent.

    Arguments:
        finding (str): ``violation`` or ``no_violation``.
        rationale (str): the reasons, which each respondent is told.
        sanctions_requested: a list of ``{"kind": SanctionKind, "details": str}`` (details required for "other");
            only with a violation.
        expected_sequence (int or None): the number this determination should get (1 for the first); a form sends
            it, so that two staff members deciding at once get a conflict instead of two outcomes.

    Returns:
        the ``Determination``. Its sanctions are applied and its notifications sent by tasks once it is committed.
    Raises:
        NotFound, NotPermitted (terminating an account takes global staff), InvalidInput, Conflict (the case was
        determined meanwhile, or is closed).
    """
    errors = {}
    if finding not in Finding.values:
        errors["finding"] = [_("Choose a finding: violation or no violation.")]
    rationale = cases.checked_text(errors, "rationale", rationale, label=_("A rationale"))
    requested = _requested_sanctions(errors, finding, sanctions_requested)
    if errors:
        raise InvalidInput(errors)
    try:
        with transaction.atomic():
            case = cases.case_for_staff(actor, case_id, lock=True)
            requested = _sanctions_for_case(actor, case, requested)
            if case.status not in (CaseStatus.OPEN, CaseStatus.UNDER_REVIEW):
                raise Conflict(_("The case is {status}: it was determined meanwhile, or must be reopened first.")
                               .format(status=CaseStatus(case.status).label))
            sequence = case.determinations.count() + 1
            if expected_sequence is not None and expected_sequence != sequence:
                raise Conflict(_("Someone else determined this case meanwhile. Reload the case."))
            now = timezone.now()
            determination = Determination.objects.create(
                case=case, sequence=sequence, finding=finding, rationale=rationale, decided_by=actor, decided_at=now,
            )
            respondents = list(case.respondent_links.select_related("user"))
            created = Sanction.objects.bulk_create([
                Sanction(determination=determination, user=link.user, course_key=case.course_key, kind=kind,
                         usage_key=target, details=details)
                for link in respondents for kind, details, target in requested
            ])
            Notification.objects.bulk_create([Notification(determination=determination, user=link.user)
                                              for link in respondents])
            before = case.status
            case.status, case.updated_at = CaseStatus.DETERMINED, now
            case.save(update_fields=["status", "updated_at"])
            common.record(actor, "determination.made", determination, course_key=case.course_key, after={
                "case": case.pk, "sequence": sequence, "finding": finding,
                "rationale": audit.text_summary(rationale),
                "sanctions": sorted(f"{kind}:{link.user_id}" for link in respondents for kind, _d, _t in requested),
            })
            common.record(actor, "case.status_changed", case, course_key=case.course_key,
                    before={"status": before}, after={"status": case.status})
            sanction_ids = [item.pk for item in Sanction.objects.filter(determination=determination)]
            data = events.DeterminationData(
                case_id=case.pk, course_key=case.course_key, sequence=sequence, finding=finding,
                commitment=case.commitment, policy_version=case.policy_version.number,
                respondent_ids=",".join(str(link.user_id) for link in respondents),
                sanctions=",".join(f"{item.kind}:{item.user_id}" for item in created), decided_at=now,
            )
            transaction.on_commit(lambda: _after_determination(determination.pk, sanction_ids, data), robust=True)
    except IntegrityError as error:  # a concurrent determination took this sequence number first
        raise Conflict(_("Someone else determined this case meanwhile. Reload the case.")) from error
    return determination


def _requested_sanctions(errors, finding, requested):
    """The (kind, details, usage key) triples asked for, checked; the usage key is filled in later."""
    cleaned, seen = [], set()
    for entry in requested or ():
        kind = entry.get("kind") if isinstance(entry, dict) else entry
        details = entry.get("details", "") if isinstance(entry, dict) else ""
        if kind not in SanctionKind.values:
            errors["sanctions"] = [_("Unknown sanction {kind}.").format(kind=kind)]
            return []
        if kind in seen:
            errors["sanctions"] = [_("Each sanction can be chosen once.")]
            return []
        seen.add(kind)
        details = details.strip() if isinstance(details, str) else ""
        if len(details) > policy.MAX_TEXT_LENGTH:
            errors["sanctions"] = [_("A sanction's details are too long.")]
            return []
        if kind == SanctionKind.OTHER and not details:
            errors["sanctions"] = [_("Describe the other action.")]
            return []
        cleaned.append((kind, details, ""))
    if cleaned and finding == Finding.NO_VIOLATION:
        errors["sanctions"] = [_("A finding of no violation carries no sanctions.")]
    return cleaned


def _sanctions_for_case(actor, case, requested):
    """
    The (kind, details, usage key) triples with zero credit's assignment filled in; refuses what this actor or case
    cannot have.
    """
    ready = []
    for kind, details, target in requested:
        if kind in sanctions.GLOBAL_STAFF_ONLY and not access.is_global_staff(actor):
            raise NotPermitted(_("Only global staff can terminate an account."))
        if kind in sanctions.NEED_ASSIGNMENT:
            target = get_platform().graded_assignment(case.course_key, case.usage_key) if case.usage_key else None
            if target is None:
                raise InvalidInput({"sanctions": [_(
                    "Zero credit needs the case to name an assignment in a graded subsection."
                )]})
        try:
            sanctions.check_can_take_effect(get_platform(), kind, case.course_key)
        except SanctionCannotTakeEffect as error:
            raise InvalidInput({"sanctions": [str(error)]}) from error
        ready.append((kind, details, str(target)))
    return ready


def _after_determination(determination_id, sanction_ids, data):
    """
    Once a determination is committed: queue its sanctions and notifications, and announce it.

    Each hand-off stands alone: a queue that cannot be reached leaves that sanction pending (or those notifications
    unsent) for :func:`resume_pending_work` or a staff member's retry, never an error for the user who decided.
    """
    for sanction_id in sanction_ids:
        _queue_sanction(sanction_id)
    _queue_notifications(determination_id)
    common.send_event(events.HONOR_CODE_CASE_DETERMINED, determination=data)


def _queue_sanction(sanction_id):
    try:
        signals.sanction_pending.send(sender=Sanction, sanction_id=sanction_id)
    except Exception:  # pylint: disable=broad-except
        log.exception("Queueing sanction %s failed; it stays pending.", sanction_id)


#: How long a sanction may stay pending, or a notification unsent, before :func:`resume_pending_work` queues it again.
STALE_WORK_SECONDS = 600


def resume_pending_work(older_than_seconds=STALE_WORK_SECONDS):
    """
    Queue again what was lost on the way to the workers: sanctions still pending and notifications never attempted that
    were decided more than ``older_than_seconds`` ago (a broker outage, a worker killed mid-task). Applying and
    sending are idempotent, so queueing twice is harmless; a notification its task gave up on is not sent again here.
    Certificates withheld that long whose reason no longer applies (or whose check had failed) are asked for again.

    Returns:
        (sanctions queued, determinations whose notifications were queued, certificates asked for again).
    """
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    sanction_ids = Sanction.objects.lost(cutoff)
    # a notification with attempts was handed over and retried by its task until it gave up: only staff send it again
    determination_ids = sorted(set(Notification.objects.filter(sent_at__isnull=True, attempts=0,
                                                         determination__decided_at__lte=cutoff)
                                   .values_list("determination_id", flat=True)))
    for sanction_id in sanction_ids:
        _queue_sanction(sanction_id)
    for determination_id in determination_ids:
        _queue_notifications(determination_id)
    asked = certificates.recheck_holds(cutoff)
    return len(sanction_ids), len(determination_ids), asked


def _queue_notifications(determination_id):
    try:
        signals.notifications_pending.send(sender=Determination, determination_id=determination_id)
    except Exception:  # pylint: disable=broad-except
        log.exception("Queueing the notifications of determination %s failed; they stay unsent.", determination_id)


def _sanction_data(sanction):
    return events.SanctionData(
        sanction_id=sanction.pk, case_id=sanction.determination.case_id, user_id=sanction.user_id,
        course_key=sanction.course_key, kind=sanction.kind, state=sanction.state, attempts=sanction.attempts,
    )


def apply_sanction(sanction_id):
    """
    Apply one sanction through the platform (the task's work): idempotent, and every attempt is audited.

    The attempt is put on record in a transaction of its own before the platform is called, so that an attempt
    whose process dies (a worker killed, a dropped database connection) still shows in the trail; the sanction stays
    pending and is queued again. A sanction already applied or reverted is left alone. A failing platform call
    leaves the sanction ``failed`` with the attempt count and the error, and rolls back whatever the call had half
    done.

    Returns:
        the sanction, in its new state (None if it no longer exists).
    """
    with transaction.atomic():
        sanction = Sanction.objects.locked_with_its_kind(sanction_id)
        if sanction is None:
            log.warning("Sanction %s no longer exists; nothing to apply.", sanction_id)
            return None
        if sanction.state in (SanctionState.APPLIED, SanctionState.REVERTED):
            return sanction
        sanction.attempts += 1
        sanction.save(update_fields=["attempts"])
        common.record(None, "sanction.attempted", sanction, course_key=sanction.course_key, after={
            "attempt": sanction.attempts, "kind": sanction.kind, "user_id": sanction.user_id,
        })
    with transaction.atomic():
        sanction = Sanction.objects.locked_with_its_kind(sanction_id)
        if sanction is None or sanction.state in (SanctionState.APPLIED, SanctionState.REVERTED):
            return sanction  # a concurrent delivery of the same work finished it meanwhile
        actor = sanction.determination.decided_by
        try:
            with transaction.atomic():
                ref = sanctions.apply(get_platform(), sanction, actor)
        except Exception as error:  # pylint: disable=broad-except
            log.warning("Applying sanction %s failed (attempt %s): %s", sanction.pk, sanction.attempts, error)
            permanent = isinstance(error, SanctionCannotTakeEffect)
            sanction.state = SanctionState.FAILED
            sanction.last_error = (str(error) if permanent else f"{type(error).__name__}: {error}")[:2000]
            sanction.save(update_fields=["state", "last_error"])
            common.record(None, "sanction.failed", sanction, course_key=sanction.course_key, after={
                "attempt": sanction.attempts, "error_type": type(error).__name__,
                "error": audit.text_summary(sanction.last_error), "kind": sanction.kind, "user_id": sanction.user_id,
            })
            return sanction
        sanction.state, sanction.last_error, sanction.applied_at = SanctionState.APPLIED, "", timezone.now()
        sanction.platform_ref = ref or {}
        sanction.save(update_fields=["state", "last_error", "applied_at", "platform_ref"])
        terminations.forget_terminations(sanction)
        common.record(None, "sanction.applied", sanction, course_key=sanction.course_key, after={
            "attempt": sanction.attempts, "kind": sanction.kind, "user_id": sanction.user_id,
            "platform": _ref_for_audit(sanction.platform_ref),
        })
        data = _sanction_data(sanction)
        transaction.on_commit(lambda: common.send_event(events.HONOR_CODE_SANCTION_APPLIED, sanction=data), robust=True)
    return sanction


def retry_would_help(sanction):
    """
    Whether the task should try ``sanction`` again: it failed, and it can take effect (``sanctions.retry_can_help``:
    zero credit in a course whose grades are frozen fails the same way every time, until staff retry it by hand).
    """
    return (sanction is not None and sanction.state == SanctionState.FAILED
            and sanctions.retry_can_help(get_platform(), sanction))


def _ref_for_audit(ref):
    """What the trail keeps of a platform reference: ids and states, not another feature's free-text comment."""
    kept = {key: value for key, value in (ref or {}).items() if key != "previous"}
    if (ref or {}).get("previous"):
        kept["previous_system"] = ref["previous"].get("system")
    return kept


def _sanction_for_staff(actor, sanction_id):
    access.require_signed_in(actor)
    sanction = common.first_or_none(Sanction.objects.select_related("determination", "user"), pk=sanction_id) if str(
        sanction_id).isdigit() else None
    missing = NotFound(_("There is no sanction {id}.").format(id=sanction_id))
    if sanction is None:
        raise missing
    access.require_course_staff_or(actor, sanction.course_key, missing)
    if sanction.kind in sanctions.GLOBAL_STAFF_ONLY and not access.is_global_staff(actor):
        raise NotPermitted(_("Only global staff can act on an account termination."))
    return sanction


def retry_sanction(actor, sanction_id):
    """
    Queue a failed (or still pending) sanction to be applied again.

    Raises:
        NotFound, NotPermitted, Conflict (it is applied or reverted).
    """
    sanction = _sanction_for_staff(actor, sanction_id)
    if sanction.state not in (SanctionState.FAILED, SanctionState.PENDING):
        raise Conflict(_("Only a failed or pending sanction can be retried; this one is {state}.").format(
            state=SanctionState(sanction.state).label))
    with transaction.atomic():
        common.record(actor, "sanction.retry_requested", sanction, course_key=sanction.course_key,
                after={"attempts": sanction.attempts})
        transaction.on_commit(lambda: _queue_sanction(sanction.pk), robust=True)
    return sanction


def revert_sanction(actor, sanction_id, *, reason=""):
    """
    Undo a sanction as far as the platform allows (a pending or failed one is simply cancelled).

    Raises:
        NotFound, NotPermitted, InvalidInput (no reason), Conflict (already reverted), SanctionCannotTakeEffect (zero
        credit in a course whose grades are frozen: the undo would change no grade), and the platform's error when
        the undo fails (the sanction then stays applied).
    """
    errors = {}
    reason = cases.checked_text(errors, "reason", reason, label=_("A reason"))
    if errors:
        raise InvalidInput(errors)
    sanction = _sanction_for_staff(actor, sanction_id)
    with transaction.atomic():
        sanction = Sanction.objects.locked_with_its_kind(sanction.pk)
        if sanction.state == SanctionState.REVERTED:
            raise Conflict(_("The sanction is already reverted."))
        before = sanction.state
        # reverted first: what the platform runs while undoing (e.g. the certificate creation filter when a
        # certificate is generated again) must already see this sanction lifted
        sanction.state, sanction.reverted_at = SanctionState.REVERTED, timezone.now()
        sanction.save(update_fields=["state", "reverted_at"])
        undone = {}
        overlapping = (Sanction.objects.overlapping(sanction, account_wide=sanction.kind in sanctions.ACCOUNT_WIDE)
                       if before == SanctionState.APPLIED else None)
        if overlapping is not None:
            # another applied sanction has the same effect: it stays in force, and takes over what undoing needs
            if sanctions.hand_over(sanction, overlapping):
                overlapping.platform_ref = sanction.platform_ref
                overlapping.save(update_fields=["platform_ref"])
            undone = {"kept_by_sanction": overlapping.pk}
        elif before == SanctionState.APPLIED:
            try:
                with transaction.atomic():
                    undone = sanctions.revert(get_platform(), sanction, actor)
            except SanctionCannotTakeEffect:
                raise
            except Exception as error:  # pylint: disable=broad-except
                log.warning("Reverting sanction %s failed: %s", sanction.pk, error)
                raise PlatformRefused(_("The platform could not undo this sanction ({error}); it is still applied. "
                                        "Try again later.").format(error=f"{type(error).__name__}: {error}"[:300])
                                      ) from error
        common.record(actor, "sanction.reverted", sanction, course_key=sanction.course_key,
                before={"state": before}, after={"state": sanction.state, "reason": audit.text_summary(reason),
                                                 "platform": undone or {}})
        if sanction.kind in sanctions.BLOCK_CERTIFICATE:
            certificates.release_certificate(sanction.user, sanction.course_key,
                                 ask_anyway=bool((undone or {}).get("invalidation_lifted")))
        terminations.forget_terminations(sanction)
        data = _sanction_data(sanction)
        transaction.on_commit(lambda: common.send_event(events.HONOR_CODE_SANCTION_REVERTED, sanction=data),
                              robust=True)
    return sanction


def send_notifications(determination_id):
    """
    Send each respondent of a determination its message, once (the task's work).

    Returns:
        the number of notifications still unsent (the task retries while it is above zero).
    """
    determination = Determination.objects.select_related("case", "case__policy_version").filter(
        pk=determination_id).first()
    if determination is None:
        return 0
    platform = get_platform()
    course_name = platform.course_name(determination.case.course_key)
    unsent = 0
    for notice_id in Notification.objects.filter(determination=determination, sent_at__isnull=True).values_list(
            "pk", flat=True):
        with transaction.atomic():
            notification = Notification.objects.select_for_update().get(pk=notice_id)
            if notification.sent_at is not None:
                continue
            notification.attempts += 1
            try:
                mine = list(determination.sanctions.filter(user=notification.user).order_by("kind"))
                message = notifications.render(notifications.context_for(
                    determination, notification.user, mine, course_name=course_name,
                ))
                platform.send_notification(notification.user, message)
            except Exception as error:  # pylint: disable=broad-except
                log.warning("Notification %s failed (attempt %s): %s", notification.pk, notification.attempts, error)
                notification.last_error = f"{type(error).__name__}: {error}"[:2000]
                notification.save(update_fields=["attempts", "last_error"])
                common.record(None, "notification.failed", notification, course_key=determination.case.course_key,
                        after={"user_id": notification.user_id, "attempt": notification.attempts})
                unsent += 1
                continue
            notification.sent_at, notification.last_error = timezone.now(), ""
            notification.save(update_fields=["attempts", "last_error", "sent_at"])
            common.record(None, "notification.sent", notification, course_key=determination.case.course_key,
                    after={"user_id": notification.user_id, "attempt": notification.attempts})
    return unsent


def get_sanction(actor, sanction_id):
    """One sanction, for its course team (a termination: global staff). Raises NotFound, NotPermitted."""
    return _sanction_for_staff(actor, sanction_id)
