"""
Small pieces every domain module uses: the audit record of a change, an openedx-event sent safely, a cache call that
never fails its caller, and a look-up that tolerates an id past the database's integers.
"""
import logging

from honorcode_xblock import audit

log = logging.getLogger(__name__)


def record(actor, action, obj, *, course_key=None, before=None, after=None):
    """Append one audit event to the course's hash chain (inside the caller's transaction)."""
    return audit.append(
        actor=actor, action=action, object_type=obj._meta.model_name, object_id=obj.pk, course_key=course_key,
        before=before, after=after,
    )


def quietly(operation, *args):
    """Run a cache operation; a cache that is down is logged, never an error (the database stays the truth)."""
    try:
        return operation(*args)
    except Exception:  # pylint: disable=broad-except
        log.warning("Honor code: the cache is unavailable", exc_info=True)
        return None


def send_event(signal, **data):
    """Send an openedx-events signal; a receiver's failure is logged, never the caller's failure."""
    try:
        signal.send_event(**data)
    except Exception:  # pylint: disable=broad-except
        log.exception("Sending %s failed", signal.event_type)


def first_or_none(queryset, **lookup):
    """
    ``queryset.filter(**lookup).first()``, or None for a number past the database's integers (an id from a URL):
    SQLite raises ``OverflowError`` for one under Django < 5.0.
    """
    try:
        return queryset.filter(**lookup).first()
    except OverflowError:
        return None
