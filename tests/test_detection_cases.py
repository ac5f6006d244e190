"""
Suspected multiple accounts inside the LMS: detection runs for a course (the management command, the Celery task the
staff page queues), the pairs kept and replaced, the staff page, a case opened from a pair, the respondents' earlier
cases on the case page, retirement, and the prevention advice with its "Show Answer" rule.
"""
import csv
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from honorcode_xblock import api, policy
from honorcode_xblock.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from honorcode_xblock.models import AuditEvent, DetectionRun, PolicyVersion, SuspectedPair
from honorcode_xblock.platform import get_platform

from .detection_samples import START, harvesting, study_group, write_logs
from .helpers import COURSE_KEY, OTHER_COURSE_KEY, determine, open_case

pytest.importorskip("chdb", reason="the detection extra: pip install 'honorcode-xblock[detection]'")

COURSE = str(COURSE_KEY)
User = get_user_model()


def accounts(*names):
    """Learner accounts with these usernames: (username, user id) as the logs name them."""
    return [(name, User.objects.get_or_create(username=name, defaults={"email": f"{name}@example.com"})[0].pk)
            for name in names]


@pytest.fixture
def staff(db):
    return User.objects.create_user("teacher", email="teacher@example.com", password="pw", is_staff=True)


@pytest.fixture
def logs(db, tmp_path, settings):
    """
    A course log with a master and two harvesters, one more pair, and a study group; named by the settings. The honor
    code the migrations published was in force since before the events.
    """
    PolicyVersion.objects.filter(number=1).update(published_at=START - datetime.timedelta(days=30))
    master, first, second, lone_master, lone_harvester, *group = accounts(
        "master", "harvester1", "harvester2", "solo_master", "solo_harvester", "g1", "g2", "g3")
    events = (harvesting(first, master, 12, START, lag=20, course=COURSE)
              + harvesting(second, master, 11, START + datetime.timedelta(hours=5), lag=40, course=COURSE, first=20)
              + harvesting(lone_harvester, lone_master, 10, START, lag=90, ip="2.2.2.2", course=COURSE, first=40))
    events += [dict(item, context={**item["context"], "course_id": COURSE})
               for item in study_group(group, 12, START)]
    paths = write_logs(tmp_path, events)
    settings.HONORCODE_DETECTION_TRACKING_LOGS = [str(path) for path in paths]
    return paths


def pairs_of(course_key=COURSE_KEY):
    return {(pair.harvester_username, pair.master_username): pair for pair in SuspectedPair.objects.current(course_key)}


