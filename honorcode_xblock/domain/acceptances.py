"""
Acceptances: what a learner is shown in a course, recording their acceptance (explicit, or by continued use after a
change: the change rule), the acceptance that covers the versions in force, the counts, and the notice of changes a
learner has not been told of yet.

Two steps write on a learner's own visit, each named: :func:`record_continued_use` and
:func:`mark_change_notice_shown`. Reading the gate's state (:mod:`.gate`) or the notice writes nothing.
"""
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from honorcode_xblock import events, policy
from honorcode_xblock.domain import access, certificates, common, courses, gate, versions
from honorcode_xblock.exceptions import (
    Conflict,
    HonorCodeError,
    InvalidInput,
    NoPolicyPublished,
    NotFound,
    NotPermitted,
)
from honorcode_xblock.models import (
    Acceptance,
    AcceptanceMethod,
    AcceptanceMode,
    ChangeKind,
    CourseSettings,
    CourseTerms,
    PolicyVersion,
)
from honorcode_xblock.platform import get_platform
from honorcode_xblock.sanitize import clean_html

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LearnerView:
    """Everything a learner is shown in a course, ready to render (HTML already sanitized)."""

    policy: PolicyVersion
    policy_html: str
    terms_version: int = None
    terms_html: str = ""
    collaboration: list = field(default_factory=list)
    acceptance_mode: str = AcceptanceMode.CHECKBOX
    acceptance: Acceptance = None
    #: False while the app has no settings for the course (e.g. a course just imported or re-run).
    configured: bool = False

    @property
    def signature_mode(self):
        """Whether learners accept by typing their full name."""
        return self.acceptance_mode == AcceptanceMode.SIGNATURE


def learner_view(course_key, user=None):
    """
    What a course shows ``user`` (None for an anonymous visitor or a preview).

    Returns:
        LearnerView
    Raises:
        NoPolicyPublished: no honor code version was ever published.
    """
    current = versions.current_policy()
    if current is None:
        raise NoPolicyPublished(_("No honor code has been published on this site yet."))
    terms = CourseTerms.objects.current(course_key)
    course_settings = CourseSettings.objects.for_course(course_key)
    return LearnerView(
        policy=current,
        policy_html=clean_html(current.body),
        terms_version=terms.version if terms else None,
        terms_html=clean_html(terms.body) if terms else "",
        collaboration=[courses.assignment_of(entry) for entry in (terms.collaboration if terms else [])],
        acceptance_mode=course_settings.acceptance_mode if course_settings else AcceptanceMode.CHECKBOX,
        acceptance=_current_acceptance(user, course_key),
        configured=course_settings is not None,
    )


