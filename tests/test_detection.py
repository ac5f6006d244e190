"""
The CAMEO detector on tracking logs: harvester → master pairs found, honest look-alikes left out, the logs read as
Open edX writes them (plain or gzip, one file or many), and the ``honorcode-detect`` command's output.
"""
import csv
import datetime
import io
import json
import os
import subprocess
import sys
import uuid

import pytest

from honorcode_xblock.detection import cameo, cli, engines, readers

from .detection_samples import (
    COURSE,
    NOISE,
    OTHER_COURSE,
    START,
    crowded_deadline,
    event,
    harvesting,
    problem,
    reveals_after_failing,
    study_group,
    write_logs,
)

pytest.importorskip("chdb", reason="the detection extra: pip install 'honorcode-xblock[detection]'")

LOOSE = cameo.Thresholds(min_problems=1, min_score=-100, min_score_apart=-100, max_median_lag=10 ** 6,
                         min_master_share=0, min_harvester_share=0, min_coupled_share=0)


@pytest.fixture(scope="module")
def engine():
    running = engines.ChdbEngine()
    yield running
    running.close()


def run(engine, paths, course=None, thresholds=cameo.Thresholds()):
    return cameo.detect(engine, readers.TrackingLogs(paths), course, thresholds)


def names(found):
    return {(pair.harvester, pair.master) for pair in found.pairs}


class TestPairs:
    def test_a_harvester_and_its_master_are_found_with_the_problems_lags_and_addresses(self, engine, tmp_path):
        paths = write_logs(tmp_path, harvesting(("h1", 1), ("m1", 2), 12, START))
        (pair,) = run(engine, paths).pairs
        assert (pair.course_id, pair.harvester, pair.master) == (COURSE, "h1", "m1")
        assert [item["problem_id"] for item in pair.problems] == [problem(number) for number in range(12)]
        assert [item["lag_seconds"] for item in pair.problems] == [30 + 5 * number for number in range(12)]
        assert pair.problems[1]["shown_at"] == "2026-03-01T12:10:00Z"  # the timeline: reveal, then answer
        assert pair.problems[1]["answered_at"] == "2026-03-01T12:10:35Z"
        assert pair.median_lag_seconds == 57.5 and pair.shared_ip_share == 1.0
        assert pair.score == round(12 / 12 ** 0.5, 2)  # twelve copies, no coincidence the other way

    def test_a_master_with_several_harvesters_makes_a_pair_with_each(self, engine, tmp_path):
        events = (harvesting(("h1", 1), ("m1", 2), 12, START, ip="1.1.1.1")
                  + harvesting(("h2", 3), ("m1", 2), 12, START + datetime.timedelta(hours=3), ip="2.2.2.2",
                               first=12))
        found = run(engine, write_logs(tmp_path, events))
        assert names(found) == {("h1", "m1"), ("h2", "m1")}

    def test_pairs_are_found_per_course_and_the_course_option_keeps_one(self, engine, tmp_path):
        events = (harvesting(("h1", 1), ("m1", 2), 12, START)
                  + harvesting(("h1", 1), ("m1", 2), 12, START, course=OTHER_COURSE))
        paths = write_logs(tmp_path, events)
        assert sorted(pair.course_id for pair in run(engine, paths).pairs) == sorted([COURSE, OTHER_COURSE])
        only = run(engine, paths, course=OTHER_COURSE)
        assert [pair.course_id for pair in only.pairs] == [OTHER_COURSE]
        assert only.events_skipped == len(events) // 2  # the other course's events are read and left out

    def test_a_pair_whose_median_lag_is_just_the_limit_is_kept_by_the_search_for_candidates(self, engine, tmp_path):
        # half the copies within the limit, half far beyond it: the median is the limit itself (the candidate search
        # keeps pairs with half their copies within it, and so loses none)
        events = harvesting(("h1", 1), ("m1", 2), 10, START)
        for index, item in enumerate(item for item in events if item["username"] == "m1"):
            shown = START + datetime.timedelta(minutes=10 * index)
            item["time"] = (shown + datetime.timedelta(seconds=200 if index % 2 else 1000)).isoformat()
        # (the copies 1,000 s late come after the next reveal: not coupled to theirs, so the coupling is not asked here)
        (pair,) = run(engine, write_logs(tmp_path, events),
                      thresholds=cameo.Thresholds(max_median_lag=600, min_coupled_share=0)).pairs
        assert pair.median_lag_seconds == 600 and len(pair.problems) == 10
        assert run(engine, write_logs(tmp_path, events),
                   thresholds=cameo.Thresholds(max_median_lag=599, min_coupled_share=0)).pairs == []

    def test_accounts_that_never_shared_an_address_must_show_more(self, engine, tmp_path):
        def apart(problems):
            events = harvesting(("h1", 1), ("m1", 2), problems, START)
            for item in events:
                if item["username"] == "m1":
                    item["ip"] = "8.8.8.8"
            return events

        twelve = write_logs(tmp_path, apart(12))  # score 3.46: enough with a shared address, not apart
        assert run(engine, twelve).pairs == []
        assert names(run(engine, twelve, thresholds=cameo.Thresholds(min_score_apart=3.0))) == {("h1", "m1")}
        (pair,) = run(engine, write_logs(tmp_path, apart(20))).pairs  # score 4.47
        assert pair.shared_ip_share == 0.0
        once = apart(12)
        once[-1]["ip"] = "1.1.1.1"  # one copy from the harvester's address: a shared address, the usual score
        (pair,) = run(engine, write_logs(tmp_path, once)).pairs
        assert pair.shared_ip_share == round(1 / 12, 3)