class TestRuns:
    def test_the_command_runs_detection_for_the_course_and_keeps_the_pairs(self, logs, staff, capsys):
        call_command("honorcode_detect", "--course", COURSE, "--username", staff.username)
        assert "3 suspected pair(s)" in capsys.readouterr().out
        run = DetectionRun.objects.get()
        assert (run.status, run.trigger, run.started_by, run.events_skipped) == ("done", "command", staff, 0)
        assert run.events_read > 0 and "tracking logs" in run.source
        assert run.thresholds["min_problems"] == 10
        found = pairs_of()
        assert set(found) == {("harvester1", "master"), ("harvester2", "master"), ("solo_harvester", "solo_master")}
        pair = found[("harvester1", "master")]
        assert pair.harvester.username == "harvester1" and pair.master.username == "master"
        assert len(pair.problems) == 12 and pair.problems[0]["lag_seconds"] == 20 and pair.shared_ip_share == 1.0
        assert {"detection.queued", "detection.finished"} <= set(AuditEvent.objects.values_list("action", flat=True))

    def test_the_command_takes_logs_and_thresholds_as_options(self, logs, settings, capsys):
        settings.HONORCODE_DETECTION_TRACKING_LOGS = []
        call_command("honorcode_detect", "--course", COURSE, "--logs", *[str(path) for path in logs],
                     "--min-problems", "11")
        assert set(pairs_of()) == {("harvester1", "master"), ("harvester2", "master")}
        assert DetectionRun.objects.get().thresholds["min_problems"] == 11

    @pytest.mark.parametrize("arguments, message", [
        (["--course", "not a course"], "is not a course key"),
        (["--course", "course-v1:Nobody+Here+2026"], "There is no course"),
        (["--course", COURSE, "--min-score", "-5"], "min_score must be between"),
        (["--course", COURSE, "--username", "ghost"], "No user named .ghost."),
        (["--course", COURSE, "--logs", "/nonexistent/tracking.log"], "failed"),
    ])
    def test_bad_input_is_a_command_error(self, logs, arguments, message):
        with pytest.raises(CommandError, match=message):
            call_command("honorcode_detect", *arguments)

    def test_without_an_event_source_the_command_says_so(self, db, settings):
        settings.HONORCODE_DETECTION_TRACKING_LOGS = []
        with pytest.raises(CommandError, match="No event source"):
            call_command("honorcode_detect", "--course", COURSE)

    def test_the_page_queues_a_run_that_the_task_runs(self, logs, staff):
        run = api.queue_detection(staff, COURSE_KEY)  # the test's transaction never commits: run the task's work
        assert run.status == "queued" and run.trigger == "staff page"
        assert api.run_detection(run.pk).status == "done"
        assert api.run_detection(run.pk).status == "done"  # a redelivered task changes nothing
        assert len(pairs_of()) == 3

    def test_the_celery_task_runs_a_queued_run(self, logs, staff):
        from honorcode_xblock import tasks  # pylint: disable=import-outside-toplevel

        run = api.queue_detection(staff, COURSE_KEY)
        assert tasks.run_detection.apply(args=[run.pk]).get() == "done"

    def test_a_second_queued_run_waits_for_the_first(self, logs, staff):
        api.queue_detection(staff, COURSE_KEY)
        with pytest.raises(Conflict, match="already queued"):
            api.queue_detection(staff, COURSE_KEY)

    def test_a_run_a_dead_worker_left_unfinished_stops_nobody_after_a_while(self, logs, staff):
        stale = api.queue_detection(staff, COURSE_KEY)
        DetectionRun.objects.filter(pk=stale.pk).update(
            status="running", queued_at=stale.queued_at - datetime.timedelta(hours=4))
        assert api.suspected_pairs(staff, COURSE_KEY).unfinished_run is None
        assert api.queue_detection(staff, COURSE_KEY).status == "queued"

    def test_learners_cannot_run_detection(self, logs, learner):
        with pytest.raises(NotPermitted, match="Only the course team"):
            api.queue_detection(learner, COURSE_KEY)

    def test_a_failed_run_records_its_error(self, logs, settings, staff):
        settings.HONORCODE_DETECTION_TRACKING_LOGS = ["/nonexistent/tracking.log"]
        run = api.detect_now(staff, COURSE_KEY)
        assert run.status == "failed" and run.error and run.finished_at is not None

    def test_a_new_run_replaces_the_pairs_in_no_case_and_keeps_those_in_one(self, logs, staff):
        api.detect_now(staff, COURSE_KEY)
        case = api.open_case_from_pair(staff, pairs_of()[("solo_harvester", "solo_master")].pk)
        second = api.detect_now(staff, COURSE_KEY)
        assert SuspectedPair.objects.filter(course_key=COURSE_KEY).count() == 4  # 3 new, 1 old kept in its case
        kept = list(SuspectedPair.objects.current(COURSE_KEY))
        assert sorted(pair.run_id for pair in kept) == [second.pk - 1, second.pk, second.pk, second.pk]
        assert {pair.case_id for pair in kept if pair.master_username == "solo_master"} == {case.pk}  # carried over
        page = api.suspected_pairs(staff, COURSE_KEY)
        shown = [pair for group in page.groups for pair in group.pairs]
        assert len(shown) == 3 and page.pair_count == 3  # each pair once, the newest finding
        assert {pair.case_id for pair in shown if pair.master_username == "solo_master"} == {case.pk}


