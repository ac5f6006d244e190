"""
The CAMEO detector: harvester → master pairs in a course's problem events (:mod:`.readers`), as set-based SQL.

The method follows Northcutt, Ho and Chuang (2016) and Alexandron et al. (2017): a *harvester* account reveals the
answer of a problem (the server event ``showanswer``) before it answers the problem correctly itself, or without ever
doing so; the *master* account then submits a correct answer (the server event ``problem_check`` with ``success``
"correct") within a short window, over many problems. What looks alike but is honest stays out:

- a study group solving the same problems together reveals no answers, so it makes no candidate pair at all;
- a learner who reveals answers on their own account after failing is one account, never a pair;
- a learner who reveals the answer after solving it is checking, not harvesting;
- in a big course many accounts answer the same problem near the same moment by chance. Chance has no direction:
  an honest "master" answers as often just *before* the other account revealed the answer as just after it. The
  pair's *score* is the sign test of the two (forward minus backward coincidences over the square root of their
  sum), so that only a one-directional excess over chance is reported;
- but learners work a section's problems in order, so one who works some minutes behind a learner revealing answers
  answers *every* problem of the section after its reveal: one offset, counted as many one-directional coincidences
  (the sign test takes them as independent; they are not). Two things a copy has and such an offset has not are
  required of most copies: the copy is *coupled* to its reveal (the master waited for it: the reveal came after the
  master's previous correct answer; or both went faster than anyone works a problem: the reveal at most ``rapid``
  seconds after the harvester's previous one and the answer at most ``rapid`` seconds after the master's previous one,
  a problem set harvested, then copied), and the harvester's reveals are *used* by its master (a harvester reveals
  for its master; a learner revealing for themselves is followed by one given account now and then).

A pair is reported when it has at least ``min_problems`` copied problems, a score of at least ``min_score``, a median
lag of at most ``max_median_lag`` seconds, copied answers make at least ``min_master_share`` of the master's correct
answers in the course and at least ``min_harvester_share`` of the harvester's harvests, and at least
``min_coupled_share`` of the copies are coupled to their reveal. The share of copies made from the harvester's
address is reported (``shared_ip_share``). A shared address is no evidence by itself (a campus or a household shares
one honestly), but a pair whose accounts never once shared an address (where the events carry addresses) must show
more: a score of at least ``min_score_apart``. One person with two accounts mostly works from one machine, while the
honest learner who happens to work just behind a revealer in a crowded course is, nearly always, somewhere else.
"""
import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Thresholds:
    """What makes a pair worth a course team's look (the defaults are conservative)."""

    #: The longest time from the harvester's reveal to the master's correct answer that counts as copying, seconds.
    window: int = 1800
    min_problems: int = 10
    min_score: float = 3.0
    #: The lowest score of a pair whose accounts never shared an address (where the events carry addresses).
    min_score_apart: float = 4.0
    max_median_lag: int = 600
    #: The smallest share of the master's correct answers in the course that the copies make.
    min_master_share: float = 0.1
    #: The smallest share of the harvester's harvests in the course that its master used: a harvester reveals answers
    #: for its master, while a learner who reveals answers for themselves is followed by a given account only now and
    #: then.
    min_harvester_share: float = 0.5
    #: The smallest share of copies coupled to the reveal: the master waited for it (the reveal came after the
    #: master's previous correct answer), or both accounts went faster than anyone works a problem (the reveal at most
    #: ``rapid`` seconds after the harvester's previous one, the answer at most ``rapid`` seconds after the master's
    #: previous one: a problem set harvested, then copied). An honest learner who merely works through the same
    #: problems some minutes behind another has neither.
    min_coupled_share: float = 0.7
    #: Seconds between two reveals, or two correct answers, that are faster than working a problem.
    rapid: int = 60


