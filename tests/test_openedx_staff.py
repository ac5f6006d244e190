"""
Course staff inside the LMS: where they reach the cases (the course tab, the legacy instructor dashboard's section,
the instructor dashboard MFE's tab where the platform runs that filter), what limited staff may do, the product's
steps next to other plugins' steps, and the platform's own integrity signature. On the doubles of
``tests/openedx_doubles`` (openedx-platform ``PLATFORM_COMMIT``).
"""
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openedx_filters.learning.filters import (
    CertificateCreationRequested,
    InstructorDashboardTabsRequested,
    RenderXBlockStarted,
    StudentLoginRequested,
    VerticalBlockChildRenderStarted,
)

from honorcode_xblock import api
from honorcode_xblock.exceptions import NotFound, NotPermitted
from honorcode_xblock.settings.common import FILTER_STEPS

from .helpers import COURSE_KEY, call_handler, lms_user, make_block, usage_key
from .openedx_doubles import get_course_tab_list

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def team(openedx):
    """A course that gates graded content, its staff, its limited staff, a learner, and a graded problem."""
    people = SimpleNamespace(
        staff=User.objects.create_user("staff", email="staff@example.com", password="pw"),
        limited=User.objects.create_user("limited", email="limited@example.com", password="pw"),
        learner=User.objects.create_user("learner", email="learner@example.com", password="pw"),
    )
    openedx.make_staff(people.staff, COURSE_KEY)
    openedx.make_limited_staff(people.limited, COURSE_KEY)
    openedx.add_enrollment(people.learner, COURSE_KEY)
    api.save_course_settings(COURSE_KEY, terms_html="", collaboration_text="", acceptance_mode="checkbox",
                             gate_graded_content=True, actor=people.staff)
    people.problem = openedx.add_block(usage_key("problem", "q1"), "Question 1", graded=True)
    return people


class TestWayIn:
    def test_the_course_tab_is_registered_and_shown_to_the_course_team_only(self, openedx, team):
        course = SimpleNamespace(id=COURSE_KEY)
        tabs = {user: [tab.type for tab in get_course_tab_list(user, course)]
                for user in (team.staff, team.limited, team.learner)}
        assert tabs == {team.staff: ["honorcode_cases"], team.limited: [], team.learner: []}
        (tab,) = get_course_tab_list(team.staff, course)
        from django.urls import reverse  # pylint: disable=import-outside-toplevel

        assert tab.link_func(course, reverse) == f"/honorcode/courses/{COURSE_KEY}/cases/"
        assert (tab.name, tab.priority, tab.is_dynamic, tab.course_staff_only) == ("Honor code cases", 310, True,
                                                                                 True)

    def test_the_instructor_dashboard_mfe_tab_where_the_platform_runs_the_filter(self, openedx, team):
        tabs, _user, _key = InstructorDashboardTabsRequested.run_filter(tabs=[], user=team.staff,
                                                                         course_key=COURSE_KEY)
        assert [tab["tab_id"] for tab in tabs] == ["honorcode"]
        assert InstructorDashboardTabsRequested.run_filter(tabs=[], user=team.limited, course_key=COURSE_KEY)[0] == []

    def test_the_legacy_instructor_dashboard_section_for_the_course_team(self, openedx, team):
        from crum import impersonate  # pylint: disable=import-outside-toplevel
        from edx_django_utils.plugins.plugin_contexts import get_plugins_view_context  # pylint: disable=import-outside-toplevel

        for user, expected in ((team.staff, ["honorcode"]), (team.limited, [])):
            context = {"sections": [], "course": SimpleNamespace(id=COURSE_KEY)}
            with impersonate(user):
                get_plugins_view_context("lms.djangoapp", "instructor_dashboard", context)
            assert [section["section_key"] for section in context["sections"]] == expected


class TestLimitedStaff:
    """
    A course's limited staff (course staff without Studio access) are exempt from the gate like the rest of the
    course team, and do not work on cases or change the settings, in the LMS, the API and Studio alike.
    """

    def test_exempt_from_the_gate(self, openedx, team):
        assert api.gate_state(team.limited, COURSE_KEY).satisfied
        assert not api.gate_state(team.learner, COURSE_KEY).satisfied

    def test_no_case_work(self, openedx, team):
        with pytest.raises(NotPermitted):
            api.open_case(team.limited, COURSE_KEY, respondents=["learner"], commitment="own_work",
                          description="x")
        case = api.open_case(team.staff, COURSE_KEY, respondents=["learner"], commitment="own_work",
                             description="x")
        with pytest.raises(NotFound):
            api.get_case(team.limited, case.pk)
        client = Client()
        client.force_login(team.limited)
        assert client.get(f"/api/honorcode/v1/courses/{COURSE_KEY}/cases/").status_code == 403
        assert client.get(f"/api/honorcode/v1/cases/{case.pk}/").status_code == 404
        assert client.get(f"/api/honorcode/v1/courses/{COURSE_KEY}/acceptances/").status_code == 403
        assert client.get(f"/honorcode/courses/{COURSE_KEY}/cases/").status_code == 403

    @pytest.mark.parametrize("service_variant", ["lms", "cms"])
    def test_no_settings_in_the_lms_or_studio(self, openedx, team, service_variant):
        openedx.service_variant = service_variant  # in the LMS the platform gives limited staff Studio *write* access
        from common.djangoapps.student.auth import has_studio_write_access  # pylint: disable=import-error,import-outside-toplevel

        assert has_studio_write_access(team.limited, COURSE_KEY) == (service_variant == "lms")
        with pytest.raises(NotPermitted):
            api.save_course_settings(COURSE_KEY, terms_html="", collaboration_text="", acceptance_mode="checkbox",
                                     gate_graded_content=False, actor=team.limited)
        block = make_block(lms_user(team.limited), key=usage_key())
        status, _body = call_handler(block, "studio_submit", {"gate_graded_content": False})
        assert status == 403 and api.studio_values(COURSE_KEY)["gate_graded_content"] is True

    def test_the_block_shows_them_the_learners_view(self, openedx, team):
        fragment = make_block(lms_user(team.limited), key=usage_key()).render("student_view", {})
        assert "Acceptances in this course" not in fragment.content