def accept(user, course_key, *, confirmed=False, signature="", block_id="", method=AcceptanceMethod.EXPLICIT,
           policy_version=None, terms_version=None):
    """
    Record that ``user`` accepts the honor code in force and the course's current terms.

    Calling it again for the same versions changes nothing: there is one acceptance per learner, course, policy
    version and terms version, even under concurrent double submits.

    Arguments:
        user: the learner (a Django user), or None for an anonymous visitor.
        course_key: the course.
        confirmed (bool): the learner ticked "I accept" (checkbox mode).
        signature (str): the full name the learner typed (signature mode).
        block_id (str): usage id of the block the learner accepted in.
        method: explicit, or continued access after a change.
        policy_version, terms_version (int or None): the versions the learner was shown; when given and no longer
            current, nothing is recorded.

    Returns:
        (Acceptance, created) where ``created`` is False when the learner had already accepted these versions.
    Raises:
        NotPermitted: anonymous visitor, inactive account, or staff viewing the course as the learner.
        InvalidInput: the checkbox was not ticked or the signature is missing.
        Conflict: the honor code or the course terms changed since the learner was shown them.
        NoPolicyPublished: nothing to accept.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise NotPermitted(_("Sign in to accept the honor code. Anonymous visitors cannot accept it."))
    if access.is_masquerading(user):
        raise NotPermitted(_("You are viewing the course as another learner. Only that learner can accept."))
    view = learner_view(course_key)
    _check_versions_shown(view, policy_version, terms_version)
    signature = signature.strip() if isinstance(signature, str) else ""
    if method == AcceptanceMethod.EXPLICIT:
        if view.signature_mode:
            errors = policy.signature_errors(signature)
            if errors:
                raise InvalidInput({"signature": errors})
        else:
            signature = ""
            if confirmed is not True:
                raise InvalidInput({"confirmed": [_("Tick the box to confirm that you accept the honor code.")]})
    with transaction.atomic():
        terms = courses.terms_to_accept(course_key)
        acceptance, created = Acceptance.objects.get_or_create(
            user=user, course_key=course_key, policy_version=view.policy, course_terms=terms, method=method,
            defaults={"signature": signature, "accepted_at": timezone.now(), "block_id": str(block_id)[:255]},
        )
        if created and method == AcceptanceMethod.EXPLICIT:
            # the learner has just read and accepted the versions in force: earlier change notices are moot
            Acceptance.objects.mark_notices_shown(
                [pending.pk for pending in Acceptance.objects.pending_notices(user, course_key)], timezone.now())
        if created:
            common.record(user, "acceptance.created", acceptance, course_key=course_key, after={
                "user_id": user.pk, "policy_version": view.policy.number, "course_terms": terms.version,
                "method": method,
            })
            transaction.on_commit(lambda: common.send_event(events.HONOR_CODE_ACCEPTANCE_CREATED, acceptance=(
                events.AcceptanceData(
                    user_id=user.pk, course_key=course_key, policy_version=view.policy.number,
                    terms_version=terms.version, method=str(method), accepted_at=acceptance.accepted_at,
                )
            )), robust=True)
    if created:
        gate.forget_learner_state(user, course_key)
        if method == AcceptanceMethod.EXPLICIT:
            _after_explicit_acceptance(user, course_key)
    return acceptance, created


def _after_explicit_acceptance(user, course_key):
    """
    What follows a learner's own acceptance: a certificate withheld for want of it is asked for again, and the
    platform's own honor-code agreement (where it is on) is recorded, so that the learner is not asked twice.
    Neither may fail the acceptance.
    """
    try:
        certificates.release_certificate(user, course_key)
    except Exception:  # pylint: disable=broad-except
        log.exception("Releasing the withheld certificate of user %s in %s failed", user.pk, course_key)
    transaction.on_commit(lambda: _record_platform_agreement(user, course_key), robust=True)


def _record_platform_agreement(user, course_key):
    """The platform's own agreement for the learner (after the commit: a failure there only logs, robust)."""
    if get_platform().record_platform_agreement(user, course_key):
        log.info("Platform integrity signature recorded for user %s in %s", user.pk, course_key)


def _check_versions_shown(view, policy_version, terms_version):
    changed_policy = policy_version is not None and policy_version != view.policy.number
    changed_terms = terms_version is not None and view.terms_version is not None and terms_version != view.terms_version
    if changed_policy or changed_terms:
        raise Conflict(_("The honor code or this course's terms changed while you were reading. Reload the page to "
                         "read the current version, then accept it."))


def current_acceptance(user, course_key):
    """
    The learner's acceptance of the versions in force now in this course, or None.

    Returns None for anonymous visitors and when no policy is published.
    """
    return _current_acceptance(user, course_key)


