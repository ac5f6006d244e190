"""
The honor code's domain API: the one module that entry points (the XBlock, admin, views, commands) call.

It checks permissions and input, runs each change in a transaction, and records an audit event for it. Rules
live in :mod:`honorcode_xblock.policy`; records in :mod:`honorcode_xblock.models`.
"""
import logging
from dataclasses import dataclass
from importlib import resources

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from honorcode_xblock import policy
from honorcode_xblock.exceptions import InvalidInput, NoPolicyPublished, NotPermitted, ReadOnly
from honorcode_xblock.models import (
    Acceptance,
    AcceptanceMethod,
    AcceptanceMode,
    AuditEvent,
    ChangeKind,
    CourseSettings,
    CourseTerms,
    PolicyVersion,
)
from honorcode_xblock.sanitize import clean_html

log = logging.getLogger(__name__)

#: The package file holding the default honor code that the first migration publishes as version 1.
DEFAULT_POLICY_FILE = "data/honor_code_v1.html"  # also read by migration 0002


@dataclass(frozen=True)
class CourseHonorCode:
    """What a course shows: the policy in force, the course's current terms (or None) and its settings."""

    policy: PolicyVersion
    terms: CourseTerms
    settings: CourseSettings


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


def validate_policy_fields(title, body, change_kind, change_summary):
    """
    Check the fields of a policy version.

    Returns:
        dict of cleaned fields (``body`` and ``change_summary`` sanitized).
    Raises:
        InvalidInput: with a message for each field in error.
    """
    errors = {}
    if not (title or "").strip():
        errors.setdefault("title", []).append(_("Give the honor code a title."))
    if len(body or "") > policy.MAX_POLICY_LENGTH:
        errors.setdefault("body", []).append(
            _("The text is longer than {limit} characters.").format(limit=policy.MAX_POLICY_LENGTH))
    cleaned_body = clean_html(body)
    if not cleaned_body:
        errors.setdefault("body", []).append(_("The honor code text cannot be empty."))
    if change_kind not in ChangeKind.values:
        errors.setdefault("change_kind", []).append(
            _("Choose the kind of change: {choices}.").format(choices=", ".join(ChangeKind.values)))
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


def update_policy_draft(version, *, body, change_kind, change_summary="", title="Honor Code", actor=None):
    """
    Change a draft policy version.

    Raises:
        ReadOnly: the version is published.
        InvalidInput: as for :func:`create_policy_draft`.
    """
    fields = validate_policy_fields(title, body, change_kind, change_summary)
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise ReadOnly(_("Version {number} is published and can no longer be changed.").format(
                number=locked.number))
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
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise ReadOnly(_("Version {number} is published and can no longer be changed.").format(
                number=locked.number))
        _record(actor, "policy.draft_deleted", locked, before=_policy_snapshot(locked))
        locked.delete()


def publish_policy(version, *, actor=None):
    """
    Publish a draft: it takes effect at once, with the next version number and today's "last updated" date.

    Publishing writes one row; nothing is done per learner.

    Raises:
        ReadOnly: the version is already published.
    """
    for _attempt in range(3):
        try:
            with transaction.atomic():
                locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
                if locked.is_published:
                    raise ReadOnly(_("Version {number} is already published.").format(number=locked.number))
                last = PolicyVersion.objects.published().values_list("number", flat=True).first() or 0
                locked.number = last + 1
                locked.published_at = timezone.now()
                locked.published_by = actor
                locked.save(update_fields=["number", "published_at", "published_by"])
                _record(actor, "policy.published", locked, after=_policy_snapshot(locked))
            log.info("Honor code version %s published by %s", locked.number, getattr(actor, "pk", None))
            return locked
        except IntegrityError:  # another publish took the same number at the same moment: take the next one
            continue
    raise ReadOnly(_("Another version is being published right now. Try again."))


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

def course_honor_code(course_key):
    """
    What a course shows learners: the policy in force, its current terms and its settings.

    Returns:
        CourseHonorCode (``terms`` may be None; ``settings`` is unsaved defaults when the course has none).
    Raises:
        NoPolicyPublished: no honor code version was ever published.
    """
    current = current_policy()
    if current is None:
        raise NoPolicyPublished(_("No honor code has been published on this site yet."))
    course_settings = CourseSettings.objects.filter(course_key=course_key).first()
    return CourseHonorCode(
        policy=current,
        terms=CourseTerms.objects.current(course_key),
        settings=course_settings or CourseSettings(course_key=course_key),
    )


def validate_course_settings(course_key, *, terms_html, collaboration_text, acceptance_mode, gate_graded_content,
                             display_name=None):
    """
    Check a course author's settings.

    Returns:
        dict of cleaned values: ``terms_html`` (sanitized), ``collaboration`` (list of dicts),
        ``acceptance_mode``, ``gate_graded_content`` and ``display_name``.
    Raises:
        InvalidInput: with a message for each field in error.
    """
    errors = {}
    if display_name is not None:
        display_name = str(display_name).strip()
        if not display_name:
            errors["display_name"] = [_("Give the component a display name.")]
        elif len(display_name) > policy.MAX_DISPLAY_NAME_LENGTH:
            errors["display_name"] = [_("The display name must be at most {limit} characters.").format(
                limit=policy.MAX_DISPLAY_NAME_LENGTH)]
    if not isinstance(terms_html, str):
        errors["course_terms"] = [_("The course terms must be text.")]
    elif len(terms_html) > policy.MAX_TERMS_LENGTH:
        errors["course_terms"] = [_("The course terms are longer than {limit} characters.").format(
            limit=policy.MAX_TERMS_LENGTH)]
    if not isinstance(collaboration_text, str):
        errors["collaboration"] = [_("The collaboration list must be text, one assignment per line.")]
        entries = []
    else:
        entries, collab_errors = policy.parse_collaboration(collaboration_text, course_key)
        if collab_errors:
            errors["collaboration"] = collab_errors
    if acceptance_mode not in AcceptanceMode.values:
        errors["acceptance_mode"] = [_("Choose how learners accept: {choices}.").format(
            choices=", ".join(AcceptanceMode.values))]
    if not isinstance(gate_graded_content, bool):
        errors["gate_graded_content"] = [_("Gating graded content must be on or off.")]
    if errors:
        raise InvalidInput(errors)
    return {
        "display_name": display_name,
        "terms_html": clean_html(terms_html),
        "collaboration": [entry.as_dict() for entry in entries],
        "acceptance_mode": acceptance_mode,
        "gate_graded_content": gate_graded_content,
    }


