"""
Determinations and the sanction workflow (``domain/determinations.py``) on the standalone platform: deciding a
case, sanctions that really happen and are undone, a sanction that fails (its one home), overlapping sanctions, the
notifications, work the queue lost, and determinations that race.

What each sanction calls on edx-platform is in ``tests/test_openedx_sanctions.py``; the rules of sanctions on their
own in ``tests/test_sanctions.py``.
"""
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from openedx_filters.learning.filters import CertificateCreationRequested, StudentLoginRequested

from honorcode_xblock import api
from honorcode_xblock.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from honorcode_xblock.models import AuditEvent, Notification, Sanction
from honorcode_xblock.platform.standalone.models import Certificate, Enrollment, GradeOverride

from .helpers import (
    COURSE_KEY,
    OTHER_COURSE_KEY,
    RACES_ON_A_SERVER_DB,
    determine,
    open_case,
    publish_again_after_a_flush,
    race,
)

pytestmark = pytest.mark.django_db
DEMO_COURSE = "course-v1:HonorCode+Demo+2026"


@pytest.fixture
def enrolled(learner):
    """The learner, enrolled in the course (verified) with a certificate."""
    Enrollment.objects.create(user=learner, course_key=COURSE_KEY, mode="verified")
    Certificate.objects.create(user=learner, course_key=COURSE_KEY, created_at=timezone.now())
    return learner


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


class TestSanctionFailure:
    """
    The workflow's one home for a sanction that fails: each attempt audited, Celery's retries, what stays failed for
    staff to retry, and what no retry can help. What each platform call does when it fails is in the platform's
    tests (``tests/test_openedx_sanctions.py``); how a failure is shown, in the pages' and the REST API's.
    """

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
        assert list(AuditEvent.objects.about("sanction", [sanction.pk]).values_list("action", flat=True)) == [
            "sanction.attempted", "sanction.failed"] * 3
        monkeypatch.setattr(StandalonePlatform, "unenroll_without_refund", real)
        with pytest.raises(NotFound):
            api.retry_sanction(learner, sanction.pk)
        api.retry_sanction(author, sanction.pk)
        sanction.refresh_from_db()
        assert sanction.state == "applied" and sanction.attempts == 4 and sanction.last_error == ""
        with pytest.raises(Conflict, match="failed or pending"):
            api.retry_sanction(author, sanction.pk)

    def test_a_sanction_that_cannot_take_effect_fails_at_once_with_the_reason_and_is_not_retried(
            self, author, learner, workbench_problem, monkeypatch, django_capture_on_commit_callbacks):
        from honorcode_xblock.platform.standalone.platform import StandalonePlatform  # pylint: disable=import-outside-toplevel

        case = open_case(author, learner, course_key=workbench_problem.course_key, usage_key=workbench_problem.usage)
        with django_capture_on_commit_callbacks(execute=False) as queued:  # decided, not applied yet
            determine(author, case, "zero_credit")
        monkeypatch.setattr(StandalonePlatform, "grades_frozen", lambda self, course_key: True)  # frozen meanwhile
        for callback in queued:
            callback()  # the task, eager, retries only what may succeed later
        sanction = Sanction.objects.get()
        assert sanction.state == "failed" and sanction.attempts == 1
        assert "are frozen" in sanction.last_error and "enforce_freeze_grade_after_course_end" in sanction.last_error
        assert not GradeOverride.objects.exists()  # never stored without effect


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


class TestConcurrency:
    """Races on a server database (SQLite serialises writers): the case row is locked."""

    pytestmark = RACES_ON_A_SERVER_DB

    @pytest.fixture(autouse=True)
    def published(self, db):
        """The table flush between transactional tests removes the version the migrations published."""
        publish_again_after_a_flush()

    def test_concurrent_determinations_of_one_case_give_one_outcome_and_conflicts(self, author, operator, learner):
        case = open_case(author, learner)
        deciders = [author, operator, author, operator]
        errors = race(4, *[lambda who=who: api.determine(
            who, case.pk, finding="violation", rationale="r", sanctions_requested=[{"kind": "other", "details": "w"}])
            for who in deciders])
        assert len(errors) == 3 and all(isinstance(error, Conflict) for error in errors), errors
        assert case.determinations.count() == 1
        assert Sanction.objects.count() == 1 and Notification.objects.count() == 1
        assert api.verify_audit()[1] == []


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
