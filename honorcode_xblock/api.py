"""
The honor code's domain API: the one module that entry points (the XBlock, admin, views, commands) call.

It resolves users and courses through the platform layer, checks permissions and input, runs each change in a
transaction, and records an audit event for it. Rules live in :mod:`honorcode_xblock.policy`; records and their
queries in :mod:`honorcode_xblock.models`.
"""
import hashlib
import logging
import os
import time
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from datetime import timezone as dt_timezone
from importlib import resources
from itertools import repeat

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q as models_q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import CourseKey, UsageKey

from honorcode_xblock import audit, events, evidence_types, notices, policy, sanctions, signals
from honorcode_xblock.exceptions import (
    Conflict,
    HonorCodeError,
    InvalidInput,
    NoPolicyPublished,
    NotFound,
    NotPermitted,
    PlatformRefused,
    ReadOnly,
    SanctionCannotTakeEffect,
)
from honorcode_xblock.models import (
    Acceptance,
    AcceptanceMethod,
    AcceptanceMode,
    AuditEvent,
    Case,
    CaseRespondent,
    CaseStatus,
    CertificateHold,
    ChangeKind,
    Commitment,
    CourseSettings,
    CourseTerms,
    Determination,
    Evidence,
    Finding,
    HoldReason,
    Notice,
    PolicyVersion,
    Sanction,
    SanctionKind,
    SanctionState,
)
from honorcode_xblock.platform import get_platform
from honorcode_xblock.sanitize import clean_html
from honorcode_xblock.toggles import gate_enabled_for

__all__ = [
    "ACCEPTANCE_CSV_HEADER", "ACCEPTANCE_EXPORT_CHUNK", "AcceptanceMethod", "AcceptanceMode", "Assignment",
    "CASE_CSV_HEADER", "CASE_TRANSITIONS", "CaseFile", "CaseStatus", "ChangeKind", "Commitment",
    "DEFAULT_EVIDENCE_TYPES", "DEFAULT_POLICY_FILE", "Finding", "GATE_CACHE_SECONDS", "GateFacts", "GateState",
    "HoldReason", "LearnerView", "MAX_RESPONDENTS", "MAX_TEXT_LENGTH", "REDACTED", "RecordEntry", "SETTINGS_FIELDS",
    "STAFF_CACHE_SECONDS", "STALE_WORK_SECONDS", "SanctionKind", "SanctionState", "accept", "accept_url",
    "acceptance_counts", "acceptance_for", "acceptance_pages", "acceptance_rows", "acceptances_in_course",
    "account_terminated", "add_evidence", "adopt_block_settings", "apply_sanction", "can_edit_course", "case_file",
    "case_rows", "certificate_blocked_by_sanction", "certificate_revoked", "certificate_withheld", "change_case_status",
    "change_notice", "course_key_for_block", "course_uses_honor_code", "create_policy_draft", "current_acceptance",
    "current_policy", "current_user", "default_policy_text", "delete_policy_draft", "determine", "evidence_file",
    "evidence_limits", "gate_state", "get_case", "get_sanction", "handler_refusal", "is_course_staff",
    "is_global_staff", "is_masquerading", "learner_record", "learner_view", "list_cases", "new_case_url", "open_case",
    "policy_in_force_at", "policy_page", "policy_url", "publish_new_policy", "publish_policy", "published_policies",
    "published_policy", "require_course_staff", "require_global_staff", "resume_pending_work", "retire_user",
    "retry_sanction", "revert_sanction", "save_course_settings", "send_notices", "staff_cases_url", "studio_values",
    "update_policy_draft", "user_for_request", "user_for_xblock_user", "validate_course_settings",
    "validate_policy_fields", "verify_audit", "withholds",
]

log = logging.getLogger(__name__)

#: The package file holding the default honor code that migration 0002 publishes as version 1.
DEFAULT_POLICY_FILE = "data/honor_code_v1.html"


# --- who and where (through the platform layer) -----------------------------------------------------------------

def user_for_xblock_user(xblock_user):
    """The Django user behind an XBlock user service's current user, or None for an anonymous visitor."""
    return get_platform().user_from_xblock_user(xblock_user) if xblock_user is not None else None


def course_key_for_block(block):
    """The course a block belongs to, or None outside a course."""
    return get_platform().course_key_for_block(block)


def is_masquerading(user):
    """Whether the current request is staff viewing the course as ``user``."""
    return get_platform().is_masquerading(user)


#: How long a user's course-staff standing is kept in the cache (role changes take effect within it).
STAFF_CACHE_SECONDS = 300


def _course_role(user, course_key):
    """
    ``user``'s place on the course team: ``"team"`` (staff, instructors, global staff), ``"limited"`` (limited staff,
    the platform's course staff without Studio access) or ``""``.

    The platform's answer costs role queries; it is kept in Django's cache for a few minutes, since both the block
    (the staff's counts) and the gate (the staff exemption) ask on every render.
    """
    if user is None:
        return ""
    key = f"honorcode:role:{course_key}:{user.pk}"
    cached = _quietly(cache.get, key)
    if cached is None:
        platform = get_platform()
        if platform.is_course_staff(user, course_key):  # limited staff are asked about only when not on the team
            cached = policy.TEAM
        else:
            cached = policy.LIMITED_STAFF if platform.is_limited_staff(user, course_key) else ""
        _quietly(cache.set, key, cached, STAFF_CACHE_SECONDS)
    return cached


def is_course_staff(user, course_key):
    """
    Whether ``user`` is on the course team (or global staff): who sees the acceptance counts and works on cases.
    Limited staff are not (see ``policy.LIMITED_STAFF``).
    """
    return _course_role(user, course_key) == policy.TEAM


def is_gate_exempt_staff(user, course_key):
    """Whether ``user`` is course staff the gate exempts (the team and limited staff alike)."""
    return _course_role(user, course_key) in policy.GATE_EXEMPT_ROLES


def can_edit_course(user, course_key):
    """
    Whether ``user`` may change the course's honor code settings: an author of the course in Studio (never its
    limited staff, in Studio, the LMS or the API alike).
    """
    return user is not None and get_platform().can_edit_course(user, course_key)


# --- policy versions ------------------------------------------------------------------------------------------

def default_policy_text():
    """The honor code text this package ships (in force as version 1 until an operator publishes another)."""
    return resources.files("honorcode_xblock").joinpath(DEFAULT_POLICY_FILE).read_text(encoding="utf-8")


def current_policy():
    """The policy version in force now, or None if none was ever published."""
    return PolicyVersion.objects.current()


def policy_in_force_at(when):
    """The policy version that was in force at ``when`` (conduct is judged against it), or None."""
    return PolicyVersion.objects.in_force_at(when)


def published_policies():
    """Every published policy version, newest first."""
    return list(PolicyVersion.objects.published())


def policy_page(number=None):
    """
    What the public honor code page shows.

    Arguments:
        number (int or None): the version to show; the one in force when None.
    Returns:
        dict with ``shown`` (PolicyVersion or None), ``body_html`` and ``summary_html`` (sanitized), ``current``
        and ``versions`` (published versions, newest first, without their text).
    Raises:
        NotFound: no published version has that number.
    """
    versions = list(PolicyVersion.objects.published().defer("body", "change_summary"))
    current = versions[0] if versions else None
    wanted = number if number is not None else (current.number if current else None)
    shown = _first(PolicyVersion.objects.published(), number=wanted) if wanted is not None else None
    if number is not None and shown is None:
        raise NotFound(_("There is no published honor code version {number}.").format(number=number))
    return {
        "shown": shown,
        "body_html": clean_html(shown.body) if shown else "",
        "summary_html": clean_html(shown.change_summary) if shown else "",
        "current": current,
        "versions": versions,
    }


def validate_policy_fields(title, body, change_kind, change_summary):
    """
    Check the fields of a policy version.

    Returns:
        dict of cleaned fields (``body`` and ``change_summary`` sanitized).
    Raises:
        InvalidInput: with a message for each field in error.
    """
    errors = {}
    if not isinstance(title, str) or not title.strip():
        errors.setdefault("title", []).append(_("Give the honor code a title."))
    if not isinstance(body, str):
        body = ""
    if len(body) > policy.MAX_POLICY_LENGTH:
        errors.setdefault("body", []).append(
            _("The text is longer than {limit} characters.").format(limit=policy.MAX_POLICY_LENGTH))
    cleaned_body = clean_html(body)
    if not cleaned_body:
        errors.setdefault("body", []).append(_("The honor code text cannot be empty."))
    if change_kind not in ChangeKind.values:
        errors.setdefault("change_kind", []).append(
            _("Choose the kind of change: {choices}.").format(choices=", ".join(ChangeKind.values)))
    if change_summary is not None and not isinstance(change_summary, str):
        errors.setdefault("change_summary", []).append(_("The summary of changes must be text."))
    if errors:
        raise InvalidInput(errors)
    return {
        "title": title.strip()[:200],
        "body": cleaned_body,
        "change_kind": change_kind,
        "change_summary": clean_html(change_summary),
    }