@dataclass(frozen=True)
class Pair:
    """A suspected harvester → master pair in one course."""

    course_id: str
    harvester: str
    master: str
    score: float
    #: The copied problems, by time: dicts with ``problem_id``, ``shown_at`` (the harvester's reveal), ``answered_at``
    #: (the master's correct answer; both ISO 8601, UTC) and ``lag_seconds`` between the two.
    problems: list
    median_lag_seconds: float
    #: The share of copies made from the harvester's address (None where the events carry no address: xAPI).
    shared_ip_share: float


@dataclass(frozen=True)
class Detection:
    """What a run found, and how many events it read and skipped."""

    pairs: list = field(default_factory=list)
    events_read: int = 0
    events_skipped: int = 0

    def as_dict(self):
        """The JSON form of ``honorcode-detect --format json``."""
        return {
            "pairs": [{
                "course_id": pair.course_id, "harvester": pair.harvester, "master": pair.master,
                "score": pair.score, "problems": pair.problems, "median_lag_seconds": pair.median_lag_seconds,
                "shared_ip_share": pair.shared_ip_share,
            } for pair in self.pairs],
            "events_read": self.events_read,
            "events_skipped": self.events_skipped,
        }


def firsts_sql(table, scan):
    """
    The statement that reads ``scan`` (a reader's relation) once into ``table``: for each learner and problem, their
    first reveal and their first correct answer, with the address of each; the records read and kept are counted in
    the same pass, under the empty key. Its size is the learners times the problems they tried, however long the logs.
    """
    return f"""
CREATE TABLE {table} ENGINE = Memory AS
SELECT if(usable, course_id, '') AS k_course, if(usable, problem_id, '') AS k_problem, if(usable, user_id, 0) AS k_user,
       anyIf(username, usable) AS username,
       minIfOrNull(time, usable AND event_type = 'showanswer') AS shown_at,
       argMinIf(ip, time, usable AND event_type = 'showanswer') AS shown_ip,
       minIfOrNull(time, usable AND event_type = 'problem_check' AND success = 'correct') AS correct_at,
       argMinIf(ip, time, usable AND event_type = 'problem_check' AND success = 'correct') AS correct_ip,
       count() AS records, countIf(usable) AS kept
FROM ({scan})
GROUP BY k_course, k_problem, k_user
"""


def _events(table, thresholds):
    """
    The first correct answers and the harvests in ``table``, of the accounts that could make a pair at all: a pair
    needs ``min_problems`` copies, so a harvester needs as many harvests and a master as many correct answers (a
    prune that loses nothing). Each carries its account's count of them (``harvested``, ``answered``). Times are
    milliseconds, and a problem is one number (a hash of the course and the problem), so that the joins compare
    numbers; the pairs found are checked on the problem's id itself.
    """
    least = int(thresholds.min_problems)
    return f"""
answers AS (
    SELECT k_course AS course_id, k_problem AS problem_id, cityHash64(k_course, k_problem) AS problem_key,
           k_user AS user_id, username, correct_at AS at, toUnixTimestamp64Milli(assumeNotNull(correct_at)) AS t,
           correct_ip AS ip
    FROM {table} WHERE k_course != '' AND correct_at IS NOT NULL),
corrects AS (
    SELECT * FROM (SELECT *, count() OVER (PARTITION BY course_id, user_id) AS answered FROM answers)
    WHERE answered >= {least}),
reveals AS (
    SELECT k_course AS course_id, k_problem AS problem_id, cityHash64(k_course, k_problem) AS problem_key,
           k_user AS user_id, username, shown_at AS at, toUnixTimestamp64Milli(assumeNotNull(shown_at)) AS t,
           shown_ip AS ip
    FROM {table}
    WHERE k_course != '' AND shown_at IS NOT NULL AND (correct_at IS NULL OR shown_at < correct_at)),
harvests AS (
    SELECT * FROM (SELECT *, count() OVER (PARTITION BY course_id, user_id) AS harvested FROM reveals)
    WHERE harvested >= {least})"""


def _candidate_window(thresholds):
    """
    The lag, in seconds, within which a reported pair has at least half its copies: its median lag is at most
    ``max_median_lag`` (and every copy's lag at most ``window``).
    """
    return min(int(thresholds.max_median_lag), int(thresholds.window))