class TestCaseFromPair:
    def test_copies_made_before_any_honor_code_was_in_force_make_no_case(self, logs, staff):
        api.detect_now(staff, COURSE_KEY)
        PolicyVersion.objects.filter(number=1).update(published_at=START + datetime.timedelta(days=300))
        with pytest.raises(InvalidInput, match="before any honor code version was in force"):
            api.open_case_from_pair(staff, pairs_of()[("harvester1", "master")].pk)
        assert not SuspectedPair.objects.filter(case__isnull=False).exists()

    def test_one_case_holds_the_master_and_all_its_harvesters_with_the_evidence_as_csv(self, logs, staff):
        api.detect_now(staff, COURSE_KEY)
        found = pairs_of()
        case = api.open_case_from_pair(staff, found[("harvester2", "master")].pk)
        assert case.commitment == "one_account" and case.course_key == COURSE_KEY
        assert sorted(case.respondents.values_list("username", flat=True)) == ["harvester1", "harvester2", "master"]
        assert "master" in case.description and "harvester1" in case.description and "score" in case.description
        assert case.conduct_at.isoformat().startswith("2026-03-01T12:00:20")  # the first copied answer
        (evidence,) = case.evidence.all()
        assert evidence.filename == f"suspected-accounts-case-{case.pk}.csv" and evidence.content_type == "text/csv"
        rows = list(csv.DictReader(io.StringIO(evidence.file.open("rb").read().decode("utf-8"))))
        assert len(rows) == 23 and {row["master"] for row in rows} == {"master"}
        assert rows[0]["harvester_revealed_at"] == "2026-03-01T12:00:00Z" and rows[0]["lag_seconds"] == "20"
        linked = SuspectedPair.objects.filter(case=case)
        assert sorted(linked.values_list("harvester_username", flat=True)) == ["harvester1", "harvester2"]
        assert pairs_of()[("solo_harvester", "solo_master")].case_id is None
        actions = list(AuditEvent.objects.filter(course_key=COURSE_KEY).values_list("action", flat=True))
        assert actions.count("suspected_pair.case_opened") == 2 and "case.opened" in actions

    def test_opening_again_is_a_conflict_that_names_the_case(self, logs, staff):
        api.detect_now(staff, COURSE_KEY)
        pair = pairs_of()[("harvester1", "master")]
        case = api.open_case_from_pair(staff, pair.pk)
        for again in (pair, pairs_of()[("harvester2", "master")]):
            with pytest.raises(Conflict,
                               match=f"already in case {case.pk}"):
                api.open_case_from_pair(staff, again.pk)

    def test_anyone_off_the_course_team_gets_not_found(self, logs, staff, learner):
        api.detect_now(staff, COURSE_KEY)
        pair = pairs_of()[("harvester1", "master")]
        with pytest.raises(NotFound, match="There is no suspected pair"):
            api.open_case_from_pair(learner, pair.pk)
        with pytest.raises(NotFound, match="There is no suspected pair"):
            api.open_case_from_pair(staff, 10 ** 12)