class TestHonestLookAlikes:
    def test_a_study_group_reveals_nothing_and_is_never_a_pair(self, engine, tmp_path):
        paths = write_logs(tmp_path, study_group([("s1", 11), ("s2", 12), ("s3", 13)], 12, START))
        assert run(engine, paths, thresholds=LOOSE).pairs == []

    def test_a_learner_revealing_answers_on_their_own_account_is_no_pair(self, engine, tmp_path):
        events = reveals_after_failing(("f1", 21), 12, START)
        assert run(engine, write_logs(tmp_path, events), thresholds=LOOSE).pairs == []

    def test_revealing_after_solving_is_checking_not_harvesting(self, engine, tmp_path):
        events = harvesting(("h1", 1), ("m1", 2), 12, START)
        for item in events:  # the "harvester" answered each problem correctly an hour before revealing it
            if item["username"] == "h1":
                an_hour_before = datetime.datetime.fromisoformat(item["time"]) - datetime.timedelta(hours=1)
                solved = dict(item, event_type="problem_check", time=an_hour_before.isoformat(),
                              event={"problem_id": item["event"]["problem_id"], "success": "correct", "attempts": 1})
                events = events + [solved]
        assert run(engine, write_logs(tmp_path, events), thresholds=LOOSE).pairs == []

    def test_chance_in_a_crowded_course_makes_no_pair(self, engine, tmp_path):
        crowd = crowded_deadline(300, 12, START + datetime.timedelta(days=2))
        paths = write_logs(tmp_path, crowd + harvesting(("h1", 1), ("m1", 2), 12, START))
        assert names(run(engine, paths)) == {("h1", "m1")}
        loose = names(run(engine, paths, thresholds=cameo.Thresholds(min_problems=3, min_score=1.5,
                                                                    min_score_apart=1.5, min_master_share=0.1)))
        assert len(loose) > 5  # the coincidences are there: the thresholds are what keep them out


