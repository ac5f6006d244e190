"""
Violations on the standalone platform: cases, evidence, determinations, sanctions that really happen (and are
undone), notifications, the learner's record, retirement, events, and the hash-chained audit trail.
"""
import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from openedx_filters.learning.filters import (
    CertificateCreationRequested,
    CertificateRenderStarted,
    InstructorDashboardTabsRequested,
    StudentLoginRequested,
)

from honorcode_xblock import api, events
from honorcode_xblock.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from honorcode_xblock.models import AuditEvent, Case, Notification, Sanction, SanctionState
from honorcode_xblock.platform.standalone.models import Certificate, Enrollment, GradeOverride

from .evidence_samples import pdf_bytes
from .helpers import COURSE_KEY, OTHER_COURSE_KEY

pytestmark = pytest.mark.django_db
DEMO_COURSE = "course-v1:HonorCode+Demo+2026"


@pytest.fixture
def harvester(db):
    """A second account of the same person (one case covers both)."""
    return get_user_model().objects.create_user("harvester", email="harvester@example.com", password="pw")


def open_case(actor, *respondents, course_key=COURSE_KEY, **kwargs):
    fields = {"commitment": "no_posting_answers", "description": "Posted the answers of quiz 2 on a forum."}
    fields.update(kwargs)
    return api.open_case(actor, course_key, respondents=[user.username for user in respondents], **fields)


def determine(actor, case, *kinds, finding="violation", **kwargs):
    return api.determine(actor, case.pk, finding=finding, rationale="The posts match the learner's answers.",
                         sanctions_requested=[{"kind": kind, "details": "Written warning" if kind == "other" else ""}
                                              for kind in kinds], **kwargs)


class TestCases:
    def test_course_staff_open_a_case_against_several_accounts_judged_by_the_version_then_in_force(
            self, author, learner, harvester):
        first = api.current_policy()
        case = open_case(author, learner, harvester)
        api.publish_new_policy(body="<p>Version two.</p>", change_kind="material")
        case.refresh_from_db()
        assert case.status == "open"
        assert sorted(user.username for user in case.respondents.all()) == ["harvester", "learner"]
        assert case.policy_version == first  # conduct is judged against the version in force when it happened
        assert case.reporter == author

    @pytest.mark.parametrize("fields, field", [
        ({"respondents": ["nobody"]}, "respondents"),
        ({"respondents": []}, "respondents"),
        ({"commitment": "be_nice"}, "commitment"),
        ({"description": "   "}, "description"),
        ({"description": "x" * (api.MAX_TEXT_LENGTH + 1)}, "description"),
        ({"conduct_at": timezone.now() + datetime.timedelta(days=1)}, "conduct_at"),
        ({"conduct_at": datetime.datetime(2001, 1, 1, tzinfo=datetime.timezone.utc)}, "conduct_at"),
        ({"usage_key": "block-v1:Other+X+Y+type@problem+block@p1"}, "usage_key"),
    ])
    def test_bad_input_is_refused_field_by_field(self, author, learner, fields, field):
        values = {"respondents": [learner.username], "commitment": "own_work", "description": "Copied."}
        values.update(fields)
        with pytest.raises(InvalidInput) as refused:
            api.open_case(author, COURSE_KEY, **values)
        assert field in refused.value.errors
        assert not Case.objects.exists()

    def test_learners_and_anonymous_cannot_open_or_read_cases(self, author, learner, other_learner):
        case = open_case(author, learner)
        for intruder in (learner, other_learner, None):
            with pytest.raises(NotPermitted):
                open_case(intruder, learner) if intruder else api.open_case(None, COURSE_KEY, respondents=["learner"],
                                                                           commitment="own_work", description="x")
            with pytest.raises(NotPermitted if intruder is None else NotFound):  # who may not see it learns nothing
                api.get_case(intruder, case.pk)
        with pytest.raises(NotFound):
            api.get_case(author, 999999)

    def test_status_moves_only_along_the_allowed_transitions_and_a_reopening_is_its_own_event(self, author, learner):
        case = open_case(author, learner)
        with pytest.raises(Conflict, match="cannot become"):
            api.change_case_status(author, case.pk, "determined")
        with pytest.raises(InvalidInput):
            api.change_case_status(author, case.pk, "archived")
        api.change_case_status(author, case.pk, "under_review")
        determine(author, case, finding="no_violation")
        api.change_case_status(author, case.pk, "closed")
        with pytest.raises(Conflict):
            api.change_case_status(author, case.pk, "open")
        api.change_case_status(author, case.pk, "under_review", note="New evidence arrived.")
        actions = list(AuditEvent.objects.about("case", [case.pk]).values_list("action", flat=True))
        assert actions == ["case.opened", "case.status_changed", "case.status_changed", "case.status_changed",
                           "case.reopened"]

    def test_filters(self, author, learner, other_learner):
        first = open_case(author, learner, commitment="own_work")
        second = open_case(author, other_learner)
        api.change_case_status(author, second.pk, "under_review")
        open_case(author, learner, course_key=OTHER_COURSE_KEY)
        assert list(api.list_cases(author, COURSE_KEY)) == [second, first]
        assert list(api.list_cases(author, COURSE_KEY, status="under_review")) == [second]
        assert list(api.list_cases(author, COURSE_KEY, commitment="own_work")) == [first]
        assert list(api.list_cases(author, COURSE_KEY, respondent="other")) == [second]
        with pytest.raises(InvalidInput):
            api.list_cases(author, COURSE_KEY, status="nope")


