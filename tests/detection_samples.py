"""
Tracking-log lines for the detection tests, shaped as Open edX writes its server problem events: capa's
``showanswer`` (``event: {"problem_id"}``) and ``problem_check`` (``event: {"problem_id", "success", "attempts"}``),
with ``username``, ``ip``, ``time`` and ``context.course_id``/``context.user_id``.
"""
import datetime
import gzip
import json
import random

COURSE = "course-v1:TestX+CAMEO+2026"
OTHER_COURSE = "course-v1:TestX+Other+2026"
START = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.timezone.utc)


def problem(number, course=COURSE):
    """The usage key of problem ``number``."""
    return f"block-v1:{course.split(':', 1)[1]}+type@problem+block@p{number}"


def event(kind, username, user_id, when, problem_id, success=None, ip="10.0.0.1", course=COURSE, source="server"):
    """One tracking-log event."""
    data = {"problem_id": problem_id}
    if success is not None:
        data.update(success=success, attempts=1)
    return {"event_type": kind, "event_source": source, "username": username, "ip": ip, "time": when.isoformat(),
            "context": {"course_id": course, "user_id": user_id, "org_id": "TestX"}, "event": data, "page": None}


def harvesting(harvester, master, problems, start, lag=30, ip="1.1.1.1", course=COURSE, first=0):
    """A harvester reveals each answer, and its master submits it ``lag`` (+ a few) seconds later."""
    (h_name, h_id), (m_name, m_id) = harvester, master
    events = []
    for index, number in enumerate(range(first, first + problems)):
        when = start + datetime.timedelta(minutes=10 * index)
        events.append(event("showanswer", h_name, h_id, when, problem(number, course), ip=ip, course=course))
        events.append(event("problem_check", m_name, m_id, when + datetime.timedelta(seconds=lag + 5 * index),
                            problem(number, course), "correct", ip=ip, course=course))
    return events


def study_group(members, problems, start, ip="9.9.9.9"):
    """Learners solving the same problems together, minutes apart, behind one address, revealing nothing."""
    events = []
    for number in range(problems):
        when = start + datetime.timedelta(minutes=10 * number)
        for index, (name, user_id) in enumerate(members):
            events.append(event("problem_check", name, user_id, when + datetime.timedelta(seconds=40 * index),
                                problem(number), "correct", ip=ip))
    return events


def reveals_after_failing(learner, problems, start):
    """One learner who fails, reveals the answer on their own account, then answers it."""
    name, user_id = learner
    events = []
    for number in range(problems):
        when = start + datetime.timedelta(minutes=10 * number)
        events += [
            event("problem_check", name, user_id, when, problem(number), "incorrect"),
            event("showanswer", name, user_id, when + datetime.timedelta(seconds=30), problem(number)),
            event("problem_check", name, user_id, when + datetime.timedelta(seconds=60), problem(number), "correct"),
        ]
    return events


def crowded_deadline(learners, problems, start, seed=7):
    """A big course the evening before a deadline: every learner answers every problem within four hours; some fail
    and reveal the answer. Many pairs coincide by chance, in both directions."""
    rnd = random.Random(seed)
    events = []
    for user_id in range(1000, 1000 + learners):
        name, ip = f"u{user_id}", f"5.5.{user_id % 7}.1"
        for number in range(problems):
            when = start + datetime.timedelta(seconds=rnd.randint(0, 4 * 3600))
            if rnd.random() < 0.3:
                events.append(event("problem_check", name, user_id, when, problem(number), "incorrect", ip=ip))
                events.append(event("showanswer", name, user_id, when + datetime.timedelta(seconds=rnd.randint(5, 600)),
                                    problem(number), ip=ip))
            else:
                events.append(event("problem_check", name, user_id, when, problem(number), "correct", ip=ip))
    return events


#: Lines the detector must skip and count: not JSON, a browser event, a server event missing its user id.
NOISE = [
    "not json at all",
    json.dumps({"event_type": "problem_check", "event_source": "browser", "event": "input_p1=3", "username": "x"}),
    json.dumps({"event_type": "showanswer", "event_source": "server", "username": "x", "time": START.isoformat(),
                "context": {"course_id": COURSE}, "event": {"problem_id": problem(1)}}),
    json.dumps({"event_type": "edx.ui.lms.link_clicked", "event_source": "browser", "event": {}}),
]


def write_logs(folder, events, noise=(), split=2, seed=3):
    """Shuffle ``events`` into ``split`` files, the first plain, the others gzip; returns their paths."""
    lines = [json.dumps(item) for item in events] + list(noise)
    random.Random(seed).shuffle(lines)
    paths, size = [], -(-len(lines) // split)
    for index in range(split):
        chunk = "\n".join(lines[index * size:(index + 1) * size]) + "\n"
        if index == 0:
            path = folder / "tracking.log"
            path.write_text(chunk, encoding="utf-8")
        else:
            path = folder / f"tracking.log-{index}.gz"
            with gzip.open(path, "wt", encoding="utf-8") as stream:
                stream.write(chunk)
        paths.append(path)
    return paths