def _current_acceptance(user, course_key):
    """
    The acceptance that covers the versions in force now, or None when the learner must accept (again): the facts
    the gate reads (``Acceptance.objects.gate_facts``), judged by the change rule
    (``policy.covers_versions_in_force``).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    facts = Acceptance.objects.gate_facts(course_key, user)
    if facts is None or not policy.covers_versions_in_force(
        accepted_current=facts["accepted_current"],
        current_number=facts["current_number"],
        last_material_number=facts["last_material_number"],
        best_explicit_number=facts["best_explicit_number"],
        reaccept_after_material_change=facts["reaccept_after_material_change"],
    ):
        return None
    return Acceptance.objects.covering(user, course_key, facts["current_id"], facts["current_terms_id"])


@dataclass(frozen=True)
class VersionCount:
    """How many learners of a course accepted one pair of versions."""

    policy_version: int
    terms_version: int
    learners: int


def acceptance_counts(course_key):
    """
    How many learners accepted which versions in a course.

    Returns:
        list of ``VersionCount``, newest first.
    """
    return [
        VersionCount(policy_version=row["policy_version__number"], terms_version=row["course_terms__version"],
                     learners=row["learners"])
        for row in Acceptance.objects.counts_by_version(course_key)
    ]


@dataclass(frozen=True)
class AcceptanceStatus:
    """Whether a learner has accepted the versions in force in a course."""

    username: str
    accepted: bool
    #: Their acceptance of the versions in force (None when they must accept).
    acceptance: object
    #: The policy version in force (None when none was ever published).
    policy_version: int


def acceptance_for(actor, course_key, username=None):
    """
    A learner's current acceptance in a course: one's own, or (course staff) anyone's.

    Returns:
        AcceptanceStatus
    Raises:
        NotPermitted (another learner's, asked by a non-staff user), NotFound (no such user).
    """
    access.require_signed_in(actor)
    learner = actor
    if username and username != actor.username:
        access.require_course_staff(actor, course_key)
        platform = get_platform()
        learner = platform.find_user(username)
        if learner is None or not platform.is_learner_of(learner, course_key):
            raise NotFound(_("{name} is not a learner of this course.").format(name=username))
    acceptance = current_acceptance(learner, course_key)
    current = versions.current_policy()
    return AcceptanceStatus(username=learner.username, accepted=acceptance is not None, acceptance=acceptance,
                            policy_version=current.number if current else None)


def record_continued_use(user, course_key):
    """
    The learner's own visit to a course after the honor code or its terms changed: they agree to the versions in
    force now by continuing to use the course (the change rule), and the change notice waits to be shown. A step of
    its own, taken where the learner's visit is handled (the filter steps): staff viewing the course as the learner,
    tasks and other callers acting for someone else record nothing.

    Returns:
        the learner's ``GateState`` afterwards.
    """
    state = gate.gate_state(user, course_key)
    if not state.continued_use_due or not access.acting_for_themselves(user):
        return state
    try:
        accept(user, course_key, method=AcceptanceMethod.CONTINUED_ACCESS)
    except HonorCodeError as error:  # e.g. nothing published: nothing to agree to
        log.info("No continued-use acceptance for user %s in %s: %s", user.pk, course_key, error)
        return state
    return gate.gate_state(user, course_key)


@dataclass(frozen=True)
class PolicyChange:
    """One policy version a change notice tells of."""

    number: int
    change_kind: str
    #: What changed, as the operator summarised it (sanitized HTML).
    summary_html: str


@dataclass(frozen=True)
class ChangeNotice:
    """
    The notice of the changes a learner has not been told of yet. Several changes since the learner's last visit
    make one notice.
    """

    #: When the newest change was published.
    date: object
    #: The newest policy version.
    policy_number: int
    #: Material if any of the changes is.
    change_kind: str
    #: The policy versions told of, newest first (``PolicyChange``).
    changes: list
    #: Their summaries, joined (sanitized HTML).
    summary_html: str
    policy_changed: bool
    terms_changed: bool
    #: A material change withholds graded content until the learner accepts explicitly.
    must_accept: bool
    #: The continued-use acceptances whose notice this is (marked shown by :func:`mark_change_notice_shown`).
    acceptance_ids: tuple = ()


def change_notice(user, course_key):
    """
    The notice of the changes the learner has not been told of yet, or None. Reading it changes nothing: showing it
    is a step of its own (:func:`mark_change_notice_shown`).

    It tells of each policy version published since the one the learner last agreed to (those a visit in between
    recorded, and those no visit saw), with the newest version's date and the kind of the weightiest change. Staff
    viewing the course as the learner are shown none of it.

    Returns:
        ChangeNotice or None.
    """
    if user is None or not gate.gate_state(user, course_key).notice_pending or not access.acting_for_themselves(user):
        return None
    pending = Acceptance.objects.pending_notices(user, course_key)
    if not pending:
        return None
    newest = pending[0]
    previous = Acceptance.objects.for_user_in_course(user, course_key).filter(
        accepted_at__lt=pending[-1].accepted_at).first()
    policy_changed = previous is None or previous.policy_version_id != newest.policy_version_id
    known = previous.policy_version.number if previous is not None else 0
    published = PolicyVersion.objects.published_between(known, newest.policy_version.number) if policy_changed else []
    changes = [PolicyChange(number=version.number, change_kind=str(version.change_kind),
                            summary_html=clean_html(version.change_summary)) for version in published]
    material = any(change.change_kind == ChangeKind.MATERIAL for change in changes)
    return ChangeNotice(
        date=newest.policy_version.published_at if policy_changed else newest.course_terms.created_at,
        policy_number=newest.policy_version.number,
        change_kind=ChangeKind.MATERIAL.value if material else newest.policy_version.change_kind,
        changes=changes,
        summary_html="".join(change.summary_html for change in changes),
        policy_changed=policy_changed,
        terms_changed=previous is not None and previous.course_terms_id != newest.course_terms_id,
        must_accept=gate.gate_state(user, course_key).withhold_graded,
        acceptance_ids=tuple(acceptance.pk for acceptance in pending),
    )


def mark_change_notice_shown(user, course_key, notice):
    """
    The learner was shown ``notice`` (a step of its own, taken once the notice is rendered on their visit): it is
    not shown again. Nothing is marked when someone else views the course as the learner.
    """
    if notice is None or not access.acting_for_themselves(user):
        return
    Acceptance.objects.mark_notices_shown(notice.acceptance_ids, timezone.now())
    gate.forget_learner_state(user, course_key)
