"""The Honor Code XBlock on XBlock's ToyRuntime, against the standalone and the Open edX platform layers."""
import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from xblock.completable import XBlockCompletionMode

from honorcode_xblock import api
from honorcode_xblock.block import HonorCodeXBlock
from honorcode_xblock.models import Acceptance, AuditEvent, CourseSettings, CourseTerms

from .helpers import COURSE_KEY, OTHER_COURSE_KEY, call_handler, lms_user, make_block, usage_key, workbench_user

pytestmark = pytest.mark.django_db


def render(block, view="student_view"):
    return block.render(view, {}).content


def settings_payload(**overrides):
    return {"display_name": "Honor Code", "course_terms": "", "collaboration": "", "acceptance_mode": "checkbox",
            "gate_graded_content": False, **overrides}


def configure(author, course_key=COURSE_KEY, terms="", collaboration="", mode="checkbox", gate=False):
    return api.save_course_settings(course_key, terms_html=terms, collaboration_text=collaboration,
                                    acceptance_mode=mode, gate_graded_content=gate, actor=author)


class TestStudentView:
    def test_shows_the_honor_code_with_its_last_updated_date_and_the_accept_control(self, learner):
        html = render(make_block(workbench_user("learner")))
        policy = api.current_policy()
        assert "Version 1 · Last updated" in html
        assert f"{policy.published_at:%Y}" in html
        assert "Your own work." in html and "No refund is given" in html
        assert 'type="checkbox"' in html and "I have read the honor code" in html
        assert "Accept the honor code" in html
        assert 'role="status"' in html and 'aria-live="polite"' in html
        assert 'class="hc-confirmation" hidden' in html
        assert 'data-policy-version="1"' in html

    def test_shows_course_terms_and_collaboration_permissions(self, learner, author):
        project, lab = usage_key("problem", "project"), usage_key("problem", "lab")
        configure(author, terms="<p>Quizzes are individual.</p><script>x()</script>",
                  collaboration=f"{project} | Final project: teams of three\n{lab}")
        html = render(make_block(workbench_user("learner")))
        assert "Additional terms for this course" in html
        assert "<p>Quizzes are individual.</p>" in html and "x()" not in html
        assert "Assignments where collaboration is permitted" in html
        assert "<li>Final project: teams of three</li>" in html
        assert f"<li>{lab}</li>" in html
        assert 'data-terms-version="1"' in html

    def test_signature_mode_asks_for_a_typed_full_name(self, learner, author):
        configure(author, mode="signature")
        html = render(make_block(workbench_user("learner")))
        assert 'name="signature"' in html and "Your full name" in html
        assert 'type="checkbox"' not in html

    def test_after_accepting_shows_the_confirmation_with_version_and_date(self, learner):
        api.accept(learner, COURSE_KEY, confirmed=True)
        html = render(make_block(workbench_user("learner")))
        assert 'data-accepted="true"' in html
        assert "You accepted version 1 of the honor code (last updated" in html
        assert 'class="hc-accept" hidden' in html

    def test_anonymous_visitor_is_told_to_sign_in(self):
        html = render(make_block(workbench_user("")))
        assert "Sign in to accept the honor code." in html
        assert 'aria-disabled="true"' in html and "-reason" in html

    def test_author_text_is_escaped(self, learner):
        html = render(make_block(workbench_user("learner"), display_name='<img src=x onerror="alert(1)">'))
        assert "<img src=x" not in html and "&lt;img" in html

    def test_learners_do_not_see_the_counts(self, learner):
        html = render(make_block(workbench_user("learner")))
        assert "Acceptances in this course" not in html and "/cases/" not in html

    def test_course_staff_see_how_many_accepted_which_version(self, learner, author):
        api.accept(learner, COURSE_KEY, confirmed=True)
        html = render(make_block(workbench_user("author")))
        assert "Acceptances in this course" in html
        assert "<tr><td>1</td><td>1</td><td>1</td></tr>" in html
        assert f'href="/honorcode/courses/{COURSE_KEY}/cases/"' in html  # the case pages, from the staff view
        assert f'href="/honorcode/courses/{COURSE_KEY}/cases/new/"' in html

    def test_completion_is_published_once_for_a_learner_who_accepted_elsewhere(self, learner):
        api.accept(learner, COURSE_KEY, confirmed=True)  # e.g. in another Honor Code block of the course
        block = make_block(workbench_user("learner"))
        render(block)
        render(block)
        assert block.runtime.published == [("completion", {"completion": 1.0})]

    def test_no_completion_before_accepting(self, learner):
        block = make_block(workbench_user("learner"))
        render(block)
        assert block.runtime.published == []

    def test_imported_course_settings_are_adopted_on_first_render(self, learner):
        project = usage_key("problem", "project")
        block = make_block(workbench_user("learner"), course_terms="<p>Imported terms</p>",
                           collaboration=f"{project} | Pairs", acceptance_mode="signature")
        html = render(block)
        assert "<p>Imported terms</p>" in html and "<li>Pairs</li>" in html and 'name="signature"' in html
        assert CourseSettings.objects.get(course_key=COURSE_KEY).acceptance_mode == "signature"
        assert AuditEvent.objects.filter(action="course_settings.changed", actor=None).exists()
        render(block)
        assert CourseTerms.objects.filter(course_key=COURSE_KEY).count() == 1

    def test_outside_a_course_the_block_says_so(self, learner, openedx):
        from opaque_keys.edx.locator import LibraryLocatorV2, LibraryUsageLocatorV2  # pylint: disable=import-outside-toplevel

        library_usage = LibraryUsageLocatorV2(LibraryLocatorV2.from_string("lib:TestX:lib1"), "honorcode", "p")
        html = render(make_block(lms_user(learner), key=library_usage))
        assert "can only be accepted inside a course" in html


