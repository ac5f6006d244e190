"""
Synthetic Open edX courses with planted multiple-account cheating (CAMEO), written as the LMS writes its tracking log,
for the detector's accuracy benchmark (``detection_accuracy.py``) and its speed benchmark.

    python benchmarks/detection_data.py OUT.log.gz --events 10000000 --seed 1 [--truth OUT.truth.json]
    python benchmarks/detection_data.py OUT.log.gz --learners 2000 --problems 80 --crowded --seed 4

What a course holds (each learner is simulated; nothing is labelled in the log):

- ordinary learners: an ability, a working style (early, steady, or cramming before the due date), evening-peaked
  activity in their own time zone, drop-out from one section to the next; they fail, retry, and some give up;
- *self-showers*, who fail, reveal the answer on their own account and then answer; *checkers*, who reveal the answer
  after solving; *heavy revealers*, who reveal most answers (often without trying) and whose answers nobody copies;
- study groups of 3 to 5 who solve the same problems together, minutes apart, behind one campus address, revealing
  nothing; campus NATs, a large one with hundreds of learners behind one address;
- a crowded deadline (``crowded``): one final due date and most learners answering everything in its last hours, the
  worst case for chance coincidences;
- planted CAMEO units: a master and one or two harvesters. A harvester sometimes attempts before revealing; the
  master answers seconds to minutes later (log-normal lags, a heavy-tailed share, and "batch" harvesting where the
  harvester reveals a whole section first), usually from the same address; masters also solve problems honestly, and
  some copy only 10 to 40 problems of the course;
- a second course (``courses=2``) that a share of the learners (and some of the cheating units) also take.

Each line is a tracking-log event as the LMS writes it (``common/djangoapps/track`` and capa's ``publish_unmasked``):
the server ``problem_check`` (``event``: ``state``, ``problem_id``, ``answers``, ``grade``, ``max_grade``,
``correct_map``, ``success``, ``attempts``, ``submission``) and ``showanswer`` (``event``: ``problem_id``) with the
common envelope (``name``, ``context`` with ``course_id``, ``user_id``, ``org_id``, ``path``, ``course_user_tags``,
``enterprise_uuid``, ``module``; ``username``, ``session``, ``ip``, ``agent``, ``host``, ``referer``,
``accept_language``, ``event_source``, ``event_type``, ``page``, ``time``), and the filler that makes up most of a
real log: the browser's ``problem_check`` (the answers as a query string), ``problem_graded`` and ``problem_show``,
``edx.grades.problem.submitted``, page views, sequence navigation and video events; ``problem_share`` is the share of
the server problem events among all lines.

The file is written day by day in time order, as gzip (level 6) members compressed in parallel worker processes
(a multi-member gzip file, which gzip, zcat and ClickHouse read as one stream); memory holds the plan (each learner's
problem events and sessions), not the lines.
"""
import argparse
import dataclasses
import datetime
import json
import math
import multiprocessing
import os
import random
import sys
import time
import zlib