def create_policy_draft(*, body, change_kind=ChangeKind.MATERIAL, change_summary="", title="Honor Code", actor=None):
    """
    Create an unpublished policy version.

    Returns:
        the new PolicyVersion (a draft).
    Raises:
        InvalidInput: empty text, unknown change kind.
    """
    fields = validate_policy_fields(title, body, change_kind, change_summary)
    with transaction.atomic():
        version = PolicyVersion.objects.create(created_by=actor, **fields)
        _record(actor, "policy.draft_created", version, after=_policy_snapshot(version))
    return version


def _locked_draft(version):
    """The draft ``version`` locked for update; ReadOnly once it is published."""
    locked = PolicyVersion.objects.locked(version.pk)
    if locked.is_published:
        raise ReadOnly(_("Version {number} is published and can no longer be changed.").format(number=locked.number))
    return locked


def update_policy_draft(version, *, body, change_kind, change_summary="", title="Honor Code", actor=None):
    """
    Change a draft policy version.

    Raises:
        ReadOnly: the version is published.
        InvalidInput: as for :func:`create_policy_draft`.
    """
    fields = validate_policy_fields(title, body, change_kind, change_summary)
    with transaction.atomic():
        locked = _locked_draft(version)
        before = _policy_snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        _record(actor, "policy.draft_updated", locked, before=before, after=_policy_snapshot(locked))
    return locked


def delete_policy_draft(version, *, actor=None):
    """
    Delete a draft policy version.

    Raises:
        ReadOnly: the version is published (published versions are kept for ever).
    """
    with transaction.atomic():
        locked = _locked_draft(version)
        _record(actor, "policy.draft_deleted", locked, before=_policy_snapshot(locked))
        locked.delete()


def publish_policy(version, *, actor=None):
    """
    Publish a draft: it takes effect at once, with the next version number and the "last updated" date of now.

    Publishing writes one row; nothing is done per learner.

    Raises:
        ReadOnly: the version is already published.
    """
    for _attempt in range(3):
        try:
            with transaction.atomic():
                locked = PolicyVersion.objects.locked(version.pk)
                if locked.is_published:
                    raise ReadOnly(_("Version {number} is already published.").format(number=locked.number))
                locked.number = PolicyVersion.objects.highest_number() + 1
                locked.published_at = timezone.now()
                locked.published_by = actor
                locked.save(update_fields=["number", "published_at", "published_by"])
                _record(actor, "policy.published", locked, after=_policy_snapshot(locked))
            _forget_all_gate_states()
            log.info("Honor code version %s published by %s", locked.number, getattr(actor, "pk", None))
            return locked
        except IntegrityError:  # another publish took the same number at the same moment: take the next one
            continue
    raise Conflict(_("Another version is being published right now. Try again."))


def publish_new_policy(*, body, change_kind, change_summary="", title="Honor Code", actor=None):
    """Create a version and publish it at once (what the management command does)."""
    with transaction.atomic():
        draft = create_policy_draft(
            body=body, change_kind=change_kind, change_summary=change_summary, title=title, actor=actor,
        )
        return publish_policy(draft, actor=actor)


def _policy_snapshot(version):
    return {
        "number": version.number,
        "title": version.title,
        "change_kind": version.change_kind,
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "body_length": len(version.body),
    }


# --- courses ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Assignment:
    """An assignment on which collaboration is permitted, as learners see it."""

    usage_key: str
    label: str


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
    current = current_policy()
    if current is None:
        raise NoPolicyPublished(_("No honor code has been published on this site yet."))
    terms = CourseTerms.objects.current(course_key)
    course_settings = CourseSettings.objects.for_course(course_key)
    return LearnerView(
        policy=current,
        policy_html=clean_html(current.body),
        terms_version=terms.version if terms else None,
        terms_html=clean_html(terms.body) if terms else "",
        collaboration=[_assignment(entry) for entry in (terms.collaboration if terms else [])],
        acceptance_mode=course_settings.acceptance_mode if course_settings else AcceptanceMode.CHECKBOX,
        acceptance=_current_acceptance(user, course_key, current, terms),
        configured=course_settings is not None,
    )


def _assignment(entry):
    label = entry.get("note") or entry.get("name") or entry["usage_key"]
    return Assignment(usage_key=entry["usage_key"], label=label)


def studio_values(course_key):
    """
    The course's honor code settings as the author edits them, or None when the app has no record of the course.

    Returns:
        dict with ``course_terms`` (HTML), ``collaboration`` (the editor's text form) and the settings named in
        ``SETTINGS_FIELDS``.
    """
    course_settings = CourseSettings.objects.for_course(course_key)
    if course_settings is None:
        return None
    terms = CourseTerms.objects.current(course_key)
    return {
        "course_terms": terms.body if terms else "",
        "collaboration": policy.format_collaboration(terms.collaboration if terms else []),
        **_settings_snapshot(course_settings),
    }


def validate_course_settings(course_key, *, terms_html, collaboration_text, acceptance_mode, gate_graded_content,
                             display_name=None, staff_exempt=True, reaccept_after_material_change=True):
    """
    Check a course author's settings.

    Returns:
        dict of cleaned values: ``terms_html`` (sanitized), ``collaboration`` (list of dicts with the assignment's
        name where the platform knows it), ``collaboration_text``, ``acceptance_mode``, ``gate_graded_content`` and
        ``display_name``.
    Raises:
        InvalidInput: with a message for each field in error.
    """
    errors = {}
    if display_name is not None:
        if not isinstance(display_name, str) or not display_name.strip():
            errors["display_name"] = [_("Give the component a display name.")]
        elif len(display_name.strip()) > policy.MAX_DISPLAY_NAME_LENGTH:
            errors["display_name"] = [_("The display name must be at most {limit} characters.").format(
                limit=policy.MAX_DISPLAY_NAME_LENGTH)]
        else:
            display_name = display_name.strip()
    if not isinstance(terms_html, str):
        errors["course_terms"] = [_("The course terms must be text.")]
    elif len(terms_html) > policy.MAX_TERMS_LENGTH:
        errors["course_terms"] = [_("The course terms are longer than {limit} characters.").format(
            limit=policy.MAX_TERMS_LENGTH)]
    entries = []
    if not isinstance(collaboration_text, str):
        errors["collaboration"] = [_("The collaboration list must be text, one assignment per line.")]
    else:
        entries, collab_errors = policy.parse_collaboration(collaboration_text, course_key)
        entries, name_errors = _named_assignments(entries)
        if collab_errors or name_errors:
            errors["collaboration"] = collab_errors + name_errors
    if acceptance_mode not in AcceptanceMode.values:
        errors["acceptance_mode"] = [_("Choose how learners accept: {choices}.").format(
            choices=", ".join(AcceptanceMode.values))]
    for name, value in (("gate_graded_content", gate_graded_content), ("staff_exempt", staff_exempt),
                        ("reaccept_after_material_change", reaccept_after_material_change)):
        if not isinstance(value, bool):
            errors[name] = [_("This setting must be on or off.")]
    if errors:
        raise InvalidInput(errors)
    return {
        "display_name": display_name,
        "terms_html": clean_html(terms_html),
        "collaboration": entries,
        "collaboration_text": policy.format_collaboration(entries),
        "acceptance_mode": acceptance_mode,
        "gate_graded_content": gate_graded_content,
        "staff_exempt": staff_exempt,
        "reaccept_after_material_change": reaccept_after_material_change,
    }


def _named_assignments(entries):
    """Attach each assignment's display name from the platform; an unknown block is an error."""
    named, errors = [], []
    platform = get_platform()
    for entry in entries:
        name = platform.assignment_name(UsageKey.from_string(entry.usage_key))
        if name is None:
            errors.append(_("{key} is not an assignment of this course.").format(key=entry.usage_key))
            continue
        named.append({**entry.as_dict(), **({"name": name} if name else {})})
    return named, errors


