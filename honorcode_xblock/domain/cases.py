"""
Cases and their evidence: suspected violations recorded by course staff, their status, and the evidence files
checked for size and type. The case rules (transitions, limits) are in :mod:`honorcode_xblock.policy`.
"""
import hashlib
import os
from dataclasses import dataclass
from datetime import timezone as dt_timezone

from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q as models_q
from django.utils import timezone
from django.utils.translation import gettext as _

from honorcode_xblock import audit, evidence_types, policy
from honorcode_xblock.domain import access, common, versions
from honorcode_xblock.exceptions import Conflict, InvalidInput, NotFound
from honorcode_xblock.models import (
    AuditEvent,
    Case,
    CaseRespondent,
    CaseStatus,
    Commitment,
    Evidence,
    Notification,
    Sanction,
)
from honorcode_xblock.platform import get_platform


def checked_text(errors, name, value, *, required=True, label=""):
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        errors[name] = [_("{label} is required.").format(label=label or name)]
    elif len(value) > policy.MAX_TEXT_LENGTH:
        errors[name] = [_("{label} is longer than {limit} characters.").format(label=label or name,
                                                                                limit=policy.MAX_TEXT_LENGTH)]
    return value


def _case_snapshot(case, respondent_ids=None):
    """How the audit trail records a case: ids, choices and a digest of the description (never the text)."""
    return {
        "status": case.status,
        "commitment": case.commitment,
        "usage_key": case.usage_key,
        "respondents": sorted(respondent_ids if respondent_ids is not None else
                              case.respondent_links.values_list("user_id", flat=True)),
        "policy_version": case.policy_version.number,
        "conduct_at": case.conduct_at.isoformat(),
        "description": audit.text_summary(case.description),
    }


def open_case(actor, course_key, *, respondents, commitment, description, usage_key="", conduct_at=None):
    """
    Record a suspected violation of the honor code in a course.

    Arguments:
        actor: the course staff member reporting it.
        respondents: usernames (or users) of the learners concerned; several accounts of one person are one case.
        commitment (str): a ``Commitment`` value.
        description (str): what happened.
        usage_key (str): the assignment, if any (a block of the course).
        conduct_at (datetime or None): when it happened (default now); chooses the policy version in force.

    Returns:
        the new ``Case``.
    Raises:
        NotPermitted, InvalidInput.
    """
    access.require_course_staff(actor, course_key)
    errors = {}
    platform = get_platform()
    users = _respondent_users(errors, respondents, platform)
    strangers = [user.username for user in users if not platform.is_learner_of(user, course_key)]
    if strangers and "respondents" not in errors:
        errors["respondents"] = [_("Not a learner of this course: {names}.").format(names=", ".join(strangers[:10]))]
    if commitment not in Commitment.values:
        errors["commitment"] = [_("Choose one of the four commitments.")]
    description = checked_text(errors, "description", description, label=_("A description"))
    usage_key = usage_key.strip() if isinstance(usage_key, str) else ""
    if usage_key and platform.assignment_name_in_course(course_key, usage_key) is None:
        errors["usage_key"] = [_("{key} is not a block of this course.").format(key=usage_key)]
    now = timezone.now()
    conduct_at = conduct_at or now
    if timezone.is_naive(conduct_at):
        errors["conduct_at"] = [_("Give the time of the conduct with its time zone.")]
    elif (conduct_at := _in_utc(conduct_at)) is None:
        errors["conduct_at"] = [_("Give a date between the years 1 and 9999 in UTC.")]
    elif conduct_at > now:
        errors["conduct_at"] = [_("The conduct cannot have happened in the future.")]
    in_force = versions.policy_in_force_at(conduct_at) if "conduct_at" not in errors else None
    if in_force is None and "conduct_at" not in errors:
        errors["conduct_at"] = [_("No honor code version was in force at that time.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        case = Case.objects.create(
            course_key=course_key, commitment=commitment, usage_key=usage_key, description=description,
            reporter=actor, conduct_at=conduct_at, policy_version=in_force, opened_at=now, updated_at=now,
        )
        CaseRespondent.objects.bulk_create([CaseRespondent(case=case, user=user) for user in users])
        common.record(actor, "case.opened", case, course_key=course_key,
                after=_case_snapshot(case, [user.pk for user in users]))
    return case


def _in_utc(moment):
    """An aware datetime in UTC, or None when it falls outside the years 1 to 9999 there (0001-01-01T00:00+05:00)."""
    try:
        return moment.astimezone(dt_timezone.utc)
    except (OverflowError, ValueError):
        return None


def _respondent_users(errors, respondents, platform):
    if isinstance(respondents, str):
        respondents = [part for part in respondents.replace(",", " ").split() if part]
    respondents = list(respondents or [])
    if not respondents:
        errors["respondents"] = [_("Name at least one learner.")]
        return []
    if len(respondents) > policy.MAX_RESPONDENTS:
        errors["respondents"] = [_("A case can name at most {limit} learners.").format(
            limit=policy.MAX_RESPONDENTS)]
        return []
    users, unknown = {}, []
    for entry in respondents:
        user = entry if hasattr(entry, "pk") else platform.find_user(str(entry).strip())
        if user is None:
            unknown.append(str(entry))
        else:
            users[user.pk] = user
    if unknown:
        errors["respondents"] = [_("No such user: {names}.").format(names=", ".join(unknown[:10]))]
    return list(users.values())


def case_for_staff(actor, case_id, *, lock=False):
    """The case with id ``case_id`` if ``actor`` is on its course team (404 for a case that does not exist)."""
    access.require_signed_in(actor)
    missing = NotFound(_("There is no case {case_id}.").format(case_id=case_id))
    try:
        case = Case.objects.locked(case_id) if lock else Case.objects.select_related("policy_version").get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError, OverflowError) as error:
        raise missing from error
    access.require_course_staff_or(actor, case.course_key, missing)
    return case