UTC = datetime.timezone.utc
HOST = "courses.example.org"
#: Public-looking first octets for home addresses (no private ranges: a NAT's inside is never logged).
OCTETS = [23, 31, 37, 41, 46, 62, 77, 81, 84, 89, 94, 102, 105, 109, 122, 129, 138, 145, 151, 171, 176, 181, 186,
          187, 189, 190, 196, 197, 200, 201, 203, 212, 217]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
    "Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
    "Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile "
    "Safari/537.36",
]
LANGUAGES = ["en-US,en;q=0.9", "en-GB,en;q=0.8", "es-ES,es;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9,en;q=0.7",
             "pt-BR,pt;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "zh-CN,zh;q=0.9", "hi-IN,hi;q=0.9,en;q=0.8", ""]
SYLLABLES = ["ka", "lo", "mi", "ra", "ne", "tu", "shi", "an", "el", "or", "vi", "jo", "da", "ze", "ba", "qui", "sa",
             "mo", "ri", "le", "no", "pa", "ty", "xe", "go", "hu", "ci", "wa", "yu", "fe"]
RESPONSES = [("multiplechoiceresponse", "choicegroup"), ("choiceresponse", "checkboxgroup"),
             ("numericalresponse", "formulaequationinput"), ("stringresponse", "textline"),
             ("optionresponse", "optioninput")]
#: Filler event kinds and their weights: page views, navigation and video make up most of a real log.
FILLER = [("page", 22), ("seq_goto", 6), ("seq_next", 9), ("seq_prev", 2), ("load_video", 8), ("play_video", 14),
          ("pause_video", 10), ("seek_video", 5), ("speed_change_video", 1), ("stop_video", 3),
          ("edx.ui.lms.outline.selected", 2), ("edx.ui.lms.link_clicked", 2), ("edx.video.transcript.shown", 2),
          ("edx.ui.lms.sequence.tab_selected", 4)]


@dataclasses.dataclass
class Truth:
    """What was planted: the harvester → master pairs (one per course they cheat in) and what each copied."""

    #: (course_id, harvester, master) of each planted pair.
    pairs: list = dataclasses.field(default_factory=list)
    #: per pair ("course|harvester|master"): the copies planted (count, lags).
    copies: dict = dataclasses.field(default_factory=dict)
    #: how many learners of each kind, events written, problem events, parameters.
    counts: dict = dataclasses.field(default_factory=dict)
    #: each account's kind (ordinary, auditor, revealer, study_group, master, harvester), to explain a false alarm.
    accounts: dict = dataclasses.field(default_factory=dict)

    def as_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(pairs=[tuple(pair) for pair in data["pairs"]], copies=data["copies"], counts=data["counts"],
                   accounts=data.get("accounts", {}))


@dataclasses.dataclass
class Course:
    """One course run: its key, sections (with release and due dates) and problems."""

    course_id: str
    org: str
    start: float
    days: int
    problems: list  # (usage_key, display_name, section, chapter_id, seq_id, input_id, response_type, input_type)
    sections: list  # (release, due) epoch seconds
    videos: list  # usage keys


# ---------------------------------------------------------------------------------------------------------- planning

def _name(rnd, taken):
    while True:
        name = "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4)))
        name += rnd.choice(["", "", "_", "."]) + (str(rnd.randint(1, 9999)) if rnd.random() < 0.7 else "")
        if name not in taken:
            taken.add(name)
            return name


def _ip(rnd):
    return f"{rnd.choice(OCTETS)}.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"


def _hex(rnd, digits=32):
    return f"{rnd.getrandbits(digits * 4):0{digits}x}"


def make_course(rnd, index, problems, days, start, crowded, per_section=10):
    org = ["MITx", "HarvardX", "DelftX", "UQx", "TsinghuaX"][index % 5]
    number = f"{rnd.choice(['CS', 'PH', 'MATH', 'BIO', 'ECON'])}{rnd.randint(100, 999)}x"
    course_id = f"course-v1:{org}+{number}+{2026 - index}_T1"
    key = course_id.split(":", 1)[1]
    count = max(1, math.ceil(problems / per_section))
    sections = []
    for section in range(count):
        release = start + section * days * 86400 / (count + 1)
        due = start + days * 86400 if crowded else min(start + days * 86400, release + 14 * 86400)
        sections.append((release, due))
    chapters = [_hex(rnd) for _ in range(count)]
    sequences = [_hex(rnd) for _ in range(count)]
    items = []
    for number_ in range(problems):
        section = min(count - 1, number_ // per_section)
        block = _hex(rnd)
        response, input_type = rnd.choice(RESPONSES)
        items.append((f"block-v1:{key}+type@problem+block@{block}", f"Problem {number_ % per_section + 1}", section,
                      chapters[section], sequences[section], f"{block}_2_1", response, input_type))
    videos = [f"block-v1:{key}+type@video+block@{_hex(rnd)}" for _ in range(count * 3)]
    return Course(course_id, org, start, days, items, sections, videos)


class Learner:
    """One account: who it is, how it works, and where it connects from."""

    __slots__ = ("uid", "username", "ability", "style", "tz", "self_show", "checker", "revealer", "drop", "home",
                 "campus", "agent", "language", "kind")

    def __init__(self, rnd, uid, username, campus=None, kind="ordinary"):
        self.uid, self.username, self.kind = uid, username, kind
        self.ability = rnd.betavariate(5, 2)
        self.style = rnd.choices(["early", "steady", "cram"], [0.25, 0.45, 0.30])[0]
        self.tz = rnd.choice([-8, -5, -5, -3, 0, 1, 1, 2, 3, 5.5, 5.5, 8, 8, 9])
        kind_roll = rnd.random()
        self.self_show = rnd.choice([0.3, 0.6, 0.9]) if kind_roll < 0.2 else 0.0
        self.checker = rnd.uniform(0.05, 0.4) if rnd.random() < 0.1 else 0.0
        self.revealer = False
        self.drop = rnd.choice([0.02, 0.08, 0.15, 0.3])
        self.home = _ip(rnd)
        self.campus = campus
        self.agent = rnd.randrange(len(AGENTS))
        self.language = rnd.randrange(len(LANGUAGES))

    def ip(self, rnd):
        return self.campus if self.campus and rnd.random() < 0.8 else self.home


class Plan:
    """Every session of every learner: its problem events, and how many filler lines go with it."""

    def __init__(self):
        self.sessions = []  # [start, end, course, learner uid, ip, section, session id, filler, events]
        self.problem_events = 0

    def session(self, start, course, learner, ip, section, events, rnd):
        events.sort()
        end = max([start] + [item[0] for item in events]) + rnd.uniform(30, 900)
        self.sessions.append([start, end, course, learner.uid, ip, section, rnd.getrandbits(63), 0, events])
        self.problem_events += len(events)
        return end


def _section_start(rnd, learner, course, section, crowded, cram_hours):
    release, due = course.sections[section]
    style = "cram" if crowded and rnd.random() < 0.9 else learner.style
    if style == "cram":
        return due - rnd.uniform(0.3, cram_hours) * 3600
    if style == "early":
        day = release + min(rnd.expovariate(1 / 86400), due - release - 86400)
    else:
        day = rnd.uniform(release, max(release, due - 86400))
    midnight = day - day % 86400
    local_hour = min(23.5, max(6.0, rnd.gauss(19.5, 3.5)))  # evening-peaked
    start = midnight + (local_hour - learner.tz) * 3600
    return min(max(start, release), due - 1800)


def _think(rnd, median=100.0):
    return rnd.lognormvariate(math.log(median), 0.8)


def _honest_problem(rnd, learner, t, pidx, events, revealing=True, ability_bonus=0.0):
    """One learner works a problem on their own; returns the time they are done."""
    attempts = 0
    ability = min(0.98, learner.ability + ability_bonus)
    if learner.revealer and revealing and rnd.random() < 0.75:
        if rnd.random() < 0.3:  # tries once first
            attempts += 1
            events.append((t, 0, pidx, 0, attempts))
            t += rnd.uniform(5, 60)
        events.append((t, 1, pidx, 0, 0))
        if rnd.random() < 0.4:
            t += rnd.uniform(10, 90)
            attempts += 1
            events.append((t, 0, pidx, 1, attempts))
        return t + rnd.uniform(5, 40)
    while True:
        attempts += 1
        correct = rnd.random() < (ability if attempts == 1 else min(0.95, ability + 0.2))
        events.append((t, 0, pidx, int(correct), attempts))
        if correct:
            if revealing and learner.checker and rnd.random() < learner.checker:
                t += rnd.uniform(3, 60)
                events.append((t, 1, pidx, 0, 0))
            return t + rnd.uniform(2, 20)
        if revealing and learner.self_show and rnd.random() < learner.self_show:
            t += rnd.uniform(3, 40)
            events.append((t, 1, pidx, 0, 0))
            t += rnd.uniform(8, 120)
            attempts += 1
            events.append((t, 0, pidx, 1, attempts))
            return t + rnd.uniform(2, 20)
        if attempts >= 3 or rnd.random() < 0.15:
            return t + rnd.uniform(2, 30)
        t += _think(rnd, 45)


def _lag(rnd, heavy):
    """Seconds from the harvester's reveal to the master's answer: log-normal, with a heavy-tailed share."""
    if heavy and rnd.random() < 0.35:
        return min(1500.0, 45 * rnd.paretovariate(1.3))
    return min(1500.0, max(2.0, rnd.lognormvariate(math.log(rnd.choice([15, 30, 45, 60, 90])), 0.7)))


def plan_course(rnd, plan, truth, course, course_index, learners, units, groups, crowded, cram_hours):
    """Sessions of every learner of ``course``: ordinary ones, study groups, and the cheating units."""
    problems_by_section = {}
    for index, item in enumerate(course.problems):
        problems_by_section.setdefault(item[2], []).append(index)
    sections = sorted(problems_by_section)
    grouped = {uid for group in groups for uid in (member.uid for member in group)}
    in_units = {learner.uid for unit in units for learner in (unit[0], *unit[1])}

    def attempted_sections(learner):
        done = []
        for section in sections:
            done.append(section)
            if rnd.random() < learner.drop:
                break
        return done

    for learner in learners:
        if learner.uid in grouped or learner.uid in in_units:
            continue
        if learner.kind == "auditor":
            for _ in range(rnd.randint(1, 3)):
                section = rnd.choice(sections)
                start = _section_start(rnd, learner, course, section, crowded, cram_hours)
                plan.session(start, course_index, learner, learner.ip(rnd), section, [], rnd)
            continue
        free_at = 0.0  # one session at a time: a crammer works the sections one after the other
        for section in attempted_sections(learner):
            start = max(_section_start(rnd, learner, course, section, crowded, cram_hours),
                        free_at + rnd.uniform(60, 900))
            ip, events, t = learner.ip(rnd), [], start + rnd.uniform(20, 400)
            for pidx in problems_by_section[section]:
                if rnd.random() < 0.08:  # skipped
                    continue
                t = _honest_problem(rnd, learner, t + _think(rnd), pidx, events)
            free_at = plan.session(start, course_index, learner, ip, section, events, rnd)

    for group in groups:  # together, minutes apart, one campus address, no reveals
        ip = group[0].campus or group[0].home
        free_at = 0.0
        for section in attempted_sections(group[0]):
            start = max(_section_start(rnd, group[0], course, section, crowded, cram_hours),
                        free_at + rnd.uniform(60, 900))
            per_member = {member.uid: [] for member in group}
            t = start + rnd.uniform(20, 300)
            for pidx in problems_by_section[section]:
                t += _think(rnd, 150)
                for member in group:
                    _honest_problem(rnd, member, t + rnd.uniform(0, 240), pidx, per_member[member.uid],
                                    revealing=False, ability_bonus=0.15)
            for member in group:
                free_at = max(free_at, plan.session(start + rnd.uniform(0, 60), course_index, member, ip, section,
                                                    per_member[member.uid], rnd))

    for master, harvesters, spec in units:
        copied = spec["copied"]  # section -> harvester index
        pair_copies = {index: [] for index in range(len(harvesters))}
        free_at = 0.0
        for section in sections:
            start = max(_section_start(rnd, master, course, section, crowded and rnd.random() < 0.7, cram_hours),
                        free_at + rnd.uniform(60, 900))
            ip = master.ip(rnd)
            h_ips = [ip if rnd.random() < spec["same_ip"] else h.ip(rnd) for h in harvesters]
            m_events, h_events = [], {index: [] for index in range(len(harvesters))}
            t = start + rnd.uniform(20, 300)
            which = copied.get(section)
            batch = which is not None and rnd.random() < spec["batch"]
            if batch:  # the harvester reveals the whole section first, then the master answers it
                h_times = []
                for pidx in problems_by_section[section]:
                    t += rnd.uniform(8, 40)
                    if rnd.random() < spec["attempt_first"]:
                        h_events[which].append((t, 0, pidx, 0, 1))
                        t += rnd.uniform(3, 20)
                    h_events[which].append((t, 1, pidx, 0, 0))
                    h_times.append((pidx, t))
                t += rnd.uniform(10, 120)
                for pidx, shown in h_times:
                    if rnd.random() < spec["waste"]:  # revealed, and the master never used it
                        continue
                    t = max(t + rnd.uniform(10, 70), shown + 2)
                    m_events.append((t, 0, pidx, 1, 1))
                    pair_copies[which].append(t - shown)
            else:
                for pidx in problems_by_section[section]:
                    t += _think(rnd, 60 if which is not None else 100)
                    if which is None:
                        t = _honest_problem(rnd, master, t, pidx, m_events, revealing=False)
                        continue
                    if rnd.random() < 0.15:  # the master tries first, then turns to the harvester
                        m_events.append((t, 0, pidx, 0, 1))
                        t += rnd.uniform(10, 60)
                    if rnd.random() < spec["attempt_first"]:
                        h_events[which].append((t, 0, pidx, 0, 1))
                        t += rnd.uniform(3, 30)
                    h_events[which].append((t, 1, pidx, 0, 0))
                    if rnd.random() < spec["waste"]:  # revealed, and the master skips the problem after all
                        t += rnd.uniform(10, 60)
                        continue
                    lag = _lag(rnd, spec["heavy"])
                    attempts = 2 if m_events and m_events[-1][2] == pidx else 1
                    m_events.append((t + lag, 0, pidx, 1, attempts))
                    pair_copies[which].append(lag)
                    t += lag if lag < 300 else rnd.uniform(20, 120)
            free_at = plan.session(start, course_index, master, ip, section, m_events, rnd)
            for index, harvester in enumerate(harvesters):
                if h_events[index]:
                    plan.session(start - rnd.uniform(0, 120), course_index, harvester, h_ips[index], section,
                                 h_events[index], rnd)
        for index, harvester in enumerate(harvesters):
            lags = sorted(round(lag, 1) for lag in pair_copies[index])
            truth.pairs.append((course.course_id, harvester.username, master.username))
            truth.copies[f"{course.course_id}|{harvester.username}|{master.username}"] = {
                "copies": len(lags), "median_lag": lags[len(lags) // 2] if lags else None, "lags": lags,
                "harvesters_of_master": len(harvesters), "mode": spec["mode"]}


def _unit_spec(rnd, sections_sizes, harvesters, min_copies):
    """Which sections a unit copies (and from which harvester), and how it harvests."""
    order = list(range(len(sections_sizes)))
    total = sum(sections_sizes)
    full = rnd.random() < 0.4
    target = (max(min_copies * harvesters, int(total * rnd.uniform(0.6, 1.0))) if full
              else rnd.randint(max(min_copies * harvesters, 10), max(min_copies * harvesters, min(40, total))))
    waste = rnd.choice([0.0, 0.0, 0.1, 0.25])  # the share of a harvester's reveals its master does not use
    enough = min_copies if not waste else math.ceil(min_copies / (1 - waste)) + 2
    copied, counts = {}, [0] * harvesters
    rnd.shuffle(order)
    for section in order:
        if sum(counts) >= target and min(counts) >= enough:
            break
        which = counts.index(min(counts))
        copied[section] = which
        counts[which] += sections_sizes[section]
    return {"copied": copied, "mode": "full" if full else "partial", "same_ip": rnd.choice([0.0, 0.9, 1.0, 1.0]),
            "batch": rnd.choice([0.0, 0.0, 0.3, 1.0]), "attempt_first": rnd.choice([0.0, 0.1, 0.5]),
            "heavy": rnd.random() < 0.4, "waste": waste}


def build_plan(seed, *, learners, problems=60, days=42, courses=2, pairs=None, two_harvesters=0.2, crowded=False,
               cram_hours=6.0, study_groups=None, campus_share=0.3, revealers=0.03, auditors=0.25, min_copies=10):
    """The plan of a whole log: courses, learners, their sessions and the truth."""
    rnd = random.Random(seed)
    start = datetime.datetime(2026, 1, 5, tzinfo=UTC).timestamp()
    plan, truth, taken = Plan(), Truth(), set()
    course_list = [make_course(rnd, 0, problems, days, start, crowded)]
    if courses > 1:
        course_list.append(make_course(rnd, 1, max(20, problems * 2 // 3), max(14, days * 2 // 3),
                                       start + 7 * 86400, False))
    campuses = [_ip(rnd) for _ in range(max(1, learners // 400))]
    big = campuses[0]  # the big campus: a third of the campus learners behind one address

    def campus():
        if rnd.random() >= campus_share:
            return None
        return big if rnd.random() < 0.35 else rnd.choice(campuses)

    uid = 1000
    people = []
    for _ in range(learners):
        uid += rnd.randint(1, 40)
        person = Learner(rnd, uid, _name(rnd, taken), campus())
        roll = rnd.random()
        if roll < auditors:
            person.kind = "auditor"
        elif roll < auditors + revealers:
            person.kind, person.revealer = "revealer", True
        people.append(person)
    n_pairs = pairs if pairs is not None else max(3, learners // 120)
    n_groups = study_groups if study_groups is not None else max(2, learners // 80)
    active = [person for person in people if person.kind == "ordinary"]
    rnd.shuffle(active)
    masters, active = active[:n_pairs], active[n_pairs:]
    groups = []
    for _ in range(n_groups):
        size = rnd.randint(3, 5)
        if len(active) < size:
            break
        members, active = active[:size], active[size:]
        shared = rnd.choice(campuses)
        for member in members:
            member.campus, member.self_show, member.checker = shared, 0.0, 0.0
            member.drop = min(member.drop, 0.08)
            member.kind = "study_group"
        groups.append(members)
    unit_list = []
    for master in masters:
        master.kind, master.drop = "master", 0.0
        master.self_show = master.checker = 0.0
        harvesters = []
        for _ in range(2 if rnd.random() < two_harvesters else 1):
            uid += rnd.randint(1, 40)
            harvester = Learner(rnd, uid, _name(rnd, taken), master.campus, kind="harvester")
            harvester.home = master.home if rnd.random() < 0.7 else harvester.home
            harvesters.append(harvester)
            people.append(harvester)
        unit_list.append((master, harvesters))

    for index, course in enumerate(course_list):
        if index == 0:
            enrolled = people
            units = unit_list
            course_groups = groups
        else:  # a share of the learners (and of the cheating units) take the second course too, and new ones
            enrolled = [person for person in people if person.kind not in ("master", "harvester")
                        and rnd.random() < 0.2]
            units = [unit for unit in unit_list if rnd.random() < 0.3]
            enrolled += [person for unit in units for person in (unit[0], *unit[1])]
            for _ in range(learners // 5):
                uid += rnd.randint(1, 40)
                newcomer = Learner(rnd, uid, _name(rnd, taken), campus())
                if rnd.random() < auditors:
                    newcomer.kind = "auditor"
                enrolled.append(newcomer)
                people.append(newcomer)
            course_groups = [group for group in groups if rnd.random() < 0.3]
            enrolled += [member for group in course_groups for member in group if member not in enrolled]
        sizes = [0] * len(course.sections)
        for item in course.problems:
            sizes[item[2]] += 1
        specs = [(master, harvesters, _unit_spec(rnd, sizes, len(harvesters), min_copies))
                 for master, harvesters in units]
        plan_course(rnd, plan, truth, course, index, enrolled, specs, course_groups, crowded, cram_hours)
    kinds = {}
    for person in people:
        kinds[person.kind] = kinds.get(person.kind, 0) + 1
        truth.accounts[person.username] = person.kind
        if person.self_show:
            truth.accounts[person.username] += "+self_show"
        if person.checker:
            truth.accounts[person.username] += "+checker"
    truth.counts.update(learners=len(people), kinds=kinds, study_groups=len(groups), units=len(unit_list),
                        courses=[course.course_id for course in course_list])
    return plan, truth, course_list, {person.uid: person for person in people}


def distribute_filler(plan, rnd, events=None, problem_share=0.15):
    """Give each session its filler lines: ``events`` lines in all, or problem events / ``problem_share``."""
    total = events if events is not None else int(plan.problem_events / problem_share)
    filler = max(0, total - plan.problem_events)
    weights = [3 + 5 * len(session[8]) for session in plan.sessions]
    scale = filler / max(1, sum(weights))
    for session, weight in zip(plan.sessions, weights):
        share = weight * scale
        session[7] = int(share) + (1 if rnd.random() < share - int(share) else 0)


# ----------------------------------------------------------------------------------------------------------- writing

def _stamp(t):
    return datetime.datetime.fromtimestamp(t, UTC).isoformat(timespec="microseconds")


class Renderer:
    """Tracking-log lines of one course's events (server problem events, their browser companions, and filler)."""

    def __init__(self, course, learners):
        self.course, self.learners = course, learners
        cid = course.course_id
        self.base = f"https://{HOST}/courses/{cid}"
        self.ctx_tail = (f'"course_id": "{cid}", "org_id": "{course.org}", "enterprise_uuid": "", '
                         '"course_user_tags": {}')
        self.modules = []
        for key, display, section, chapter, seq, input_id, response, input_type in course.problems:
            self.modules.append({
                "key": key, "display": display, "input": input_id, "response": response, "input_type": input_type,
                "page": f"{self.base}/courseware/{chapter}/{seq}/{section % 4 + 1}",
                "path": f"/courses/{cid}/xblock/{key}/handler/xmodule_handler/"})

    def envelope(self, name, learner, session, ip, t, event, source, context_extra, referer, page, path):
        return (f'{{"name": "{name}", "context": {{"user_id": {learner.uid}, "path": "{path}", {self.ctx_tail}'
                f'{context_extra}}}, "username": "{learner.username}", "session": "{session}", "ip": "{ip}", '
                f'"agent": "{AGENTS[learner.agent]}", "host": "{HOST}", "referer": "{referer}", '
                f'"accept_language": "{LANGUAGES[learner.language]}", "event": {event}, "time": "{_stamp(t)}", '
                f'"event_type": "{name}", "event_source": "{source}", "page": {page}}}')

    def problem(self, learner, session, ip, t, kind, pidx, success, attempts, rnd):
        module = self.modules[pidx]
        extra = (f', "module": {{"display_name": "{module["display"]}", "usage_key": "{module["key"]}"}}, '
                 f'"asides": {{}}')
        if kind == 1:
            return self.envelope("showanswer", learner, session, ip, t, f'{{"problem_id": "{module["key"]}"}}',
                                 "server", extra, module["page"], '"x_module"', module["path"] + "show")
        answer_id = module["input"]
        answer = f"choice_{rnd.randint(0, 3)}" if module["input_type"] in ("choicegroup", "checkboxgroup") \
            else str(rnd.randint(1, 999))
        correctness = "correct" if success else "incorrect"
        grade = 1 if success else 0
        seed = rnd.randint(1, 999)
        before = "null" if attempts <= 1 else f'{{"{answer_id}": {{"correctness": "incorrect", "npoints": null, ' \
                                              f'"msg": "", "hint": "", "hintmode": null, "queuestate": null, ' \
                                              f'"answervariable": null}}}}'
        event = (
            f'{{"state": {{"seed": {seed}, "student_answers": {{}}, "has_saved_answers": false, "correct_map": '
            f'{before if attempts > 1 else "{}"}, "input_state": {{"{answer_id}": {{}}}}, "done": '
            f'{"true" if attempts > 1 else "null"}}}, "problem_id": "{module["key"]}", "answers": {{"{answer_id}": '
            f'"{answer}"}}, "grade": {grade}, "max_grade": 1, "correct_map": {{"{answer_id}": {{"correctness": '
            f'"{correctness}", "npoints": null, "msg": "", "hint": "", "hintmode": null, "queuestate": null, '
            f'"answervariable": null}}}}, "success": "{correctness}", "attempts": {attempts}, "submission": '
            f'{{"{answer_id}": {{"question": "{module["display"]}: which one holds?", "answer": "{answer}", '
            f'"response_type": "{module["response"]}", "input_type": "{module["input_type"]}", "correct": '
            f'{"true" if success else "false"}, "variant": "", "group_label": ""}}}}}}')
        return self.envelope("problem_check", learner, session, ip, t, event, "server", extra, module["page"],
                             '"x_module"', module["path"] + "problem_check")

    def companions(self, learner, session, ip, t, kind, pidx, success, rnd):
        """The lines the LMS writes around a server problem event: browser events and the grade signal."""
        module = self.modules[pidx]
        page = json.dumps(module["page"])
        if kind == 1:
            return [(t - 0.15, self.envelope("problem_show", learner, session, ip, t - 0.15,
                                             json.dumps(json.dumps({"problem": module["key"]})), "browser", "",
                                             module["page"], page, "/event"))]
        answer = f"input_{module['input']}=choice_{rnd.randint(0, 3)}"
        graded = json.dumps(json.dumps([answer, "<div class=\"problem\">...</div>"]))
        grade = {"user_id": learner.uid, "course_id": self.course.course_id, "problem_id": module["key"],
                 "event_transaction_id": f"{rnd.getrandbits(128):032x}", "event_transaction_type":
                 "edx.grades.problem.submitted", "weighted_earned": 1 if success else 0, "weighted_possible": 1}
        return [
            (t - 0.4, self.envelope("problem_check", learner, session, ip, t - 0.4, json.dumps(answer), "browser",
                                    "", module["page"], page, "/event")),
            (t + 0.05, self.envelope("edx.grades.problem.submitted", learner, session, ip, t + 0.05,
                                     json.dumps(grade), "server", "", module["page"], '"x_module"',
                                     module["path"] + "problem_check")),
            (t + 0.3, self.envelope("problem_graded", learner, session, ip, t + 0.3, graded, "browser", "",
                                    module["page"], page, "/event")),
        ]

    def filler(self, learner, session, ip, t, section, rnd, kind):
        course = self.course
        video = course.videos[min(len(course.videos) - 1, section * 3 + rnd.randrange(3))]
        page_url = f"{self.base}/courseware/{rnd.choice(self.modules)['page'].split('/courseware/', 1)[1]}"
        if kind == "page":
            path = page_url.split(HOST, 1)[1]
            return self.envelope(path, learner, session, ip, t, json.dumps('{"POST": {}, "GET": {}}'), "server", "",
                                 f"{self.base}/course/", "null", path)
        if kind.startswith("seq_"):
            old = rnd.randint(1, 6)
            data = {"old": old, "new": old + (1 if kind == "seq_next" else -1 if kind == "seq_prev" else 2),
                    "id": page_url.rsplit("/", 2)[1]}
        elif kind.endswith("_video") or kind.startswith("edx.video"):
            data = {"id": video.rsplit("@", 1)[1], "code": "html5", "duration": 412.3,
                    "currentTime": round(rnd.uniform(0, 412), 3)}
            if kind == "seek_video":
                data.update(old_time=data["currentTime"], new_time=round(rnd.uniform(0, 412), 3), type="onSlideSeek")
            if kind == "speed_change_video":
                data.update(current_speed="1.0", new_speed="1.5")
        else:
            data = {"target_url": page_url, "current_url": page_url}
        return self.envelope(kind, learner, session, ip, t, json.dumps(json.dumps(data)), "browser", "", page_url,
                             json.dumps(page_url), "/event")


_WORKER = {}


def _worker_init(courses, learners, seed):
    _WORKER.update(renderers=[Renderer(course, learners) for course in courses], seed=seed)


def _render_day(sessions):
    """The lines of one day's sessions, in time order, as a gzip member (level 6); returns (bytes, lines, raw size)."""
    renderers, seed = _WORKER["renderers"], _WORKER["seed"]
    kinds, weights = zip(*FILLER)
    lines = []
    for start, end, course, uid, ip, section, session_id, filler, events in sessions:
        rnd = random.Random(session_id ^ seed)
        renderer = renderers[course]
        learner = renderer.learners[uid]
        session = f"{session_id:016x}{(session_id * 0x9E3779B97F4A7C15) % 2 ** 64:016x}"
        budget = filler
        for t, kind, pidx, success, attempts in events:
            lines.append((t, 0, renderer, learner, session, ip, kind, pidx, success, attempts))
        for t, kind, pidx, success, _attempts in events:
            if budget <= 0:
                break
            for when, line in renderer.companions(learner, session, ip, t, kind, pidx, success, rnd)[:budget]:
                lines.append((when, 1, line))
                budget -= 1
        if budget > 0:
            for kind, when in zip(rnd.choices(kinds, weights, k=budget),
                                  sorted(rnd.uniform(start - 30, end + 60) for _ in range(budget))):
                lines.append((when, 2, renderer, learner, session, ip, section, kind))
    lines.sort(key=lambda item: item[0])
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    out, raw, batch = [], 0, []
    rnd = random.Random(seed ^ len(lines))
    for item in lines:
        if item[1] == 0:
            _t, _, renderer, learner, session, ip, kind, pidx, success, attempts = item
            batch.append(renderer.problem(learner, session, ip, _t, kind, pidx, success, attempts, rnd))
        elif item[1] == 1:
            batch.append(item[2])
        else:
            _t, _, renderer, learner, session, ip, section, kind = item
            batch.append(renderer.filler(learner, session, ip, _t, section, rnd, kind))
        if len(batch) >= 4096:
            data = ("\n".join(batch) + "\n").encode()
            raw += len(data)
            out.append(compressor.compress(data))
            batch = []
    if batch:
        data = ("\n".join(batch) + "\n").encode()
        raw += len(data)
        out.append(compressor.compress(data))
    out.append(compressor.flush())
    return b"".join(out), len(lines), raw


def write_course(path, *, events=None, seed=1, learners=None, problems=60, days=42, courses=2, pairs=None,
                 two_harvesters=0.2, crowded=False, cram_hours=6.0, study_groups=None, campus_share=0.3,
                 revealers=0.03, auditors=0.25, problem_share=0.15, workers=None, progress=None):
    """
    Write a synthetic tracking log (gzip when ``path`` ends in ``.gz``) and return the :class:`Truth`.

    Arguments:
        events: lines in all (about); None: the problem events / ``problem_share``.
        learners: accounts of the first course (the second takes a share of them, and a fifth as many new);
            None: as many as ``events`` needs at ``problem_share``.
        problems: problems of the first course (the second has two thirds as many), ten to a section.
        pairs: cheating units (a master and one harvester, or two with ``two_harvesters`` odds); None: 1 in 120.
        crowded: one final due date for the first course, and most learners answering in its last ``cram_hours``.
        problem_share: the share of server problem events among the lines (the rest is realistic filler).
        workers: processes that render and compress (None: the machine's cores).
    """
    options = dict(problems=problems, days=days, courses=courses, two_harvesters=two_harvesters, crowded=crowded,
                   cram_hours=cram_hours, study_groups=study_groups, campus_share=campus_share, revealers=revealers,
                   auditors=auditors)
    if learners is None:
        if events is None:
            raise ValueError("Give events or learners.")
        pilot, _, _, _ = build_plan(seed, learners=400, pairs=pairs, **options)
        per_learner = pilot.problem_events / 400
        learners = max(40, int(events * problem_share / per_learner))
    plan, truth, course_list, people = build_plan(seed, learners=learners, pairs=pairs, **options)
    rnd = random.Random(seed + 1)
    distribute_filler(plan, rnd, events, problem_share)
    days_of = {}
    for session in plan.sessions:
        days_of.setdefault(int(session[0] // 86400), []).append(session)
    chunks = [days_of[day] for day in sorted(days_of)]
    del days_of
    started, lines, raw = time.monotonic(), 0, 0
    gz = str(path).endswith(".gz")
    workers = workers or os.cpu_count() or 1
    with open(path, "wb") as stream:
        if workers > 1:
            context = multiprocessing.get_context("fork")
            with context.Pool(workers, _worker_init, (course_list, people, seed)) as pool:
                results = pool.imap(_render_day, chunks)
                for index, (data, count, size) in enumerate(results):
                    stream.write(data if gz else zlib.decompress(data, 31))
                    lines, raw = lines + count, raw + size
                    if progress:
                        progress(index + 1, len(chunks), lines)
        else:
            _worker_init(course_list, people, seed)
            for index, chunk in enumerate(chunks):
                data, count, size = _render_day(chunk)
                stream.write(data if gz else zlib.decompress(data, 31))
                lines, raw = lines + count, raw + size
                if progress:
                    progress(index + 1, len(chunks), lines)
    truth.counts.update(events=lines, problem_events=plan.problem_events, raw_bytes=raw, seconds=round(
        time.monotonic() - started, 1), seed=seed, learners_param=learners, options=options,
        problem_share=round(plan.problem_events / max(1, lines), 3))
    return truth


def main(argv=None):
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("out", help="the log to write (gzip when it ends in .gz)")
    args.add_argument("--events", type=int, help="lines in all (about)")
    args.add_argument("--learners", type=int, help="learners of the first course (default: from --events)")
    args.add_argument("--seed", type=int, default=1)
    args.add_argument("--problems", type=int, default=60)
    args.add_argument("--days", type=int, default=42)
    args.add_argument("--courses", type=int, choices=(1, 2), default=2)
    args.add_argument("--pairs", type=int, help="cheating units (default: one per 120 learners)")
    args.add_argument("--crowded", action="store_true", help="one final deadline, everyone in its last hours")
    args.add_argument("--problem-share", type=float, default=0.15)
    args.add_argument("--workers", type=int)
    args.add_argument("--truth", help="where to write the planted pairs as JSON (default: OUT.truth.json)")
    options = args.parse_args(argv)
    if options.events is None and options.learners is None:
        args.error("give --events or --learners")
    started = time.monotonic()
    truth = write_course(options.out, events=options.events, seed=options.seed, learners=options.learners,
                         problems=options.problems, days=options.days, courses=options.courses, pairs=options.pairs,
                         crowded=options.crowded, problem_share=options.problem_share, workers=options.workers,
                         progress=lambda done, total, lines: print(f"\r{done}/{total} days, {lines:,} lines",
                                                                   end="", file=sys.stderr))
    print(file=sys.stderr)
    truth_path = options.truth or f"{options.out.removesuffix('.gz')}.truth.json"
    with open(truth_path, "w", encoding="utf-8") as stream:
        json.dump(truth.as_dict(), stream, indent=1)
    counts = truth.counts
    print(f"{options.out}: {counts['events']:,} lines ({counts['problem_events']:,} problem events, share "
          f"{counts['problem_share']}), {counts['learners']:,} accounts, {len(truth.pairs)} planted pairs, "
          f"{os.path.getsize(options.out):,} bytes ({counts['raw_bytes']:,} raw) in "
          f"{time.monotonic() - started:.1f} s; truth in {truth_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