def save_course_settings(course_key, *, terms_html, collaboration_text, acceptance_mode, gate_graded_content,
                         actor, display_name=None, staff_exempt=True, reaccept_after_material_change=True):
    """
    Store a course's terms and settings, as saved by its author in Studio.

    Terms that differ from the current ones become the course's next terms version; identical terms add nothing.

    Returns:
        dict: the cleaned values (see :func:`validate_course_settings`) plus ``terms_version`` (int or None).
    Raises:
        NotPermitted: ``actor`` may not edit the course.
        InvalidInput: with a message for each field in error; nothing is stored then.
    """
    if not can_edit_course(actor, course_key):
        raise NotPermitted(_("Only the course team can change the honor code settings of this course."))
    cleaned = validate_course_settings(
        course_key, terms_html=terms_html, collaboration_text=collaboration_text, acceptance_mode=acceptance_mode,
        gate_graded_content=gate_graded_content, display_name=display_name, staff_exempt=staff_exempt,
        reaccept_after_material_change=reaccept_after_material_change,
    )
    cleaned["terms_version"] = _store_course_settings(course_key, cleaned, actor)
    return cleaned


def adopt_block_settings(course_key, *, terms_html, collaboration_text, acceptance_mode, gate_graded_content,
                         staff_exempt=True, reaccept_after_material_change=True):
    """
    Take a course's settings from its block's own fields when the app has no record of the course yet.

    A course imported from OLX or re-run carries its Honor Code block's fields but no rows in the app's tables; the
    first render adopts them (recorded in the audit with no actor). Invalid imported values are skipped and logged.

    Returns:
        True when settings were adopted.
    """
    if CourseSettings.objects.for_course(course_key) is not None:
        return False
    try:
        cleaned = validate_course_settings(
            course_key, terms_html=terms_html, collaboration_text=collaboration_text, acceptance_mode=acceptance_mode,
            gate_graded_content=gate_graded_content, staff_exempt=staff_exempt,
            reaccept_after_material_change=reaccept_after_material_change,
        )
    except InvalidInput as error:
        log.warning("Honor code settings of %s not adopted from the course content: %s", course_key, error)
        return False
    _store_course_settings(course_key, cleaned, actor=None, only_if_new=True)
    return True


def _store_course_settings(course_key, cleaned, actor, only_if_new=False):
    """Write validated settings under the course's lock; returns the current terms version (or None)."""
    _row, created = CourseSettings.objects.ensure(course_key)
    if only_if_new and not created:
        return None
    with transaction.atomic():
        course_settings = CourseSettings.objects.locked(course_key)
        current_terms = CourseTerms.objects.current(course_key)
        if policy.terms_changed(current_terms, cleaned["terms_html"], cleaned["collaboration"]):
            current_terms = CourseTerms.objects.add_version(
                course_key, body=cleaned["terms_html"], collaboration=cleaned["collaboration"], created_by=actor,
            )
            _record(actor, "course_terms.created", current_terms, course_key=course_key, after={
                "version": current_terms.version, "collaboration": current_terms.collaboration,
                "body_length": len(current_terms.body),
            })
        before = None if created else _settings_snapshot(course_settings)
        for name in SETTINGS_FIELDS:
            setattr(course_settings, name, cleaned[name])
        after = _settings_snapshot(course_settings)
        if before != after:
            course_settings.save()
            _record(actor, "course_settings.changed", course_settings, course_key=course_key,
                    before=before, after=after)
    _forget_all_gate_states()
    return current_terms.version if current_terms else None


#: The course settings an author edits in Studio.
SETTINGS_FIELDS = ("acceptance_mode", "gate_graded_content", "staff_exempt", "reaccept_after_material_change")


def _settings_snapshot(course_settings):
    return {name: getattr(course_settings, name) for name in SETTINGS_FIELDS}


def _terms_to_accept(course_key):
    """The course's current terms; a course with none gets an empty version 1 (every acceptance names one)."""
    terms, created = CourseTerms.objects.first_version(course_key)
    if created:
        _record(None, "course_terms.created", terms, course_key=course_key, after={"version": 1, "body_length": 0})
    return terms


# --- acceptances ------------------------------------------------------------------------------------------------

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
    if is_masquerading(user):
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
        terms = _terms_to_accept(course_key)
        acceptance, created = Acceptance.objects.get_or_create(
            user=user, course_key=course_key, policy_version=view.policy, course_terms=terms, method=method,
            defaults={"signature": signature, "accepted_at": timezone.now(), "block_id": str(block_id)[:255]},
        )
        if created and method == AcceptanceMethod.EXPLICIT:
            # the learner has just read and accepted the versions in force: earlier change notices are moot
            Acceptance.objects.mark_notices_shown(Acceptance.objects.pending_notices(user, course_key), timezone.now())
        if created:
            _record(user, "acceptance.created", acceptance, course_key=course_key, after={
                "user_id": user.pk, "policy_version": view.policy.number, "course_terms": terms.version,
                "method": method,
            })
            transaction.on_commit(lambda: _send_event(events.HONOR_CODE_ACCEPTANCE_CREATED, acceptance=(
                events.AcceptanceData(
                    user_id=user.pk, course_key=course_key, policy_version=view.policy.number,
                    terms_version=terms.version, method=str(method), accepted_at=acceptance.accepted_at,
                )
            )), robust=True)
    if created:
        _forget_gate_state(user, course_key)
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
        _release_certificate(user, course_key)
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
    current = current_policy()
    if current is None:
        return None
    return _current_acceptance(user, course_key, current, CourseTerms.objects.current(course_key))


def _current_acceptance(user, course_key, current, terms):
    """
    The acceptance that covers the versions in force now, or None when the learner must accept (again).

    An agreement by continued use covers them unless a material change asks for an explicit acceptance
    (``policy.gate_satisfied``), in which case the learner is asked to accept again.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    mine = list(Acceptance.objects.for_user_in_course(user, course_key))
    covering = [acc for acc in mine if policy.acceptance_is_current(acc, current, terms)]
    if not covering:
        return None
    explicit = [acc for acc in covering if acc.method == AcceptanceMethod.EXPLICIT]
    if explicit:
        return explicit[0]
    course_settings = CourseSettings.objects.for_course(course_key)
    explicit_numbers = [acc.policy_version.number for acc in mine if acc.method == AcceptanceMethod.EXPLICIT]
    if policy.gate_satisfied(
        current_number=current.number,
        last_material_number=PolicyVersion.objects.last_material_number(),
        best_explicit_number=max(explicit_numbers, default=None),
        reaccept_after_material_change=course_settings.reaccept_after_material_change if course_settings else True,
    ):
        return covering[0]
    return None


def acceptance_counts(course_key):
    """
    How many learners accepted which versions in a course.

    Returns:
        list of dicts ``{"policy_version": int, "terms_version": int, "learners": int}``, newest first.
    """
    return [
        {
            "policy_version": row["policy_version__number"],
            "terms_version": row["course_terms__version"],
            "learners": row["learners"],
        }
        for row in Acceptance.objects.counts_by_version(course_key)
    ]


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
      and so are the errors of the learner's notices.
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
        Notice.objects.filter(user=user).exclude(last_error="").update(last_error="")
        CertificateHold.objects.filter(user=user).delete()
        by_course = {}
        for case in cases:
            if case.pk in touched:
                by_course.setdefault(case.course_key, []).append(case.pk)
        for course_key, ids in by_course.items():
            audit.append(actor=None, action="case.redacted", object_type="user", object_id=user.pk,
                         course_key=course_key, after={"cases": ids, "reason": "retirement"})
        counts = {"acceptances": redacted, "cases": len(touched), "evidence": len(evidence)}
        if redacted or touched:
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


# --- audit ------------------------------------------------------------------------------------------------------

def _record(actor, action, obj, *, course_key=None, before=None, after=None):
    """Append one audit event to the course's hash chain (inside the caller's transaction)."""
    return audit.append(
        actor=actor, action=action, object_type=obj._meta.model_name, object_id=obj.pk, course_key=course_key,
        before=before, after=after,
    )


# --- the gate (hot path: every unit a learner opens) ---------------------------------------------------------------

#: How long a learner's gate facts stay in Django's cache; every change that affects them invalidates them sooner.
GATE_CACHE_SECONDS = 3600
#: Part of every cache key: bump it when the cached value's shape changes, so old entries are never read.
GATE_SCHEMA = 2
GATE_GENERATION_KEY = f"honorcode:gate:v{GATE_SCHEMA}:generation"
_REQUEST_CACHE_NAMESPACE = "honorcode.gate"


@dataclass(frozen=True)
class GateFacts:
    """What the gate knows of one learner in one course (cached; the toggles and staff roles are read live)."""

    #: The course uses the honor code (an author saved its settings, or they were adopted from the course).
    uses_honor_code: bool = False
    #: The course's own setting: withhold graded content until acceptance.
    gate_graded_content: bool = False
    #: The course's setting: course staff see graded content without accepting.
    staff_exempt: bool = True
    #: The learner's acceptances satisfy the change rule (``policy.gate_satisfied``).
    accepted: bool = False
    #: The learner has a continued-use acceptance whose change notice is still to be shown.
    notice_pending: bool = False


@dataclass(frozen=True)
class GateState:
    """One learner's standing in one course, as the gate sees it now."""

    uses_honor_code: bool = False
    #: The course withholds graded content until acceptance (its setting and the rollout toggles).
    gated: bool = False
    #: The learner may see and submit graded content (accepted, or exempt as course staff).
    satisfied: bool = True
    notice_pending: bool = False

    @property
    def withhold_graded(self):
        """Whether graded content is withheld from this learner."""
        return self.gated and not self.satisfied


