"""
The gate (``domain/gate.py``): whether graded content is withheld, the change rule as the gate applies it
(continued use, notices) and the hot path's cost. The change rule on its own is in ``tests/test_policy.py``.
"""
import re

import pytest
from crum import impersonate
from django.test import override_settings
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import CourseKey

from honorcode_xblock import api
from honorcode_xblock.models import Acceptance, AcceptanceMethod, CourseTerms
from honorcode_xblock.rendering import render

from .helpers import COURSE_KEY, OTHER_COURSE_KEY, course_author

pytestmark = pytest.mark.django_db


def configure(gate=True, staff_exempt=True, reaccept=True, terms="", course_key=COURSE_KEY):
    api.save_course_settings(course_key, terms_html=terms, collaboration_text="", acceptance_mode="checkbox",
                             gate_graded_content=gate, staff_exempt=staff_exempt,
                             reaccept_after_material_change=reaccept, actor=course_author())


def new_request():
    """What the end of a request does to the per-request cache."""
    RequestCache.clear_all_namespaces()


class TestGateState:
    def test_a_course_without_the_honor_code_is_never_gated(self, learner):
        state = api.gate_state(learner, OTHER_COURSE_KEY)
        assert not state.uses_honor_code and not state.withhold_graded

    def test_gate_off_withholds_nothing(self, learner):
        configure(gate=False)
        state = api.gate_state(learner, COURSE_KEY)
        assert state.uses_honor_code and not state.gated and not state.withhold_graded

    def test_withheld_until_the_learner_accepts(self, learner):
        configure()
        assert api.gate_state(learner, COURSE_KEY).withhold_graded
        api.accept(learner, COURSE_KEY, confirmed=True)
        assert not api.gate_state(learner, COURSE_KEY).withhold_graded

    def test_anonymous_visitors_are_withheld(self):
        configure()
        assert api.gate_state(None, COURSE_KEY).withhold_graded

    def test_course_staff_are_exempt_unless_configured_otherwise(self, author):
        configure(staff_exempt=True)
        assert not api.gate_state(author, COURSE_KEY).withhold_graded
        configure(staff_exempt=False)
        new_request()
        assert api.gate_state(author, COURSE_KEY).withhold_graded

    @pytest.mark.parametrize("overrides", [
        {"HONORCODE_GATE_ENABLED": False},
        {"HONORCODE_GATE_COURSES": {str(COURSE_KEY): False}},
    ])
    def test_rollout_toggles_turn_the_gate_off(self, learner, overrides):
        configure()
        with override_settings(**overrides):
            assert not api.gate_state(learner, COURSE_KEY).withhold_graded

    def test_another_course_on_the_toggle_list_stays_gated(self, learner):
        configure()
        with override_settings(HONORCODE_GATE_COURSES={str(OTHER_COURSE_KEY): False}):
            assert api.gate_state(learner, COURSE_KEY).withhold_graded


