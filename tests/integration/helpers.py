"""Helpers of the integration tests: calls to the live server, users, cases, and waiting on the worker."""
import json
import threading
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.contrib.auth import get_user_model
from opaque_keys.edx.keys import CourseKey

from honorcode_xblock import api
from honorcode_xblock.models import AuditEvent, Sanction
from honorcode_xblock.platform.standalone.models import Enrollment

COURSE = CourseKey.from_string("course-v1:HonorCode+Demo+2026")
REST = "/api/honorcode/v1"


def cache_redis_db():
    """The Redis database of Django's cache; the broker and the fault switches use the next two."""
    return int(settings.CACHES["default"]["LOCATION"].rsplit("/", 1)[1])


def jwt_for(user):
    """A JWT for ``user``, signed as the demo's issuer (what the LMS's OAuth provider hands a mobile app)."""
    from edx_rest_framework_extensions.auth.jwt.tests.utils import (  # pylint: disable=import-outside-toplevel
        generate_jwt_token,
        generate_latest_version_payload,
    )

    return generate_jwt_token(generate_latest_version_payload(user))


def call(base, method, path, token, body=None, timeout=60):
    """One request to the live server: (status, parsed JSON or text)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={  # noqa: S310 - loopback
        "Authorization": f"JWT {token}", "Content-Type": "application/json", "Accept": "application/json",
    })
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def together(count, work):
    """Run ``work(i)`` for i in range(count) on as many threads, released at once; returns the results in order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as error:  # pylint: disable=broad-except
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def learner(name, course_key=COURSE):
    """A learner enrolled (verified) in the course."""
    user = get_user_model().objects.create_user(name, email=f"{name}@example.com", password="pw")
    Enrollment.objects.create(user=user, course_key=course_key, mode="verified")
    return user


def staff_member(name="it-staff"):
    return get_user_model().objects.get_or_create(
        username=name, defaults={"email": f"{name}@example.com", "is_staff": True, "is_superuser": True})[0]


def open_case(respondent, description="Submitted another learner's answers."):
    return api.open_case(staff_member(), COURSE, respondents=[respondent.username], commitment="own_work",
                         description=description)


def wait_until(check, what, timeout=60):
    """Poll ``check()`` (the database as the worker leaves it) until it is true."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def sanction_trail(sanction):
    """The sanction's audit trail: (action, attempt) in order."""
    return [(action, after.get("attempt")) for action, after in
            AuditEvent.objects.about("sanction", [sanction.pk]).order_by("pk").values_list("action", "after")]


def sanction_when(sanction_id, state, attempts):
    """The sanction once the worker has left it in ``state`` after ``attempts`` attempts, else None."""
    sanction = Sanction.objects.get(pk=sanction_id)
    return sanction if sanction.state == state and sanction.attempts == attempts else None
