"""
The honor code's openedx-events: public signals other services can receive in-process or from the event bus.

Each is an ``openedx_events.tooling.OpenEdxPublicSignal`` whose data is an attrs class of Avro-serializable fields
(str, int, bool, datetime, CourseKey), so ``EVENT_BUS_PRODUCER_CONFIG`` can publish it like the platform's own
events. ``api`` sends them once the change has been committed. The event data carries ids, never names or emails.
"""
from datetime import datetime

import attr
from opaque_keys.edx.keys import CourseKey
from openedx_events.tooling import OpenEdxPublicSignal


@attr.s(frozen=True)
class AcceptanceData:
    """A learner's acceptance of an honor code version and a course's terms version."""

    user_id = attr.ib(type=int)
    course_key = attr.ib(type=CourseKey)
    policy_version = attr.ib(type=int)
    terms_version = attr.ib(type=int)
    method = attr.ib(type=str)
    accepted_at = attr.ib(type=datetime)


@attr.s(frozen=True)
class DeterminationData:
    """The determination of a case: its finding and the sanctions it imposed (as "kind:user_id" pairs)."""

    case_id = attr.ib(type=int)
    course_key = attr.ib(type=CourseKey)
    sequence = attr.ib(type=int)
    finding = attr.ib(type=str)
    commitment = attr.ib(type=str)
    policy_version = attr.ib(type=int)
    respondent_ids = attr.ib(type=str)
    sanctions = attr.ib(type=str)
    decided_at = attr.ib(type=datetime)


@attr.s(frozen=True)
class SanctionData:
    """One sanction's change of state."""

    sanction_id = attr.ib(type=int)
    case_id = attr.ib(type=int)
    user_id = attr.ib(type=int)
    course_key = attr.ib(type=CourseKey)
    kind = attr.ib(type=str)
    state = attr.ib(type=str)
    attempts = attr.ib(type=int)


# .. event_type: org.openedx.learning.honor_code.acceptance.created.v1
# .. event_name: HONOR_CODE_ACCEPTANCE_CREATED
# .. event_description: A learner accepted the honor code and a course's terms (explicitly or by continued use).
# .. event_data: AcceptanceData
HONOR_CODE_ACCEPTANCE_CREATED = OpenEdxPublicSignal(
    event_type="org.openedx.learning.honor_code.acceptance.created.v1",
    data={"acceptance": AcceptanceData},
)

# .. event_type: org.openedx.learning.honor_code.case.determined.v1
# .. event_name: HONOR_CODE_CASE_DETERMINED
# .. event_description: Course staff determined an honor code case (violation or no violation).
# .. event_data: DeterminationData
HONOR_CODE_CASE_DETERMINED = OpenEdxPublicSignal(
    event_type="org.openedx.learning.honor_code.case.determined.v1",
    data={"determination": DeterminationData},
)

# .. event_type: org.openedx.learning.honor_code.sanction.applied.v1
# .. event_name: HONOR_CODE_SANCTION_APPLIED
# .. event_description: A sanction of a determination took effect on the platform.
# .. event_data: SanctionData
HONOR_CODE_SANCTION_APPLIED = OpenEdxPublicSignal(
    event_type="org.openedx.learning.honor_code.sanction.applied.v1",
    data={"sanction": SanctionData},
)

# .. event_type: org.openedx.learning.honor_code.sanction.reverted.v1
# .. event_name: HONOR_CODE_SANCTION_REVERTED
# .. event_description: A sanction was reverted (its effect undone as far as the platform allows).
# .. event_data: SanctionData
HONOR_CODE_SANCTION_REVERTED = OpenEdxPublicSignal(
    event_type="org.openedx.learning.honor_code.sanction.reverted.v1",
    data={"sanction": SanctionData},
)