class TestCoupling:
    """A copy is coupled to its reveal: the master waited for it, or the harvester was harvesting."""

    @staticmethod
    def follower(revealer, learner, problems, start, gap, behind):
        """``revealer`` reveals each problem ``gap`` s apart; ``learner`` answers each ``behind`` s after its reveal."""
        (r_name, r_id), (l_name, l_id) = revealer, learner
        events = []
        for number in range(problems):
            shown = start + datetime.timedelta(seconds=gap * number)
            events.append(event("showanswer", r_name, r_id, shown, problem(number), ip="7.7.7.7"))
            events.append(event("problem_check", l_name, l_id, shown + datetime.timedelta(seconds=behind),
                                problem(number), "correct", ip="7.7.7.7"))
        return events

    def test_an_honest_learner_working_minutes_behind_a_revealer_is_no_pair(self, engine, tmp_path):
        # the revealer works each problem (two minutes apart); the other answers each problem 400 s after its reveal,
        # long after the next reveal: a fixed offset, not copying (every answer "after" by chance of the order)
        paths = write_logs(tmp_path, self.follower(("r1", 31), ("o1", 32), 12, START, gap=120, behind=400))
        assert run(engine, paths).pairs == []
        (pair,) = run(engine, paths, thresholds=cameo.Thresholds(min_coupled_share=0)).pairs
        assert (pair.harvester, pair.master, len(pair.problems)) == ("r1", "o1", 12)

    def test_batch_harvesting_then_copying_is_a_pair(self, engine, tmp_path):
        # the harvester reveals the section in quick succession (20 s apart), the master then answers in turn
        paths = write_logs(tmp_path, self.follower(("h1", 1), ("m1", 2), 12, START, gap=20, behind=300))
        (pair,) = run(engine, paths).pairs
        assert (pair.harvester, pair.master, pair.median_lag_seconds) == ("h1", "m1", 300)

    def test_an_honest_learner_behind_a_quick_harvester_is_no_pair(self, engine, tmp_path):
        # the reveals come 20 s apart, but the learner answers at their own pace, 100 s apart: not copying
        events = []
        for number in range(12):
            events.append(event("showanswer", "h1", 1, START + datetime.timedelta(seconds=20 * number),
                                problem(number)))
            events.append(event("problem_check", "o1", 32, START + datetime.timedelta(seconds=100 + 100 * number),
                                problem(number), "correct"))
        paths = write_logs(tmp_path, events)
        assert run(engine, paths).pairs == []
        assert names(run(engine, paths, thresholds=cameo.Thresholds(min_coupled_share=0))) == {("h1", "o1")}

    def test_a_revealer_whose_answers_one_account_used_now_and_then_is_no_pair(self, engine, tmp_path):
        events = harvesting(("r1", 31), ("o1", 32), 12, START)  # twelve copies ...
        for number in range(12, 40):  # ... of 40 answers the "harvester" revealed
            events.append(event("showanswer", "r1", 31, START + datetime.timedelta(hours=3, minutes=10 * number),
                                problem(number)))
        paths = write_logs(tmp_path, events)
        assert run(engine, paths).pairs == []
        assert names(run(engine, paths, thresholds=cameo.Thresholds(min_harvester_share=0.3))) == {("r1", "o1")}


class TestReading:
    def test_plain_and_gzip_files_globs_and_lists_are_read_and_noise_is_counted(self, engine, tmp_path):
        events = harvesting(("h1", 1), ("m1", 2), 12, START)
        paths = write_logs(tmp_path, events, noise=NOISE, split=3)
        for given in ([tmp_path / "tracking.log*"], paths):
            found = run(engine, given)
            assert names(found) == {("h1", "m1")}
            assert (found.events_read, found.events_skipped) == (len(events) + len(NOISE), len(NOISE))

    def test_a_missing_file_is_an_error_not_an_empty_answer(self, engine, tmp_path):
        with pytest.raises(Exception, match="doesn't exist|FILE_DOESNT_EXIST|No such file"):
            run(engine, [tmp_path / "missing.log"])

    def test_no_log_named_is_refused(self):
        with pytest.raises(ValueError):
            readers.TrackingLogs([])

    def test_a_path_with_a_quote_is_read_as_a_path(self, engine, tmp_path):
        folder = tmp_path / "it's"
        folder.mkdir()
        paths = write_logs(folder, harvesting(("h1", 1), ("m1", 2), 12, START))
        assert names(run(engine, paths)) == {("h1", "m1")}