class TestPages:
    def signed_in(self, user):
        client = Client()
        client.force_login(user)
        return client

    def test_the_page_ranks_the_pairs_groups_a_master_and_opens_a_case(self, logs, staff):
        api.detect_now(staff, COURSE_KEY)
        client = self.signed_in(staff)
        cases = client.get(reverse("honorcode:cases", kwargs={"course_id": COURSE})).content.decode()
        url = reverse("honorcode:suspected_pairs", kwargs={"course_id": COURSE})
        assert url in cases
        page = client.get(url).content.decode()
        assert "3 suspected pairs" in page and "Master account master: 2 harvesters" in page
        assert page.index("Master account master") < page.index("Master account solo_master")
        assert page.count('<th scope="col">') >= 4 and "Answer revealed (harvester)" in page
        assert "2026-03-01T12:00:00Z" in page and "Run detection" in page
        pair = pairs_of()[("harvester1", "master")]
        response = client.post(reverse("honorcode:case_from_pair", args=[pair.pk]), {"course_id": COURSE})
        assert response.status_code == 303
        case_id = SuspectedPair.objects.get(pk=pair.pk).case_id
        assert response["Location"] == reverse("honorcode:case", args=[case_id])
        page = client.get(url).content.decode()
        assert page.count(f"In case #{case_id}") == 2
        again = client.post(reverse("honorcode:case_from_pair", args=[pair.pk]), {"course_id": COURSE})
        assert again.status_code == 409 and f"already in case {case_id}" in again.content.decode()

    def test_run_detection_button_queues_a_run(self, logs, staff):
        client = self.signed_in(staff)
        response = client.post(reverse("honorcode:run_detection", kwargs={"course_id": COURSE}))
        assert response.status_code == 303 and response["Location"].endswith("?queued=1")
        assert DetectionRun.objects.get().trigger == "staff page"

    def test_the_page_posts_need_csrf(self, logs, staff):
        client = Client(enforce_csrf_checks=True)
        client.force_login(staff)
        response = client.post(reverse("honorcode:run_detection", kwargs={"course_id": COURSE}))
        assert response.status_code == 403 and not DetectionRun.objects.exists()

    def test_learners_get_the_refusal(self, logs, learner):
        response = self.signed_in(learner).get(reverse("honorcode:suspected_pairs", kwargs={"course_id": COURSE}))
        assert response.status_code == 403

    def test_the_case_page_shows_each_respondents_earlier_cases_in_this_course_or_all_for_global_staff(
            self, db, staff, learner, operator):
        earlier = open_case(staff, learner, commitment="own_work")
        determine(staff, earlier, finding="no_violation")
        elsewhere = open_case(staff, learner, course_key=OTHER_COURSE_KEY)
        current = open_case(staff, learner, commitment="one_account")
        found = api.case_file(staff, current.pk)
        (history,) = found.histories
        assert [item.case.pk for item in history.earlier] == [earlier.pk] and not history.all_courses
        assert [item.finding for item in history.earlier[0].determinations] == ["no_violation"]
        (history,) = api.case_file(operator, current.pk).histories
        assert [item.case.pk for item in history.earlier] == [elsewhere.pk, earlier.pk] and history.all_courses
        page = self.signed_in(staff).get(reverse("honorcode:case", args=[current.pk])).content.decode()
        assert "earlier cases" in page and "No violation" in page
        assert str(OTHER_COURSE_KEY) not in page


class TestRetirement:
    def test_pairs_in_no_case_go_and_those_in_a_case_lose_the_username(self, logs, staff):
        api.detect_now(staff, COURSE_KEY)
        api.open_case_from_pair(staff, pairs_of()[("harvester1", "master")].pk)
        counts = api.retire_user(User.objects.get(username="harvester1"))
        assert counts["suspected_pairs"] == 1
        linked = SuspectedPair.objects.get(case__isnull=False, harvester__username="harvester1")
        assert linked.harvester_username == "" and linked.problems == []
        counts = api.retire_user(User.objects.get(username="solo_master"))
        assert counts["suspected_pairs"] == 1 and not SuspectedPair.objects.filter(master_username="solo_master")
        assert api.retire_user(User.objects.get(username="harvester1"))["suspected_pairs"] == 0


