"""
Where the problem events come from, each as one SQL relation of every record read, with the same columns:
``event_type`` ("showanswer" or "problem_check"), ``course_id``, ``user_id``, ``username``, ``time``, ``ip`` (""
where the source has none), ``problem_id``, ``success`` ("correct", "incorrect", or "" for a reveal) and ``usable``
(the record is such an event, complete, of the course asked for). The detector reads it once: what it keeps and what
it skipped are counted in the same pass.

- :class:`TrackingLogs`: Open edX tracking logs, JSON lines, plain or gzip, read where they lie (ClickHouse's
  ``file()``: on this machine with chdb, on the server's disk with a ClickHouse server).
- :class:`AspectsXapi`: the same events as xAPI statements in Aspects' ClickHouse tables, read in place.

``docs/openedx_contract.md`` names where the platform, event-routing-backends and Aspects set each field.
"""
from dataclasses import dataclass

#: The event columns every reader gives, in order (and ``usable``).
COLUMNS = "event_type, course_id, user_id, username, time, ip, problem_id, success"


def quote(value):
    """``value`` as a ClickHouse string literal."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def identifier(name):
    """A ``database.table`` name as ClickHouse identifiers (backquoted), refusing anything else."""
    parts = str(name).split(".")
    if not 1 <= len(parts) <= 2 or not all(part and part.replace("_", "").isalnum() for part in parts):
        raise ValueError(f"Not a table name: {name!r}")
    return ".".join(f"`{part}`" for part in parts)


def _course_filter(course_id):
    return f" AND course_id = {quote(course_id)}" if course_id else ""


class TrackingLogs:
    """Open edX tracking logs: the server events of capa problems, ``showanswer`` and ``problem_check``."""

    #: The fields of a tracking-log line the method reads, parsed in one pass over the line (empty or zero where the
    #: line lacks them, is not JSON, or carries another shape: a browser ``problem_check``'s ``event`` is a string).
    FIELDS = ("Tuple(event_type String, event_source String, username String, time String, ip String, "
              "context Tuple(course_id String, user_id UInt64), event Tuple(problem_id String, success String))")
    #: What a line must contain to be parsed: the name of either event, and the word of their source. Any other line
    #: is counted and skipped unparsed (most lines of a log are page views, video and other browser events); a line
    #: with these words is parsed and judged on its fields.
    WORDS = "multiSearchAny(line, ['problem_check', 'showanswer']) AND position(line, 'server') > 0"
    #: Server events of the two types, with every field the method needs (a browser ``problem_check`` carries the
    #: answers as a string, not the problem and the grade).
    USABLE = """
        f.event_source = 'server' AND event_type IN ('showanswer', 'problem_check')
        AND course_id != '' AND user_id > 0 AND username != '' AND time IS NOT NULL AND problem_id != ''
        AND (event_type = 'showanswer' OR success IN ('correct', 'incorrect'))
    """

    def __init__(self, paths):
        if not paths:
            raise ValueError("Name at least one tracking log.")
        self.paths = [str(path) for path in paths]

    def lines(self):
        """The lines of every file (each path may be a glob; ``.gz`` is read as gzip), as one relation."""
        return " UNION ALL ".join(f"SELECT line FROM file({quote(path)}, 'LineAsString')" for path in self.paths)

    def scan_sql(self, course_id=None):
        """Every line of every file, as an event; ``usable`` for the problem events (of one course, when given)."""
        return f"""
SELECT {COLUMNS}, ({self.USABLE}{_course_filter(course_id)}) AS usable
FROM (
    SELECT JSONExtract(if({self.WORDS}, line, ''), {quote(self.FIELDS)}) AS f,
           f.event_type AS event_type, f.context.course_id AS course_id, f.context.user_id AS user_id,
           f.username AS username, if(event_type = '', NULL, parseDateTime64BestEffortOrNull(f.time, 6, 'UTC')) AS time,
           f.ip AS ip, f.event.problem_id AS problem_id, f.event.success AS success
    FROM ({self.lines()}))"""


@dataclass(frozen=True)
class AspectsXapi:
    """
    The problem events as xAPI statements in Aspects' ClickHouse (event-routing-backends' transformers, stored by
    openedx/tutor-contrib-aspects, parsed by openedx/aspects-dbt): a reveal is the verb "asked" on the object
    ``.../xblock/<usage key>/answer``; a graded submission is "evaluated" (earlier releases: "answered") on
    ``.../xblock/<usage key>``, with ``result.success``. Actors are mapped back to users as Aspects does it: the
    statement's ``actor_id`` is the ``external_user_id`` of ``event_sink.user_pii``. xAPI carries no IP address.
    """

    #: Aspects' parsed xAPI table (``ASPECTS_XAPI_DATABASE``.``ASPECTS_XAPI_TABLE``).
    events_table: str = "xapi.xapi_events_all_parsed"
    #: Aspects' users, by their xAPI id.
    users_table: str = "event_sink.user_pii"

    ASKED = "http://adlnet.gov/expapi/verbs/asked"
    GRADED = ("https://w3id.org/xapi/acrossx/verbs/evaluated", "http://adlnet.gov/expapi/verbs/answered")
    #: The problem's usage key in an object id (a multiple-input problem's child statements add ``@<input>``).
    USAGE_KEY = r"/xblock/(block-v1:[^/@]+@problem\+block@[^/@]+)"

    def _verbs(self):
        return ", ".join(quote(verb) for verb in (self.ASKED, *self.GRADED))

    def scan_sql(self, course_id=None):
        """The statements of the two kinds, as events; ``usable`` for the complete ones (of one course, when given)."""
        graded = ", ".join(quote(verb) for verb in self.GRADED)
        return f"""
SELECT {COLUMNS}, (event_type != '' AND course_id != '' AND user_id > 0 AND username != '' AND problem_id != ''
                   {_course_filter(course_id)}) AS usable
FROM (
    SELECT
        multiIf(x.verb_id = {quote(self.ASKED)} AND endsWith(x.object_id, '/answer'), 'showanswer',
                x.verb_id IN ({graded}) AND JSONHas(x.event, 'result', 'success'), 'problem_check', '') AS event_type,
        arrayElement(splitByChar('/', toString(x.course_id)), -1) AS course_id,
        toUInt64(ifNull(u.user_id, 0)) AS user_id,
        ifNull(u.username, '') AS username,
        x.emission_time AS time,
        '' AS ip,
        extract(x.object_id, {quote(self.USAGE_KEY)}) AS problem_id,
        if(event_type = 'problem_check',
           if(JSONExtractBool(x.event, 'result', 'success'), 'correct', 'incorrect'), '') AS success
    FROM {identifier(self.events_table)} AS x
    LEFT JOIN {identifier(self.users_table)} AS u ON toString(u.external_user_id) = x.actor_id
    WHERE x.verb_id IN ({self._verbs()})
)
SETTINGS join_use_nulls = 1
"""