class TestEvidence:
    def test_text_and_files_are_kept_with_their_digest(self, author, learner, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        case = open_case(author, learner)
        api.add_evidence(author, case.pk, text="Forum post 1234.")
        pdf = pdf_bytes()
        item = api.add_evidence(author, case.pk, upload=SimpleUploadedFile("post.pdf", pdf, "application/pdf"))
        assert item.size == len(pdf) and item.content_type == "application/pdf" and item.filename == "post.pdf"
        assert api.evidence_file(author, item.pk).file.read() == pdf
        assert "post.pdf" not in item.file.name  # stored under a random name
        with pytest.raises(NotFound):
            api.evidence_file(learner, item.pk)

    @pytest.mark.parametrize("name, content, message", [
        ("run.exe", b"MZ", "cannot be added"),
        ("fake.pdf", b"<script>alert(1)</script>", "not a PDF"),
        ("notes.txt", b"\xff\xfe\xfa", "UTF-8"),
        ("big.txt", b"a" * 2048, "larger than 1024"),
    ])
    def test_size_and_type_limits(self, author, learner, settings, tmp_path, name, content, message):
        settings.MEDIA_ROOT, settings.HONORCODE_EVIDENCE_MAX_BYTES = str(tmp_path), 1024
        case = open_case(author, learner)
        with pytest.raises(InvalidInput, match=message):
            api.add_evidence(author, case.pk, upload=SimpleUploadedFile(name, content))
        assert not case.evidence.exists()

    def test_nothing_to_add_and_closed_cases_are_refused(self, author, learner):
        case = open_case(author, learner)
        with pytest.raises(InvalidInput, match="Add a text"):
            api.add_evidence(author, case.pk, text="  ")
        api.change_case_status(author, case.pk, "closed")
        with pytest.raises(Conflict, match="closed"):
            api.add_evidence(author, case.pk, text="late")


class TestDetermination:
    def test_validation(self, author, learner):
        case = open_case(author, learner)
        with pytest.raises(InvalidInput, match="no violation carries no sanctions"):
            determine(author, case, "certificate_withheld", finding="no_violation")
        with pytest.raises(InvalidInput, match="Describe the other action"):
            api.determine(author, case.pk, finding="violation", rationale="r",
                          sanctions_requested=[{"kind": "other"}])
        with pytest.raises(InvalidInput, match="Unknown sanction"):
            determine(author, case, "expel")
        with pytest.raises(InvalidInput, match="once"):
            determine(author, case, "unenroll", "unenroll")
        with pytest.raises(InvalidInput, match="graded subsection"):
            determine(author, case, "zero_credit")
        with pytest.raises(InvalidInput, match="finding"):
            determine(author, case, finding="guilty")
        with pytest.raises(NotPermitted, match="global staff"):
            determine(author, case, "terminate_account")
        case.refresh_from_db()
        assert case.status == "open" and not case.determinations.exists()

    def test_a_second_determination_is_a_conflict_not_a_second_outcome(self, author, operator, learner):
        case = open_case(author, learner)
        determine(author, case, "certificate_withheld", expected_sequence=1)
        with pytest.raises(Conflict):
            determine(operator, case, "unenroll", expected_sequence=1)
        with pytest.raises(Conflict):
            determine(operator, case, "unenroll")
        assert case.determinations.count() == 1
        assert list(Sanction.objects.values_list("kind", flat=True)) == ["certificate_withheld"]

    def test_a_stale_form_gets_a_conflict_after_a_reopening(self, author, learner):
        case = open_case(author, learner)
        determine(author, case, finding="no_violation")
        api.change_case_status(author, case.pk, "under_review")
        with pytest.raises(Conflict):
            determine(author, case, finding="violation", expected_sequence=1)
        second = determine(author, case, "other", expected_sequence=2)
        assert second.sequence == 2


class TestSanctionsOnTheStandalonePlatform:
    @pytest.fixture
    def enrolled(self, learner):
        Enrollment.objects.create(user=learner, course_key=COURSE_KEY, mode="verified")
        Certificate.objects.create(user=learner, course_key=COURSE_KEY, created_at=timezone.now())
        return learner

    def test_every_sanction_takes_effect_and_is_undone(self, run_commit_hooks, operator, enrolled, harvester):
        case = open_case(operator, enrolled, harvester)
        determine(operator, case, "certificate_revoked", "unenroll", "terminate_account", "other")
        sanctions = {(s.user.username, s.kind): s for s in Sanction.objects.select_related("user")}
        assert len(sanctions) == 8  # four sanctions for each of the two accounts
        assert {s.state for s in sanctions.values()} == {"applied"}
        enrolled.refresh_from_db()
        certificate = Certificate.objects.get(user=enrolled)
        enrollment = Enrollment.objects.get(user=enrolled)
        assert certificate.invalidated and certificate.status == "unavailable"
        assert not enrollment.is_active and not enrollment.refunded and enrollment.mode == "verified"
        assert not enrolled.is_active and not enrolled.has_usable_password()
        assert api.account_terminated(enrolled) and api.certificate_revoked(enrolled, COURSE_KEY)

        for key in [("learner", "certificate_revoked"), ("learner", "unenroll"), ("learner", "terminate_account")]:
            api.revert_sanction(operator, sanctions[key].pk, reason="Appeal upheld.")
        certificate.refresh_from_db(), enrollment.refresh_from_db(), enrolled.refresh_from_db()
        assert not certificate.invalidated and enrollment.is_active and enrollment.mode == "verified"
        assert enrolled.is_active and not enrolled.has_usable_password()  # a new password is needed
        assert not api.account_terminated(enrolled)
        with pytest.raises(Conflict, match="already reverted"):
            api.revert_sanction(operator, sanctions[("learner", "unenroll")].pk, reason="again")
        with pytest.raises(InvalidInput, match="reason"):
            api.revert_sanction(operator, sanctions[("harvester", "unenroll")].pk, reason="")

    def test_zero_credit_overrides_the_graded_assignment(self, run_commit_hooks, author, learner, workbench_problem):
        case = open_case(author, learner, course_key=workbench_problem.course_key, usage_key=workbench_problem.usage)
        determine(author, case, "zero_credit")
        override = GradeOverride.objects.get(user=learner)
        assert override.usage_key == workbench_problem.usage and override.earned_graded == 0.0
        sanction = Sanction.objects.get()
        api.revert_sanction(author, sanction.pk, reason="Regraded.")
        assert not GradeOverride.objects.exists()

    def test_withheld_certificates_are_not_created(self, run_commit_hooks, author, learner):
        case = open_case(author, learner)
        determine(author, case, "certificate_withheld")
        with pytest.raises(CertificateCreationRequested.PreventCertificateCreation, match="determination"):
            CertificateCreationRequested.run_filter(user=learner, course_key=COURSE_KEY, mode="honor",
                                                    status=None, grade="0.9", generation_mode="self")
        *_rest, status, _grade, _generation = CertificateCreationRequested.run_filter(
            user=learner, course_key=COURSE_KEY, mode="honor", status=None, grade="0.9", generation_mode="batch")
        assert status == "unavailable"  # no exception: the caller's run goes on for the others
        *_rest, status, _grade, _generation = CertificateCreationRequested.run_filter(
            user=learner, course_key=OTHER_COURSE_KEY, mode="honor", status=None, grade="0.9", generation_mode="batch")
        assert status is None

    def test_applying_twice_changes_nothing(self, run_commit_hooks, author, learner, enrolled):
        case = open_case(author, learner)
        determine(author, case, "unenroll")
        sanction = Sanction.objects.get()
        again = api.apply_sanction(sanction.pk)
        assert again.state == "applied" and again.attempts == 1
        assert AuditEvent.objects.filter(action="sanction.applied").count() == 1

    def test_a_failing_platform_call_is_retried_by_celery_and_every_attempt_is_audited(
            self, run_commit_hooks, author, learner, enrolled, monkeypatch):
        from honorcode_xblock.platform.standalone.platform import StandalonePlatform  # pylint: disable=import-outside-toplevel

        real = StandalonePlatform.unenroll_without_refund
        calls = []

        def flaky(self, user, course_key):
            calls.append(user.pk)
            if len(calls) == 1:
                Enrollment.objects.filter(user=user).update(mode="half-done")  # rolled back
                raise ConnectionError("enrollment service unavailable")
            return real(self, user, course_key)

        monkeypatch.setattr(StandalonePlatform, "unenroll_without_refund", flaky)
        case = open_case(author, learner)
        determine(author, case, "unenroll")
        sanction = Sanction.objects.get()
        assert sanction.state == "applied" and sanction.attempts == 2 and sanction.last_error == ""
        assert Enrollment.objects.get(user=learner).mode == "verified"  # the half-done write rolled back
        trail = list(AuditEvent.objects.about("sanction", [sanction.pk]).values_list("action", "after"))
        assert [action for action, _after in trail] == [
            "sanction.attempted", "sanction.failed", "sanction.attempted", "sanction.applied"]
        assert trail[1][1]["error_type"] == "ConnectionError"  # the message stays on the sanction, not in the trail
        assert trail[1][1]["error"]["sha256"] and "enrollment service unavailable" not in str(trail[1][1])
        assert [after["attempt"] for _action, after in trail] == [1, 1, 2, 2]

    def test_a_sanction_that_keeps_failing_stays_failed_for_staff_to_retry(
            self, run_commit_hooks, author, learner, enrolled, monkeypatch, settings):
        from honorcode_xblock.platform.standalone.platform import StandalonePlatform  # pylint: disable=import-outside-toplevel

        settings.HONORCODE_TASK_MAX_RETRIES = 2
        real = StandalonePlatform.unenroll_without_refund
        monkeypatch.setattr(StandalonePlatform, "unenroll_without_refund",
                            lambda self, user, course_key: (_ for _ in ()).throw(RuntimeError("down")))
        case = open_case(author, learner)
        determine(author, case, "unenroll")
        sanction = Sanction.objects.get()
        assert sanction.state == "failed" and sanction.attempts == 3 and "down" in sanction.last_error
        monkeypatch.setattr(StandalonePlatform, "unenroll_without_refund", real)
        with pytest.raises(NotFound):
            api.retry_sanction(learner, sanction.pk)
        api.retry_sanction(author, sanction.pk)
        sanction.refresh_from_db()
        assert sanction.state == "applied" and sanction.attempts == 4
        with pytest.raises(Conflict, match="failed or pending"):
            api.retry_sanction(author, sanction.pk)

    def test_a_terminated_learner_cannot_sign_in_and_a_stranger_learns_nothing(self, run_commit_hooks, operator,
                                                                              learner, client):
        determine(operator, open_case(operator, learner), "terminate_account")
        assert StudentLoginRequested.run_filter(user=learner) == learner  # no request proves the account
        refused = client.post("/demo/login/", {"username": "learner", "password": "pw"})
        stranger = client.post("/demo/login/", {"username": "learner", "password": "guess"})
        assert refused.status_code == stranger.status_code == 400
        assert "The username or password is wrong." in refused.content.decode()  # the answer to a wrong password
        assert "terminated" not in refused.content.decode()

    def test_a_revoked_certificates_link_says_it_was_revoked(self, run_commit_hooks, author, learner, client):
        revoked = Certificate.objects.create(user=learner, course_key=COURSE_KEY, created_at=timezone.now())
        kept = Certificate.objects.create(user=learner, course_key=OTHER_COURSE_KEY, created_at=timezone.now())
        assert client.get(f"/certificates/{revoked.verify_uuid}").status_code == 200
        determine(author, open_case(author, learner), "certificate_revoked")
        page = client.get(f"/certificates/{revoked.verify_uuid}")
        assert page.status_code == 410 and "has been revoked. It is not valid." in page.content.decode()
        assert client.get(f"/certificates/{kept.verify_uuid}").status_code == 200
        assert client.get(f"/certificates/{'0' * 32}").status_code == 404


@pytest.fixture
def workbench_problem(db):
    """A graded problem of the demo course in the workbench (the standalone platform's course structure)."""
    from types import SimpleNamespace  # pylint: disable=import-outside-toplevel

    from django.test import Client  # pylint: disable=import-outside-toplevel
    from opaque_keys.edx.keys import CourseKey  # pylint: disable=import-outside-toplevel
    from workbench.scenarios import init_scenarios  # pylint: disable=import-outside-toplevel

    init_scenarios()
    page = Client().get("/scenario/demo_course.0/?student=someone").content.decode()
    usage = re.findall(r"data-usage='([^']*\.demo_problem\.[^']*)'", page)[0]
    return SimpleNamespace(usage=usage, course_key=CourseKey.from_string(DEMO_COURSE))


class TestNotifications:
    def test_each_respondent_gets_one_message_with_the_finding_commitment_actions_and_no_refund(
            self, run_commit_hooks, operator, learner, harvester):
        case = open_case(operator, learner, harvester)
        determine(operator, case, "certificate_withheld", "unenroll", "other")
        assert sorted(message.to[0] for message in mail.outbox) == ["harvester@example.com", "learner@example.com"]
        message = next(m for m in mail.outbox if m.to == ["learner@example.com"])
        assert message.subject == f"Honor code determination in {COURSE_KEY}"
        for text in (message.body, message.alternatives[0][0]):
            assert "Violation" in text
            assert "Never post or share answers to assessment problems" in text
            assert "Certificate withheld" in text and "Unenrolled from the course, without refund" in text
            assert "Other action: Written warning" in text
            assert "No refund is issued" in text
            assert "/honorcode/me/" in text and "/honorcode/v1/" in text
        assert "harvester" not in message.body  # each message speaks to its own respondent
        sent = Notification.objects.filter(sent_at__isnull=False)
        assert sent.count() == 2
        assert api.send_notifications(case.determinations.get().pk) == 0  # sending again sends nothing
        assert len(mail.outbox) == 2

    def test_the_subject_is_plain_text(self, run_commit_hooks, author, learner, settings):
        settings.HONORCODE_STANDALONE_COURSE_NAME = 'R&D\'s "Lab"'
        from opaque_keys.edx.keys import CourseKey  # pylint: disable=import-outside-toplevel

        course = CourseKey.from_string(settings.HONORCODE_STANDALONE_COURSE_KEY)
        determine(author, open_case(author, learner, course_key=course), finding="no_violation")
        assert mail.outbox[0].subject == 'Honor code determination in R&D\'s "Lab"'

    def test_no_violation_says_no_action_follows(self, run_commit_hooks, author, learner):
        determine(author, open_case(author, learner), finding="no_violation")
        (message,) = mail.outbox
        assert "No violation" in message.body and "No action is taken." in message.body
        assert "No refund" not in message.body

    def test_a_learner_without_email_stays_unsent_and_is_retried(self, run_commit_hooks, author, settings):
        settings.HONORCODE_TASK_MAX_RETRIES = 1
        mute = get_user_model().objects.create_user("mute", email="")
        determine(author, open_case(author, mute), "other")
        notification = Notification.objects.get()
        assert notification.sent_at is None and notification.attempts == 2 and "no email" in notification.last_error


class TestLearnerRecord:
    def test_only_the_learners_own_acceptances_determinations_and_sanctions(
            self, run_commit_hooks, author, learner, other_learner):
        from .test_api import save_settings  # pylint: disable=import-outside-toplevel

        save_settings(actor=author)
        api.accept(learner, COURSE_KEY, confirmed=True)
        api.accept(other_learner, COURSE_KEY, confirmed=True)
        determine(author, open_case(author, learner, other_learner), "certificate_withheld")
        determine(author, open_case(author, other_learner), "unenroll")
        record = api.learner_record(learner)
        assert [acc.user for acc in record.acceptances] == [learner]
        (entry,) = record.determinations
        assert [s.user for s in entry.sanctions] == [learner]
        with pytest.raises(NotPermitted):
            api.learner_record(None)


class TestRetirement:
    def test_personal_data_is_redacted_and_counts_and_outcomes_kept(self, run_commit_hooks, author, learner,
                                                                    settings, tmp_path,
                                                                    django_capture_on_commit_callbacks):
        settings.MEDIA_ROOT = str(tmp_path)
        case = open_case(author, learner, description="Learner Jane Roe posted answers.")
        item = api.add_evidence(author, case.pk, text="Jane's post", upload=SimpleUploadedFile("p.txt", b"post"))
        stored = item.file.path
        determine(author, case, "certificate_withheld")
        from honorcode_xblock.receivers import retire_user  # pylint: disable=import-outside-toplevel

        with django_capture_on_commit_callbacks(execute=True):  # the file goes once the redaction is committed
            retire_user(sender=None, user=learner)
        case.refresh_from_db(), item.refresh_from_db()
        assert "Jane" not in case.description and case.redacted_at is not None
        assert "Jane" not in item.text and not item.file and not (tmp_path / stored).exists()
        assert "match" not in case.determinations.get().rationale
        assert case.evidence.count() == 1 and Sanction.objects.get().state == "applied"
        assert AuditEvent.objects.filter(action="user.retired").get().after == {
            "acceptances": 0, "cases": 1, "evidence": 1}
        assert not AuditEvent.objects.filter(after__icontains="Jane").exists()  # the trail never held the text
        redacted = AuditEvent.objects.get(action="case.redacted")
        assert redacted.scope == str(COURSE_KEY) and redacted.after == {"cases": [case.pk], "reason": "retirement"}

    def test_a_second_respondents_retirement_redacts_what_was_added_since(self, run_commit_hooks, author, learner,
                                                                        harvester):
        case = open_case(author, learner, harvester, description="Jane and John shared answers.")
        api.retire_user(learner)
        api.add_evidence(author, case.pk, text="John's phone is 555-0100.")
        determine(author, case, "other")  # "Written warning", for each
        Sanction.objects.filter(user=harvester).update(last_error="SMTP 550 john@example.com")
        counts = api.retire_user(harvester)
        assert counts == {"acceptances": 0, "cases": 1, "evidence": 1}
        assert "555" not in case.evidence.get().text
        assert case.determinations.get().rationale == api.REDACTED
        mine = Sanction.objects.get(user=harvester)
        assert mine.details == "" and mine.last_error == "" and mine.state == "applied"


class TestEvents:
    def test_acceptance_determination_and_sanction_events(self, run_commit_hooks, author, learner):
        from .test_api import save_settings  # pylint: disable=import-outside-toplevel

        received = []

        def receiver(signal, **kwargs):
            received.append((signal.event_type, next(v for k, v in kwargs.items() if k in (
                "acceptance", "determination", "sanction"))))

        signals = [events.HONOR_CODE_ACCEPTANCE_CREATED, events.HONOR_CODE_CASE_DETERMINED,
                   events.HONOR_CODE_SANCTION_APPLIED, events.HONOR_CODE_SANCTION_REVERTED]
        for signal in signals:
            signal.connect(receiver)
        try:
            save_settings(actor=author)
            api.accept(learner, COURSE_KEY, confirmed=True)
            case = open_case(author, learner)
            determine(author, case, "certificate_withheld")
            api.revert_sanction(author, Sanction.objects.get().pk, reason="Appeal.")
        finally:
            for signal in signals:
                signal.disconnect(receiver)
        assert [event_type for event_type, _data in received] == [
            "org.openedx.learning.honor_code.acceptance.created.v1", "org.openedx.learning.honor_code.case.determined.v1",
            "org.openedx.learning.honor_code.sanction.applied.v1", "org.openedx.learning.honor_code.sanction.reverted.v1"]
        assert received[0][1].user_id == learner.pk and received[0][1].policy_version == 1
        assert received[1][1].finding == "violation" and received[1][1].sanctions == f"certificate_withheld:{learner.pk}"
        assert received[3][1].state == "reverted"


class TestAuditChain:
    def test_every_change_is_chained_and_verifies(self, run_commit_hooks, author, learner, capsys):
        determine(author, open_case(author, learner), "other")
        checked, broken = api.verify_audit()
        assert checked >= 5 and broken == []
        call_command("verify_honor_code_audit")
        assert "intact" in capsys.readouterr().out
        sequences = list(AuditEvent.objects.chain(str(COURSE_KEY)).values_list("sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1))

    def test_an_edited_event_is_named_as_the_first_broken_link(self, author, learner):
        open_case(author, learner)
        open_case(author, learner)
        second = AuditEvent.objects.chain(str(COURSE_KEY)).get(sequence=2)
        AuditEvent.objects.filter(pk=second.pk).update(after={"status": "closed"})
        with pytest.raises(CommandError, match=rf"event {second.pk} \(link 2\): its content does not match"):
            call_command("verify_honor_code_audit", "--course", str(COURSE_KEY))

    def test_a_chain_with_every_event_removed_is_still_checked(self, author, learner):
        open_case(author, learner)
        open_case(author, learner)
        AuditEvent.objects.chain(str(COURSE_KEY)).delete()
        (link,) = api.verify_audit()[1]
        assert link.scope == str(COURSE_KEY) and "removed" in link.reason

    def test_removed_events_break_the_chain(self, author, learner):
        for _ in range(3):
            open_case(author, learner)
        AuditEvent.objects.chain(str(COURSE_KEY)).filter(sequence=2).delete()
        (link,) = api.verify_audit(str(COURSE_KEY))[1]
        assert link.sequence == 3 and "missing" in link.reason
        AuditEvent.objects.chain(str(COURSE_KEY)).filter(sequence=3).delete()
        (link,) = api.verify_audit(str(COURSE_KEY))[1]
        assert "removed" in link.reason

    def test_a_malformed_course_is_a_command_error(self):
        with pytest.raises(CommandError, match="not a course key"):
            call_command("verify_honor_code_audit", "--course", "nope")


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


class TestConcurrency:
    """Races on a server database (SQLite serialises writers): the case row and the chain head are locked."""

    pytestmark = [
        pytest.mark.skipif(__import__("django.db").db.connection.vendor == "sqlite",
                           reason="SQLite serialises writers; the race needs a server DB"),
        pytest.mark.django_db(transaction=True),
    ]

    @pytest.fixture(autouse=True)
    def published(self, db):
        """The table flush between transactional tests removes the version the migrations published."""
        if api.current_policy() is None:
            api.publish_new_policy(body=api.default_policy_text(), change_kind="material")

    def test_concurrent_determinations_of_one_case_give_one_outcome_and_conflicts(self, author, operator, learner):
        from .test_api import race  # pylint: disable=import-outside-toplevel

        case = open_case(author, learner)
        deciders = [author, operator, author, operator]
        errors = race(4, *[lambda who=who: api.determine(
            who, case.pk, finding="violation", rationale="r", sanctions_requested=[{"kind": "other", "details": "w"}])
            for who in deciders])
        assert len(errors) == 3 and all(isinstance(error, Conflict) for error in errors), errors
        assert case.determinations.count() == 1
        assert Sanction.objects.count() == 1 and Notification.objects.count() == 1
        assert api.verify_audit()[1] == []

    def test_concurrent_changes_in_one_course_chain_one_after_the_other(self, author, learner):
        from .test_api import race  # pylint: disable=import-outside-toplevel

        errors = race(6, lambda: open_case(author, learner))
        assert errors == []
        checked, broken = api.verify_audit(str(COURSE_KEY))
        assert broken == [] and checked == 6


class TestLostWork:
    def test_a_queue_that_cannot_be_reached_leaves_the_work_pending_and_the_determination_stands(
            self, author, learner, monkeypatch, django_capture_on_commit_callbacks):
        from honorcode_xblock import tasks  # pylint: disable=import-outside-toplevel

        def broker_down(*args, **kwargs):
            raise ConnectionRefusedError("broker unreachable")

        monkeypatch.setattr(tasks.apply_sanction, "delay", broker_down)
        monkeypatch.setattr(tasks.send_notifications, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            determination = determine(author, open_case(author, learner), "other")
        assert determination.pk and Sanction.objects.get().state == "pending"
        assert Notification.objects.get().sent_at is None
        monkeypatch.undo()
        assert api.resume_pending_work(older_than_seconds=3600) == (0, 0, 0)  # too recent to be called lost
        with django_capture_on_commit_callbacks(execute=True):
            assert api.resume_pending_work(older_than_seconds=0) == (1, 1, 0)
        assert Sanction.objects.get().state == "applied" and Notification.objects.get().sent_at is not None
        call_command("resume_honor_code_work", "--older-than", "0")  # nothing left: queues nothing
        assert len(mail.outbox) == 1

    def test_a_removed_staff_member_cannot_act_on_cases_at_once(self, author, learner, run_commit_hooks):
        case = open_case(author, learner)
        assert api.is_course_staff(author, COURSE_KEY)  # cached for the gate
        author.is_staff = False
        author.save()
        with pytest.raises(NotFound):  # off the team, the case is no longer there for them
            determine(author, case, "other")


class TestOverlappingSanctions:
    def test_reverting_one_of_two_unenrollments_keeps_the_learner_out_until_both_are_reverted(
            self, run_commit_hooks, author, learner):
        Enrollment.objects.create(user=learner, course_key=COURSE_KEY, mode="verified")
        determine(author, open_case(author, learner), "unenroll")
        determine(author, open_case(author, learner, commitment="one_account"), "unenroll")
        first, second = Sanction.objects.order_by("pk")
        assert second.platform_ref == {"was_enrolled": False, "mode": "verified"}
        api.revert_sanction(author, first.pk, reason="Appeal on the first case.")
        assert not Enrollment.objects.get(user=learner).is_active  # the second still applies
        api.revert_sanction(author, second.pk, reason="Appeal on the second case.")
        assert Enrollment.objects.get(user=learner).is_active  # the hand-over restored it

    def test_a_termination_from_another_course_keeps_the_account_terminated(self, run_commit_hooks, operator, learner):
        determine(operator, open_case(operator, learner), "terminate_account")
        determine(operator, open_case(operator, learner, course_key=OTHER_COURSE_KEY), "terminate_account")
        first, second = Sanction.objects.order_by("pk")
        api.revert_sanction(operator, first.pk, reason="Appeal in the first course.")
        learner.refresh_from_db()
        assert not learner.is_active and api.account_terminated(learner)
        api.revert_sanction(operator, second.pk, reason="Appeal in the second course.")
        learner.refresh_from_db()
        assert learner.is_active and not api.account_terminated(learner)

    def test_reverting_in_either_order_ends_where_it_began(self, run_commit_hooks, author, learner):
        for order in ((0, 1), (1, 0)):
            Sanction.objects.all().delete()
            Enrollment.objects.update_or_create(user=learner, course_key=COURSE_KEY,
                                                defaults={"is_active": True, "mode": "verified"})
            determine(author, open_case(author, learner), "unenroll")
            determine(author, open_case(author, learner), "unenroll")
            pair = list(Sanction.objects.order_by("pk"))
            for index in order:
                api.revert_sanction(author, pair[index].pk, reason="Appeal.")
            assert Enrollment.objects.get(user=learner).is_active, order


class TestLostWorkLimits:
    def test_a_notice_its_task_gave_up_on_is_not_sent_again_by_the_resume(self, run_commit_hooks, author, settings,
                                                                        django_capture_on_commit_callbacks):
        settings.HONORCODE_TASK_MAX_RETRIES = 1
        mute = get_user_model().objects.create_user("mute", email="")
        determine(author, open_case(author, mute), "other")
        assert Notification.objects.get().attempts == 2
        with django_capture_on_commit_callbacks(execute=True):
            assert api.resume_pending_work(older_than_seconds=0) == (0, 0, 0)
        assert Notification.objects.get().attempts == 2

    def test_retirement_twice_changes_and_records_nothing_the_second_time(self, run_commit_hooks, author, learner):
        open_case(author, learner, description="Jane's case")
        assert api.retire_user(learner) == {"acceptances": 0, "cases": 1, "evidence": 0}
        events = AuditEvent.objects.count()
        assert api.retire_user(learner) == {"acceptances": 0, "cases": 0, "evidence": 0}
        assert AuditEvent.objects.count() == events
