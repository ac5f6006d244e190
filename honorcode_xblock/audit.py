"""
The audit trail as hash chains: appending an event and verifying a chain.

Each course has its own chain (and the site has one, scope ""), so writers in different courses never wait for
each other. An event's hash covers its content and the previous event's hash; the chain head row is locked while
an event is appended, so concurrent writers in one course are chained one after the other.
"""
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from datetime import timezone as dt_timezone

from django.utils import timezone

from honorcode_xblock.models import AuditChainHead, AuditEvent

#: The hash of the (absent) event before the first one of a chain.
GENESIS = "0" * 64


def digest(text):
    """The SHA-256 of a text, for recording free text in the trail without recording the text itself."""
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def text_summary(text):
    """How the trail records a free text: its length and digest."""
    return {"length": len(text or ""), "sha256": digest(text)}


def _canonical(value):
    """A JSON value as the database returns it (so the hash computed before saving matches the one after)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder)) if value is not None else None


def event_hash(event):
    """The hash of one event: its content and its predecessor's hash, in a canonical JSON form."""
    content = {
        "scope": event.scope,
        "sequence": event.sequence,
        "prev_hash": event.prev_hash,
        "occurred_at": event.occurred_at.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": event.actor_ref,
        "action": event.action,
        "course_key": str(event.course_key) if event.course_key else "",
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def append(*, actor, action, object_type, object_id, course_key=None, before=None, after=None):
    """
    Append one event to its course's chain (call inside the caller's transaction).

    Returns:
        the saved ``AuditEvent``.
    """
    scope = str(course_key) if course_key else ""
    head = AuditChainHead.objects.select_for_update().filter(scope=scope).first()
    if head is None:
        head = _new_head(scope)
    actor_id = getattr(actor, "pk", None)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor_id=actor_id,
        actor_ref=str(actor_id) if actor_id else "",
        action=action,
        course_key=course_key,
        object_type=object_type,
        object_id=str(object_id),
        before=_canonical(before),
        after=_canonical(after),
        scope=scope,
        sequence=head.sequence + 1,
        prev_hash=head.hash or GENESIS,
    )
    event.hash = event_hash(event)
    event.save()
    head.sequence, head.hash = event.sequence, event.hash
    head.save(update_fields=["sequence", "hash"])
    return event


def _new_head(scope):
    """
    The head of a chain's first event, created under the site chain's head lock.

    Concurrent first writers of one course would otherwise all try to insert the head: the losers' duplicate-key
    checks leave them shared locks on it that none can upgrade (a deadlock on MySQL/MariaDB). Taking the site head
    first makes them create it one after the other; it happens once per course.
    """
    if scope:
        site = AuditChainHead.objects.select_for_update().filter(scope="").first()
        if site is None:
            _new_head("")
        head = AuditChainHead.objects.select_for_update().filter(scope=scope).first()
        if head is not None:
            return head
        return AuditChainHead.objects.create(scope=scope)
    head, _created = AuditChainHead.objects.get_or_create(scope="")  # once per site (the migration makes it)
    return AuditChainHead.objects.select_for_update().get(pk=head.pk)


@dataclass(frozen=True)
class BrokenLink:
    """The first event of a chain that does not verify, and why."""

    scope: str
    sequence: int
    event_id: int
    reason: str


def verify(scope=None):
    """
    Verify the audit chains (all of them, or the one of ``scope``).

    Returns:
        (number of events checked, list of :class:`BrokenLink`, at most one per chain: its first broken link).
    """
    if scope is not None:
        scopes = [scope]
    else:  # chains with events and chains with a head: a chain whose events were all removed still has its head
        scopes = sorted(set(AuditEvent.objects.scopes()) | set(AuditChainHead.objects.values_list("scope", flat=True)))
    checked, broken = 0, []
    for chain_scope in scopes:
        expected_prev, expected_sequence = GENESIS, 1
        for event in AuditEvent.objects.chain(chain_scope).iterator(chunk_size=2000):
            checked += 1
            reason = None
            if event.sequence != expected_sequence:
                reason = f"sequence {event.sequence} where {expected_sequence} was expected (an event is missing)"
            elif event.prev_hash != expected_prev:
                reason = "it does not point at the event before it"
            elif event.hash != event_hash(event):
                reason = "its content does not match its hash (it was edited)"
            if reason:
                broken.append(BrokenLink(chain_scope, event.sequence, event.pk, reason))
                break
            expected_prev, expected_sequence = event.hash, event.sequence + 1
        else:
            head = AuditChainHead.objects.filter(scope=chain_scope).first()
            if head is None and expected_sequence > 1:
                broken.append(BrokenLink(chain_scope, expected_sequence - 1, 0, "the chain's head is missing"))
            elif head is not None and head.sequence != expected_sequence - 1:
                broken.append(BrokenLink(chain_scope, expected_sequence, 0,
                                         f"the chain ends at {expected_sequence - 1} but its head says {head.sequence}"
                                         " (the last events were removed)"))
    return checked, broken