class TestCommand:
    @pytest.fixture()
    def logs(self, tmp_path):
        write_logs(tmp_path, harvesting(("h1", 1), ("m1", 2), 12, START), noise=NOISE)
        return str(tmp_path / "tracking.log*")

    def test_json_is_one_object_with_the_pairs_and_the_counts(self, logs):
        out = io.StringIO()
        assert cli.main([logs, "--format", "json"], out=out) == 0
        answer = json.loads(out.getvalue())
        assert set(answer) == {"pairs", "events_read", "events_skipped"}
        (pair,) = answer["pairs"]
        assert set(pair) == {"course_id", "harvester", "master", "score", "problems", "median_lag_seconds",
                             "shared_ip_share"}
        assert (pair["harvester"], pair["master"], len(pair["problems"])) == ("h1", "m1", 12)
        assert (answer["events_read"], answer["events_skipped"]) == (24 + len(NOISE), len(NOISE))

    def test_csv_and_table(self, logs):
        out = io.StringIO()
        assert cli.main([logs, "--format", "csv", "--course", COURSE], out=out) == 0
        rows = list(csv.reader(io.StringIO(out.getvalue())))
        assert rows[0] == cli.CSV_HEADER and rows[1][:3] == [COURSE, "h1", "m1"] and rows[1][4] == "12"
        out = io.StringIO()
        assert cli.main([logs], out=out) == 0
        assert "h1" in out.getvalue() and "1 pair(s); 28 events read, 4 skipped" in out.getvalue()

    def test_thresholds_are_options(self, logs):
        out = io.StringIO()
        assert cli.main([logs, "--format", "json", "--min-problems", "13"], out=out) == 0
        assert json.loads(out.getvalue())["pairs"] == []

    def test_progress_goes_to_standard_error_and_the_answer_stays_clean(self, logs, capsys):
        assert cli.main([logs, "--format", "json", "--progress"]) == 0
        captured = capsys.readouterr()
        assert json.loads(captured.out)["pairs"][0]["master"] == "m1"
        assert "reading the problem events" in captured.err and "finding pairs among 24 problem events" in captured.err
        assert cli.main([logs, "--format", "json", "--no-progress"]) == 0
        assert capsys.readouterr().err == ""

    def test_an_unreadable_log_exits_2_with_a_message(self, tmp_path, capsys):
        assert cli.main([str(tmp_path / "missing.log")]) == 2
        assert "the events could not be read" in capsys.readouterr().err

    @pytest.mark.parametrize("argv, message", [
        (["x.log", "--format", "xml"], "invalid choice"),
        ([], "name tracking logs, or --aspects"),
        (["x.log", "--aspects", "--clickhouse", "clickhouse://localhost"], "name tracking logs, or --aspects"),
        (["--aspects"], "give its --clickhouse DSN"),
    ])
    def test_bad_arguments_exit_2(self, capsys, argv, message):
        with pytest.raises(SystemExit) as exited:
            cli.main(argv)
        assert exited.value.code == 2 and message in capsys.readouterr().err

    def test_the_command_runs_without_django(self, logs):
        env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
        result = subprocess.run([sys.executable, "-c", "import sys; from honorcode_xblock.detection import cli; "
                                 "assert 'django' not in sys.modules; sys.exit(cli.main(sys.argv[1:]))",
                                 logs, "--format", "json"], capture_output=True, text=True, env=env, timeout=120,
                                check=False)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["pairs"][0]["master"] == "m1"