class TestAuthorAndStudioViews:
    def test_author_view_is_a_preview_with_counts(self, learner):
        api.accept(learner, COURSE_KEY, confirmed=True)
        html = render(make_block(workbench_user("learner"), author_mode=True), "author_view")
        assert "This is a preview" in html and 'aria-disabled="true"' in html
        assert "Acceptances in this course" in html
        assert "/cases/" not in html  # the case pages are the LMS's, not Studio's

    def test_studio_preview_cannot_accept(self, learner):
        block = make_block(workbench_user("learner"), author_mode=True)
        status, body = call_handler(block, "accept", {"confirmed": True})
        assert status == 403 and "preview" in body["error"]
        assert not Acceptance.objects.exists()

    def test_studio_view_has_labelled_fields_with_current_values(self, author):
        configure(author, terms="<p>Stored terms</p>", mode="signature", gate=True)
        html = render(make_block(workbench_user("author")), "studio_view")
        for field in ("display_name", "course_terms", "collaboration", "gate_graded_content"):
            assert f'-{field}"' in html and f'for="hc-' in html
        assert "&lt;p&gt;Stored terms&lt;/p&gt;" in html
        assert 'value="signature" checked' in html
        assert "<legend" in html

    def test_studio_submit_stores_settings_in_the_app_and_on_the_block(self, author):
        block = make_block(workbench_user("author"))
        project = usage_key("problem", "project")
        status, body = call_handler(block, "studio_submit", settings_payload(
            display_name="Our pledge", course_terms="<p>Teams of two</p>", collaboration=f"{project} | Pairs",
            acceptance_mode="signature", gate_graded_content=True,
        ))
        assert status == 200 and body == {"result": "success", "terms_version": 1}
        assert block.display_name == "Our pledge"
        assert block.collaboration == f"{project} | Pairs"
        assert block.gate_graded_content is True
        terms = CourseTerms.objects.get(course_key=COURSE_KEY)
        assert terms.created_by == author and terms.collaboration == [{"usage_key": str(project), "note": "Pairs"}]
        assert CourseSettings.objects.get(course_key=COURSE_KEY).acceptance_mode == "signature"

    def test_gate_settings_are_stored_and_shown(self, author):
        block = make_block(workbench_user("author"))
        status, _body = call_handler(block, "studio_submit", settings_payload(
            gate_graded_content=True, staff_exempt=False, reaccept_after_material_change=False))
        assert status == 200
        stored = CourseSettings.objects.get(course_key=COURSE_KEY)
        assert (stored.gate_graded_content, stored.staff_exempt, stored.reaccept_after_material_change) == (
            True, False, False)
        assert (block.staff_exempt, block.reaccept_after_material_change) == (False, False)
        html = render(make_block(workbench_user("author")), "studio_view")
        assert re.search(r'name="staff_exempt"\s+aria-describedby', html)  # unchecked: no "checked" before it
        assert re.search(r'name="gate_graded_content" checked', html)

    @pytest.mark.parametrize("field", ["staff_exempt", "reaccept_after_material_change"])
    def test_gate_settings_must_be_on_or_off(self, author, field):
        status, body = call_handler(make_block(workbench_user("author")), "studio_submit",
                                    settings_payload(**{field: "yes"}))
        assert status == 400 and list(body["errors"]) == [field]

    def test_learners_cannot_change_the_settings(self, learner):
        status, body = call_handler(make_block(workbench_user("learner")), "studio_submit",
                                    settings_payload(course_terms="<p>No exams</p>"))
        assert status == 403 and "Only the course team" in body["error"]
        assert not CourseTerms.objects.exists() and not CourseSettings.objects.exists()

    def test_studio_submit_refuses_invalid_values_with_field_messages(self, author):
        block = make_block(workbench_user("author"))
        status, body = call_handler(block, "studio_submit", settings_payload(
            display_name="", collaboration="nonsense", acceptance_mode="telepathy", gate_graded_content="maybe",
        ))
        assert status == 400
        assert set(body["errors"]) == {"display_name", "collaboration", "acceptance_mode", "gate_graded_content"}
        assert 'Line 1: "nonsense" is not a usage key' in body["errors"]["collaboration"][0]
        assert block.display_name == "Honor Code"
        assert not CourseTerms.objects.exists() and not CourseSettings.objects.exists()

    def test_a_save_changes_only_the_fields_it_names(self, author):
        block = make_block(workbench_user("author"))
        full = settings_payload(course_terms="<p>Teams of two.</p>", collaboration=str(usage_key("problem", "p1")),
                                acceptance_mode="signature", gate_graded_content=True, staff_exempt=False,
                                reaccept_after_material_change=False, display_name="Our pledge")
        assert call_handler(block, "studio_submit", full)[0] == 200
        got, body = call_handler(make_block(workbench_user("author")), "studio_submit", {"gate_graded_content": False})
        assert got == 200, body
        stored = api.studio_values(COURSE_KEY)
        assert stored["course_terms"] == "<p>Teams of two.</p>"
        assert stored["collaboration"] == str(usage_key("problem", "p1"))
        assert (stored["acceptance_mode"], stored["gate_graded_content"], stored["staff_exempt"],
                stored["reaccept_after_material_change"]) == ("signature", False, False, False)

    def test_a_save_with_no_known_setting_changes_nothing(self, author):
        block = make_block(workbench_user("author"))
        saved = settings_payload(course_terms="<p>Kept.</p>", gate_graded_content=True)
        assert call_handler(block, "studio_submit", saved)[0] == 200
        for body, message in (({"a": 1}, "Unknown settings: a."), ({}, "Send at least one setting to save."),
                              ({"gate_graded_content": False, "gate": True}, "Unknown settings: gate.")):
            got, answer = call_handler(block, "studio_submit", body)
            assert (got, answer["error"].split(" The settings")[0]) == (400, message)
        assert api.studio_values(COURSE_KEY)["course_terms"] == "<p>Kept.</p>"
        assert api.studio_values(COURSE_KEY)["gate_graded_content"] is True

    def test_a_first_partial_save_starts_from_the_blocks_own_fields(self, author):
        block = make_block(workbench_user("author"), course_terms="<p>Imported.</p>", acceptance_mode="signature")
        assert call_handler(block, "studio_submit", {"gate_graded_content": True})[0] == 200
        stored = api.studio_values(COURSE_KEY)
        assert (stored["course_terms"], stored["acceptance_mode"], stored["gate_graded_content"]) == (
            "<p>Imported.</p>", "signature", True)

    @pytest.mark.parametrize("display_name, status", [(None, 200), (42, 400), (["x"], 400)])
    def test_display_name_must_be_text(self, author, display_name, status):
        block = make_block(workbench_user("author"))
        got, _body = call_handler(block, "studio_submit", settings_payload(display_name=display_name))
        assert got == status
        assert block.display_name == "Honor Code"

    @pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b'"text"'])
    def test_malformed_requests_get_a_400(self, author, payload):
        status, body = call_handler(make_block(workbench_user("author")), "studio_submit", payload)
        assert status == 400 and body["error"]