def gate_state(user, course_key):
    """
    The learner's gate state in a course: at most one database query on a cold cache, none on a warm one.

    On a learner's own visit after a change to the honor code or the course's terms, records their agreement by
    continued use (the change rule) and keeps the change notice pending until it is shown. Staff viewing the course
    as the learner, certificate tasks and other callers acting for someone else read the state and change nothing.

    Arguments:
        user: the learner (None or an anonymous user for a visitor who is not signed in).
        course_key: the course.
    Returns:
        GateState
    """
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    request_cache = RequestCache(_REQUEST_CACHE_NAMESPACE)
    request_key = (course_key, user.pk if user is not None else None)
    cached = request_cache.get_cached_response(request_key)
    if cached.is_found:
        return cached.value
    state = _live_state(_gate_facts(user, course_key), user, course_key)
    request_cache.set(request_key, state)
    return state


def _gate_facts(user, course_key):
    try:
        key = _gate_cache_key(user, course_key)
        facts = cache.get(key)
    except Exception:  # pylint: disable=broad-except  # the cache is down: the database still answers
        log.warning("Honor code gate: cache unavailable, reading the database", exc_info=True)
        return _compute_gate_facts(user, course_key)[0]
    if facts is None:
        facts, cacheable = _compute_gate_facts(user, course_key)
        if cacheable:
            _quietly(cache.set, key, facts, GATE_CACHE_SECONDS)
    return facts


def _quietly(operation, *args):
    """Run a cache operation; a cache that is down is logged, never an error (the database stays the truth)."""
    try:
        return operation(*args)
    except Exception:  # pylint: disable=broad-except
        log.warning("Honor code gate: cache unavailable", exc_info=True)
        return None


def _compute_gate_facts(user, course_key):
    """The learner's facts from one query; (facts, whether they may be cached for everyone's later requests)."""
    row = CourseSettings.objects.gate_facts(course_key, user)
    if row is None:
        return GateFacts(), True
    cacheable = True
    notice_pending = bool(user is not None and row["notice_pending"])
    if user is not None and policy.needs_continued_access(
        accepted_any=row["accepted_any"], accepted_current=row["accepted_current"],
    ):
        if _acting_for_themselves(user):
            _record_continued_access(user, course_key)
            notice_pending = True
        else:
            cacheable = False  # the learner's own next visit must still record it
    return GateFacts(
        uses_honor_code=True,
        gate_graded_content=row["gate_graded_content"],
        staff_exempt=row["staff_exempt"],
        accepted=user is not None and policy.gate_satisfied(
            current_number=row["current_number"],
            last_material_number=row["last_material_number"],
            best_explicit_number=row["best_explicit_number"],
            reaccept_after_material_change=row["reaccept_after_material_change"],
        ),
        notice_pending=notice_pending,
    ), cacheable


def _live_state(facts, user, course_key):
    """The facts with what must never be cached: the rollout toggles and course staff's exemption."""
    gated = facts.gate_graded_content and gate_enabled_for(course_key)
    satisfied = facts.accepted
    if gated and not satisfied and facts.staff_exempt and user is not None:
        satisfied = is_gate_exempt_staff(user, course_key) and not get_platform().previews_as_learner(user,
                                                                                                      course_key)
    return GateState(uses_honor_code=facts.uses_honor_code, gated=gated, satisfied=satisfied,
                     notice_pending=facts.notice_pending)


def _acting_for_themselves(user):
    """Whether the current request is the learner's own (not staff viewing as them, not a task acting for them)."""
    requester = current_user()
    return requester is not None and requester.pk == user.pk and not is_masquerading(user)


def _record_continued_access(user, course_key):
    """The learner agrees to the versions in force now by continuing to use the course (the change rule)."""
    try:
        accept(user, course_key, method=AcceptanceMethod.CONTINUED_ACCESS)
    except HonorCodeError as error:  # e.g. nothing published: nothing to agree to
        log.info("No continued-use acceptance for user %s in %s: %s", user.pk, course_key, error)


def _gate_cache_key(user, course_key):
    generation = cache.get(GATE_GENERATION_KEY)
    if generation is None:
        # A new, never-used generation: entries of an evicted counter's generations can never be read again.
        cache.add(GATE_GENERATION_KEY, time.time_ns(), None)
        generation = cache.get(GATE_GENERATION_KEY)
    return f"honorcode:gate:v{GATE_SCHEMA}:{generation}:{course_key}:{user.pk if user is not None else 'anonymous'}"


def _forget_gate_state(user, course_key):
    """
    Drop one learner's cached gate facts now and again once the change is committed (a request that read the old
    rows in between must not leave them cached).
    """
    def forget():
        RequestCache(_REQUEST_CACHE_NAMESPACE).delete((course_key, user.pk if user is not None else None))
        _quietly(lambda: cache.delete(_gate_cache_key(user, course_key)))
    forget()
    transaction.on_commit(forget)


def _forget_all_gate_states():
    """Make every cached gate state stale, now and again once the change is committed (a version, settings)."""
    def bump():
        try:
            cache.incr(GATE_GENERATION_KEY)
        except ValueError:  # no generation yet (or evicted): start a new one
            cache.set(GATE_GENERATION_KEY, time.time_ns(), None)

    def forget():
        RequestCache(_REQUEST_CACHE_NAMESPACE).clear()
        _quietly(bump)
    forget()
    transaction.on_commit(forget)


def change_notice(user, course_key):
    """
    The notice of the changes the learner has not been told of yet, or None; showing it marks it shown.

    Several changes since the learner's last visit make one notice: the newest version's date, with what changed in
    each version published since the one the learner last agreed to (those a visit in between recorded, and those no
    visit saw), and the kind of the weightiest of them. Staff viewing the course as the learner never use up the
    learner's notice.

    Returns:
        dict with ``date`` (when the newest change was published), ``policy_number`` (the newest), ``change_kind``
        (material if any of the changes is), ``changes`` (the policy versions told of, newest first: dicts with
        ``number``, ``change_kind`` and ``summary_html``, sanitized), ``summary_html`` (theirs, joined),
        ``policy_changed`` and ``terms_changed`` (bools) and ``must_accept`` (a material change gates graded content
        until an explicit acceptance).
    """
    if user is None or not gate_state(user, course_key).notice_pending or not _acting_for_themselves(user):
        return None
    pending = Acceptance.objects.pending_notices(user, course_key)
    if not pending:
        return None
    must_accept = gate_state(user, course_key).withhold_graded
    Acceptance.objects.mark_notices_shown(pending, timezone.now())
    _forget_gate_state(user, course_key)
    newest = pending[0]
    previous = Acceptance.objects.for_user_in_course(user, course_key).filter(
        accepted_at__lt=pending[-1].accepted_at).first()
    policy_changed = previous is None or previous.policy_version_id != newest.policy_version_id
    known = previous.policy_version.number if previous is not None else 0
    versions = PolicyVersion.objects.published_between(known, newest.policy_version.number) if policy_changed else []
    changes = [{"number": version.number, "change_kind": str(version.change_kind),
                "summary_html": clean_html(version.change_summary)} for version in versions]
    material = any(change["change_kind"] == ChangeKind.MATERIAL for change in changes)
    return {
        "date": newest.policy_version.published_at if policy_changed else newest.course_terms.created_at,
        "policy_number": newest.policy_version.number,
        "change_kind": ChangeKind.MATERIAL.value if material else newest.policy_version.change_kind,
        "changes": changes,
        "summary_html": "".join(change["summary_html"] for change in changes),
        "policy_changed": policy_changed,
        "terms_changed": previous is not None and previous.course_terms_id != newest.course_terms_id,
        "must_accept": must_accept,
    }


