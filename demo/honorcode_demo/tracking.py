"""
The demo course's tracking log: the server events of its problems as Open edX writes them (one JSON object per
line, as ``common/djangoapps/track`` logs capa's ``showanswer`` and ``problem_check``), over the past two weeks.

Planted in it: a master account with two harvesters, and a second pair with a slower master; around them honest
learners, a study group answering together behind one campus address, and learners who reveal answers on their own
account after failing. Detection should find the planted pairs and nothing else.
"""
import datetime
import json
import random

#: The demo course's graded problems, as usage keys (the log names problems this way).
PROBLEMS = [f"block-v1:HonorCode+Demo+2026+type@problem+block@quiz{quiz}_q{number}"
            for quiz in (1, 2, 3) for number in range(1, 9)]
#: (harvester, master, first problem, problems copied, lag in seconds, the harvester's address, the master's
#: addresses, in turn: one person's two accounts mostly share a machine, not always)
PLANTED = [
    ("dana_h1", "dana", 0, 12, 25, "203.0.113.7", ("203.0.113.7",)),
    ("dana_h2", "dana", 12, 11, 70, "198.51.100.23", ("198.51.100.23", "203.0.113.7")),
    ("felix.alt", "felix", 4, 10, 140, "192.0.2.44", ("192.0.2.44", "192.0.2.44", "192.0.2.45")),
]
#: Honest learners (alice and bob among them), the study group and the learners who check answers on their own.
HONEST = ("alice", "bob", "chen", "emma", "gita", "hugo", "ines", "jonas", "kofi", "lena")
STUDY_GROUP = ("mara", "nils", "oskar")
SELF_CHECKERS = ("pia", "quinn")


def accounts():
    """Every learner account the log names."""
    names = {name for pair in PLANTED for name in pair[:2]}
    return sorted(names | set(HONEST) | set(STUDY_GROUP) | set(SELF_CHECKERS))


def _line(kind, username, user_id, when, problem, course_key, ip, success=None, attempts=1):
    """One server event line, with the fields the LMS's tracker writes."""
    data = {"problem_id": problem}
    if kind == "problem_check":
        data.update(success=success, attempts=attempts, grade=1 if success == "correct" else 0, max_grade=1,
                    answers={f"{problem.rsplit('@', 1)[1]}_2_1": "…"}, state={}, correct_map={}, submission={})
    return json.dumps({
        "name": kind, "event_type": kind, "event_source": "server", "username": username, "ip": ip,
        "time": when.isoformat(), "host": "lms.demo.invalid", "session": f"s{user_id:04d}", "referer": "",
        "accept_language": "en", "agent": "Mozilla/5.0", "page": "x_module",
        "context": {"course_id": course_key, "org_id": "HonorCode", "user_id": user_id, "path": "/event",
                    "course_user_tags": {}},
        "event": data,
    })


def write_log(path, course_key, user_ids, now, seed=2026):
    """
    Write the demo course's log to ``path``, ending just before ``now``.

    Arguments:
        user_ids (dict): username → user id of every account in :func:`accounts`.
    Returns:
        the time of its first event.
    """
    rnd = random.Random(seed)
    start = now - datetime.timedelta(days=14)
    lines = []

    def add(kind, name, when, problem, ip, success=None, attempts=1):
        lines.append((when, _line(kind, name, user_ids[name], when, problem, str(course_key), ip, success, attempts)))

    for harvester, master, first, copied, lag, harvester_ip, master_ip in PLANTED:
        day = start + datetime.timedelta(days=rnd.randint(1, 9), hours=rnd.randint(8, 20))
        for index, problem in enumerate(PROBLEMS[first:first + copied]):
            shown = day + datetime.timedelta(minutes=7 * index, seconds=rnd.randint(0, 90))
            if rnd.random() < 0.5:  # a wrong guess first, as harvesters often do
                add("problem_check", harvester, shown - datetime.timedelta(seconds=20), problem, harvester_ip,
                    "incorrect")
            add("showanswer", harvester, shown, problem, harvester_ip)
            answered = shown + datetime.timedelta(seconds=lag + rnd.randint(-10, 30))
            add("problem_check", master, answered, problem, master_ip[index % len(master_ip)], "correct")
    for name in HONEST:
        ip = f"10.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
        for problem in PROBLEMS:
            when = start + datetime.timedelta(seconds=rnd.randint(0, 13 * 24 * 3600))
            if rnd.random() < 0.25:
                add("problem_check", name, when, problem, ip, "incorrect")
                when += datetime.timedelta(minutes=rnd.randint(2, 40))
            add("problem_check", name, when, problem, ip, "correct", attempts=2 if rnd.random() < 0.25 else 1)
    session = start + datetime.timedelta(days=3, hours=18)
    for index, problem in enumerate(PROBLEMS):  # the study group: minutes apart, one campus address, no reveals
        for offset, name in enumerate(STUDY_GROUP):
            add("problem_check", name, session + datetime.timedelta(minutes=6 * index, seconds=45 * offset), problem,
                "172.16.4.1", "correct")
    for name in SELF_CHECKERS:  # wrong, reveal on their own account, then right
        ip = f"10.9.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
        for problem in PROBLEMS:
            when = start + datetime.timedelta(seconds=rnd.randint(0, 13 * 24 * 3600))
            add("problem_check", name, when, problem, ip, "incorrect")
            add("showanswer", name, when + datetime.timedelta(seconds=30), problem, ip)
            add("problem_check", name, when + datetime.timedelta(seconds=75), problem, ip, "correct", attempts=2)
    lines.append((start, json.dumps({"event_type": "edx.ui.lms.link_clicked", "event_source": "browser",
                                     "username": "alice", "time": start.isoformat(), "event": {}})))
    lines.sort(key=lambda item: item[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for _when, line in lines), encoding="utf-8")
    return start