class TestHotPath:
    def test_one_query_cold_none_warm(self, learner, django_assert_num_queries):
        configure()
        api.accept(learner, COURSE_KEY, confirmed=True)
        new_request()
        with django_assert_num_queries(1):
            assert not api.gate_state(learner, COURSE_KEY).withhold_graded
        new_request()
        with django_assert_num_queries(0):  # Django's cache
            assert not api.gate_state(learner, COURSE_KEY).withhold_graded
        with django_assert_num_queries(0):  # the request's own cache
            for _ in range(20):
                api.gate_state(learner, COURSE_KEY)

    def test_the_request_cache_answers_by_course_and_learner_whatever_the_key_object(self, learner, other_learner,
                                                                                  django_assert_num_queries):
        configure()
        api.accept(learner, COURSE_KEY, confirmed=True)
        new_request()
        same_course = CourseKey.from_string(str(COURSE_KEY))  # equal, another object
        assert same_course == COURSE_KEY and same_course is not COURSE_KEY
        assert not api.gate_state(learner, COURSE_KEY).withhold_graded
        assert api.gate_state(other_learner, COURSE_KEY).withhold_graded  # the same course, another learner
        assert api.gate_state(None, COURSE_KEY).withhold_graded
        assert not api.gate_state(learner, OTHER_COURSE_KEY).uses_honor_code
        with django_assert_num_queries(0):  # every one of them from the request's own cache now
            assert not api.gate_state(learner, same_course).withhold_graded
            assert api.gate_state(other_learner, same_course).withhold_graded
            assert not api.gate_state(learner, COURSE_KEY).withhold_graded
            assert not api.gate_state(learner, OTHER_COURSE_KEY).uses_honor_code
            assert api.gate_state(None, same_course).withhold_graded

    def test_courses_without_the_honor_code_cost_one_query_then_none(self, learner, django_assert_num_queries):
        with django_assert_num_queries(1):
            api.gate_state(learner, OTHER_COURSE_KEY)
        new_request()
        with django_assert_num_queries(0):
            api.gate_state(learner, OTHER_COURSE_KEY)

    def test_accepting_and_publishing_invalidate_the_cache(self, learner):
        configure()
        assert api.gate_state(learner, COURSE_KEY).withhold_graded
        api.accept(learner, COURSE_KEY, confirmed=True)
        assert not api.gate_state(learner, COURSE_KEY).withhold_graded
        api.publish_new_policy(body="<p>v2</p>", change_kind="material")
        assert api.gate_state(learner, COURSE_KEY).withhold_graded

    def test_publishing_writes_one_row_not_one_per_learner(self, learner, other_learner):
        configure()
        api.accept(learner, COURSE_KEY, confirmed=True)
        api.accept(other_learner, COURSE_KEY, confirmed=True)
        before = Acceptance.objects.count()
        api.publish_new_policy(body="<p>v2</p>", change_kind="minor")
        assert Acceptance.objects.count() == before


