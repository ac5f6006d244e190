"""
The learner's own record (acceptances, determinations about them, certificates withheld) and retirement: a retired
learner's personal data redacted, the counts and outcomes kept.
"""
import logging
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from honorcode_xblock import audit
from honorcode_xblock.domain import access
from honorcode_xblock.models import (
    Acceptance,
    Case,
    CertificateHold,
    Determination,
    Evidence,
    Notification,
    Sanction,
    SuspectedPair,
)

log = logging.getLogger(__name__)


def retire_user(user):
    """
    Remove a retired learner's personal data from the app, keeping counts and outcomes (idempotent: the retirement
    pipeline retries).

    - The full names the learner typed as signatures are blanked; the acceptances stay (who accepted which version,
      when) as the record the honor code relies on.
    - In every case about the learner (whoever else it is about, and whatever was added after an earlier
      respondent's retirement): the description, the evidence texts and files and the determinations' rationales
      are replaced by a redaction mark; evidence files are deleted from storage once the change is committed.
    - The learner's sanctions keep their kind and state; their free-text details and error messages are blanked,
      and so are the errors of the learner's notifications.
    - The suspected pairs the learner is in (as a harvester or a master) are deleted where they are in no case (a
      finding nobody acted on); in those that went into a case, the learner's username is blanked (the case's
      evidence file, redacted above, kept their part of the timeline).
    - Each course's audit chain records what was redacted there (counts, never the text).

    Returns:
        dict with the numbers of acceptances, cases and evidence items redacted.
    """
    now = timezone.now()
    with transaction.atomic():
        redacted = Acceptance.objects.redact_signatures(user)
        case_ids = list(Case.objects.about(user).values_list("pk", flat=True))
        cases = list(Case.objects.select_for_update().filter(pk__in=case_ids).order_by("pk"))  # no evidence added
        evidence = list(Evidence.objects.filter(case_id__in=case_ids, redacted_at__isnull=True))
        files = [item.file.name for item in evidence if item.file]
        Evidence.objects.filter(pk__in=[item.pk for item in evidence]).update(
            text=REDACTED, file="", filename="", redacted_at=now)
        rationales = set(Determination.objects.filter(case_id__in=case_ids).exclude(rationale=REDACTED)
                         .values_list("case_id", flat=True))
        Determination.objects.filter(case_id__in=rationales).update(rationale=REDACTED)
        touched = {case.pk for case in cases if case.description != REDACTED} | rationales | {
            item.case_id for item in evidence}
        Case.objects.filter(pk__in=touched).update(description=REDACTED, redacted_at=now)
        Sanction.objects.filter(user=user).exclude(details="", last_error="").update(details="", last_error="")
        Notification.objects.filter(user=user).exclude(last_error="").update(last_error="")
        CertificateHold.objects.filter(user=user).delete()
        pairs = SuspectedPair.objects.about(user)
        pairs_deleted = pairs.filter(case__isnull=True).delete()[1].get(SuspectedPair._meta.label, 0)
        pairs_redacted = (SuspectedPair.objects.filter(harvester=user).exclude(harvester_username="")
                          .update(harvester_username="", problems=[])
                          + SuspectedPair.objects.filter(master=user).exclude(master_username="")
                          .update(master_username="", problems=[]))
        by_course = {}
        for case in cases:
            if case.pk in touched:
                by_course.setdefault(case.course_key, []).append(case.pk)
        for course_key, ids in by_course.items():
            audit.append(actor=None, action="case.redacted", object_type="user", object_id=user.pk,
                         course_key=course_key, after={"cases": ids, "reason": "retirement"})
        counts = {"acceptances": redacted, "cases": len(touched), "evidence": len(evidence),
                  "suspected_pairs": pairs_deleted + pairs_redacted}
        if redacted or touched or pairs_deleted or pairs_redacted:
            audit.append(actor=None, action="user.retired", object_type="user", object_id=user.pk, after=counts)
        transaction.on_commit(lambda: _delete_files(files), robust=True)
    return counts


def _delete_files(names):
    """Delete evidence files from Django's default storage (after the rows no longer point at them)."""
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # pylint: disable=broad-except
            log.exception("Could not delete the evidence file %s", name)


#: What replaces a retired learner's personal data in cases.
REDACTED = "[redacted: learner retired]"


@dataclass(frozen=True)
class RecordEntry:
    """One determination about the learner, with only the learner's own sanctions."""

    determination: object
    case: object
    sanctions: list


@dataclass(frozen=True)
class LearnerRecord:
    """The learner's own honor code record."""

    #: Every acceptance, in every course, newest first.
    acceptances: list
    #: Every determination about them (``RecordEntry``, with only their own sanctions), newest first.
    determinations: list
    #: The certificates the honor code withholds from them now.
    certificates_withheld: list


def learner_record(user):
    """
    The learner's honor code record: every acceptance (all courses), every determination about them, and the
    certificates withheld from them.

    Only the learner's own: other respondents of a case and staff-only evidence are left out.

    Raises:
        NotPermitted: anonymous visitor.
    """
    access.require_signed_in(user)
    acceptances = list(Acceptance.objects.filter(user=user).select_related("policy_version", "course_terms")
                       .order_by("-accepted_at", "-pk"))
    determinations = list(Determination.objects.filter(case__respondent_links__user=user)
                          .select_related("case", "case__policy_version").order_by("-decided_at", "-pk"))
    mine = {}
    for sanction in Sanction.objects.filter(user=user, determination__in=determinations).order_by("kind"):
        mine.setdefault(sanction.determination_id, []).append(sanction)
    return LearnerRecord(
        acceptances=acceptances,
        determinations=[RecordEntry(item, item.case, mine.get(item.pk, [])) for item in determinations],
        certificates_withheld=list(CertificateHold.objects.in_force().filter(user=user).select_related("user")
                                   .order_by("-last_held_at", "pk")),
    )
