"""
The rules of sanctions, in one place: who may impose which, what needs an assignment, what keeps a certificate from
being issued, what cannot take effect (:func:`check_can_take_effect`) and so whether retrying a failed one can help
(:func:`retry_can_help`); and what each sanction does on the platform and how it is undone.

Pure dispatch over the platform layer: :func:`apply` and :func:`revert` call the platform for one sanction and
return what the platform needs to undo it later (kept in ``Sanction.platform_ref``). Both are idempotent: applying
an applied sanction again, or reverting a reverted one, changes nothing on the platform. The workflow around them
(attempts, failures, retries, reverts) is ``domain/determinations.py``.
"""
from django.utils.translation import gettext as _

from honorcode_xblock.exceptions import SanctionCannotTakeEffect
from honorcode_xblock.models import SanctionKind

#: Sanctions that only a global staff member may impose or revert.
GLOBAL_STAFF_ONLY = frozenset({SanctionKind.TERMINATE_ACCOUNT})
#: Sanctions on the whole account, whatever the course: one termination overlaps another from any course.
ACCOUNT_WIDE = frozenset({SanctionKind.TERMINATE_ACCOUNT})
#: Sanctions that need an assignment in a graded subsection.
NEED_ASSIGNMENT = frozenset({SanctionKind.ZERO_CREDIT})
#: Sanctions that keep a learner from getting a certificate while they are applied.
BLOCK_CERTIFICATE = frozenset({SanctionKind.CERTIFICATE_WITHHELD, SanctionKind.CERTIFICATE_REVOKED})


def grades_frozen_message(course_key):
    """What course staff are told when zero credit cannot change a course's grades."""
    return _("The grades of {course} are frozen (the course ended and the platform no longer recalculates its grades): "
             "zero credit would be recorded without changing any grade. Ask the site's operators to lift the freeze "
             "for the course (the waffle flag grades.enforce_freeze_grade_after_course_end), then retry.").format(
        course=course_key)


def check_can_take_effect(platform, kind, course_key):
    """
    Refuse a sanction that the platform would record without effect: zero credit (or its undo) in a course whose
    grades are frozen. The rule, for the determination and for each attempt.

    Raises:
        SanctionCannotTakeEffect
    """
    if kind == SanctionKind.ZERO_CREDIT and platform.grades_frozen(course_key):
        raise SanctionCannotTakeEffect(grades_frozen_message(course_key))


def retry_can_help(platform, sanction):
    """
    Whether attempting a failed sanction again may succeed: not while it cannot take effect
    (:func:`check_can_take_effect`); any other failure (the platform down, a lock timeout) may pass.
    """
    try:
        check_can_take_effect(platform, sanction.kind, sanction.course_key)
    except SanctionCannotTakeEffect:
        return False
    return True


def apply(platform, sanction, actor):
    """
    Make ``sanction`` happen on ``platform``.

    Returns:
        dict: what :func:`revert` needs (stored in ``platform_ref``).
    Raises:
        SanctionCannotTakeEffect: it would have no effect (trying again changes nothing).
    """
    kind, user, course_key = sanction.kind, sanction.user, sanction.course_key
    check_can_take_effect(platform, kind, course_key)
    if kind == SanctionKind.ZERO_CREDIT:
        return platform.override_grade_to_zero(user, course_key, sanction.usage_key, actor,
                                               comment=f"Honor code case {sanction.determination.case_id}")
    if kind == SanctionKind.CERTIFICATE_REVOKED:
        return platform.revoke_certificate(user, course_key, actor,
                                           notes=f"Honor code case {sanction.determination.case_id}")
    if kind == SanctionKind.UNENROLL:
        return platform.unenroll_without_refund(user, course_key)
    if kind == SanctionKind.TERMINATE_ACCOUNT:
        return platform.terminate_account(user, actor)
    return {}  # withheld certificates and other actions: the record is the effect


def revert(platform, sanction, actor):
    """
    Undo what :func:`apply` did, as far as the platform allows. Returns notes on what was restored, and on what was
    left in place (e.g. a grade override someone made after the sanction).
    """
    kind, user, course_key, ref = sanction.kind, sanction.user, sanction.course_key, sanction.platform_ref or {}
    check_can_take_effect(platform, kind, course_key)
    if kind == SanctionKind.ZERO_CREDIT:
        return platform.undo_grade_override(user, course_key, sanction.usage_key, ref)
    if kind == SanctionKind.CERTIFICATE_REVOKED:
        return platform.restore_certificate(user, course_key, actor, ref)
    if kind == SanctionKind.UNENROLL:
        return platform.reenroll(user, course_key, ref)
    if kind == SanctionKind.TERMINATE_ACCOUNT:
        return platform.restore_account(user, actor, ref)
    return {}


def has_effect(sanction):
    """
    Whether ``sanction``'s reference holds something a later sanction of the same kind and target lacks, so that
    reverting the earlier one while the later stays applied hands its reference over (otherwise reverting the later
    one would not restore what was there before both).
    """
    ref = sanction.platform_ref or {}
    if sanction.kind == SanctionKind.CERTIFICATE_REVOKED:
        return bool(ref.get("invalidation"))
    if sanction.kind == SanctionKind.UNENROLL:
        return bool(ref.get("was_enrolled"))
    if sanction.kind == SanctionKind.ZERO_CREDIT:
        return bool(ref.get("previous"))  # what only this one can restore: another feature's override
    if sanction.kind == SanctionKind.TERMINATE_ACCOUNT:
        return bool(ref) and ref.get("previous_standing") != "disabled"
    return False


def hand_over(reverted, survivor):
    """
    Whether ``reverted``, undone while ``survivor`` (same kind and target) stays applied, must hand its reference
    over: when only it holds what undoing both must restore, or when both do and ``reverted`` was applied later
    (what it saved, e.g. a newer proctoring override, is the state before the most recent of the two).
    """
    if not has_effect(reverted):
        return False
    if not has_effect(survivor):
        return True
    return reverted.applied_at > survivor.applied_at  # both applied: only an applied sanction overlaps