class TestAcceptHandler:
    def test_accept_records_in_the_app_tables_and_publishes_completion(self, learner):
        block = make_block(workbench_user("learner"))
        status, body = call_handler(block, "accept", {"confirmed": True, "policy_version": 1})
        assert status == 200
        assert body["accepted"] is True and body["created"] is True
        assert body["policy_version"] == 1 and body["terms_version"] == 1
        assert "You accepted version 1 of the honor code" in body["message"]
        row = Acceptance.objects.get()
        assert (row.user, row.course_key, row.block_id) == (learner, COURSE_KEY, str(usage_key()))
        assert block.runtime.published == [("completion", {"completion": 1.0})]

    def test_double_submit_gives_one_record(self, learner):
        block = make_block(workbench_user("learner"))
        first = call_handler(block, "accept", {"confirmed": True})
        second = call_handler(block, "accept", {"confirmed": True})
        assert first[1]["created"] is True and second[1]["created"] is False
        assert Acceptance.objects.count() == 1

    def test_a_stale_page_gets_a_409_asking_to_reload(self, learner):
        api.publish_new_policy(body="<p>v2</p>", change_kind="material")
        status, body = call_handler(make_block(workbench_user("learner")), "accept",
                                    {"confirmed": True, "policy_version": 1})
        assert status == 409 and "Reload the page" in body["error"]
        assert not Acceptance.objects.exists()

    def test_anonymous_accept_is_refused_with_a_clear_message(self):
        status, body = call_handler(make_block(workbench_user("")), "accept", {"confirmed": True})
        assert status == 403
        assert body["error"] == "Sign in to accept the honor code. Anonymous visitors cannot accept it."
        assert not Acceptance.objects.exists()

    def test_unticked_box_is_refused(self, learner):
        status, body = call_handler(make_block(workbench_user("learner")), "accept", {"confirmed": "yes"})
        assert status == 400 and body["errors"]["confirmed"]

    def test_signature_mode(self, learner, author):
        configure(author, mode="signature")
        block = make_block(workbench_user("learner"))
        status, body = call_handler(block, "accept", {"signature": 42})
        assert status == 400 and body["errors"]["signature"]
        status, body = call_handler(block, "accept", {"signature": "Grace Hopper"})
        assert status == 200
        assert Acceptance.objects.get().signature == "Grace Hopper"

    @pytest.mark.parametrize("payload", [b"{", b"[]", b"null", b'{"confirmed": true, "policy_version": "1"}'])
    def test_malformed_accept_gets_a_4xx_and_records_nothing_wrong(self, learner, payload):
        status, _body = call_handler(make_block(workbench_user("learner")), "accept", payload)
        assert status in (200, 400)
        assert Acceptance.objects.filter(policy_version__number=1).count() == (1 if status == 200 else 0)

    def test_status_handler_reports_the_learners_own_state(self, learner):
        block = make_block(workbench_user("learner"))
        assert call_handler(block, "status", {})[1] == {
            "accepted": False, "policy_version": 1, "terms_version": None, "accepted_at": None, "message": "",
        }
        call_handler(block, "accept", {"confirmed": True})
        state = call_handler(block, "status", {})[1]
        assert state["accepted"] is True and state["terms_version"] == 1 and state["accepted_at"]


