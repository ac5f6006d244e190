"""
The server-rendered pages: course staff's case pages (list, filter, open, evidence, determine, sanction states,
retry, revert, CSV) and their way in from the instructor dashboard, the learner's "My honor code record", and the
demo's stand-ins for LMS pages.
"""
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openedx_filters.learning.filters import InstructorDashboardTabsRequested

from honorcode_xblock import api
from honorcode_xblock.models import Case, Sanction
from honorcode_xblock.platform.standalone.models import Enrollment

from .helpers import COURSE_KEY

pytestmark = pytest.mark.django_db
CASES = f"/honorcode/courses/{COURSE_KEY}/cases/"


@pytest.fixture
def staff_client(author):
    client = Client()
    client.force_login(author)
    return client


@pytest.fixture
def eager(monkeypatch, django_capture_on_commit_callbacks):
    """Run the work ``api`` defers to the commit when each request's view returns (the request's commit)."""
    from django.test import client as test_client  # pylint: disable=import-outside-toplevel

    real = test_client.ClientHandler.__call__

    def handled(self, environ):
        with django_capture_on_commit_callbacks(execute=True):
            return real(self, environ)

    monkeypatch.setattr(test_client.ClientHandler, "__call__", handled)


def test_pages_need_a_signed_in_course_team_member(client, learner):
    assert client.get(CASES).status_code == 302 and "login" in client.get(CASES)["Location"]
    client.force_login(learner)
    refused = client.get(CASES)
    assert refused.status_code == 403 and "Only the course team" in refused.content.decode()
    assert client.get("/honorcode/courses/not-a-key/cases/").status_code == 404


