"""
The gate's openedx-filters steps, run through openedx-filters' own ``run_filter`` with the pipeline configuration
the plugin settings produce, on the Open edX platform layer.

The blocks are doubles shaped like edx-platform's: ``graded`` is the inherited settings field of
``xmodule/modulestore/inheritance.py``, ``location`` and ``scope_ids.usage_id`` the block's ``BlockUsageLocator``,
``render(view, context)`` what ``xmodule/vertical_block.py`` calls on each child.
"""
from types import SimpleNamespace

import pytest
from crum import impersonate
from django.contrib.auth import get_user_model
from django.test import override_settings
from openedx_filters.learning.filters import (
    CertificateCreationRequested,
    RenderXBlockStarted,
    VerticalBlockChildRenderStarted,
)
from web_fragments.fragment import Fragment

from honorcode_xblock import api
from honorcode_xblock.settings.common import FILTER_STEPS, merge_filter_steps

from .helpers import COURSE_KEY, OTHER_COURSE_KEY, usage_key
from .openedx_doubles.content import render_xblock, vertical_student_view

pytestmark = pytest.mark.django_db
FILTERS = override_settings(OPEN_EDX_FILTERS_CONFIG=merge_filter_steps({}))


class FakeBlock:
    """A course block as edx-platform hands it to the filters (the fields the steps read)."""

    def __init__(self, block_id, graded, course_key=COURSE_KEY, block_type="problem"):
        self.location = usage_key(block_type, block_id, course_key)
        self.scope_ids = SimpleNamespace(usage_id=self.location, block_type=block_type)
        self.graded = graded
        self.rendered = 0

    def render(self, view, context=None):
        self.rendered += 1
        return Fragment(f"<p>content of {self.location.block_id}</p>")


def configure(openedx, gate=True, staff_exempt=True, course_key=COURSE_KEY):
    author = get_user_model().objects.get_or_create(username="author", defaults={"is_staff": True})[0]
    openedx.make_staff(author, course_key)
    return api.save_course_settings(course_key, terms_html="<p>Course terms</p>", collaboration_text="",
                                    acceptance_mode="checkbox", gate_graded_content=gate, staff_exempt=staff_exempt,
                                    actor=author)


@pytest.fixture
def gated(openedx):
    """A gated course, the Open edX platform layer, and the plugin's filter pipelines."""
    configure(openedx)
    with FILTERS:
        yield openedx


def render_unit(block):
    return RenderXBlockStarted.run_filter(context={"block": block, "course": object()}, student_view_context={})


class TestRenderXBlockStarted:
    def test_graded_unit_is_replaced_by_the_pledge_and_an_accept_form(self, gated, learner):
        with impersonate(learner), pytest.raises(RenderXBlockStarted.RenderCustomResponse) as caught:
            render_unit(FakeBlock("quiz", graded=True))
        html = caught.value.response
        assert "Accept the honor code to see graded content" in html
        assert "Your own work." in html and "<p>Course terms</p>" in html
        assert f'action="/honorcode/courses/{COURSE_KEY}/accept/"' in html
        assert 'name="policy_version" value="1"' in html and 'name="csrfmiddlewaretoken"' in html
        assert "<style>" in html  # the page shows no block resources, so the CSS comes inline

    def test_after_accepting_the_unit_renders(self, gated, learner):
        api.accept(learner, COURSE_KEY, confirmed=True)
        with impersonate(learner):
            context, _svc = render_unit(FakeBlock("quiz", graded=True))
        assert context["block"].location.block_id == "quiz"

    @pytest.mark.parametrize("graded, course_key", [(False, COURSE_KEY), (True, OTHER_COURSE_KEY)])
    def test_ungraded_content_and_courses_without_a_gate_render(self, gated, learner, graded, course_key):
        with impersonate(learner):
            render_unit(FakeBlock("page", graded=graded, course_key=course_key))

    def test_course_staff_are_exempt(self, gated):
        staff = get_user_model().objects.get(username="author")
        with impersonate(staff):
            render_unit(FakeBlock("quiz", graded=True))

    def test_gate_off_renders(self, openedx, learner):
        configure(openedx, gate=False)
        with FILTERS, impersonate(learner):
            render_unit(FakeBlock("quiz", graded=True))