def save_course_settings(course_key, *, terms_html, collaboration_text, acceptance_mode, gate_graded_content,
                         actor=None, display_name=None):
    """
    Store a course's terms and settings, as saved by its author in Studio.

    Terms that differ from the current ones become the course's next terms version; identical terms add nothing.

    Returns:
        dict: the cleaned values (see :func:`validate_course_settings`) plus ``terms_version`` (int or None).
    Raises:
        InvalidInput: with a message for each field in error; nothing is stored then.
    """
    cleaned = validate_course_settings(
        course_key, terms_html=terms_html, collaboration_text=collaboration_text, acceptance_mode=acceptance_mode,
        gate_graded_content=gate_graded_content, display_name=display_name,
    )
    with transaction.atomic():
        current_terms = CourseTerms.objects.select_for_update().filter(course_key=course_key).order_by(
            "-version").first()
        if policy.terms_changed(current_terms, cleaned["terms_html"], cleaned["collaboration"]):
            current_terms = CourseTerms.objects.create(
                course_key=course_key,
                version=(current_terms.version + 1) if current_terms else 1,
                body=cleaned["terms_html"],
                collaboration=cleaned["collaboration"],
                created_by=actor,
            )
            _record(actor, "course_terms.created", current_terms, course_key=course_key, after={
                "version": current_terms.version, "collaboration": current_terms.collaboration,
                "body_length": len(current_terms.body),
            })
        course_settings, _created = CourseSettings.objects.select_for_update().get_or_create(course_key=course_key)
        before = _settings_snapshot(course_settings)
        course_settings.acceptance_mode = cleaned["acceptance_mode"]
        course_settings.gate_graded_content = cleaned["gate_graded_content"]
        after = _settings_snapshot(course_settings)
        if before != after or _created:
            course_settings.save()
            _record(actor, "course_settings.changed", course_settings, course_key=course_key,
                    before=None if _created else before, after=after)
    cleaned["terms_version"] = current_terms.version if current_terms else None
    return cleaned


def _settings_snapshot(course_settings):
    return {
        "acceptance_mode": course_settings.acceptance_mode,
        "gate_graded_content": course_settings.gate_graded_content,
    }


def _terms_to_accept(course_key):
    """The course's current terms, creating an empty version 1 for a course that has none (acceptances name one)."""
    current = CourseTerms.objects.current(course_key)
    if current is not None:
        return current
    terms, _created = CourseTerms.objects.get_or_create(course_key=course_key, version=1)
    return terms


# --- acceptances ------------------------------------------------------------------------------------------------

def accept(user, course_key, *, confirmed=False, signature="", block_id="", method=AcceptanceMethod.EXPLICIT):
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

    Returns:
        (Acceptance, created) where ``created`` is False when the learner had already accepted these versions.
    Raises:
        NotPermitted: anonymous visitor or inactive account.
        InvalidInput: the checkbox was not ticked or the signature is missing.
        NoPolicyPublished: nothing to accept.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise NotPermitted(_("Sign in to accept the honor code. Anonymous visitors cannot accept it."))
    honor_code = course_honor_code(course_key)
    signature = (signature or "").strip()
    if method == AcceptanceMethod.EXPLICIT:
        if honor_code.settings.acceptance_mode == AcceptanceMode.SIGNATURE:
            errors = policy.signature_errors(signature)
            if errors:
                raise InvalidInput({"signature": errors})
        else:
            signature = ""
            if confirmed is not True:
                raise InvalidInput({"confirmed": [_("Tick the box to confirm that you accept the honor code.")]})
    terms = honor_code.terms or _terms_to_accept(course_key)
    acceptance, created = Acceptance.objects.get_or_create(
        user=user, course_key=course_key, policy_version=honor_code.policy, course_terms=terms,
        defaults={
            "method": method, "signature": signature, "accepted_at": timezone.now(), "block_id": str(block_id)[:255],
        },
    )
    if created:
        _record(user, "acceptance.created", acceptance, course_key=course_key, after={
            "user_id": user.pk, "policy_version": honor_code.policy.number, "course_terms": terms.version,
            "method": method,
        })
    return acceptance, created


def current_acceptance(user, course_key):
    """
    The learner's acceptance of the versions in force now in this course, or None.

    Returns None for anonymous visitors and when no policy is published.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    current = current_policy()
    if current is None:
        return None
    terms = CourseTerms.objects.current(course_key)
    latest = Acceptance.objects.for_user_in_course(user, course_key).filter(policy_version=current).first()
    return latest if policy.acceptance_is_current(latest, current, terms) else None


def acceptances_for(user, course_key):
    """Every acceptance a learner made in a course, newest first."""
    return list(Acceptance.objects.for_user_in_course(user, course_key))


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


# --- audit ------------------------------------------------------------------------------------------------------

def _record(actor, action, obj, *, course_key=None, before=None, after=None):
    """Append one audit event (inside the caller's transaction)."""
    AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        course_key=course_key,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        before=before,
        after=after,
    )