class TestInsideOpenEdx:
    """The same block with the Open edX platform layer, over doubles of edx-platform (tests/openedx_doubles.py)."""

    def test_accept_uses_the_lms_user_and_the_course_of_the_usage_key(self, learner, openedx):
        key = usage_key(course_key=OTHER_COURSE_KEY)
        status, _body = call_handler(make_block(lms_user(learner), key=key), "accept", {"confirmed": True})
        assert status == 200
        row = Acceptance.objects.get()
        assert row.user == learner and row.course_key == OTHER_COURSE_KEY

    def test_lms_anonymous_user_cannot_accept(self, openedx):
        status, _body = call_handler(make_block(lms_user(None)), "accept", {"confirmed": True})
        assert status == 403

    def test_course_staff_see_counts_learners_do_not(self, learner, other_learner, openedx):
        openedx.make_staff(other_learner, COURSE_KEY, write=False)
        assert "Acceptances in this course" in render(make_block(lms_user(other_learner)))
        assert "Acceptances in this course" not in render(make_block(lms_user(learner)))

    def test_only_course_authors_save_settings(self, learner, other_learner, openedx):
        openedx.make_staff(other_learner, COURSE_KEY, write=False)
        for user in (learner, other_learner):
            status, _body = call_handler(make_block(lms_user(user)), "studio_submit", settings_payload())
            assert status == 403
        openedx.make_staff(other_learner, COURSE_KEY, write=True)
        status, _body = call_handler(make_block(lms_user(other_learner)), "studio_submit", settings_payload())
        assert status == 200

    def test_collaboration_names_come_from_the_modulestore(self, learner, openedx):
        openedx.make_staff(learner, COURSE_KEY)
        project, ghost = usage_key("problem", "project"), usage_key("problem", "ghost")
        openedx.blocks[project] = "Final project"
        block = make_block(lms_user(learner))
        status, body = call_handler(block, "studio_submit", settings_payload(collaboration=f"{project}\n{ghost}"))
        assert status == 400
        assert body["errors"]["collaboration"] == [f"{ghost} is not an assignment of this course."]
        status, _body = call_handler(block, "studio_submit", settings_payload(collaboration=str(project)))
        assert status == 200
        assert "<li>Final project</li>" in render(make_block(lms_user(learner)))

    def test_staff_masquerading_as_a_learner_cannot_accept_for_them(self, learner, other_learner, openedx):
        block = make_block(lms_user(learner))
        # lms/djangoapps/courseware/masquerade.py setup_masquerade: request.user becomes the learner, with the
        # staff member kept as its real_user; crum returns request.user.
        masqueraded = get_user_model().objects.get(pk=learner.pk)
        masqueraded.real_user = other_learner
        with mock.patch("honorcode_xblock.platform.openedx.courseware.get_current_user", return_value=masqueraded):
            status, body = call_handler(block, "accept", {"confirmed": True})
            html = render(block)
        assert status == 403 and "viewing the course as another learner" in body["error"]
        assert "Accept the honor code" in html
        assert not Acceptance.objects.exists()

    def test_studio_branch_and_version_are_dropped_from_the_course_key(self, learner, openedx):
        from bson import ObjectId  # pylint: disable=import-outside-toplevel

        draft_key = usage_key().replace(course_key=COURSE_KEY.for_branch("draft-branch"))
        versioned = usage_key().replace(course_key=COURSE_KEY.for_version(ObjectId()))
        for key in (draft_key, versioned):
            status, _body = call_handler(make_block(lms_user(learner), key=key), "accept", {"confirmed": True})
            assert status == 200
        assert list(Acceptance.objects.values_list("course_key", flat=True).distinct()) == [COURSE_KEY]