class TestInThePlatformsCallers:
    """The steps inside the platform's own render loops (``render_xblock``, ``VerticalBlock``), as the doubles run them."""

    def test_the_unit_iframe_shows_the_placeholder_as_its_fragment(self, gated, learner):
        with impersonate(learner):
            status, html = render_xblock(FakeBlock("quiz", graded=True))
        assert status == 200 and "Accept the honor code to see graded content" in html

    def test_the_unit_iframe_renders_the_block_once_accepted(self, gated, learner):
        api.accept(learner, COURSE_KEY, confirmed=True)
        with impersonate(learner):
            assert render_xblock(FakeBlock("quiz", graded=True)) == (200, "<p>content of quiz</p>")

    def test_the_vertical_renders_stand_ins_and_lists_them_by_the_childrens_locations(self, gated, learner):
        children = [FakeBlock("q1", True), FakeBlock("page", False)]
        with impersonate(learner):
            contents = vertical_student_view(children)
        assert [child_id for child_id, _html in contents] == [str(child.location) for child in children]
        assert "Accept the honor code to see graded content" in contents[0][1]
        assert contents[1][1] == "<p>content of page</p>" and children[0].rendered == 0


class TestVerticalBlockChildRenderStarted:
    def test_graded_children_are_replaced_and_only_the_first_carries_the_pledge(self, gated, learner):
        first, second, page = FakeBlock("q1", True), FakeBlock("q2", True), FakeBlock("page", False)
        with impersonate(learner):
            shown = [VerticalBlockChildRenderStarted.run_filter(block=child, context={})[0]
                     for child in (first, second, page)]
        html = [block.render("student_view", {}).content for block in shown]
        assert "Accept the honor code to see graded content" in html[0]
        assert "Graded content withheld: accept the honor code above" in html[1]
        assert html[2] == "<p>content of page</p>"
        assert (first.rendered, second.rendered) == (0, 0)
        assert str(shown[0].location) == str(first.location)  # the vertical lists the child by its location

    def test_pending_change_notice_is_shown_once_above_the_first_child(self, gated, learner):
        api.accept(learner, COURSE_KEY, confirmed=True)
        api.publish_new_policy(body="<p>v2</p>", change_kind="minor", change_summary="<p>Clearer wording</p>")
        with impersonate(learner):
            block, _ctx = VerticalBlockChildRenderStarted.run_filter(block=FakeBlock("page", False), context={})
            html = block.render("student_view", {}).content
            again, _ctx = VerticalBlockChildRenderStarted.run_filter(block=FakeBlock("page2", False), context={})
        assert "The honor code was updated on" in html and "Clearer wording" in html
        assert "<p>content of page</p>" in html
        assert "By continuing to use this course you agree to the new version" in html
        assert again.render("student_view", {}).content == "<p>content of page2</p>"


class TestCertificateCreationRequested:
    @staticmethod
    def request_certificate(user, generation_mode="batch"):
        return CertificateCreationRequested.run_filter(
            user=user, course_key=COURSE_KEY, mode="verified", status=None, grade=0.9,
            generation_mode=generation_mode,
        )

    def test_withheld_from_a_learner_who_never_accepted_as_unavailable_without_an_exception(self, gated, learner):
        user, _key, _mode, status, _grade, _generation = self.request_certificate(learner)
        assert (user, status) == (learner, "unavailable")

    def test_the_learners_own_request_is_refused_with_the_reason(self, gated, learner):
        with pytest.raises(CertificateCreationRequested.PreventCertificateCreation, match="until you accept"):
            self.request_certificate(learner, generation_mode="self")

    def test_issued_after_acceptance(self, gated, learner):
        api.accept(learner, COURSE_KEY, confirmed=True)
        assert self.request_certificate(learner)[0] == learner
        assert self.request_certificate(learner)[3] is None  # the status is left as the platform asked

    def test_issued_when_the_course_does_not_gate(self, openedx, learner):
        configure(openedx, gate=False)
        with FILTERS:
            assert self.request_certificate(learner)[0] == learner


class TestPluginConfiguration:
    def test_merging_keeps_what_the_operator_configured(self):
        operator = {
            "org.openedx.learning.xblock.render.started.v1": {
                "fail_silently": True, "pipeline": ["operator.steps.Banner"],
            },
            "org.openedx.learning.student.login.requested.v1": {"pipeline": ["operator.steps.Sso"]},
        }
        merged = merge_filter_steps(operator)
        unit = merged["org.openedx.learning.xblock.render.started.v1"]
        assert unit == {"fail_silently": True,
                        "pipeline": ["operator.steps.Banner", "honorcode_xblock.filters.WithholdGradedUnit"]}
        assert merged["org.openedx.learning.student.login.requested.v1"] == {
            "pipeline": ["operator.steps.Sso", "honorcode_xblock.filters.RefuseTerminatedLogin"]}
        assert merge_filter_steps(merged) == merged  # merging again adds nothing
        for filter_type, step in FILTER_STEPS.items():
            assert step in merged[filter_type]["pipeline"]