class TestChangeRule:
    @pytest.fixture(autouse=True)
    def own_visits(self, learner):
        """The learner's own requests (the change rule records agreement only on those)."""
        with impersonate(learner):
            yield
    def test_minor_change_is_agreed_by_continued_use_with_a_one_time_notice(self, learner):
        configure()
        api.accept(learner, COURSE_KEY, confirmed=True)
        v2 = api.publish_new_policy(body="<p>v2</p>", change_kind="minor", change_summary="<p>Typos fixed</p>")
        state = api.gate_state(learner, COURSE_KEY)
        assert state.continued_use_due and not Acceptance.objects.filter(policy_version=v2).exists()  # a read
        state = api.record_continued_use(learner, COURSE_KEY)  # the learner's own visit
        assert not state.withhold_graded and state.notice_pending
        continued = Acceptance.objects.get(policy_version=v2)
        assert continued.method == AcceptanceMethod.CONTINUED_ACCESS and continued.user == learner
        notice = api.change_notice(learner, COURSE_KEY)
        assert notice.policy_number == 2 and notice.change_kind == "minor"
        assert notice.summary_html == "<p>Typos fixed</p>" and notice.date == v2.published_at
        assert notice.must_accept is False and notice.policy_changed is True
        assert api.change_notice(learner, COURSE_KEY) == notice  # reading it marks nothing
        api.mark_change_notice_shown(learner, COURSE_KEY, notice)
        assert api.change_notice(learner, COURSE_KEY) is None
        assert not api.gate_state(learner, COURSE_KEY).notice_pending

    def test_reading_the_gate_state_writes_nothing(self, learner, django_assert_num_queries):
        configure()
        api.accept(learner, COURSE_KEY, confirmed=True)
        api.publish_new_policy(body="<p>v2</p>", change_kind="minor")
        new_request()
        before = Acceptance.objects.count()
        with django_assert_num_queries(1) as captured:  # the learner's own request, a change pending: one read
            state = api.gate_state(learner, COURSE_KEY)
        assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in captured.captured_queries)
        assert state.continued_use_due and not state.notice_pending
        assert Acceptance.objects.count() == before and api.change_notice(learner, COURSE_KEY) is None

    def test_material_change_gates_until_explicit_acceptance(self, learner):
        configure()
        api.accept(learner, COURSE_KEY, confirmed=True)
        api.publish_new_policy(body="<p>v2</p>", change_kind="material", change_summary="<p>New clause</p>")
        assert api.record_continued_use(learner, COURSE_KEY).withhold_graded
        assert Acceptance.objects.filter(method=AcceptanceMethod.CONTINUED_ACCESS, policy_version__number=2).exists()
        assert api.change_notice(learner, COURSE_KEY).must_accept is True
        api.accept(learner, COURSE_KEY, confirmed=True)
        assert not api.gate_state(learner, COURSE_KEY).withhold_graded
        methods = list(Acceptance.objects.filter(policy_version__number=2).values_list("method", flat=True))
        assert sorted(methods) == ["continued_access", "explicit"] or methods == ["continued_access"]

    def test_material_change_without_reacceptance_setting_only_notifies(self, learner):
        configure(reaccept=False)
        api.accept(learner, COURSE_KEY, confirmed=True)
        api.publish_new_policy(body="<p>v2</p>", change_kind="material")
        state = api.record_continued_use(learner, COURSE_KEY)
        assert not state.withhold_graded and state.notice_pending

    def test_changed_course_terms_are_agreed_by_continued_use(self, learner):
        configure(terms="<p>Terms one</p>")
        api.accept(learner, COURSE_KEY, confirmed=True)
        configure(terms="<p>Terms two</p>")
        state = api.record_continued_use(learner, COURSE_KEY)
        assert not state.withhold_graded and state.notice_pending
        notice = api.change_notice(learner, COURSE_KEY)
        assert notice.terms_changed is True and notice.policy_changed is False
        assert notice.date == CourseTerms.objects.current(COURSE_KEY).created_at

    def test_a_learner_who_never_accepted_agrees_to_nothing(self, learner):
        configure()
        api.publish_new_policy(body="<p>v2</p>", change_kind="minor")
        state = api.record_continued_use(learner, COURSE_KEY)
        assert state.withhold_graded and not state.notice_pending and not state.continued_use_due
        assert not Acceptance.objects.exists()


