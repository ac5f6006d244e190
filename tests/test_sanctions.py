"""
The rules of sanctions on their own (``sanctions.py``): what cannot take effect, whether a retry can help, and that
neither applying nor reverting calls the platform for a sanction that cannot take effect. On a tiny platform that
knows only which courses' grades are frozen; what each sanction does on a platform is in
``tests/test_determinations.py`` (the standalone platform) and ``tests/test_openedx_sanctions.py`` (Open edX).
"""
from types import SimpleNamespace

import pytest

from honorcode_xblock import sanctions
from honorcode_xblock.exceptions import SanctionCannotTakeEffect
from honorcode_xblock.models import SanctionKind

from .helpers import COURSE_KEY, OTHER_COURSE_KEY, usage_key

OTHER_KINDS = [kind for kind in SanctionKind if kind != SanctionKind.ZERO_CREDIT]


class FrozenGrades:
    """A platform that knows which courses' grades are frozen, and records what it is asked and told to do."""

    def __init__(self, *frozen):
        self.frozen = {str(course_key) for course_key in frozen}
        self.asked = []
        self.calls = []

    def grades_frozen(self, course_key):
        self.asked.append(str(course_key))
        return str(course_key) in self.frozen

    def __getattr__(self, name):
        """Any other platform call: recorded, and answered with a reference."""
        def call(*args, **kwargs):
            self.calls.append(name)
            return {"by": name}

        return call


def sanction(kind, course_key=COURSE_KEY):
    """A sanction as the rules read it."""
    return SimpleNamespace(kind=kind, course_key=course_key, user=SimpleNamespace(pk=7),
                           usage_key=str(usage_key("sequential", "quiz")), platform_ref={"usage_key": "x"},
                           determination=SimpleNamespace(case_id=1))


class TestCheckCanTakeEffect:
    def test_zero_credit_in_a_course_whose_grades_are_frozen_cannot_take_effect_and_staff_are_told_why(self):
        with pytest.raises(SanctionCannotTakeEffect) as refused:
            sanctions.check_can_take_effect(FrozenGrades(COURSE_KEY), SanctionKind.ZERO_CREDIT, COURSE_KEY)
        assert f"The grades of {COURSE_KEY} are frozen" in str(refused.value)
        assert "grades.enforce_freeze_grade_after_course_end" in str(refused.value)  # what lifts the freeze

    def test_zero_credit_where_the_grades_are_not_frozen_can(self):
        platform = FrozenGrades(OTHER_COURSE_KEY)
        assert sanctions.check_can_take_effect(platform, SanctionKind.ZERO_CREDIT, COURSE_KEY) is None
        assert platform.asked == [str(COURSE_KEY)]

    @pytest.mark.parametrize("kind", OTHER_KINDS)
    def test_no_other_sanction_asks_about_grades(self, kind):
        platform = FrozenGrades(COURSE_KEY)
        assert sanctions.check_can_take_effect(platform, kind, COURSE_KEY) is None
        assert platform.asked == []


class TestRetryCanHelp:
    @pytest.mark.parametrize("kind, frozen, helps", [
        (SanctionKind.ZERO_CREDIT, True, False),  # fails the same way every time, until the freeze is lifted
        (SanctionKind.ZERO_CREDIT, False, True),  # e.g. the platform was down: it may pass
        *[(kind, True, True) for kind in OTHER_KINDS],
    ])
    def test_a_retry_can_help_unless_the_sanction_cannot_take_effect(self, kind, frozen, helps):
        platform = FrozenGrades(*([COURSE_KEY] if frozen else []))
        assert sanctions.retry_can_help(platform, sanction(kind)) is helps


class TestApplyAndRevert:
    @pytest.mark.parametrize("step", [sanctions.apply, sanctions.revert])
    def test_a_sanction_that_cannot_take_effect_never_reaches_the_platform(self, step):
        platform = FrozenGrades(COURSE_KEY)
        with pytest.raises(SanctionCannotTakeEffect):
            step(platform, sanction(SanctionKind.ZERO_CREDIT), actor=None)
        assert platform.calls == []

    @pytest.mark.parametrize("step, call", [(sanctions.apply, "override_grade_to_zero"),
                                            (sanctions.revert, "undo_grade_override")])
    def test_once_it_can_take_effect_the_platform_is_called_once(self, step, call):
        platform = FrozenGrades(OTHER_COURSE_KEY)
        assert step(platform, sanction(SanctionKind.ZERO_CREDIT), actor=None) == {"by": call}
        assert platform.calls == [call]


class TestRuleSets:
    def test_who_may_impose_what_and_what_it_reaches(self):
        assert sanctions.GLOBAL_STAFF_ONLY == sanctions.ACCOUNT_WIDE == {SanctionKind.TERMINATE_ACCOUNT}
        assert sanctions.NEED_ASSIGNMENT == {SanctionKind.ZERO_CREDIT}
        assert sanctions.BLOCK_CERTIFICATE == {SanctionKind.CERTIFICATE_WITHHELD, SanctionKind.CERTIFICATE_REVOKED}
