"""
Faults on the real parts: a platform call that fails half-way, a worker killed mid-task, a database connection that
drops. Each sanction ends applied, or failed and retryable; never lost, never applied twice; every attempt is in the
audit trail.
"""
import pytest
from django.core.management import call_command

from honorcode_xblock import api
from honorcode_xblock.models import AuditEvent, Notification, Sanction
from honorcode_xblock.platform.standalone.models import Enrollment

from .helpers import learner, open_case, sanction_trail, sanction_when, staff_member, wait_until

pytestmark = pytest.mark.integration
UNENROLL = "honorcode-fault:unenroll_without_refund"


def unenroll(respondent):
    """Determine a case about ``respondent`` with unenrollment (queued to the worker when this commits)."""
    determination = api.determine(staff_member(), open_case(respondent).pk, finding="violation",
                                  rationale="Shared an account.", sanctions_requested=[{"kind": "unenroll"}])
    return determination.sanctions.get()


def applied_once(sanction):
    assert AuditEvent.objects.about("sanction", [sanction.pk]).filter(action="sanction.applied").count() == 1


def test_a_platform_call_that_fails_half_way_is_rolled_back_and_retried_until_applied(live, faults):
    dave = learner("it-dave")
    faults.rpush(UNENROLL, "fail")
    sanction = unenroll(dave)
    sanction = wait_until(lambda: sanction_when(sanction.pk, "applied", 2), "applied on the retry")
    assert sanction_trail(sanction) == [
        ("sanction.attempted", 1), ("sanction.failed", 1), ("sanction.attempted", 2), ("sanction.applied", 2)]
    assert "InjectedFault" in AuditEvent.objects.about("sanction", [sanction.pk]).get(
        action="sanction.failed").after["error_type"]
    assert Enrollment.objects.get(user=dave).is_active is False
    applied_once(sanction)


def test_a_sanction_that_keeps_failing_stays_failed_and_staff_can_retry_it(live, faults, settings):
    erin = learner("it-erin")
    faults.rpush(UNENROLL, "fail", "fail", "fail")  # the first attempt and both retries of the demo's settings
    sanction = unenroll(erin)
    sanction = wait_until(lambda: sanction_when(sanction.pk, "failed", 3), "failed after its retries")
    assert "InjectedFault" in sanction.last_error
    assert Enrollment.objects.get(user=erin).is_active is True  # each half-done write rolled back
    assert [action for action, _attempt in sanction_trail(sanction)] == ["sanction.attempted", "sanction.failed"] * 3

    api.retry_sanction(staff_member(), sanction.pk)
    sanction = wait_until(lambda: sanction_when(sanction.pk, "applied", 4), "applied after staff retried")
    assert Enrollment.objects.get(user=erin).is_active is False
    applied_once(sanction)


def test_a_worker_killed_mid_task_leaves_the_sanction_pending_and_it_is_applied_once_after(live, faults):
    frank = learner("it-frank")
    faults.rpush(UNENROLL, "hang")
    sanction = unenroll(frank)
    wait_until(lambda: faults.llen("honorcode-fault:entered"), "the worker inside the platform call")
    live.restart_worker(kill=True)

    sanction = Sanction.objects.get(pk=sanction.pk)
    assert sanction.state == "pending" and sanction.attempts == 1  # the attempt is on record, its work is not
    assert sanction_trail(sanction) == [("sanction.attempted", 1)]
    assert Enrollment.objects.get(user=frank).is_active is True

    call_command("resume_honor_code_work", "--older-than", "0")
    sanction = wait_until(lambda: sanction_when(sanction.pk, "applied", 2), "applied by the new worker")
    assert sanction_trail(sanction) == [
        ("sanction.attempted", 1), ("sanction.attempted", 2), ("sanction.applied", 2)]
    assert Enrollment.objects.get(user=frank).is_active is False
    applied_once(sanction)
    wait_until(lambda: Notification.objects.filter(sent_at__isnull=False).exists(), "the notification sent")
    assert api.verify_audit()[1] == []


def test_a_dropped_database_connection_is_retried_and_the_sanction_applied_once(live, faults):
    grace = learner("it-grace")
    faults.rpush(UNENROLL, "drop-db")
    sanction = unenroll(grace)
    sanction = wait_until(lambda: sanction_when(sanction.pk, "applied", 2), "applied after the connection dropped")
    # the attempt whose connection dropped could not record its outcome, but it is on record
    assert sanction_trail(sanction) == [
        ("sanction.attempted", 1), ("sanction.attempted", 2), ("sanction.applied", 2)]
    assert Enrollment.objects.get(user=grace).is_active is False
    applied_once(sanction)
    assert "apply_sanction" in live.worker.log_text() and "retry: Retry in" in live.worker.log_text()
