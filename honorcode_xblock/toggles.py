"""Feature toggles of the honor code app (edx-toggles)."""
from edx_toggles.toggles import SettingDictToggle, SettingToggle

# .. toggle_name: HONORCODE_GATE_ENABLED
# .. toggle_implementation: SettingToggle
# .. toggle_default: True
# .. toggle_description: Site-wide switch of the honor code gate. When False, no course withholds graded content,
#   refuses handler calls or withholds certificates for want of an acceptance; learners still read and accept the
#   honor code, and continued use after a change is still recorded. Use it to roll the gate out, or to stop it at
#   once if it misbehaves.
# .. toggle_use_cases: circuit_breaker, open_edx
# .. toggle_creation_date: 2026-11-25
GATE_ENABLED = SettingToggle("HONORCODE_GATE_ENABLED", default=True, module_name=__name__)

# .. toggle_name: HONORCODE_GATE_COURSES['<course key>']
# .. toggle_implementation: SettingDictToggle
# .. toggle_default: True
# .. toggle_description: The same switch for one course: a course whose key maps to False in the
#   ``HONORCODE_GATE_COURSES`` setting is never gated, whatever its authors chose in Studio. Courses not listed
#   follow HONORCODE_GATE_ENABLED.
# .. toggle_use_cases: opt_out, open_edx
# .. toggle_creation_date: 2026-11-25
GATE_COURSES_SETTING = "HONORCODE_GATE_COURSES"


def gate_enabled_for(course_key):
    """Whether the gate may act in ``course_key`` (the site switch and the course's entry both allow it)."""
    return GATE_ENABLED.is_enabled() and SettingDictToggle(
        GATE_COURSES_SETTING, str(course_key), default=True, module_name=__name__,
    ).is_enabled()