def candidates_sql(table, candidates, thresholds):
    """
    The statement that keeps in ``candidates`` the pairs that could be reported: those with at least half of the
    copies a pair needs made within the candidate window (:func:`_candidate_window`). A reported pair has at least
    ``min_problems`` copies, ``min_harvester_share`` of the harvester's harvests and ``min_master_share`` of the
    master's correct answers, and a median lag within that window, so at least half of them lie in it: the prune loses
    no pair. Each reveal meets only the correct answers of its own time slot and the next (slots as long as
    the window), instead of every correct answer of the problem.
    """
    span = (_candidate_window(thresholds) + 1) * 1000  # lags are whole seconds: up to a second more still counts
    return f"""
CREATE TABLE {candidates} ENGINE = Memory AS
WITH {_events(table, thresholds)}
SELECT h.course_id AS course_id, h.user_id AS harvester_id, c.user_id AS master_id
FROM (SELECT course_id, problem_key, user_id, t, harvested,
             arrayJoin([intDiv(t, {span}), intDiv(t, {span}) + 1]) AS slot FROM harvests) AS h
INNER JOIN (SELECT problem_key, user_id, t, answered, intDiv(t, {span}) AS slot FROM corrects) AS c
    ON c.problem_key = h.problem_key AND c.slot = h.slot
WHERE c.user_id != h.user_id AND c.t > h.t AND c.t < h.t + {span}
GROUP BY course_id, harvester_id, master_id
HAVING count() >= greatest({-(-int(thresholds.min_problems) // 2)},
                           ceil(ceil(any(h.harvested) * {float(thresholds.min_harvester_share)} - 1e-9) / 2),
                           ceil(ceil(any(c.answered) * {float(thresholds.min_master_share)} - 1e-9) / 2))
"""


def pairs_sql(table, candidates, thresholds):
    """
    The pairs query over the first reveals and answers in ``table``, for the ``candidates``: one row per pair. Each
    harvest of a candidate harvester meets, for each of its candidate masters, that master's one first correct answer
    of the problem, when it lies within a window either way of the reveal (the coincidences the other way are the
    score's chance). Each carries the time of
    the account's previous harvest or correct answer, for the coupling of a copy to its reveal.
    """
    window, rapid = int(thresholds.window) * 1000, int(thresholds.rapid) * 1000
    return f"""
WITH {_events(table, thresholds)},
coincidences AS (
    SELECT h.course_id AS course_id, h.user_id AS harvester_id, c.user_id AS master_id,
           h.username AS harvester, c.username AS master, h.problem_id AS problem_id, c.at AS correct_at,
           h.at AS shown_at, intDiv(c.t - h.t, 1000) AS lag, c.t > h.t AS after,
           c.t < h.t AS before, h.ip = c.ip AS same_ip, h.ip != '' AND c.ip != '' AS ips_known,
           h.harvested AS harvested, c.answered AS answered,
           h.t > c.previous OR (h.t - h.previous <= {rapid} AND c.t - c.previous <= {rapid}) AS coupled
    FROM (SELECT h.*, k.master_id AS master_id
          FROM (SELECT *, lagInFrame(t, 1, toInt64(0)) OVER (PARTITION BY course_id, user_id ORDER BY t
                                                              ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS previous
                FROM harvests WHERE (course_id, user_id) IN (SELECT course_id, harvester_id FROM {candidates})) AS h
          INNER JOIN {candidates} AS k ON k.course_id = h.course_id AND k.harvester_id = h.user_id) AS h
    INNER JOIN (SELECT *, lagInFrame(t, 1, toInt64(0)) OVER (PARTITION BY course_id, user_id ORDER BY t
                                                          ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS previous
                FROM corrects WHERE (course_id, user_id) IN (SELECT course_id, master_id FROM {candidates})) AS c
        ON c.problem_key = h.problem_key AND c.user_id = h.master_id
    WHERE c.problem_id = h.problem_id AND c.course_id = h.course_id
      AND c.t <= h.t + {window} AND c.t >= h.t - {window}),
pairs AS (
    SELECT course_id, harvester_id, master_id, anyIf(harvester, after) AS harvester, anyIf(master, after) AS master,
           countIf(after) AS copied, countIf(before) AS backward,
           arraySort(x -> x.3, groupArrayIf((problem_id, lag, correct_at, shown_at), after)) AS copies,
           medianIf(lag, after) AS median_lag, avgIf(same_ip, after AND ips_known) AS shared_ip_share,
           avgIf(coupled, after) AS coupled_share, any(harvested) AS harvested, any(answered) AS answered
    FROM coincidences GROUP BY course_id, harvester_id, master_id)
SELECT p.course_id AS course_id, p.harvester AS harvester, p.master AS master,
       round((p.copied - p.backward) / sqrt(p.copied + p.backward), 2) AS score,
       arrayMap(x -> (x.1, x.2, formatDateTime(x.4, '%Y-%m-%dT%H:%i:%SZ', 'UTC'),
                     formatDateTime(x.3, '%Y-%m-%dT%H:%i:%SZ', 'UTC')), p.copies) AS problems,
       p.median_lag AS median_lag_seconds,
       if(isFinite(p.shared_ip_share), round(p.shared_ip_share, 3), NULL) AS shared_ip_share
FROM pairs AS p
WHERE p.copied >= {int(thresholds.min_problems)}
  AND score >= if(isFinite(p.shared_ip_share) AND p.shared_ip_share = 0,
                  {float(thresholds.min_score_apart)}, {float(thresholds.min_score)})
  AND p.median_lag <= {int(thresholds.max_median_lag)}
  AND p.copied / p.answered >= {float(thresholds.min_master_share)}
  AND p.copied / p.harvested >= {float(thresholds.min_harvester_share)}
  AND p.coupled_share >= {float(thresholds.min_coupled_share)}
ORDER BY course_id, score DESC, harvester, master
SETTINGS join_use_nulls = 1
"""