class TestActingForSomeoneElse:
    def test_visits_not_by_the_learner_record_nothing_and_leave_the_notice(self, learner, other_learner):
        configure()
        api.accept(learner, COURSE_KEY, confirmed=True)
        api.publish_new_policy(body="<p>v2</p>", change_kind="minor")
        with impersonate(other_learner):  # e.g. a task or staff acting for the learner
            assert not api.record_continued_use(learner, COURSE_KEY).notice_pending
            assert api.change_notice(learner, COURSE_KEY) is None
        assert not Acceptance.objects.filter(method=AcceptanceMethod.CONTINUED_ACCESS).exists()
        new_request()
        with impersonate(learner):  # nothing stale was cached: the learner's own visit records it
            assert api.record_continued_use(learner, COURSE_KEY).notice_pending
        assert Acceptance.objects.filter(method=AcceptanceMethod.CONTINUED_ACCESS).count() == 1

    def test_several_changes_make_one_notice_newest_first(self, learner):
        configure()
        api.accept(learner, COURSE_KEY, confirmed=True)
        with impersonate(learner):
            api.publish_new_policy(body="<p>v2</p>", change_kind="minor", change_summary="<p>Second</p>")
            api.record_continued_use(learner, COURSE_KEY)
            api.publish_new_policy(body="<p>v3</p>", change_kind="minor", change_summary="<p>Third</p>")
            new_request()
            api.record_continued_use(learner, COURSE_KEY)
            notice = api.change_notice(learner, COURSE_KEY)
            assert notice.policy_number == 3
            assert notice.summary_html == "<p>Third</p><p>Second</p>"
            api.mark_change_notice_shown(learner, COURSE_KEY, notice)
            assert api.change_notice(learner, COURSE_KEY) is None

    def test_versions_published_while_the_learner_was_away_are_all_in_the_notice(self, learner):
        """v2 (material) and v3 (minor) published with no visit in between: one notice tells of both, as material."""
        configure()
        api.accept(learner, COURSE_KEY, confirmed=True)
        api.publish_new_policy(body="<p>v2</p>", change_kind="material", change_summary="<p>Second</p>")
        api.publish_new_policy(body="<p>v3</p>", change_kind="minor", change_summary="<p>Third</p>")
        new_request()
        with impersonate(learner):
            api.record_continued_use(learner, COURSE_KEY)
            notice = api.change_notice(learner, COURSE_KEY)
        assert notice.policy_number == 3 and notice.summary_html == "<p>Third</p><p>Second</p>"
        assert notice.change_kind == "material" and notice.must_accept
        shown = re.sub(r">\s+<", "><", render("html/notice.html", {"notice": notice, "notice_date": "", "dom_id": "n"}))
        assert ('<p>Version 3 is a minor change.</p><div class="hc-text"><p>Third</p></div>'
                '<p>Version 2 is a material change.</p><div class="hc-text"><p>Second</p></div>') in shown

    def test_turning_the_site_toggle_off_takes_effect_at_once(self, learner):
        configure()
        assert api.gate_state(learner, COURSE_KEY).withhold_graded
        new_request()
        with override_settings(HONORCODE_GATE_ENABLED=False):
            assert not api.gate_state(learner, COURSE_KEY).withhold_graded

    def test_a_cache_outage_falls_back_to_the_database_and_breaks_nothing(self, learner):
        from unittest import mock  # pylint: disable=import-outside-toplevel

        configure()
        api.accept(learner, COURSE_KEY, confirmed=True)
        api.publish_new_policy(body="<p>v2</p>", change_kind="minor")
        new_request()
        down = ConnectionError("cache down")
        with mock.patch.multiple("honorcode_xblock.domain.gate.cache", get=mock.DEFAULT, get_many=mock.DEFAULT,
                                 set=mock.DEFAULT, delete=mock.DEFAULT, incr=mock.DEFAULT, add=mock.DEFAULT) as broken, \
                impersonate(learner):
            for operation in broken.values():
                operation.side_effect = down
            state = api.record_continued_use(learner, COURSE_KEY)  # which invalidates the cache
            assert not state.withhold_graded and state.notice_pending
            api.publish_new_policy(body="<p>v3</p>", change_kind="minor")
        assert Acceptance.objects.filter(method=AcceptanceMethod.CONTINUED_ACCESS).count() == 1

    def test_invalidation_runs_again_after_commit(self, learner, django_capture_on_commit_callbacks):
        configure()
        with django_capture_on_commit_callbacks() as callbacks:
            api.accept(learner, COURSE_KEY, confirmed=True)
        assert callbacks, "no invalidation was scheduled for the commit"
        assert api.gate_state(learner, COURSE_KEY).satisfied
        with django_capture_on_commit_callbacks(execute=True):
            api.publish_new_policy(body="<p>v2</p>", change_kind="material")
        assert api.gate_state(learner, COURSE_KEY).withhold_graded

    def test_an_explicit_acceptance_makes_earlier_notices_moot(self, learner):
        configure()
        api.accept(learner, COURSE_KEY, confirmed=True)
        api.publish_new_policy(body="<p>v2</p>", change_kind="material", change_summary="<p>New</p>")
        with impersonate(learner):
            assert api.record_continued_use(learner, COURSE_KEY).notice_pending
            api.accept(learner, COURSE_KEY, confirmed=True)
            new_request()
            assert not api.gate_state(learner, COURSE_KEY).notice_pending
            assert api.change_notice(learner, COURSE_KEY) is None