# --- the gate's doors: filter steps, the handler middleware, the accept endpoint ---------------------------------

def current_user():
    """The learner the current request renders for (the masqueraded learner when staff view as one), or None."""
    return get_platform().current_user()


def user_for_request(request):
    """The user a request acts for, or None."""
    return get_platform().user_for_request(request)


def withholds(block, user, context=None):
    """
    Whether the gate withholds ``block`` from ``user``: the block is graded and the learner has not accepted.

    Arguments:
        context (dict or None): the render context the block's container passes on.
    Returns:
        the block's course key when withheld, else None.
    """
    platform = get_platform()
    if not platform.is_graded(block, context):
        return None
    course_key = platform.course_key_for_block(block)
    if course_key is None or not gate_state(user, course_key).withhold_graded:
        return None
    return course_key


def handler_refusal(request):
    """
    Why a handler call must be refused (a translated message), or None to let it through.

    Refused: calls that run graded work (a leaf block in a graded subsection, or one that does not exist) for a
    learner the gate withholds graded content from. The gate state is read first (cached), so only withheld
    learners cost a look-up of the block. The Honor Code block's own handlers are always open.
    """
    platform = get_platform()
    call = platform.handler_call(request)
    if call is None:
        return None
    course_key, usage_key = call
    if platform.block_type(usage_key) == "honorcode":
        return None
    if not gate_state(platform.user_for_request(request), course_key).withhold_graded:
        return None
    if platform.is_gradable_usage(usage_key) is False:
        return None
    return _("Accept the honor code of this course before you submit graded work.")


def certificate_withheld(user, course_key):
    """
    Whether a certificate must be withheld because the learner never accepted the honor code in a gated course.

    A learner who accepted any version explicitly, or who is exempt as course staff, gets the certificate; so does
    every learner of a course that does not gate. Asked from a task or by staff, it records nothing for the learner.
    """
    state = gate_state(user, course_key)
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
    the learner see it, and it is asked for again once nothing withholds it (:func:`_release_certificate`).

    Returns:
        the ``CertificateHold``.
    """
    with transaction.atomic():
        hold, changed = CertificateHold.objects.record(user, course_key, reason, timezone.now())
        if changed:
            _record(None, "certificate.withheld", hold, course_key=course_key,
                    after={"user_id": user.pk, "reason": str(reason)})
    return hold


def withheld_certificate_status():
    """The status a withheld learner's certificate gets from the creation step (the platform's "unavailable")."""
    return get_platform().withheld_certificate_status()


def _release_certificate(user, course_key, ask_anyway=False):
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
    _record(None, "certificate.released", hold, course_key=hold.course_key,
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
            if not course_uses_honor_code(course_key):
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


def _recheck_certificate_holds(cutoff):
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
    require_course_staff(actor, course_key)
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


def course_uses_honor_code(course_key):
    """Whether the course uses the honor code: its settings were saved in Studio or adopted from its content."""
    return CourseSettings.objects.for_course(course_key) is not None


def accept_url(course_key, user):
    """Where the gate's placeholder sends the accept form for ``user`` in ``course_key``."""
    url = reverse("honorcode:accept", kwargs={"course_id": str(course_key)})
    query = get_platform().accept_query(user)
    return f"{url}?{query}" if query else url


# --- events -----------------------------------------------------------------------------------------------------

def _send_event(signal, **data):
    """Send an openedx-events signal; a receiver's failure is logged, never the caller's failure."""
    try:
        signal.send_event(**data)
    except Exception:  # pylint: disable=broad-except
        log.exception("Sending %s failed", signal.event_type)


# --- violations: who may do what ----------------------------------------------------------------------------------

