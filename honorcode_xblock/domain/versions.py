"""
Policy versions: the site-wide honor code, its drafts, and publishing (the change rule's "takes effect on posting").

Which version is in force at a moment is one query, ``PolicyVersion.objects.in_force_at`` (``policy.py`` states the
rule); the version in force now is the same query at the present.
"""
import logging
from dataclasses import dataclass
from importlib import resources

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from honorcode_xblock import policy
from honorcode_xblock.domain import common, gate
from honorcode_xblock.exceptions import Conflict, InvalidInput, NotFound, ReadOnly
from honorcode_xblock.models import ChangeKind, PolicyVersion
from honorcode_xblock.sanitize import clean_html

log = logging.getLogger(__name__)


#: The package file holding the default honor code that migration 0002 publishes as version 1.
DEFAULT_POLICY_FILE = "data/honor_code_v1.html"


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


@dataclass(frozen=True)
class PolicyPage:
    """What the public honor code page shows."""

    #: The version shown (None when none was ever published).
    shown: object
    #: Its text and its summary of changes, sanitized.
    body_html: str
    summary_html: str
    #: The version in force now.
    current: object
    #: Every published version, newest first, without their text.
    versions: list


def policy_page(number=None):
    """
    What the public honor code page shows.

    Arguments:
        number (int or None): the version to show; the one in force when None.
    Returns:
        PolicyPage
    Raises:
        NotFound: no published version has that number.
    """
    versions = list(PolicyVersion.objects.published().defer("body", "change_summary"))
    current = versions[0] if versions else None
    wanted = number if number is not None else (current.number if current else None)
    shown = common.first_or_none(PolicyVersion.objects.published(), number=wanted) if wanted is not None else None
    if number is not None and shown is None:
        raise NotFound(_("There is no published honor code version {number}.").format(number=number))
    return PolicyPage(
        shown=shown,
        body_html=clean_html(shown.body) if shown else "",
        summary_html=clean_html(shown.change_summary) if shown else "",
        current=current,
        versions=versions,
    )


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
        common.record(actor, "policy.draft_created", version, after=_policy_snapshot(version))
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
        common.record(actor, "policy.draft_updated", locked, before=before, after=_policy_snapshot(locked))
    return locked


def delete_policy_draft(version, *, actor=None):
    """
    Delete a draft policy version.

    Raises:
        ReadOnly: the version is published (published versions are kept for ever).
    """
    with transaction.atomic():
        locked = _locked_draft(version)
        common.record(actor, "policy.draft_deleted", locked, before=_policy_snapshot(locked))
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
                common.record(actor, "policy.published", locked, after=_policy_snapshot(locked))
            gate.forget_all_states()
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


def published_policy(number):
    """The published policy version ``number`` (``NotFound`` otherwise)."""
    found = common.first_or_none(PolicyVersion.objects.published(), number=number)
    if found is None:
        raise NotFound(_("There is no published honor code version {number}.").format(number=number))
    return found