class TestMobileAndCompletion:
    def test_student_view_data_is_the_same_for_every_learner(self, learner, author):
        configure(author, terms="<p>T</p>", collaboration=f"{usage_key('problem', 'p')} | Pairs")
        data = make_block(workbench_user("learner")).student_view_data()
        assert data["policy"]["version"] == 1 and "Your own work." in data["policy"]["body_html"]
        assert data["course_terms"] == {"version": 1, "body_html": "<p>T</p>"}
        assert data["collaboration"] == [{"usage_key": str(usage_key("problem", "p")), "label": "Pairs"}]
        assert data["acceptance_mode"] == "checkbox"
        assert data["handlers"] == {"accept": "accept", "status": "status"}
        api.accept(learner, COURSE_KEY, confirmed=True)
        assert make_block(workbench_user("learner")).student_view_data() == data
        assert "accepted" not in data

    def test_declares_multi_device_and_custom_completion(self):
        assert HonorCodeXBlock.supports("multi_device")
        assert HonorCodeXBlock.completion_mode == XBlockCompletionMode.COMPLETABLE
        assert HonorCodeXBlock.has_custom_completion is True


class TestAssets:
    @pytest.mark.parametrize("uri", [
        "static/css/honorcode.css", "static/js/common.js", "static/js/honorcode.js", "static/js/studio.js",
        "static/html/student_view.html", "static/html/studio_view.html",
    ])
    def test_assets_are_served_from_the_package(self, uri):
        with HonorCodeXBlock.open_local_resource(uri) as handle:
            assert handle.read()

    @pytest.mark.parametrize("uri", ["static/../block.py", "public/x.js", "static/./css/honorcode.css"])
    def test_nothing_outside_static_is_served(self, uri):
        from xblock.exceptions import DisallowedFileError  # pylint: disable=import-outside-toplevel

        with pytest.raises(DisallowedFileError):
            HonorCodeXBlock.open_local_resource(uri)

    def test_fragments_reference_their_assets(self, learner):
        fragment = make_block(workbench_user("learner")).student_view({})
        urls = [resource.data for resource in fragment.resources]
        assert urls == ["/resource/honorcode/static/css/honorcode.css", "/resource/honorcode/static/js/common.js",
                        "/resource/honorcode/static/js/honorcode.js"]
        assert fragment.js_init_fn == "HonorCodeXBlock"