def is_global_staff(user):
    """Whether ``user`` is global staff (publishes policy versions, terminates accounts)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active
                and get_platform().is_global_staff(user))


def _require_signed_in(user):
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise NotPermitted(_("Sign in first."))


def require_course_staff(user, course_key):
    """
    Refuse anyone who is not on the course team of ``course_key`` (or global staff), asking the platform each time
    (the gate's cached answer may be minutes old).

    Raises:
        NotPermitted; NotFound when the platform has no such course.
    """
    _require_signed_in(user)
    platform = get_platform()
    if not platform.is_course_staff(user, course_key):  # live: a removed role stops case work at once
        raise NotPermitted(_("Only the course team of {course} can do this.").format(course=course_key))
    if not platform.course_exists(course_key):  # asked second: nobody off the team learns which courses exist
        raise NotFound(_("There is no course {course}.").format(course=course_key))


def _require_course_staff_or(user, course_key, missing):
    """
    Refuse with ``missing`` (a ``NotFound``) anyone not on the course team: someone who may not see a record learns
    nothing of whether it exists, and gets the same answer as for an id that names nothing.
    """
    if not get_platform().is_course_staff(user, course_key):
        raise missing


def require_global_staff(user):
    """Refuse anyone who is not global staff (``NotPermitted``)."""
    _require_signed_in(user)
    if not is_global_staff(user):
        raise NotPermitted(_("Only global staff can do this."))


# --- violations: cases ------------------------------------------------------------------------------------------

#: Longest description, evidence text or rationale accepted, in characters.
MAX_TEXT_LENGTH = 20000
#: Most respondents in one case.
MAX_RESPONDENTS = 50
#: How a case may move by an explicit status change (a determination moves it to "determined").
CASE_TRANSITIONS = {
    CaseStatus.OPEN: {CaseStatus.UNDER_REVIEW, CaseStatus.CLOSED},
    CaseStatus.UNDER_REVIEW: {CaseStatus.OPEN, CaseStatus.CLOSED},
    CaseStatus.DETERMINED: {CaseStatus.CLOSED, CaseStatus.UNDER_REVIEW},
    CaseStatus.CLOSED: {CaseStatus.UNDER_REVIEW},
}


def _text(errors, name, value, *, required=True, label=""):
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        errors[name] = [_("{label} is required.").format(label=label or name)]
    elif len(value) > MAX_TEXT_LENGTH:
        errors[name] = [_("{label} is longer than {limit} characters.").format(label=label or name,
                                                                                limit=MAX_TEXT_LENGTH)]
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
    require_course_staff(actor, course_key)
    errors = {}
    platform = get_platform()
    users = _respondent_users(errors, respondents, platform)
    strangers = [user.username for user in users if not platform.is_learner_of(user, course_key)]
    if strangers and "respondents" not in errors:
        errors["respondents"] = [_("Not a learner of this course: {names}.").format(names=", ".join(strangers[:10]))]
    if commitment not in Commitment.values:
        errors["commitment"] = [_("Choose one of the four commitments.")]
    description = _text(errors, "description", description, label=_("A description"))
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
    in_force = policy_in_force_at(conduct_at) if "conduct_at" not in errors else None
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
        _record(actor, "case.opened", case, course_key=course_key,
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
    if len(respondents) > MAX_RESPONDENTS:
        errors["respondents"] = [_("A case can name at most {limit} learners.").format(limit=MAX_RESPONDENTS)]
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


def _first(queryset, **lookup):
    """
    ``queryset.filter(**lookup).first()``, or None for a number past the database's integers (an id from a URL):
    SQLite raises ``OverflowError`` for one under Django < 5.0.
    """
    try:
        return queryset.filter(**lookup).first()
    except OverflowError:
        return None


def _case_for_staff(actor, case_id, *, lock=False):
    """The case with id ``case_id`` if ``actor`` is on its course team (404 for a case that does not exist)."""
    _require_signed_in(actor)
    missing = NotFound(_("There is no case {case_id}.").format(case_id=case_id))
    try:
        case = Case.objects.locked(case_id) if lock else Case.objects.select_related("policy_version").get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError, OverflowError) as error:
        raise missing from error
    _require_course_staff_or(actor, case.course_key, missing)
    return case


def list_cases(actor, course_key, *, status="", commitment="", respondent=""):
    """
    A course's cases, newest first, filtered by status, commitment and respondent username (each optional).

    Raises:
        NotPermitted, InvalidInput (an unknown status or commitment).
    """
    require_course_staff(actor, course_key)
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
    return _case_for_staff(actor, case_id)


@dataclass(frozen=True)
class CaseFile:
    """Everything the case page shows."""

    case: object
    respondents: list
    evidence: list
    determinations: list
    sanctions: list
    notices: list
    events: list
    transitions: list
    can_terminate: bool


def case_file(actor, case_id):
    """One case with its respondents, evidence, determinations, sanctions, notices and audit trail."""
    case = _case_for_staff(actor, case_id)
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
    return CaseFile(
        case=case,
        respondents=list(case.respondent_links.select_related("user").order_by("user__username")),
        evidence=evidence,
        determinations=determinations,
        sanctions=sanction_list,
        notices=list(Notice.objects.filter(determination__case=case).select_related("user", "determination")),
        events=event_list,
        transitions=sorted(CASE_TRANSITIONS[case.status]),
        can_terminate=is_global_staff(actor),
    )


def change_case_status(actor, case_id, status, *, note=""):
    """
    Move a case to another status (under review, back to open, closed, or reopened for review).

    A determination is made with :func:`determine`, never by a status change. Reopening a determined or closed
    case is recorded as its own event; the determination stays on file and a new one may follow.

    Raises:
        NotFound, NotPermitted, InvalidInput (unknown status, a note over ``MAX_TEXT_LENGTH``), Conflict (a move the
        case's status does not allow).
    """
    errors = {}
    if status not in CaseStatus.values:
        errors["status"] = [_("Unknown status {value}.").format(value=status)]
    note = _text(errors, "note", note, required=False)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        case = _case_for_staff(actor, case_id, lock=True)
        if status not in CASE_TRANSITIONS[case.status]:
            raise Conflict(_("A case that is {current} cannot become {new}.").format(
                current=CaseStatus(case.status).label, new=CaseStatus(status).label))
        before = case.status
        case.status, case.updated_at = status, timezone.now()
        case.save(update_fields=["status", "updated_at"])
        reopened = before in (CaseStatus.DETERMINED, CaseStatus.CLOSED) and status == CaseStatus.UNDER_REVIEW
        _record(actor, "case.reopened" if reopened else "case.status_changed", case, course_key=case.course_key,
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
    text = _text(errors, "text", text, required=False)
    checked = _checked_upload(errors, upload) if upload is not None else None
    if not errors and not text and checked is None:
        errors["__all__"] = [_("Add a text, a file, or both.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        case = _case_for_staff(actor, case_id, lock=True)
        if case.status == CaseStatus.CLOSED:
            raise Conflict(_("The case is closed. Reopen it to add evidence."))
        item = Evidence(case=case, text=text, added_by=actor, added_at=timezone.now())
        if checked is not None:
            name, content_type, content = checked
            item.filename, item.content_type, item.size = name, content_type, len(content)
            item.sha256 = hashlib.sha256(content).hexdigest()
            item.file.save(name, ContentFile(content), save=False)
        item.save()
        _record(actor, "evidence.added", item, course_key=case.course_key, after={
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
    _require_signed_in(actor)
    missing = NotFound(_("There is no such evidence file."))
    item = _first(Evidence.objects.select_related("case"), pk=evidence_id)
    if item is None or not item.file:
        raise missing
    _require_course_staff_or(actor, item.case.course_key, missing)
    return item


# --- violations: determinations and sanctions ---------------------------------------------------------------------

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
        the ``Determination``. Its sanctions are applied and its notices sent by tasks once it is committed.
    Raises:
        NotFound, NotPermitted (terminating an account takes global staff), InvalidInput, Conflict (the case was
        determined meanwhile, or is closed).
    """
    errors = {}
    if finding not in Finding.values:
        errors["finding"] = [_("Choose a finding: violation or no violation.")]
    rationale = _text(errors, "rationale", rationale, label=_("A rationale"))
    requested = _requested_sanctions(errors, finding, sanctions_requested)
    if errors:
        raise InvalidInput(errors)
    try:
        with transaction.atomic():
            case = _case_for_staff(actor, case_id, lock=True)
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
            Notice.objects.bulk_create([Notice(determination=determination, user=link.user) for link in respondents])
            before = case.status
            case.status, case.updated_at = CaseStatus.DETERMINED, now
            case.save(update_fields=["status", "updated_at"])
            _record(actor, "determination.made", determination, course_key=case.course_key, after={
                "case": case.pk, "sequence": sequence, "finding": finding,
                "rationale": audit.text_summary(rationale),
                "sanctions": sorted(f"{kind}:{link.user_id}" for link in respondents for kind, _d, _t in requested),
            })
            _record(actor, "case.status_changed", case, course_key=case.course_key,
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
        if len(details) > MAX_TEXT_LENGTH:
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
        if kind in sanctions.GLOBAL_STAFF_ONLY and not is_global_staff(actor):
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
    Once a determination is committed: queue its sanctions and notices, and announce it.

    Each hand-off stands alone: a queue that cannot be reached leaves that sanction pending (or those notices
    unsent) for :func:`resume_pending_work` or a staff member's retry, never an error for the user who decided.
    """
    for sanction_id in sanction_ids:
        _queue_sanction(sanction_id)
    _queue_notices(determination_id)
    _send_event(events.HONOR_CODE_CASE_DETERMINED, determination=data)


def _queue_sanction(sanction_id):
    try:
        signals.sanction_pending.send(sender=Sanction, sanction_id=sanction_id)
    except Exception:  # pylint: disable=broad-except
        log.exception("Queueing sanction %s failed; it stays pending.", sanction_id)


#: How long a sanction may stay pending, or a notice unsent, before :func:`resume_pending_work` queues it again.
STALE_WORK_SECONDS = 600


def resume_pending_work(older_than_seconds=STALE_WORK_SECONDS):
    """
    Queue again what was lost on the way to the workers: sanctions still pending and notices never attempted that
    were decided more than ``older_than_seconds`` ago (a broker outage, a worker killed mid-task). Applying and
    sending are idempotent, so queueing twice is harmless; a notice its task gave up on is not sent again here.
    Certificates withheld that long whose reason no longer applies (or whose check had failed) are asked for again.

    Returns:
        (sanctions queued, determinations whose notices were queued, certificates asked for again).
    """
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    sanction_ids = Sanction.objects.lost(cutoff)
    # a notice with attempts was handed over and retried by its task until it gave up: only staff send it again
    determination_ids = sorted(set(Notice.objects.filter(sent_at__isnull=True, attempts=0,
                                                         determination__decided_at__lte=cutoff)
                                   .values_list("determination_id", flat=True)))
    for sanction_id in sanction_ids:
        _queue_sanction(sanction_id)
    for determination_id in determination_ids:
        _queue_notices(determination_id)
    certificates = _recheck_certificate_holds(cutoff)
    return len(sanction_ids), len(determination_ids), certificates


def _queue_notices(determination_id):
    try:
        signals.notices_pending.send(sender=Determination, determination_id=determination_id)
    except Exception:  # pylint: disable=broad-except
        log.exception("Queueing the notices of determination %s failed; they stay unsent.", determination_id)


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
        _record(None, "sanction.attempted", sanction, course_key=sanction.course_key, after={
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
            _record(None, "sanction.failed", sanction, course_key=sanction.course_key, after={
                "attempt": sanction.attempts, "error_type": type(error).__name__,
                "error": audit.text_summary(sanction.last_error), "kind": sanction.kind, "user_id": sanction.user_id,
            })
            sanction.retry_is_useless = permanent  # the task does not retry what cannot take effect
            return sanction
        sanction.state, sanction.last_error, sanction.applied_at = SanctionState.APPLIED, "", timezone.now()
        sanction.platform_ref = ref or {}
        sanction.save(update_fields=["state", "last_error", "applied_at", "platform_ref"])
        _forget_termination(sanction)
        _record(None, "sanction.applied", sanction, course_key=sanction.course_key, after={
            "attempt": sanction.attempts, "kind": sanction.kind, "user_id": sanction.user_id,
            "platform": _ref_for_audit(sanction.platform_ref),
        })
        data = _sanction_data(sanction)
        transaction.on_commit(lambda: _send_event(events.HONOR_CODE_SANCTION_APPLIED, sanction=data), robust=True)
    return sanction


def _ref_for_audit(ref):
    """What the trail keeps of a platform reference: ids and states, not another feature's free-text comment."""
    kept = {key: value for key, value in (ref or {}).items() if key != "previous"}
    if (ref or {}).get("previous"):
        kept["previous_system"] = ref["previous"].get("system")
    return kept


def _sanction_for_staff(actor, sanction_id):
    _require_signed_in(actor)
    sanction = _first(Sanction.objects.select_related("determination", "user"), pk=sanction_id) if str(
        sanction_id).isdigit() else None
    missing = NotFound(_("There is no sanction {id}.").format(id=sanction_id))
    if sanction is None:
        raise missing
    _require_course_staff_or(actor, sanction.course_key, missing)
    if sanction.kind in sanctions.GLOBAL_STAFF_ONLY and not is_global_staff(actor):
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
        _record(actor, "sanction.retry_requested", sanction, course_key=sanction.course_key,
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
    reason = _text(errors, "reason", reason, label=_("A reason"))
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
        _record(actor, "sanction.reverted", sanction, course_key=sanction.course_key,
                before={"state": before}, after={"state": sanction.state, "reason": audit.text_summary(reason),
                                                 "platform": undone or {}})
        if sanction.kind in sanctions.BLOCK_CERTIFICATE:
            _release_certificate(sanction.user, sanction.course_key,
                                 ask_anyway=bool((undone or {}).get("invalidation_lifted")))
        _forget_termination(sanction)
        data = _sanction_data(sanction)
        transaction.on_commit(lambda: _send_event(events.HONOR_CODE_SANCTION_REVERTED, sanction=data), robust=True)
    return sanction


def send_notices(determination_id):
    """
    Send each respondent of a determination its message, once (the task's work).

    Returns:
        the number of notices still unsent (the task retries while it is above zero).
    """
    determination = Determination.objects.select_related("case", "case__policy_version").filter(
        pk=determination_id).first()
    if determination is None:
        return 0
    platform = get_platform()
    course_name = platform.course_name(determination.case.course_key)
    unsent = 0
    for notice_id in Notice.objects.filter(determination=determination, sent_at__isnull=True).values_list(
            "pk", flat=True):
        with transaction.atomic():
            notice = Notice.objects.select_for_update().get(pk=notice_id)
            if notice.sent_at is not None:
                continue
            notice.attempts += 1
            try:
                mine = list(determination.sanctions.filter(user=notice.user).order_by("kind"))
                message = notices.render(notices.context_for(
                    determination, notice.user, mine, platform, course_name=course_name,
                ))
                platform.send_notice(notice.user, message)
            except Exception as error:  # pylint: disable=broad-except
                log.warning("Notice %s failed (attempt %s): %s", notice.pk, notice.attempts, error)
                notice.last_error = f"{type(error).__name__}: {error}"[:2000]
                notice.save(update_fields=["attempts", "last_error"])
                _record(None, "notice.failed", notice, course_key=determination.case.course_key,
                        after={"user_id": notice.user_id, "attempt": notice.attempts})
                unsent += 1
                continue
            notice.sent_at, notice.last_error = timezone.now(), ""
            notice.save(update_fields=["attempts", "last_error", "sent_at"])
            _record(None, "notice.sent", notice, course_key=determination.case.course_key,
                    after={"user_id": notice.user_id, "attempt": notice.attempts})
    return unsent


# --- what sanctions mean for the learner ---------------------------------------------------------------------------

#: How long the cache keeps whether any account is terminated, and whether each account asked about is.
TERMINATION_CACHE_SECONDS = 3600
#: One cache entry, ``"<generation>:<1|0>"``: whether any account may be terminated, and the generation of the cached
#: answers per account, so that a request with a token costs one cache read on a site without terminations. Only a
#: reader that found no entry writes one (``cache.add``, from the database: "0" when none is terminated); applying or
#: reverting a termination writes a new generation with "1" once committed (``cache.set``, over anything). So a
#: reader's "none", computed before a termination committed, never outlives it, and an answer per account computed
#: before a change is kept under a generation nobody reads any more. After the last revert, "1" lasts until the entry
#: expires.
TERMINATION_STATE_KEY = "honorcode:terminations:state"


def _termination_state():
    """(generation of the per-account answers, or None when the cache cannot hold them; whether any may be in force)."""
    state = _quietly(cache.get, TERMINATION_STATE_KEY)
    if state is None:
        in_force = Sanction.objects.filter(kind=SanctionKind.TERMINATE_ACCOUNT, state=SanctionState.APPLIED).exists()
        _quietly(cache.add, TERMINATION_STATE_KEY, f"{uuid.uuid4().hex}:{int(in_force)}", TERMINATION_CACHE_SECONDS)
        state = _quietly(cache.get, TERMINATION_STATE_KEY)
        if state is None:
            return None, in_force
    generation, _sep, flag = state.rpartition(":")
    return generation, flag == "1"


def _account_terminated(username, generation):
    """Whether the account with this username was terminated (an applied termination), kept under ``generation``."""
    key = f"honorcode:terminations:{generation}:user:{hashlib.sha256(str(username).encode('utf-8')).hexdigest()}"
    cached = _quietly(cache.get, key) if generation else None
    if cached is None:
        cached = Sanction.objects.filter(kind=SanctionKind.TERMINATE_ACCOUNT, state=SanctionState.APPLIED,
                                         user__username=username).exists()
        if generation:
            _quietly(cache.set, key, cached, TERMINATION_CACHE_SECONDS)
    return cached


def _forget_termination(sanction):
    """After a termination is applied or reverted: a new generation of cached answers, once committed."""
    if sanction.kind == SanctionKind.TERMINATE_ACCOUNT:
        transaction.on_commit(lambda: _quietly(cache.set, TERMINATION_STATE_KEY, f"{uuid.uuid4().hex}:1",
                                               TERMINATION_CACHE_SECONDS), robust=True)


def terminated_token_refusal(request):
    """
    The refusal for a request that carries a valid token (a JWT, or an OAuth2 bearer token) of a terminated account,
    or None. The platform checks no account state for a JWT it issued; a bearer token of an account whose password
    support set again would work too.

    The token's username is read cheaply first (a JWT's claim, unverified); only a terminated account's token is
    verified, so that a forged token learns nothing.
    """
    platform = get_platform()
    if not platform.request_carries_token(request):
        return None
    generation, any_in_force = _termination_state()
    if not any_in_force:
        return None
    username = platform.token_username(request, verified=False)
    if not username or not _account_terminated(username, generation):
        return None
    if platform.token_username(request, verified=True) != username:
        return None
    return _("Your use of this site was terminated following an honor code determination.")


def sign_in_proves_account(request, user):
    """
    Whether a sign-in request proves it comes from the holder of ``user``'s account (its own password, or a single
    sign-on): only then may the sign-in step say why the account is refused.
    """
    return bool(request is not None and get_platform().sign_in_proves_account(request, user))


def certificate_link_uuid(request):
    """The certificate uuid a request for a certificate's public page names, or None."""
    return get_platform().certificate_link_uuid(request)


def course_name(course_key):
    """The course's display name (its key when the platform has none)."""
    return get_platform().course_name(course_key) or str(course_key)


def course_tab_base():
    """The platform's course tab class (the base of the "Honor code cases" tab)."""
    return get_platform().course_tab_base()


def account_terminated(user):
    """Whether the learner's use of the site was terminated (an applied termination): the login step refuses."""
    return user is not None and getattr(user, "pk", None) is not None and Sanction.objects.in_force(
        user, None, [SanctionKind.TERMINATE_ACCOUNT])


def certificate_revoked(user, course_key):
    """Whether the certificate of a learner (a user, or a user id) in the course was revoked by an applied sanction."""
    return user is not None and Sanction.objects.in_force(user, course_key, [SanctionKind.CERTIFICATE_REVOKED])


# --- the learner's own record -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RecordEntry:
    """One determination about the learner, with only the learner's own sanctions."""

    determination: object
    case: object
    sanctions: list


def learner_record(user):
    """
    The learner's honor code record: every acceptance (all courses), every determination about them, and the
    certificates withheld from them.

    Only the learner's own: other respondents of a case and staff-only evidence are left out.

    Raises:
        NotPermitted: anonymous visitor.
    """
    _require_signed_in(user)
    acceptances = list(Acceptance.objects.filter(user=user).select_related("policy_version", "course_terms")
                       .order_by("-accepted_at", "-pk"))
    determinations = list(Determination.objects.filter(case__respondent_links__user=user)
                          .select_related("case", "case__policy_version").order_by("-decided_at", "-pk"))
    mine = {}
    for sanction in Sanction.objects.filter(user=user, determination__in=determinations).order_by("kind"):
        mine.setdefault(sanction.determination_id, []).append(sanction)
    return {
        "acceptances": acceptances,
        "determinations": [RecordEntry(item, item.case, mine.get(item.pk, [])) for item in determinations],
        "certificates_withheld": list(CertificateHold.objects.in_force().filter(user=user).select_related("user")
                                      .order_by("-last_held_at", "pk")),
    }


def my_certificate_hold(user, course_key):
    """The hold on the learner's own certificate in the course, if the platform asked for it and it was withheld."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    return CertificateHold.objects.held(user, course_key)


# --- exports ------------------------------------------------------------------------------------------------------

CASE_CSV_HEADER = ["case_id", "course_key", "status", "commitment", "usage_key", "respondents", "reporter",
                   "policy_version", "conduct_at", "opened_at", "finding", "determined_at", "sanctions"]
ACCEPTANCE_CSV_HEADER = ["username", "user_id", "course_key", "policy_version", "course_terms_version", "method",
                         "accepted_at", "block_id"]


def case_rows(actor, course_key):
    """The CSV rows (header first) of a course's cases, as a generator for streaming."""
    require_course_staff(actor, course_key)
    return _case_rows(course_key)


def _case_rows(course_key):
    yield CASE_CSV_HEADER
    cases = Case.objects.in_course(course_key).prefetch_related(
        "respondent_links__user", "determinations__sanctions",
    )
    for case in cases.iterator(chunk_size=500):
        last = max(case.determinations.all(), key=lambda item: item.sequence, default=None)
        yield [
            case.pk, str(case.course_key), case.status, case.commitment, case.usage_key,
            " ".join(sorted(link.user.username for link in case.respondent_links.all())),
            case.reporter.username if case.reporter else "", case.policy_version.number,
            case.conduct_at.isoformat(), case.opened_at.isoformat(),
            last.finding if last else "", last.decided_at.isoformat() if last else "",
            " ".join(sorted(f"{item.kind}:{item.state}" for item in last.sanctions.all())) if last else "",
        ]


def acceptances_in_course(actor, course_key):
    """A course's acceptances, newest first (course staff only), as a queryset for paging."""
    require_course_staff(actor, course_key)
    return Acceptance.objects.filter(course_key=course_key).select_related(
        "user", "policy_version", "course_terms").order_by("-accepted_at", "-pk")


def acceptance_rows(actor, course_key):
    """
    The CSV rows (header first) of a course's acceptances (course staff only), read page by page so memory stays flat
    (:func:`acceptance_pages`).
    """
    return _rows_of(acceptance_pages(actor, course_key))


def _rows_of(pages):
    """The rows of ``pages``, one after the other; closing them closes the pages."""
    with closing(pages):
        for page in pages:
            yield from page


#: How many acceptances the CSV export reads and writes at a time.
ACCEPTANCE_EXPORT_CHUNK = 5000


def acceptance_pages(actor, course_key):
    """
    A course's acceptances as CSV rows (course staff only), in pages: the header alone, then pages of up to
    ``ACCEPTANCE_EXPORT_CHUNK`` rows (sequences of cells), oldest first, up to the newest acceptance on file when the
    first of them is read.

    One query reads the rows as they come (``Acceptance.objects.export_pages``); on MySQL/MariaDB the connection
    serves only it until the pages are read to the end or closed, so read them before running other queries.
    """
    require_course_staff(actor, course_key)
    return _acceptance_pages(course_key)


def _acceptance_pages(course_key):
    """
    The pages of :func:`acceptance_pages`. The few policy version numbers and course terms versions are looked up
    once, not joined on every row (joined, MySQL sorts the whole course first), and the course key is the one asked
    for.

    Read in this order: the course's first and last acceptance ids, then the versions, then the acceptances between
    them. An acceptance up to the last names a policy version published before its id was taken, and terms made
    before it or in the same transaction (a course's first terms), which holds every other acceptance of the course
    until it commits: the lookups miss none, and the rows need no query while they stream. Were one missed all the
    same, its cell would be left empty and the miss logged, rather than the download cut short.
    """
    yield [ACCEPTANCE_CSV_HEADER]
    bounds = Acceptance.objects.export_bounds(course_key)
    if bounds is None:
        return
    numbers = _LoggedLookup("policy version", PolicyVersion.objects.numbers())
    versions = _LoggedLookup("course terms", CourseTerms.objects.versions(course_key))
    course = str(course_key)
    # .. setting_name: HONORCODE_EXPORT_STATEMENT_SECONDS
    # .. setting_default: 30
    # .. setting_description: On MySQL/MariaDB, the longest a database statement of the acceptance CSV export may
    #   run, in seconds (0: no limit). The export reads a course with one statement, which holds the tables' metadata
    #   locks while a slow download lasts; at this limit the server stops it and the export goes on from its last row
    #   with a new one, so that a migration never waits longer than this for an export.
    statement_seconds = float(getattr(django_settings, "HONORCODE_EXPORT_STATEMENT_SECONDS", 30))
    pages = Acceptance.objects.export_pages(course_key, bounds, ACCEPTANCE_EXPORT_CHUNK, statement_seconds)
    with closing(pages):
        yield from map(_acceptance_csv_rows, pages, repeat(course), repeat(numbers), repeat(versions))


class _LoggedLookup(dict):
    """Numbers by primary key; a key not among them gives an empty cell, logged (the export goes on)."""

    def __init__(self, what, numbers):
        super().__init__(numbers)
        self.what = what

    def __missing__(self, pk):
        log.error("The acceptance export found no %s with id %s; its cells are left empty.", self.what, pk)
        self[pk] = ""  # logged once
        return ""


def _acceptance_csv_rows(page, course, numbers, versions):
    """A page of ``Acceptance.objects.export_pages`` as CSV rows, built column by column (the loops run in C)."""
    _pks, usernames, user_ids, policy_ids, terms_ids, methods, accepted_ats, block_ids = zip(*page)
    return list(zip(
        usernames, user_ids, repeat(course), map(numbers.__getitem__, policy_ids),
        map(versions.__getitem__, terms_ids), methods, accepted_ats, block_ids,
    ))


def acceptance_for(actor, course_key, username=None):
    """
    A learner's current acceptance in a course: one's own, or (course staff) anyone's.

    Returns:
        dict with ``username``, ``accepted`` (bool), ``acceptance`` (or None) and ``policy_version`` in force.
    Raises:
        NotPermitted (another learner's, asked by a non-staff user), NotFound (no such user).
    """
    _require_signed_in(actor)
    learner = actor
    if username and username != actor.username:
        require_course_staff(actor, course_key)
        platform = get_platform()
        learner = platform.find_user(username)
        if learner is None or not platform.is_learner_of(learner, course_key):
            raise NotFound(_("{name} is not a learner of this course.").format(name=username))
    acceptance = current_acceptance(learner, course_key)
    current = current_policy()
    return {"username": learner.username, "accepted": acceptance is not None, "acceptance": acceptance,
            "policy_version": current.number if current else None}


def policy_url(number=None):
    """The address of the honor code page (a version's, or the one in force)."""
    return reverse("honorcode:policy_version", args=[number]) if number else reverse("honorcode:policy")


def staff_cases_url(course_key, absolute=False):
    """The address of a course's case list (absolute for links leaving the LMS, such as the dashboard MFE's)."""
    path = reverse("honorcode:cases", kwargs={"course_id": str(course_key)})
    return get_platform().site_url(path) if absolute else path


def new_case_url(course_key):
    """The address of the form that opens a case in a course."""
    return reverse("honorcode:new_case", kwargs={"course_id": str(course_key)})


def published_policy(number):
    """The published policy version ``number`` (``NotFound`` otherwise)."""
    found = _first(PolicyVersion.objects.published(), number=number)
    if found is None:
        raise NotFound(_("There is no published honor code version {number}.").format(number=number))
    return found


def get_sanction(actor, sanction_id):
    """One sanction, for its course team (a termination: global staff). Raises NotFound, NotPermitted."""
    return _sanction_for_staff(actor, sanction_id)


def verify_audit(scope=None):
    """Verify the audit chains (all, or one course's): (events checked, first broken link of each broken chain)."""
    return audit.verify(scope)
