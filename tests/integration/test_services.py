"""
The product on its real parts: REST calls to gunicorn, sanctions applied and notifications sent by a Celery worker that
takes them from Redis, and the gate's cached state kept in Redis and made stale across processes.
"""
import pytest

from honorcode_xblock import api
from honorcode_xblock.models import Notification, Sanction
from honorcode_xblock.platform.standalone.models import Enrollment

from .helpers import (
    COURSE, REST, cache_redis_db, call, jwt_for, learner, open_case, sanction_trail, staff_member, wait_until,
)

pytestmark = pytest.mark.integration
ACCEPTANCE = f"{REST}/courses/{COURSE}/acceptance/"


def test_a_determination_made_over_rest_is_applied_and_noticed_by_the_worker(live):
    bob = learner("it-bob")
    case = open_case(bob)
    status, body = call(live.base, "POST", f"{REST}/cases/{case.pk}/determination/", jwt_for(staff_member()), {
        "finding": "violation", "rationale": "The answers match another learner's, word for word.",
        "sanctions": [{"kind": "unenroll"}, {"kind": "certificate_withheld"}],
    })
    assert status == 201, body

    def both_applied():
        applied = list(Sanction.objects.filter(state="applied"))
        return applied if len(applied) == 2 else None

    applied = wait_until(both_applied, "both sanctions applied by the worker")
    assert {sanction.kind for sanction in applied} == {"unenroll", "certificate_withheld"}
    assert all(sanction.attempts == 1 for sanction in applied)
    assert [sanction_trail(sanction) for sanction in applied] == [
        [("sanction.attempted", 1), ("sanction.applied", 1)]] * 2
    assert Enrollment.objects.get(user=bob).is_active is False
    notification = wait_until(lambda: Notification.objects.filter(sent_at__isnull=False).first(), "the notification sent")
    assert notification.user == bob
    worker_log = live.worker.log_text()
    assert "honorcode_xblock.tasks.apply_sanction" in worker_log and "honorcode_xblock.tasks.send_notifications" in worker_log
    mail = [path.read_text(encoding="utf-8") for path in (live.log_dir / "mail").glob("*.log")]
    to_bob = [message for message in mail if "To: it-bob@example.com" in message]
    assert len(to_bob) == 1 and "no refund" in to_bob[0].lower()


def test_the_gate_state_lives_in_redis_and_a_new_version_makes_it_stale_in_every_process(live):
    alice = learner("it-alice")
    unit = f"{live.base}/scenario/demo_course.0/?student={alice.username}"
    token = jwt_for(alice)
    import redis  # pylint: disable=import-outside-toplevel  (requirements/ci.txt)

    cache = redis.Redis.from_url(f"redis://127.0.0.1:6379/{cache_redis_db()}")

    def gated():
        import urllib.request  # pylint: disable=import-outside-toplevel

        with urllib.request.urlopen(unit, timeout=60) as response:  # noqa: S310 - loopback
            return "honorcode-placeholder" in response.read().decode()

    assert gated() is True
    assert any(b"honorcode:gate:" in key for key in cache.keys("*")), "the server cached the gate state in Redis"
    assert call(live.base, "POST", ACCEPTANCE, token, {"confirmed": True})[0] == 201
    assert gated() is False

    # published in this process: the server's cached state goes stale at once, through Redis
    api.publish_new_policy(body=api.default_policy_text() + "<p>A new commitment.</p>", change_kind="material",
                           change_summary="A new commitment.")
    assert gated() is True
    status, body = call(live.base, "GET", ACCEPTANCE, token)
    assert status == 200 and body["accepted"] is False and body["policy_version"] == 2
