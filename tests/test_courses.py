"""
A course's terms and settings (``domain/courses.py``): terms versioned when they change, the collaboration list, the
settings' validation, and who may change them.
"""
import pytest

from honorcode_xblock import api
from honorcode_xblock.exceptions import InvalidInput, NotPermitted
from honorcode_xblock.models import CourseSettings, CourseTerms

from .helpers import COURSE_KEY, OTHER_COURSE_KEY, course_author, save_settings, usage_key

pytestmark = pytest.mark.django_db


class TestCourseSettings:
    def test_terms_are_versioned_only_when_they_change(self, operator):
        first = save_settings(terms="<p>Teams of two on the project.</p>", actor=operator)
        assert first.terms_version == 1
        same = save_settings(terms="<p>Teams of two on the project.</p>", mode="signature", gate=True)
        assert same.terms_version == 1
        changed = save_settings(terms="<p>Teams of three.</p>")
        assert changed.terms_version == 2
        assert list(CourseTerms.objects.for_course(COURSE_KEY).values_list("version", flat=True)) == [2, 1]
        view = api.learner_view(COURSE_KEY)
        assert view.terms_html == "<p>Teams of three.</p>" and view.terms_version == 2
        assert view.acceptance_mode == "checkbox"

    def test_only_the_course_team_may_change_settings(self, learner):
        with pytest.raises(NotPermitted):
            save_settings(terms="<p>Learner's own rules</p>", actor=learner)
        with pytest.raises(NotPermitted):
            api.save_course_settings(COURSE_KEY, terms_html="", collaboration_text="", acceptance_mode="checkbox",
                                     gate_graded_content=False, actor=None)
        assert not CourseTerms.objects.exists() and not CourseSettings.objects.exists()

    def test_settings_are_stored(self):
        save_settings(mode="signature", gate=True)
        assert api.learner_view(COURSE_KEY).acceptance_mode == "signature"
        assert api.studio_values(COURSE_KEY)["gate_graded_content"] is True
        assert api.studio_values(OTHER_COURSE_KEY) is None
        assert api.learner_view(OTHER_COURSE_KEY).acceptance_mode == "checkbox"

    def test_terms_are_sanitized(self):
        save_settings(terms='<p>Fine</p><script>steal()</script><iframe src="//evil"></iframe>')
        assert CourseTerms.objects.current(COURSE_KEY).body == "<p>Fine</p>"

    def test_collaboration_is_parsed_with_notes(self):
        project = usage_key("problem", "project")
        lab = usage_key("openassessment", "lab")
        cleaned = save_settings(collaboration=f"{project} | Teams of three\n\n  {lab}  \n")
        assert cleaned.collaboration == [
            {"usage_key": str(project), "note": "Teams of three"},
            {"usage_key": str(lab), "note": ""},
        ]
        assert CourseTerms.objects.current(COURSE_KEY).collaboration == cleaned.collaboration
        assert [item.label for item in api.learner_view(COURSE_KEY).collaboration] == ["Teams of three", str(lab)]

    @pytest.mark.parametrize("collaboration, message", [
        ("not-a-key", 'Line 1: "not-a-key" is not a usage key'),
        (f"{usage_key('problem', 'x', OTHER_COURSE_KEY)}", "Line 1: block-v1:TestX+OTHER+2026+type@problem+block@x "
                                                           "belongs to another course."),
        (f"{usage_key('problem', 'x')}\n{usage_key('problem', 'x')}", "Line 2: "),
        (f"{usage_key('problem', 'x')} | {'n' * 501}", "the note is longer than 500 characters"),
        ("\n".join(str(usage_key("problem", f"p{i}")) for i in range(201)), "List at most 200 assignments"),
    ])
    def test_invalid_collaboration_is_refused_with_a_line_message(self, collaboration, message):
        with pytest.raises(InvalidInput) as caught:
            save_settings(collaboration=collaboration)
        assert any(message in msg for msg in caught.value.errors["collaboration"])
        assert not CourseTerms.objects.exists()

    @pytest.mark.parametrize("kwargs, field", [
        ({"acceptance_mode": "smoke-signal"}, "acceptance_mode"),
        ({"gate_graded_content": "yes"}, "gate_graded_content"),
        ({"terms_html": 42}, "course_terms"),
        ({"terms_html": "x" * 50_001}, "course_terms"),
        ({"collaboration_text": ["a"]}, "collaboration"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "n" * 256}, "display_name"),
    ])
    def test_invalid_settings_are_refused_per_field(self, kwargs, field):
        values = {"terms_html": "", "collaboration_text": "", "acceptance_mode": "checkbox",
                  "gate_graded_content": False, **kwargs}
        with pytest.raises(InvalidInput) as caught:
            api.save_course_settings(COURSE_KEY, actor=course_author(), **values)
        assert list(caught.value.errors) == [field]