def list_cases(actor, course_key, *, status="", commitment="", respondent=""):
    """
    A course's cases, newest first, filtered by status, commitment and respondent username (each optional).

    Raises:
        NotPermitted, InvalidInput (an unknown status or commitment).
    """
    access.require_course_staff(actor, course_key)
    errors = {}
    if status and status not in CaseStatus.values:
        errors["status"] = [_("Unknown status {value}.").format(value=status)]
    if commitment and commitment not in Commitment.values:
        errors["commitment"] = [_("Unknown commitment {value}.").format(value=commitment)]
    if errors:
        raise InvalidInput(errors)
    cases = Case.objects.in_course(course_key)
    if status:
        cases = cases.filter(status=status)
    if commitment:
        cases = cases.filter(commitment=commitment)
    if respondent:
        cases = cases.filter(respondent_links__user__username=respondent.strip()).distinct()
    return cases


def get_case(actor, case_id):
    """One case, for its course team. Raises NotFound (also for anyone off the team), NotPermitted (signed out)."""
    return case_for_staff(actor, case_id)


@dataclass(frozen=True)
class EarlierCase:
    """A respondent's earlier case, with its determinations."""

    case: object
    determinations: list


@dataclass(frozen=True)
class RespondentHistory:
    """One respondent of a case and their earlier cases (in this course, or in every course for global staff)."""

    user: object
    earlier: list
    all_courses: bool


@dataclass(frozen=True)
class CaseFile:
    """Everything the case page shows."""

    case: object
    respondents: list
    evidence: list
    determinations: list
    sanctions: list
    notifications: list
    events: list
    transitions: list
    can_terminate: bool
    #: Each respondent's earlier cases and determinations (``RespondentHistory``).
    histories: list = ()