class TestAspects:
    """The same events as xAPI statements in Aspects' ClickHouse tables, read in place (here on chdb)."""

    @pytest.fixture()
    def aspects(self, engine):
        database = f"aspects_{uuid.uuid4().hex[:8]}"
        engine.execute(f"CREATE DATABASE {database}")
        engine.execute(
            f"CREATE TABLE {database}.xapi_events_all_parsed (event_id UUID, verb_id String, actor_id String, "
            "object_id String, course_id String, org String, emission_time DateTime64(6), event String) "
            "ENGINE = MergeTree ORDER BY (course_id, emission_time)")
        engine.execute(
            f"CREATE TABLE {database}.user_pii (user_id Int32, external_user_id UUID, external_id_type String, "
            "username String, name String, email String) ENGINE = MergeTree ORDER BY user_id")
        yield database
        engine.execute(f"DROP DATABASE {database}")

    @staticmethod
    def load(engine, database, events):
        """Store tracking events as event-routing-backends would transform them, and the users as Aspects keeps them."""
        actors = {}
        rows = []
        for item in events:
            user_id, username = item["context"]["user_id"], item["username"]
            actor = actors.setdefault((user_id, username), str(uuid.uuid5(uuid.NAMESPACE_URL, f"user:{user_id}")))
            key, course = item["event"]["problem_id"], item["context"]["course_id"]
            if item["event_type"] == "showanswer":
                verb, target, result = readers.AspectsXapi.ASKED, f"http://lms.test/xblock/{key}/answer", None
            else:
                verb, target = readers.AspectsXapi.GRADED[0], f"http://lms.test/xblock/{key}"
                result = {"success": item["event"]["success"] == "correct"}
            statement = {"actor": {"account": {"name": actor}}, "verb": {"id": verb}, "object": {"id": target},
                         **({"result": result} if result is not None else {})}
            rows.append(f"(generateUUIDv4(), {readers.quote(verb)}, {readers.quote(actor)}, {readers.quote(target)}, "
                        f"{readers.quote('http://lms.test/course/' + course)}, 'TestX', "
                        f"parseDateTime64BestEffort({readers.quote(item['time'])}, 6, 'UTC'), "
                        f"{readers.quote(json.dumps(statement))})")
        # a multiple-input problem's child statement (``@<input>``, no result) is read and not used; a statement of
        # another verb is not read
        child = f"http://lms.test/xblock/{problem(0)}@{problem(0).rsplit('@', 1)[-1]}_2_1"
        rows.append(f"(generateUUIDv4(), {readers.quote(readers.AspectsXapi.GRADED[0])}, 'someone', "
                    f"{readers.quote(child)}, 'http://lms.test/course/{COURSE}', 'TestX', now64(6), '{{}}')")
        rows.append("(generateUUIDv4(), 'http://adlnet.gov/expapi/verbs/experienced', 'someone', 'http://lms.test/x', "
                    f"'http://lms.test/course/{COURSE}', 'TestX', now64(6), '{{}}')")
        engine.execute(f"INSERT INTO {database}.xapi_events_all_parsed VALUES {', '.join(rows)}")
        users = [f"({user_id}, toUUID({readers.quote(actor)}), 'xapi', {readers.quote(username)}, '', '')"
                 for (user_id, username), actor in actors.items()]
        engine.execute(f"INSERT INTO {database}.user_pii VALUES {', '.join(users)}")
        return len(rows) - 1  # the statements of the verbs the reader reads

    def test_the_pair_is_found_in_aspects_xapi_statements_mapped_back_to_usernames(self, engine, aspects):
        events = (harvesting(("h1", 1), ("m1", 2), 12, START)
                  + study_group([("s1", 11), ("s2", 12)], 12, START + datetime.timedelta(hours=5)))
        read = self.load(engine, aspects, events)
        source = readers.AspectsXapi(f"{aspects}.xapi_events_all_parsed", f"{aspects}.user_pii")
        found = cameo.detect(engine, source)
        (pair,) = found.pairs
        assert (pair.course_id, pair.harvester, pair.master, len(pair.problems)) == (COURSE, "h1", "m1", 12)
        assert pair.shared_ip_share is None  # xAPI carries no address
        assert found.events_read == read and found.events_skipped == 1  # the child statement is read, not used
        assert cameo.detect(engine, source, course_id=OTHER_COURSE).pairs == []

    def test_a_table_name_that_is_not_one_is_refused(self):
        with pytest.raises(ValueError):
            readers.AspectsXapi("xapi.events; DROP TABLE x", "event_sink.user_pii").scan_sql()
