"""
Load on a real server process: 50 concurrent clients accepting through the REST API on MariaDB, and concurrent
determinations of one case.
"""
import time

import pytest
from django.db.models import Count
from opaque_keys.edx.keys import CourseKey

from honorcode_xblock import api
from honorcode_xblock.models import Acceptance, Determination, Sanction

from .helpers import COURSE, REST, call, jwt_for, learner, open_case, staff_member, together, wait_until

pytestmark = pytest.mark.integration

CLIENTS = 50
LEARNERS = 25  # two clients per learner, racing each other with the same requests
COURSES = [COURSE] + [CourseKey.from_string(f"course-v1:HonorCode+Load{n}+2026") for n in range(1, 4)]


def accept_everywhere(base, tokens):
    """Each client accepts in every course, twice in a row; returns every (status, body) and the seconds taken."""
    def client(i):
        token = tokens[i % LEARNERS]
        return [call(base, "POST", f"{REST}/courses/{course}/acceptance/", token, {"confirmed": True})
                for course in COURSES for _repeat in range(2)]

    started = time.perf_counter()
    results = together(CLIENTS, client)
    return results, time.perf_counter() - started


def test_fifty_concurrent_clients_accept_with_no_error_and_once_per_learner_and_version(live):
    staff = staff_member()
    for course in COURSES[1:]:
        api.save_course_settings(course, terms_html="", collaboration_text="", acceptance_mode="checkbox",
                                 gate_graded_content=True, actor=staff)
    learners = [learner(f"it-load-{n}") for n in range(LEARNERS)]
    tokens = [jwt_for(user) for user in learners]

    for version in (1, 2):
        if version == 2:
            api.publish_new_policy(body=api.default_policy_text() + "<p>Version two.</p>", change_kind="material",
                                   change_summary="Version two.")
        results, seconds = accept_everywhere(live.base, tokens)
        errors = [result for result in results if isinstance(result, Exception)]
        assert errors == []
        statuses = [status for answers in results for status, _body in answers]
        unexpected = [(status, body) for answers in results for status, body in answers if status not in (200, 201)]
        assert unexpected == [], unexpected[:5]
        assert statuses.count(201) == LEARNERS * len(COURSES)  # one creation per learner, course and version
        print(f"version {version}: {len(statuses)} requests from {CLIENTS} clients in {seconds:.2f} s "
              f"({len(statuses) / seconds:.0f} requests/s)")

        rows = Acceptance.objects.filter(policy_version__number=version)
        assert rows.count() == LEARNERS * len(COURSES)
        per_learner = rows.values("user", "course_key").annotate(n=Count("pk"))
        assert {row["n"] for row in per_learner} == {1}
        assert len(per_learner) == LEARNERS * len(COURSES)
    assert api.verify_audit()[1] == []


def test_concurrent_determinations_of_one_case_one_wins_the_others_get_a_conflict(live):
    deciders = [staff_member(f"it-decider-{n}") for n in range(10)]
    respondent = learner("it-carol")
    case = open_case(respondent)
    tokens = [jwt_for(user) for user in deciders]

    results = together(len(tokens), lambda i: call(live.base, "POST", f"{REST}/cases/{case.pk}/determination/",
                                                   tokens[i], {"finding": "violation", "rationale": f"Decider {i}.",
                                                               "sanctions": [{"kind": "unenroll"}]}))
    statuses = sorted(status for status, _body in results)
    assert statuses == [201] + [409] * (len(tokens) - 1), results
    assert all(body.get("detail") for status, body in results if status == 409)
    assert Determination.objects.filter(case=case).count() == 1
    sanction = wait_until(lambda: Sanction.objects.filter(state="applied").first(), "the sanction applied")
    assert Sanction.objects.count() == 1 and sanction.attempts == 1
    assert api.verify_audit()[1] == []
