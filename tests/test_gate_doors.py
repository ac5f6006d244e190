"""
The gate's other doors on a real Django stack: the handler middleware and the accept endpoint, in the demo
(standalone platform, the workbench's URLs) and with the Open edX platform's URL names.
"""
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from honorcode_xblock import api
from honorcode_xblock.models import Acceptance
from honorcode_xblock.platform.openedx import OpenEdxPlatform

from .helpers import COURSE_KEY

pytestmark = pytest.mark.django_db
DEMO_COURSE = "course-v1:HonorCode+Demo+2026"
SCENARIO = "/scenario/demo_course.0/"


@pytest.fixture(autouse=True)
def workbench_scenarios(db):
    """
    Load the workbench's scenarios into this test's database.

    The workbench parses its scenarios once per process and keeps their structure in its database table, which
    each test's rollback empties.
    """
    from workbench.scenarios import init_scenarios  # pylint: disable=import-outside-toplevel

    init_scenarios()


@pytest.fixture
def demo_course(db):
    """The demo course, gated, with its settings saved by its author."""
    from opaque_keys.edx.keys import CourseKey  # pylint: disable=import-outside-toplevel

    author = get_user_model().objects.create_user("author", is_staff=True)
    api.save_course_settings(CourseKey.from_string(DEMO_COURSE), terms_html="", collaboration_text="",
                             acceptance_mode="checkbox", gate_graded_content=True, actor=author)
    return CourseKey.from_string(DEMO_COURSE)


def usage_ids(client, block_type):
    page = client.get(SCENARIO + "?student=author").content.decode()
    return re.findall(rf"data-usage='([^']*\.{block_type}\.[^']*)'", page)


def submit(client, usage_id, student):
    return client.post(f"/handler/{usage_id}/submit/?student={student}", data='{"answer": "5"}',
                       content_type="application/json")


class TestHandlerMiddleware:
    def test_graded_submission_is_refused_until_the_learner_accepts(self, client, demo_course):
        problem = usage_ids(client, "demo_problem")[0]
        refused = submit(client, problem, "alice")
        assert refused.status_code == 403
        assert refused.json() == {"error": "Accept the honor code of this course before you submit graded work.",
                                  "honorcode_required": True}
        api.accept(get_user_model().objects.get(username="alice"), demo_course, confirmed=True)
        accepted = submit(client, problem, "alice")
        assert accepted.status_code == 200 and accepted.json() == {"correct": True}

    def test_the_honor_code_blocks_own_handlers_stay_open(self, client, demo_course):
        pledge = usage_ids(client, "honorcode")[0]
        response = client.post(f"/handler/{pledge}/accept/?student=bob", data='{"confirmed": true}',
                               content_type="application/json")
        assert response.status_code == 200 and response.json()["accepted"] is True

    def test_course_staff_are_exempt(self, client, demo_course):
        assert submit(client, usage_ids(client, "demo_problem")[0], "author").status_code == 200

    def test_ungated_course_lets_everything_through(self, client):
        problem = usage_ids(client, "demo_problem")[0]
        assert submit(client, problem, "carol").status_code == 200

    def test_page_without_acceptance_shows_the_placeholder_and_no_problem(self, client, demo_course):
        page = client.get(SCENARIO + "?student=dave").content.decode()
        assert "Accept the honor code to see graded content" in page
        assert "class='demo-problem'" not in page
        assert "Reading (ungraded)" in page  # ungraded content is not withheld