def detect(engine, source, course_id=None, thresholds=Thresholds(), stage=None):
    """
    Find harvester → master pairs in the problem events of ``source`` (a reader of :mod:`.readers`) on ``engine``.

    Arguments:
        stage: called with a short text as each stage of a long run begins (None: nothing is said).
    Returns:
        Detection
    """
    stage = stage or (lambda text: None)
    table = f"honorcode_problem_firsts_{uuid.uuid4().hex}"  # a run of its own, whatever else the engine runs
    stage("reading the problem events")
    engine.execute(firsts_sql(table, source.scan_sql(course_id)))
    try:
        counts = engine.rows(f"SELECT sum(records) AS read, sum(kept) AS kept FROM {table}")[0]
        read, usable = int(counts["read"] or 0), int(counts["kept"] or 0)
        stage(f"finding pairs among {usable:,} problem events")
        engine.execute(candidates_sql(table, f"{table}_pairs", thresholds))
        rows = engine.rows(pairs_sql(table, f"{table}_pairs", thresholds))
    finally:
        engine.execute(f"DROP TABLE IF EXISTS {table}_pairs")
        engine.execute(f"DROP TABLE IF EXISTS {table}")
    pairs = [
        Pair(course_id=row["course_id"], harvester=row["harvester"], master=row["master"], score=float(row["score"]),
             problems=[{"problem_id": problem, "shown_at": shown, "answered_at": answered, "lag_seconds": int(lag)}
                      for problem, lag, shown, answered in _tuples(row["problems"])],
             median_lag_seconds=float(row["median_lag_seconds"]),
             shared_ip_share=None if row["shared_ip_share"] is None else float(row["shared_ip_share"]))
        for row in rows
    ]
    return Detection(pairs=pairs, events_read=read, events_skipped=read - usable)


def _tuples(value):
    """Tuples as either engine returns them: lists (JSON) or tuples (the native protocol)."""
    return [tuple(item.values()) if isinstance(item, dict) else tuple(item) for item in value]