class ExtraKeyStep:
    """Another plugin's step that returns a key of its own (openedx-filters hands it on to the steps after it)."""

    def __init__(self, filter_type, running_pipeline):
        self.filter_type, self.running_pipeline = filter_type, running_pipeline

    def run_filter(self, **kwargs):  # pylint: disable=unused-argument
        return {"other_plugins_key": 42}


class TestOtherPluginsSteps:
    @pytest.fixture
    def crowded(self, settings):
        """Every filter the plugin uses, with another plugin's step before the product's; errors raised."""
        settings.OPEN_EDX_FILTERS_CONFIG = {
            filter_type: {"fail_silently": False, "pipeline": ["tests.test_openedx_staff.ExtraKeyStep", step]}
            for filter_type, step in FILTER_STEPS.items()
        }

    def test_every_step_works_with_a_key_it_does_not_know(self, openedx, team, crowded):
        from crum import impersonate  # pylint: disable=import-outside-toplevel

        block = SimpleNamespace(location=team.problem, scope_ids=SimpleNamespace(usage_id=team.problem,
                                                                                 block_type="problem"), graded=True)
        with impersonate(team.learner):
            with pytest.raises(RenderXBlockStarted.RenderCustomResponse):
                RenderXBlockStarted.run_filter(context={"block": block, "course": object()}, student_view_context={})
            stand_in, _context = VerticalBlockChildRenderStarted.run_filter(block=block, context={})
            assert stand_in is not block
        *_rest, status, _grade, _mode = CertificateCreationRequested.run_filter(
            user=team.learner, course_key=COURSE_KEY, mode="verified", status=None, grade=None,
            generation_mode="batch")
        assert status == "unavailable"
        assert StudentLoginRequested.run_filter(user=team.learner) == team.learner
        tabs, _user, _key = InstructorDashboardTabsRequested.run_filter(tabs=[], user=team.staff,
                                                                         course_key=COURSE_KEY)
        assert [tab["tab_id"] for tab in tabs] == ["honorcode"]


class TestPlatformIntegritySignature:
    @pytest.mark.parametrize("setting", ["FEATURES", "flat", "off"])
    def test_an_acceptance_records_the_platforms_signature_where_it_is_on(self, openedx, team, settings, setting,
                                                                        django_capture_on_commit_callbacks):
        if setting == "FEATURES":
            settings.FEATURES = {"ENABLE_INTEGRITY_SIGNATURE": True}
        elif setting == "flat":
            settings.ENABLE_INTEGRITY_SIGNATURE = True
        with django_capture_on_commit_callbacks(execute=True):
            api.accept(team.learner, COURSE_KEY, confirmed=True)
        expected = {} if setting == "off" else {(team.learner.pk, str(COURSE_KEY))}
        assert set(openedx.integrity_signatures) == set(expected)

    def test_the_platforms_failure_never_fails_the_acceptance(self, openedx, team, settings, monkeypatch,
                                                               django_capture_on_commit_callbacks):
        settings.FEATURES = {"ENABLE_INTEGRITY_SIGNATURE": True}
        from openedx.core.djangoapps.agreements import api as agreements  # pylint: disable=import-error,import-outside-toplevel

        def broken(username, course_id):
            raise RuntimeError("agreements down")

        monkeypatch.setattr(agreements, "create_integrity_signature", broken)
        with django_capture_on_commit_callbacks(execute=True):
            acceptance, created = api.accept(team.learner, COURSE_KEY, confirmed=True)
        assert created and acceptance.pk

    def test_continued_use_records_no_signature(self, openedx, team, settings, django_capture_on_commit_callbacks):
        settings.FEATURES = {"ENABLE_INTEGRITY_SIGNATURE": True}
        with django_capture_on_commit_callbacks(execute=True):
            api.accept(team.learner, COURSE_KEY, method=api.AcceptanceMethod.CONTINUED_ACCESS)
        assert openedx.integrity_signatures == {}