class TestAcceptEndpoint:
    def post(self, client, course_id=DEMO_COURSE, student="erin", **fields):
        data = {"next": SCENARIO + f"?student={student}", "policy_version": "1", **fields}
        return client.post(f"/honorcode/courses/{course_id}/accept/?student={student}", data)

    def test_form_post_accepts_and_goes_back(self, client, demo_course):
        response = self.post(client, confirmed="true")
        assert response.status_code == 303 and response["Location"] == SCENARIO + "?student=erin"
        acceptance = Acceptance.objects.get(user__username="erin")
        assert acceptance.course_key == demo_course and acceptance.block_id == "gate"
        page = client.get(SCENARIO + "?student=erin").content.decode()
        assert "class='demo-problem'" in page and "Accept the honor code to see graded content" not in page

    @pytest.mark.parametrize("fields, status, message", [
        ({}, 400, "Tick the box"),
        ({"confirmed": "true", "policy_version": "7"}, 409, "Reload the page"),
    ])
    def test_refusals_explain_themselves(self, client, demo_course, fields, status, message):
        response = self.post(client, **fields)
        assert response.status_code == status and message in response.content.decode()
        assert not Acceptance.objects.exists()

    def test_unknown_course_is_404(self, client, demo_course):
        assert self.post(client, course_id="not-a-course", confirmed="true").status_code == 404

    def test_anonymous_is_refused(self, client, demo_course):
        response = self.post(client, student="", confirmed="true")
        assert response.status_code == 403 and "Sign in" in response.content.decode()

    def test_next_must_stay_on_this_site(self, client, demo_course):
        response = client.post(f"/honorcode/courses/{DEMO_COURSE}/accept/?student=fred",
                               {"confirmed": "true", "next": "https://elsewhere.example/phish"})
        assert response.status_code == 303 and response["Location"] == "/"

    def test_get_is_not_allowed(self, client, demo_course):
        assert client.get(f"/honorcode/courses/{DEMO_COURSE}/accept/").status_code == 405


class TestOpenEdxHandlerUrls:
    """``lms/urls.py``: ``xblock_handler`` with ``course_id``, ``usage_id``, ``handler`` (COURSE_ID_PATTERN etc.)."""

    @staticmethod
    def request(url_name, user=None, **kwargs):
        request = RequestFactory().post("/")
        request.resolver_match = SimpleNamespace(url_name=url_name, kwargs=kwargs)
        request.user = user or AnonymousUser()
        request.session = {}
        return request

    def test_lms_handler_calls_are_recognised(self, openedx):
        usage = COURSE_KEY.make_usage_key("problem", "q1")
        call = OpenEdxPlatform().handler_call(self.request(
            "xblock_handler", course_id=str(COURSE_KEY), usage_id=str(usage), handler="xmodule_handler"))
        assert call == (COURSE_KEY, usage)

    def test_a_usage_key_of_another_course_is_mapped_into_the_course_of_the_url(self, openedx):
        foreign = "block-v1:Evil+X+Y+type@problem+block@q1"
        call = OpenEdxPlatform().handler_call(self.request(
            "xblock_handler", course_id=str(COURSE_KEY), usage_id=foreign, handler="xmodule_handler"))
        assert call == (COURSE_KEY, COURSE_KEY.make_usage_key("problem", "q1"))

    @pytest.mark.parametrize("url_name, kwargs", [
        ("xblock_handler", {"course_id": "course-v1:a+b+c", "usage_id": "lb:Org:lib:problem:p1", "handler": "x"}),
        ("xblock_handler", {"usage_key_string": "block-v1:a+b+c+type@problem+block@q"}),  # Studio's CRUD view
        ("render_xblock", {"usage_key_string": "block-v1:a+b+c+type@problem+block@q"}),
        ("xblock_handler", {"course_id": "bad", "usage_id": "bad", "handler": "x"}),
        ("xblock_handler_noauth", {"course_id": "course-v1:a+b+c", "usage_id": "block-v1:a+b+c+type@lti+block@l",
                                   "handler": "grade_handler"}),  # server-to-server callbacks
    ])
    def test_other_urls_are_not_handler_calls(self, url_name, kwargs, openedx):
        assert OpenEdxPlatform().handler_call(self.request(url_name, **kwargs)) is None