def case_file(actor, case_id):
    """One case with its respondents, evidence, determinations, sanctions, notifications and audit trail."""
    case = case_for_staff(actor, case_id)
    determinations = list(case.determinations.select_related("decided_by").order_by("sequence"))
    sanction_list = list(Sanction.objects.filter(determination__case=case).select_related("user", "determination")
                         .order_by("determination__sequence", "user__username", "kind"))
    evidence = list(case.evidence.select_related("added_by"))
    event_list = list(AuditEvent.objects.filter(course_key=case.course_key).filter(
        models_q(object_type="case", object_id=str(case.pk))
        | models_q(object_type="evidence", object_id__in=[str(item.pk) for item in evidence])
        | models_q(object_type="determination", object_id__in=[str(item.pk) for item in determinations])
        | models_q(object_type="sanction", object_id__in=[str(item.pk) for item in sanction_list])
    ).select_related("actor").order_by("sequence"))
    respondents = list(case.respondent_links.select_related("user").order_by("user__username"))
    return CaseFile(
        case=case,
        respondents=respondents,
        evidence=evidence,
        determinations=determinations,
        sanctions=sanction_list,
        notifications=list(Notification.objects.filter(determination__case=case)
                           .select_related("user", "determination")),
        events=event_list,
        transitions=sorted(policy.CASE_TRANSITIONS[case.status]),
        can_terminate=access.is_global_staff(actor),
        histories=respondent_histories(actor, case, [link.user for link in respondents]),
    )


def respondent_histories(actor, case, users):
    """
    Each respondent's cases opened before ``case``, with their determinations: in the case's course for its course
    team, in every course for global staff (who may see them all).
    """
    everywhere = access.is_global_staff(actor)
    earlier = Case.objects.filter(respondent_links__user__in=users).exclude(pk=case.pk).filter(
        models_q(opened_at__lt=case.opened_at) | models_q(opened_at=case.opened_at, pk__lt=case.pk))
    if not everywhere:
        earlier = earlier.filter(course_key=case.course_key)
    earlier = list(earlier.distinct().prefetch_related("respondent_links", "determinations").order_by("-opened_at", "-pk"))
    histories = []
    for user in users:
        mine = [EarlierCase(item, sorted(item.determinations.all(), key=lambda found: found.sequence))
                for item in earlier if any(link.user_id == user.pk for link in item.respondent_links.all())]
        histories.append(RespondentHistory(user=user, earlier=mine, all_courses=everywhere))
    return histories


def change_case_status(actor, case_id, status, *, note=""):
    """
    Move a case to another status (under review, back to open, closed, or reopened for review).

    A determination is made with :func:`determine`, never by a status change. Reopening a determined or closed
    case is recorded as its own event; the determination stays on file and a new one may follow.

    Raises:
        NotFound, NotPermitted, InvalidInput (unknown status, a note over ``policy.MAX_TEXT_LENGTH``), Conflict (a move
        the case's status does not allow).
    """
    errors = {}
    if status not in CaseStatus.values:
        errors["status"] = [_("Unknown status {value}.").format(value=status)]
    note = checked_text(errors, "note", note, required=False)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        case = case_for_staff(actor, case_id, lock=True)
        if status not in policy.CASE_TRANSITIONS[case.status]:
            raise Conflict(_("A case that is {current} cannot become {new}.").format(
                current=CaseStatus(case.status).label, new=CaseStatus(status).label))
        before = case.status
        case.status, case.updated_at = status, timezone.now()
        case.save(update_fields=["status", "updated_at"])
        reopened = before in (CaseStatus.DETERMINED, CaseStatus.CLOSED) and status == CaseStatus.UNDER_REVIEW
        common.record(actor, "case.reopened" if reopened else "case.status_changed", case, course_key=case.course_key,
                before={"status": before}, after={"status": status, "note": audit.text_summary(note)})
    return case


#: Evidence file types accepted by default (``evidence_types.EVIDENCE_TYPES``: each extension's content type and how
#: its content is recognised).
DEFAULT_EVIDENCE_TYPES = evidence_types.EVIDENCE_TYPES