class TestShowAnswerRule:
    @pytest.mark.parametrize("showanswer, max_attempts, before, correctness, reveals", [
        ("always", None, 0, "always", True),
        ("always", 3, 0, "always", True),
        ("always", 0, 0, "always", False),  # nobody can submit
        ("attempted", None, 0, "always", True),  # "Attempted or Past Due": after one attempt
        ("attempted", 3, 0, "always", True),
        ("attempted", 1, 0, "always", False),  # the one attempt used: the learner can no longer submit
        ("attempted_no_past_due", 2, 0, "always", True),
        ("after_attempts", 3, 2, "always", True),
        ("after_attempts", 3, 3, "always", False),  # after all attempts
        ("after_attempts", 3, 5, "always", False),  # clamped to max_attempts
        ("after_attempts", None, 5, "always", True),  # unlimited attempts
        ("finished", None, 0, "always", False),  # closed (past due, or all attempts) or correct
        ("closed", 3, 0, "always", False),
        ("past_due", None, 0, "always", False),
        ("after_all_attempts", 3, 0, "always", False),
        ("after_all_attempts_or_correct", None, 0, "always", False),
        ("answered", None, 0, "always", False),  # only once the learner's own answer is correct
        ("correct_or_past_due", None, 0, "always", False),
        ("never", None, 0, "always", False),
        ("", None, 0, "always", False),
        ("always", None, 0, "past_due", False),  # correctness withheld: answers too
        ("attempted", None, 0, "never", False),
    ])
    def test_which_settings_reveal_an_answer_while_the_learner_can_still_submit(
            self, showanswer, max_attempts, before, correctness, reveals):
        assert policy.reveals_answer_while_open(showanswer, max_attempts, before, correctness) is reveals


class TestPreventionAdvice:
    def test_openedx_problems_with_the_course_wide_default_applied(self, openedx):
        course_block = COURSE_KEY.make_usage_key("course", "course")
        chapter = COURSE_KEY.make_usage_key("chapter", "week1")
        openedx.blocks.update({course_block: "Course", chapter: "Week 1"})
        openedx.parents[chapter] = course_block
        openedx.settings[course_block] = {"showanswer": "attempted"}  # Advanced Settings: a course-wide default
        problems = {name: COURSE_KEY.make_usage_key("problem", name) for name in ("p1", "p2", "p3", "p4")}
        for name, key in problems.items():
            openedx.blocks[key] = name
            openedx.parents[key] = chapter
        openedx.settings[problems["p2"]] = {"showanswer": "past_due"}
        openedx.settings[problems["p3"]] = {"max_attempts": 1}
        openedx.settings[problems["p4"]] = {"showanswer": "after_attempts", "attempts_before_showanswer_button": 2,
                                            "max_attempts": 5}
        openedx.graded.add(chapter)
        openedx.blocks[OTHER_COURSE_KEY.make_usage_key("problem", "elsewhere")] = "Elsewhere"
        listed = get_platform().course_problems(COURSE_KEY)
        assert [problem.display_name for problem in listed] == ["p1", "p2", "p3", "p4"]
        assert [problem.showanswer for problem in listed] == ["attempted", "past_due", "attempted", "after_attempts"]
        assert [problem.max_attempts for problem in listed] == [None, None, 1, 5]
        advice = api.prevention_advice(COURSE_KEY)
        assert advice.problems == 4 and [item.display_name for item in advice.revealing] == ["p1", "p4"]
        assert advice.graded_revealing == 2

    def test_the_demo_course_problems_on_the_standalone_platform(self, db):
        from honorcode_demo.blocks import COURSE_XML  # pylint: disable=import-outside-toplevel
        from workbench.scenarios import SCENARIOS, add_xml_scenario  # pylint: disable=import-outside-toplevel

        saved = dict(SCENARIOS)
        SCENARIOS.clear()
        try:
            add_xml_scenario("demo_course.0", "advice test", COURSE_XML)
            platform = get_platform()
            listed = platform.course_problems(platform.default_course_key())
            assert [(item.showanswer, item.max_attempts, item.graded) for item in listed] == [
                ("attempted", None, True), ("finished", 2, True)]  # the second inherits the course's "finished"
            advice = api.prevention_advice(platform.default_course_key())
            assert (advice.problems, len(advice.revealing)) == (2, 1)
            assert platform.course_problems(COURSE_KEY) == []
        finally:
            SCENARIOS.clear()
            SCENARIOS.update(saved)
