"""
The gate, on the hot path of every unit a learner opens: whether graded content is withheld from a learner, kept in
Django's cache (at most one database query on a cold cache, none on a warm one) and forgotten when anything it
depends on changes. Working out the state writes nothing.
"""
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _
from edx_django_utils.cache import RequestCache

from honorcode_xblock import policy
from honorcode_xblock.domain import access, common
from honorcode_xblock.models import Acceptance
from honorcode_xblock.platform import get_platform
from honorcode_xblock.toggles import gate_enabled_for

log = logging.getLogger(__name__)


#: How long a learner's gate facts stay in Django's cache; every change that affects them invalidates them sooner.
GATE_CACHE_SECONDS = 3600
#: Part of every cache key: bump it when the cached value's shape changes, so old entries are never read.
#: 4: a learner's entry is ``(generation, facts)`` under a key without the generation, read together with the
#: generation in one round trip to the cache; the facts carry ``continued_use_due``.
GATE_SCHEMA = 4
GATE_GENERATION_KEY = f"honorcode:gate:v{GATE_SCHEMA}:generation"
_REQUEST_CACHE_NAMESPACE = "honorcode.gate"
#: The request cache's entry of the state read last, ``(course key, user id, state)``: the children of a unit ask
#: for the same course with the same key object, recognized by identity (hashing an opaque key costs more than the
#: rest of the look-up); any other key is looked up by value.
_LAST_STATE = "last"


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
    #: The versions in force changed since the learner last agreed: their next own visit agrees to them by continued
    #: use (``policy.needs_continued_access``), a step of its own (``acceptances.record_continued_use``).
    continued_use_due: bool = False


@dataclass(frozen=True)
class GateState:
    """One learner's standing in one course, as the gate sees it now."""

    uses_honor_code: bool = False
    #: The course withholds graded content until acceptance (its setting and the rollout toggles).
    gated: bool = False
    #: The learner may see and submit graded content (accepted, or exempt as course staff).
    satisfied: bool = True
    #: A change notice waits to be shown to the learner.
    notice_pending: bool = False
    #: The learner's own visit records their agreement to the versions in force by continued use.
    continued_use_due: bool = False

    @property
    def withhold_graded(self):
        """Whether graded content is withheld from this learner."""
        return self.gated and not self.satisfied


def gate_state(user, course_key):
    """
    The learner's gate state in a course: at most one database query on a cold cache, none on a warm one. It
    writes nothing: what a learner's own visit records is a step of its own (``acceptances.record_continued_use``).

    Arguments:
        user: the learner (None or an anonymous user for a visitor who is not signed in).
        course_key: the course.
    Returns:
        GateState
    """
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    user_id = user.pk if user is not None else None
    request_cache = RequestCache(_REQUEST_CACHE_NAMESPACE).data
    last = request_cache.get(_LAST_STATE)
    if last is not None and last[0] is course_key and last[1] == user_id:
        return last[2]
    request_key = (course_key, user_id)
    state = request_cache.get(request_key)
    if state is None:
        state = _live_state(_gate_facts(user, course_key), user, course_key)
        request_cache = RequestCache(_REQUEST_CACHE_NAMESPACE).data  # the same dict, unless a step cleared them all
        request_cache[request_key] = state
    request_cache[_LAST_STATE] = (course_key, user_id, state)
    return state


def _gate_facts(user, course_key):
    """
    The learner's facts from Django's cache, the generation and the learner's entry read in one round trip
    (``get_many``); an entry of another generation is stale (a change since made every entry stale).
    """
    key = _gate_cache_key(user, course_key)
    try:
        found = cache.get_many([GATE_GENERATION_KEY, key])
        generation, entry = found.get(GATE_GENERATION_KEY), found.get(key)
        if generation is not None and entry is not None and entry[0] == generation:
            return entry[1]
        if generation is None:
            generation = _new_gate_generation()
    except Exception:  # pylint: disable=broad-except  # the cache is down: the database still answers
        log.warning("Honor code gate: cache unavailable, reading the database", exc_info=True)
        return _compute_gate_facts(user, course_key)
    facts = _compute_gate_facts(user, course_key)
    common.quietly(cache.set, key, (generation, facts), GATE_CACHE_SECONDS)
    return facts


def _compute_gate_facts(user, course_key):
    """The learner's facts, from one query."""
    row = Acceptance.objects.gate_facts(course_key, user)
    if row is None or not row["uses_honor_code"]:
        return GateFacts()
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
        notice_pending=bool(user is not None and row["notice_pending"]),
        continued_use_due=user is not None and policy.needs_continued_access(
            accepted_any=row["accepted_any"], accepted_current=row["accepted_current"],
        ),
    )


def _live_state(facts, user, course_key):
    """The facts with what must never be cached: the rollout toggles and course staff's exemption."""
    gated = facts.gate_graded_content and gate_enabled_for(course_key)
    satisfied = facts.accepted
    if gated and not satisfied and facts.staff_exempt and user is not None:
        satisfied = access.is_gate_exempt_staff(user, course_key) and not get_platform().previews_as_learner(
            user, course_key)
    return GateState(uses_honor_code=facts.uses_honor_code, gated=gated, satisfied=satisfied,
                     notice_pending=facts.notice_pending, continued_use_due=facts.continued_use_due)


def _new_gate_generation():
    """
    The generation, where there is none yet (first use, or evicted): a new, never-used one, so that entries of an
    evicted counter's generations can never be read again.
    """
    cache.add(GATE_GENERATION_KEY, time.time_ns(), None)
    return cache.get(GATE_GENERATION_KEY)


def _gate_cache_key(user, course_key):
    return f"honorcode:gate:v{GATE_SCHEMA}:{course_key}:{user.pk if user is not None else 'anonymous'}"


def forget_learner_state(user, course_key):
    """
    Drop one learner's cached gate facts now and again once the change is committed (a request that read the old
    rows in between must not leave them cached).
    """
    def forget():
        request_cache = RequestCache(_REQUEST_CACHE_NAMESPACE)
        request_cache.delete((course_key, user.pk if user is not None else None))
        request_cache.delete(_LAST_STATE)
        common.quietly(lambda: cache.delete(_gate_cache_key(user, course_key)))
    forget()
    transaction.on_commit(forget)


def forget_all_states():
    """Make every cached gate state stale, now and again once the change is committed (a version, settings)."""
    def bump():
        try:
            cache.incr(GATE_GENERATION_KEY)
        except ValueError:  # no generation yet (or evicted): start a new one
            cache.set(GATE_GENERATION_KEY, time.time_ns(), None)

    def forget():
        RequestCache(_REQUEST_CACHE_NAMESPACE).clear()
        common.quietly(bump)
    forget()
    transaction.on_commit(forget)


def is_graded(block, context=None):
    """Whether ``block`` is graded content (in a graded subsection), as the platform tells."""
    return get_platform().is_graded(block, context)


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