def evidence_limits():
    """The largest evidence file in bytes and the accepted extensions."""
    # .. setting_name: HONORCODE_EVIDENCE_MAX_BYTES
    # .. setting_default: 10485760 (10 MiB)
    # .. setting_description: The largest evidence file course staff may add to a case, in bytes.
    max_bytes = int(getattr(django_settings, "HONORCODE_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))
    # .. setting_name: HONORCODE_EVIDENCE_EXTENSIONS
    # .. setting_default: ['pdf', 'png', 'jpg', 'jpeg', 'gif', 'txt', 'csv']
    # .. setting_description: The file types accepted as evidence, by extension; each file's content must be of
    #   its type, read whole (a PDF that pypdf parses, an image that Pillow decodes, UTF-8 text without markup),
    #   whatever the browser claims.
    extensions = [ext for ext in getattr(django_settings, "HONORCODE_EVIDENCE_EXTENSIONS", DEFAULT_EVIDENCE_TYPES)
                  if ext in DEFAULT_EVIDENCE_TYPES]
    return max_bytes, extensions


def _checked_upload(errors, upload):
    """(name, content type, bytes) of an uploaded file that passes the size and type checks, or None."""
    max_bytes, extensions = evidence_limits()
    name = os.path.basename(str(getattr(upload, "name", "") or "evidence"))
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if len(name) > 200:  # a long name is shortened before its extension, which stays
        name = f"{name[:199 - len(extension)]}.{extension}" if extension else name[:200]
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        errors["file"] = [_("The file is larger than {limit} bytes.").format(limit=max_bytes)]
        return None
    if extension not in extensions:
        errors["file"] = [_("Files of this type cannot be added. Accepted types: {types}.").format(
            types=", ".join(extensions))]
        return None
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        errors["file"] = [_("The file is larger than {limit} bytes.").format(limit=max_bytes)]
        return None
    if not content:
        errors["file"] = [_("The file is empty.")]
        return None
    content_type, refusal = evidence_types.content_type_of(extension, content)
    if refusal:
        errors["file"] = [refusal]
        return None
    return name, content_type, content


def add_evidence(actor, case_id, *, text="", upload=None):
    """
    Add text and/or a file to a case's evidence (files go to Django's default storage under a random name).

    Raises:
        NotFound, NotPermitted, InvalidInput (nothing given, too long, too large, empty, a type not accepted),
        Conflict (the case is closed).
    """
    errors = {}
    text = checked_text(errors, "text", text, required=False)
    checked = _checked_upload(errors, upload) if upload is not None else None
    if not errors and not text and checked is None:
        errors["__all__"] = [_("Add a text, a file, or both.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        case = case_for_staff(actor, case_id, lock=True)
        if case.status == CaseStatus.CLOSED:
            raise Conflict(_("The case is closed. Reopen it to add evidence."))
        item = Evidence(case=case, text=text, added_by=actor, added_at=timezone.now())
        if checked is not None:
            name, content_type, content = checked
            item.filename, item.content_type, item.size = name, content_type, len(content)
            item.sha256 = hashlib.sha256(content).hexdigest()
            item.file.save(name, ContentFile(content), save=False)
        item.save()
        common.record(actor, "evidence.added", item, course_key=case.course_key, after={
            "case": case.pk, "text": audit.text_summary(text), "file_sha256": item.sha256, "size": item.size,
            "content_type": item.content_type,
        })
    return item


def evidence_file(actor, evidence_id):
    """
    An evidence item with a file, for its case's course team.

    Returns:
        the ``Evidence`` (open ``item.file`` to read it).
    Raises:
        NotFound (no such item, no file, redacted, or the actor is not on the course team), NotPermitted (signed out).
    """
    access.require_signed_in(actor)
    missing = NotFound(_("There is no such evidence file."))
    item = common.first_or_none(Evidence.objects.select_related("case"), pk=evidence_id)
    if item is None or not item.file:
        raise missing
    access.require_course_staff_or(actor, item.case.course_key, missing)
    return item