class TestOpenEdxGate:
    """The gate's decisions with the Open edX platform layer (doubles in tests/openedx_doubles.py)."""

    @pytest.fixture
    def gated(self, openedx):
        author = get_user_model().objects.create_user("lms-author")
        openedx.make_staff(author, COURSE_KEY)
        api.save_course_settings(COURSE_KEY, terms_html="", collaboration_text="", acceptance_mode="checkbox",
                                 gate_graded_content=True, actor=author)
        return author

    def test_one_query_cold_none_warm_for_a_learner_who_accepted(self, gated, learner, django_assert_num_queries):
        from edx_django_utils.cache import RequestCache  # pylint: disable=import-outside-toplevel

        api.accept(learner, COURSE_KEY, confirmed=True)
        RequestCache.clear_all_namespaces()
        with django_assert_num_queries(1):
            assert not api.gate_state(learner, COURSE_KEY).withhold_graded
        RequestCache.clear_all_namespaces()
        with django_assert_num_queries(0):
            assert not api.gate_state(learner, COURSE_KEY).withhold_graded

    def test_staff_viewing_as_a_learner_are_not_exempt_even_before_the_view_set_up_the_masquerade(
            self, gated, openedx):
        from crum import set_current_request  # pylint: disable=import-outside-toplevel
        from edx_django_utils.cache import RequestCache  # pylint: disable=import-outside-toplevel

        assert not api.gate_state(gated, COURSE_KEY).withhold_graded
        request = TestOpenEdxHandlerUrls.request("xblock_handler", user=gated)
        request.session["masquerade_settings"] = {COURSE_KEY: SimpleNamespace(role="student")}
        set_current_request(request)
        try:
            RequestCache.clear_all_namespaces()
            assert api.gate_state(get_user_model().objects.get(pk=gated.pk), COURSE_KEY).withhold_graded
        finally:
            set_current_request(None)

    @pytest.mark.parametrize("header, accepted, status", [
        ("JWT learner-token", True, None),       # the mobile app's learner who accepted: through
        ("JWT learner-token", False, 403),       # ... who did not: refused
        ("Bearer learner-token", False, 403),
        ("JWT forged", True, 403),               # a token that does not authenticate is nobody
        ("", True, 403),                         # no credentials at all
    ])
    def test_token_callers_are_judged_as_their_user(self, gated, openedx, learner, header, accepted, status):
        from edx_rest_framework_extensions.auth.jwt.tests.utils import (  # pylint: disable=import-outside-toplevel
            generate_jwt_token,
            generate_latest_version_payload,
        )

        openedx.add_tokens(learner, access="learner-token")  # the LMS's OAuth2 access token of the learner
        if header == "JWT learner-token":  # a real JWT, signed as the demo settings' issuer (edx-drf-extensions)
            header = "JWT " + generate_jwt_token(generate_latest_version_payload(learner))
        usage = COURSE_KEY.make_usage_key("problem", "q1")
        openedx.blocks[usage] = "Question 1"
        openedx.graded.add(usage)
        if accepted:
            api.accept(learner, COURSE_KEY, confirmed=True)
        request = TestOpenEdxHandlerUrls.request("xblock_handler", course_id=str(COURSE_KEY), usage_id=str(usage),
                                                 handler="xmodule_handler")
        request.META["HTTP_AUTHORIZATION"] = header
        refusal = api.handler_refusal(request)
        assert (refusal is None) == (status is None)

    def test_ungraded_blocks_and_structure_stay_open_graded_and_unknown_blocks_do_not(self, gated, openedx,
                                                                                       learner):
        page = COURSE_KEY.make_usage_key("html", "intro")
        openedx.blocks[page] = "Intro"
        builder = COURSE_KEY.make_usage_key("problem-builder", "pb")  # a graded container that grades itself
        openedx.blocks[builder] = "Mentoring"
        openedx.graded.add(builder)
        unit = COURSE_KEY.make_usage_key("vertical", "quiz-unit")  # completion and navigation calls
        ghost = COURSE_KEY.make_usage_key("problem", "ghost")
        for usage, refused in ((page, False), (unit, False), (builder, True), (ghost, True)):
            call = TestOpenEdxHandlerUrls.request("xblock_handler", user=learner, course_id=str(COURSE_KEY),
                                                  usage_id=str(usage), handler="x")
            assert (api.handler_refusal(call) is not None) is refused, usage

    def test_no_auth_handlers_are_gated_for_signed_in_learners_only(self, gated, openedx, learner):
        usage = COURSE_KEY.make_usage_key("problem", "q1")
        openedx.blocks[usage] = "Question"
        openedx.graded.add(usage)
        kwargs = {"course_id": str(COURSE_KEY), "usage_id": str(usage), "handler": "xmodule_handler"}
        signed_in = TestOpenEdxHandlerUrls.request("xblock_handler_noauth", user=learner, **kwargs)
        assert api.handler_refusal(signed_in) is not None
        callback = TestOpenEdxHandlerUrls.request("xblock_handler_noauth", **kwargs)
        assert api.handler_refusal(callback) is None