def test_bad_form_input_is_a_400_with_a_message(staff_client, learner, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    page = staff_client.post(f"/honorcode/courses/{COURSE_KEY}/cases/new/", {
        "respondents": "learner", "commitment": "own_work", "description": "x", "conduct_at": "2026-13-45T99:99"})
    assert page.status_code == 400 and "YYYY-MM-DD" in page.content.decode()
    case = api.open_case(get_user_model().objects.get(username="author"), COURSE_KEY,
                         respondents=["learner"], commitment="own_work", description="x")
    item = api.add_evidence(get_user_model().objects.get(username="author"), case.pk,
                            upload=SimpleUploadedFile("a.txt", b"text"))
    item.file.storage.delete(item.file.name)  # the storage lost it
    missing = staff_client.get(f"/honorcode/evidence/{item.pk}/file/")
    assert missing.status_code == 404 and "no longer in storage" in missing.content.decode()
    assert staff_client.get("/honorcode/evidence/999999/file/").status_code == 404
    assert staff_client.post("/honorcode/cases/999999/determine/", {}).status_code == 404


def test_the_staff_flow_report_evidence_determine_sanction_revert(eager, staff_client, author, learner, settings,
                                                                  tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    Enrollment.objects.create(user=learner, course_key=COURSE_KEY, mode="verified")
    page = staff_client.get(f"/honorcode/courses/{COURSE_KEY}/cases/new/")
    assert page.status_code == 200 and 'name="csrfmiddlewaretoken"' in page.content.decode()
    refused = staff_client.post(f"/honorcode/courses/{COURSE_KEY}/cases/new/",
                                {"respondents": "ghost", "commitment": "own_work", "description": "x"})
    assert refused.status_code == 400 and "No such user: ghost." in refused.content.decode()
    opened = staff_client.post(f"/honorcode/courses/{COURSE_KEY}/cases/new/", {
        "respondents": "learner", "commitment": "no_posting_answers", "description": "Answers on a forum <b>bold</b>"})
    assert opened.status_code == 303
    case = Case.objects.get()
    case_url = f"/honorcode/cases/{case.pk}/"
    assert opened["Location"] == case_url
    listing = staff_client.get(CASES + "?status=open").content.decode()
    assert f'href="{case_url}"' in listing and "learner" in listing

    added = staff_client.post(case_url + "evidence/", {"text": "Post #1", "file": SimpleUploadedFile(
        "post.txt", b"the answers")})
    assert added.status_code == 303
    bad = staff_client.post(case_url + "evidence/", {"file": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad.status_code == 400 and "cannot be added" in bad.content.decode()
    item = case.evidence.get()
    download = staff_client.get(f"/honorcode/evidence/{item.pk}/file/")
    assert b"".join(download.streaming_content) == b"the answers"
    assert download["Content-Disposition"].startswith("attachment") and download["X-Content-Type-Options"] == "nosniff"

    shown = staff_client.get(case_url).content.decode()
    assert "Answers on a forum &lt;b&gt;bold&lt;/b&gt;" in shown  # staff-entered text is escaped
    determined = staff_client.post(case_url + "determine/", {
        "finding": "violation", "rationale": "Same wording.", "sanctions": ["unenroll", "other"],
        "details_other": "Written warning", "expected_sequence": "1"})
    assert determined.status_code == 303
    assert Enrollment.objects.get(user=learner).is_active is False
    assert len(mail.outbox) == 1 and "Written warning" in mail.outbox[0].body
    page = staff_client.get(case_url).content.decode()
    assert page.count('data-state="applied"') == 2
    twice = staff_client.post(case_url + "determine/", {"finding": "violation", "rationale": "again",
                                                       "expected_sequence": "1"})
    assert twice.status_code == 409 and "meanwhile" in twice.content.decode()

    unenroll = Sanction.objects.get(kind="unenroll")
    missing_reason = staff_client.post(f"/honorcode/sanctions/{unenroll.pk}/revert/", {})
    assert missing_reason.status_code == 400
    reverted = staff_client.post(f"/honorcode/sanctions/{unenroll.pk}/revert/", {f"reason_{unenroll.pk}": "Appeal"})
    assert reverted.status_code == 303 and Enrollment.objects.get(user=learner).is_active
    retry = staff_client.post(f"/honorcode/sanctions/{unenroll.pk}/retry/")
    assert retry.status_code == 409
    closed = staff_client.post(case_url + "status/", {"status": "closed"})
    assert closed.status_code == 303
    trail = staff_client.get(case_url).content.decode()
    for action in ("case.opened", "evidence.added", "determination.made", "sanction.applied", "sanction.reverted"):
        assert action in trail
    csv = b"".join(staff_client.get(f"/honorcode/courses/{COURSE_KEY}/cases.csv").streaming_content).decode()
    assert "no_posting_answers" in csv and "unenroll:reverted" in csv


def test_a_failed_sanction_is_retried_from_the_case_page(eager, staff_client, author, learner, monkeypatch, settings):
    from honorcode_xblock.platform.standalone.platform import StandalonePlatform  # pylint: disable=import-outside-toplevel

    settings.HONORCODE_TASK_MAX_RETRIES = 0
    Enrollment.objects.create(user=learner, course_key=COURSE_KEY)
    real = StandalonePlatform.unenroll_without_refund
    monkeypatch.setattr(StandalonePlatform, "unenroll_without_refund",
                        lambda *args: (_ for _ in ()).throw(RuntimeError("enrollment service down")))
    case = api.open_case(author, COURSE_KEY, respondents=["learner"], commitment="own_work", description="x")
    staff_client.post(f"/honorcode/cases/{case.pk}/determine/", {"finding": "violation", "rationale": "r",
                                                                  "sanctions": ["unenroll"]})
    page = staff_client.get(f"/honorcode/cases/{case.pk}/").content.decode()
    assert 'data-state="failed"' in page and "enrollment service down" in page
    monkeypatch.setattr(StandalonePlatform, "unenroll_without_refund", real)
    sanction = Sanction.objects.get()
    assert staff_client.post(f"/honorcode/sanctions/{sanction.pk}/retry/").status_code == 303
    sanction.refresh_from_db()
    assert sanction.state == "applied"


def test_my_record_shows_only_the_learners_own(eager, author, learner, other_learner):
    api.save_course_settings(COURSE_KEY, terms_html="", collaboration_text="", acceptance_mode="checkbox",
                             gate_graded_content=False, actor=author)
    api.accept(learner, COURSE_KEY, confirmed=True)
    case = api.open_case(author, COURSE_KEY, respondents=["other"], commitment="own_work", description="x")
    api.determine(author, case.pk, finding="violation", rationale="Copied from a classmate.",
                  sanctions_requested=[{"kind": "certificate_withheld"}])
    client = Client()
    assert client.get("/honorcode/me/").status_code == 302
    assert client.get("/honorcode/me/?student=other").status_code == 302  # the demo's ?student= reads no record
    client.force_login(learner)
    mine = client.get("/honorcode/me/").content.decode()
    assert str(COURSE_KEY) in mine and "There are no determinations about you." in mine
    client.force_login(other_learner)
    theirs = client.get("/honorcode/me/").content.decode()
    assert "Copied from a classmate." in theirs and "Certificate withheld" in theirs and "No refund" in theirs
    assert "You have not accepted" in theirs


class TestDemoPages:
    def test_a_terminated_account_loses_its_session_and_cannot_sign_in(
            self, django_capture_on_commit_callbacks, operator, learner):
        client = Client()
        assert client.post("/demo/login/", {"username": "learner", "password": "pw"}).status_code == 303
        assert client.get("/honorcode/me/").status_code == 200
        case = api.open_case(operator, COURSE_KEY, respondents=["learner"], commitment="one_account",
                             description="Shared credentials.")
        with django_capture_on_commit_callbacks(execute=True):
            api.determine(operator, case.pk, finding="violation", rationale="r",
                          sanctions_requested=[{"kind": "terminate_account"}])
        assert client.get("/honorcode/me/").status_code == 302  # the session is over: back to sign-in
        refused = Client().post("/demo/login/", {"username": "learner", "password": "pw"})
        wrong = Client().post("/demo/login/", {"username": "learner", "password": "not-it"})
        assert refused.status_code == wrong.status_code == 400
        assert "The username or password is wrong." in refused.content.decode()

    def test_outbox_lists_sent_messages(self, settings, tmp_path):
        settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
        settings.EMAIL_FILE_PATH = str(tmp_path)
        mail.send_mail("Hello", "Body text", "from@example.com", ["to@example.com"])
        page = Client().get("/demo/outbox/").content.decode()
        assert "Hello" in page and "Body text" in page and "to@example.com" in page

    def test_certificate_request_and_page(self, django_capture_on_commit_callbacks, author, learner, settings):
        from opaque_keys.edx.keys import CourseKey  # pylint: disable=import-outside-toplevel

        client = Client()
        assert client.post(f"/demo/certificate/{learner.username}/").status_code == 303
        link = re.search(r'id="certificate-link" href="([^"]+)"',
                         client.get(f"/demo/certificate/{learner.username}/").content.decode()).group(1)
        assert "completed" in client.get(link).content.decode()
        status = client.get(f"/demo/learner/{learner.username}/").content.decode()
        assert re.search(r'id="certificate">downloadable<', status)
        demo_course = CourseKey.from_string(settings.HONORCODE_STANDALONE_COURSE_KEY)
        case = api.open_case(author, demo_course, respondents=["learner"], commitment="own_work", description="x")
        with django_capture_on_commit_callbacks(execute=True):
            api.determine(author, case.pk, finding="violation", rationale="r",
                          sanctions_requested=[{"kind": "certificate_revoked"}])
        revoked = client.get(link)
        assert revoked.status_code == 410 and "has been revoked" in revoked.content.decode()
        assert 'id="certificate">revoked<' in client.get(f"/demo/learner/{learner.username}/").content.decode()


class TestInstructorDashboard:
    def test_the_mfe_gets_a_tab_for_course_staff_only(self, author, learner):
        tabs, _user, _key = InstructorDashboardTabsRequested.run_filter(
            tabs=[{"tab_id": "course_info", "title": "Course Info", "url": "/x", "sort_order": 10}],
            user=author, course_key=COURSE_KEY)
        assert [tab["tab_id"] for tab in tabs] == ["course_info", "honorcode"]
        assert tabs[1]["url"].endswith(f"/honorcode/courses/{COURSE_KEY}/cases/")
        tabs, _user, _key = InstructorDashboardTabsRequested.run_filter(tabs=[], user=learner, course_key=COURSE_KEY)
        assert tabs == []

    def test_the_legacy_dashboard_gets_a_section_for_course_staff(self, author, learner):
        from types import SimpleNamespace  # pylint: disable=import-outside-toplevel

        from crum import impersonate  # pylint: disable=import-outside-toplevel
        from edx_django_utils.plugins import get_plugins_view_context  # pylint: disable=import-outside-toplevel

        from honorcode_xblock.context_api import instructor_dashboard_context  # pylint: disable=import-outside-toplevel

        context = {"course": SimpleNamespace(id=COURSE_KEY), "sections": [{"section_key": "course_info"}]}
        with impersonate(author):
            instructor_dashboard_context(context)
            instructor_dashboard_context(context)
        assert [section["section_key"] for section in context["sections"]] == ["course_info", "honorcode"]
        assert context["sections"][1]["template_path_prefix"] == "/honorcode_xblock/"
        learner_context = {"course": SimpleNamespace(id=COURSE_KEY), "sections": []}
        with impersonate(learner):
            instructor_dashboard_context(learner_context)
        assert learner_context["sections"] == []
        assert callable(get_plugins_view_context)
