"""
Suspected multiple accounts in a course: detection runs over the course's problem events (the CAMEO detector of
:mod:`honorcode_xblock.detection`), the harvester → master pairs they find, the staff page that ranks them, a case
opened from a pair (never a sanction: the determination stays the course team's), and the advice on the "Show Answer"
setting that makes harvesting possible.

The events are read where the site keeps them (settings, or a management command's options): tracking-log files with
ClickHouse's engine in-process (chdb), or Aspects' xAPI tables on a ClickHouse server.
"""
import csv
import io
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from honorcode_xblock import audit, policy, signals
from honorcode_xblock.detection import cameo, engines, readers
from honorcode_xblock.domain import access, cases, common, versions
from honorcode_xblock.exceptions import Conflict, InvalidInput, NotFound
from honorcode_xblock.models import Commitment, DetectionRun, DetectionStatus, SuspectedPair
from honorcode_xblock.platform import get_platform

log = logging.getLogger(__name__)

#: The columns of the evidence file a case opened from pairs carries: one row per copied problem.
EVIDENCE_CSV_HEADER = ["harvester", "master", "score", "problem_id", "harvester_revealed_at",
                       "master_answered_at", "lag_seconds", "median_lag_seconds", "shared_ip_share"]


# --- where the events are --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EventSource:
    """Where a run reads the problem events: tracking logs (``paths``), or Aspects' tables on a ClickHouse server."""

    paths: tuple = ()
    clickhouse_dsn: str = ""
    aspects_events_table: str = readers.AspectsXapi.events_table
    aspects_users_table: str = readers.AspectsXapi.users_table

    @property
    def aspects(self):
        """Whether the events are Aspects' xAPI statements (no log named, a server given)."""
        return not self.paths and bool(self.clickhouse_dsn)

    def reader(self):
        """The reader of :mod:`honorcode_xblock.detection.readers` for these events."""
        if self.aspects:
            return readers.AspectsXapi(self.aspects_events_table, self.aspects_users_table)
        return readers.TrackingLogs(list(self.paths))

    def engine(self):
        """The engine that reads them: the ClickHouse server when one is named, else chdb in this process."""
        return engines.ServerEngine(self.clickhouse_dsn) if self.clickhouse_dsn else engines.ChdbEngine()

    def description(self):
        """What the run records of its source: files or tables, and the server without its password."""
        server = ""
        if self.clickhouse_dsn:
            parts = urlsplit(self.clickhouse_dsn)
            host = parts.hostname or ""
            netloc = f"{parts.username}@{host}" if parts.username else host
            netloc += f":{parts.port}" if parts.port else ""
            server = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        if self.aspects:
            return f"Aspects xAPI {self.aspects_events_table} (users {self.aspects_users_table}) on {server}"
        logs = "tracking logs " + " ".join(self.paths)
        return f"{logs} on {server}" if server else logs


def source_from_settings():
    """The event source the site's settings name, or None when they name none."""
    # .. setting_name: HONORCODE_DETECTION_TRACKING_LOGS
    # .. setting_default: []
    # .. setting_description: The tracking-log files (paths or globs; plain or gzip JSON lines) in which detection
    #   looks for suspected multiple accounts, e.g. ['/edx/var/log/tracking/tracking.log*']. Read with ClickHouse's
    #   engine in this process (chdb, ``pip install 'honorcode-xblock[detection]'``), or on the server of
    #   HONORCODE_DETECTION_CLICKHOUSE_DSN when it is set (then the paths are the server's).
    paths = getattr(django_settings, "HONORCODE_DETECTION_TRACKING_LOGS", None) or []
    # .. setting_name: HONORCODE_DETECTION_CLICKHOUSE_DSN
    # .. setting_default: ''
    # .. setting_description: A ClickHouse server for detection (clickhouse://user:password@host:8123/db, through
    #   clickhouse-connect). Without tracking logs, detection reads the xAPI statements Aspects keeps there.
    # .. setting_warning: It holds a password: keep it in the secrets of the site's configuration.
    dsn = getattr(django_settings, "HONORCODE_DETECTION_CLICKHOUSE_DSN", "") or ""
    # .. setting_name: HONORCODE_DETECTION_ASPECTS_EVENTS_TABLE
    # .. setting_default: 'xapi.xapi_events_all_parsed'
    # .. setting_description: Aspects' parsed xAPI table that detection reads on the ClickHouse server.
    events_table = getattr(django_settings, "HONORCODE_DETECTION_ASPECTS_EVENTS_TABLE",
                           readers.AspectsXapi.events_table)
    # .. setting_name: HONORCODE_DETECTION_ASPECTS_USERS_TABLE
    # .. setting_default: 'event_sink.user_pii'
    # .. setting_description: Aspects' table of users by their xAPI actor id, through which detection names accounts.
    users_table = getattr(django_settings, "HONORCODE_DETECTION_ASPECTS_USERS_TABLE", readers.AspectsXapi.users_table)
    if isinstance(paths, str):
        paths = [paths]
    if not paths and not dsn:
        return None
    return EventSource(paths=tuple(str(path) for path in paths), clickhouse_dsn=dsn,
                       aspects_events_table=events_table, aspects_users_table=users_table)


def thresholds_from(values=None):
    """
    The detector's thresholds: the defaults, then ``HONORCODE_DETECTION_THRESHOLDS``, then ``values``.

    Raises:
        InvalidInput: an unknown name, or a value out of its range.
    """
    # .. setting_name: HONORCODE_DETECTION_THRESHOLDS
    # .. setting_default: {}
    # .. setting_description: Thresholds of the detector that replace its defaults, by name: window (1800 s),
    #   min_problems (10), min_score (3.0), min_score_apart (4.0), max_median_lag (600 s), min_master_share (0.1),
    #   min_harvester_share (0.5), min_coupled_share (0.7), rapid (60 s).
    merged = {**(getattr(django_settings, "HONORCODE_DETECTION_THRESHOLDS", None) or {}),
              **{name: value for name, value in (values or {}).items() if value is not None}}
    defaults = asdict(cameo.Thresholds())
    errors = {}
    for name in set(merged) - set(defaults):
        errors[name] = [_("Unknown threshold {name}.").format(name=name)]
    checked = {}
    for name, default in defaults.items():
        value = merged.get(name, default)
        try:
            value = type(default)(value)
        except (TypeError, ValueError):
            errors[name] = [_("{name} must be a number.").format(name=name)]
            continue
        low, high = THRESHOLD_RANGES[name]
        if not low <= value <= high:
            errors[name] = [_("{name} must be between {low} and {high}.").format(name=name, low=low, high=high)]
        checked[name] = value
    if errors:
        raise InvalidInput(errors)
    return cameo.Thresholds(**checked)


#: The values each threshold may take.
THRESHOLD_RANGES = {
    "window": (1, 7 * 24 * 3600),
    "min_problems": (1, 100_000),
    "min_score": (0.0, 1000.0),
    "min_score_apart": (0.0, 1000.0),
    "max_median_lag": (0, 7 * 24 * 3600),
    "min_master_share": (0.0, 1.0),
    "min_harvester_share": (0.0, 1.0),
    "min_coupled_share": (0.0, 1.0),
    "rapid": (0, 3600),
}


# --- runs ------------------------------------------------------------------------------------------------------------

def _new_run(actor, course_key, source, thresholds, trigger):
    run = DetectionRun.objects.create(
        course_key=course_key, started_by=actor, trigger=trigger, source=source.description(),
        status=DetectionStatus.QUEUED, queued_at=timezone.now(), thresholds=asdict(thresholds))
    common.record(actor, "detection.queued", run, course_key=course_key,
                  after={"trigger": trigger, "thresholds": run.thresholds})
    return run


def queue_detection(actor, course_key, *, thresholds=None):
    """
    Queue a detection run for a course over the events the settings name (the staff page's "Run detection"); a
    Celery task runs it once the transaction commits.

    Returns:
        the queued ``DetectionRun``.
    Raises:
        NotPermitted, NotFound, InvalidInput (no event source set, a bad threshold), Conflict (a run of the course is
        already queued or running).
    """
    access.require_course_staff(actor, course_key)
    source = source_from_settings()
    if source is None:
        raise InvalidInput({"source": [_("No event source is set: name the tracking logs "
                                         "(HONORCODE_DETECTION_TRACKING_LOGS) or a ClickHouse server.")]})
    thresholds = thresholds_from(thresholds)
    with transaction.atomic():
        if _unfinished_runs(course_key).exists():
            raise Conflict(_("A detection run of this course is already queued or running."))
        run = _new_run(actor, course_key, source, thresholds, "staff page")
        run_id = run.pk
        transaction.on_commit(lambda: signals.detection_queued.send(sender=DetectionRun, run_id=run_id), robust=True)
    return run


#: The states of a run that has not finished.
UNFINISHED = (DetectionStatus.QUEUED, DetectionStatus.RUNNING)
#: A run unfinished after this long (its worker died) no longer stops staff from queueing another.
STALE_RUN_SECONDS = 3 * 3600


def _unfinished_runs(course_key):
    """The course's runs still queued or running, but for those a dead worker left behind (``STALE_RUN_SECONDS``)."""
    recent = timezone.now() - timedelta(seconds=STALE_RUN_SECONDS)
    return DetectionRun.objects.filter(course_key=course_key, status__in=UNFINISHED, queued_at__gte=recent)


def detect_now(actor, course_key, *, source=None, thresholds=None, trigger="command"):
    """
    Run detection for a course at once, in this process (the management command, the demo's seed).

    Arguments:
        actor: who asked (None for the site itself).
        source (EventSource or None): where the events are (None: the settings).
    Returns:
        the finished ``DetectionRun`` (done, or failed with its error).
    Raises:
        NotFound (no such course), InvalidInput (no event source, a bad threshold).
    """
    if not get_platform().course_exists(course_key):
        raise NotFound(_("There is no course {course}.").format(course=course_key))
    source = source or source_from_settings()
    if source is None:
        raise InvalidInput({"source": [_("No event source is set: name tracking logs or a ClickHouse server.")]})
    thresholds = thresholds_from(thresholds)
    with transaction.atomic():
        run = _new_run(actor, course_key, source, thresholds, trigger)
    return run_detection(run.pk, source=source)


def run_detection(run_id, *, source=None):
    """
    Run a queued detection run (the Celery task's work): read the course's events, find the pairs, and keep them in
    place of the previous run's pairs that are in no case. A run that is not queued any more is left as it is, so a
    redelivered task changes nothing.

    Returns:
        the ``DetectionRun``, or None when there is no such run.
    """
    with transaction.atomic():
        run = common.first_or_none(DetectionRun.objects.select_for_update(), pk=run_id)
        if run is None or run.status != DetectionStatus.QUEUED:
            return run
        run.status, run.started_at = DetectionStatus.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])
    try:
        source = source or source_from_settings()
        if source is None:
            raise InvalidInput({"source": [_("No event source is set.")]})
        found = _detect(source, run)
    except Exception as error:  # pylint: disable=broad-except  # the engine's message says which file and why
        message = (str(error).strip().splitlines() or [error.__class__.__name__])[0][:1000]
        log.warning("Detection run %s failed: %s", run.pk, message)
        with transaction.atomic():
            run.status, run.finished_at, run.error = DetectionStatus.FAILED, timezone.now(), message
            run.save(update_fields=["status", "finished_at", "error"])
            common.record(run.started_by, "detection.failed", run, course_key=run.course_key,
                          after={"error": audit.text_summary(message)})
        return run
    with transaction.atomic():
        _store_pairs(run, found)
    return run


def _detect(source, run):
    engine = source.engine()
    try:
        return cameo.detect(engine, source.reader(), str(run.course_key), cameo.Thresholds(**run.thresholds))
    finally:
        engine.close()


def _store_pairs(run, found):
    """Keep the run's pairs; the earlier ones in no case go; a pair already in a case stays linked to it."""
    platform = get_platform()
    in_case = {(pair.harvester_username, pair.master_username): pair.case_id
               for pair in SuspectedPair.objects.filter(course_key=run.course_key, case__isnull=False)
               .order_by("pk")}
    SuspectedPair.objects.filter(course_key=run.course_key, case__isnull=True).exclude(run=run).delete()
    users = {}

    def user(username):
        if username not in users:
            users[username] = platform.find_user(username)
        return users[username]

    pairs = [SuspectedPair(
        run=run, course_key=run.course_key, harvester=user(pair.harvester), harvester_username=pair.harvester,
        master=user(pair.master), master_username=pair.master, score=pair.score, problems=pair.problems,
        median_lag_seconds=pair.median_lag_seconds, shared_ip_share=pair.shared_ip_share,
        case_id=in_case.get((pair.harvester, pair.master)),
    ) for pair in found.pairs if pair.course_id == str(run.course_key)]
    SuspectedPair.objects.bulk_create(pairs)
    run.status, run.finished_at = DetectionStatus.DONE, timezone.now()
    run.events_read, run.events_skipped = found.events_read, found.events_skipped
    run.save(update_fields=["status", "finished_at", "events_read", "events_skipped"])
    common.record(run.started_by, "detection.finished", run, course_key=run.course_key, after={
        "pairs": len(pairs), "events_read": run.events_read, "events_skipped": run.events_skipped})


# --- the staff page --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MasterGroup:
    """A master account and the pairs its harvesters make with it, strongest first."""

    master: str
    pairs: list
    best_score: float


@dataclass(frozen=True)
class PreventionAdvice:
    """How many of the course's problems let a learner reveal an answer while they can still submit one."""

    problems: int
    revealing: list = field(default_factory=list)
    graded_revealing: int = 0
    #: The platform could not list the course's problems (the page says so instead of a count).
    unavailable: bool = False


@dataclass(frozen=True)
class SuspectedPairsPage:
    """Everything the "Suspected multiple accounts" page shows."""

    course_key: object
    groups: list
    pair_count: int
    latest_run: object
    unfinished_run: object
    source_configured: bool
    advice: PreventionAdvice


def suspected_pairs(actor, course_key):
    """
    A course's suspected pairs for its course team: the latest finished run's, and earlier ones that went into a case,
    grouped by master (a master with several harvesters is one group), the groups ranked by their best score.

    Raises:
        NotPermitted, NotFound.
    """
    access.require_course_staff(actor, course_key)
    kept = {}
    for pair in SuspectedPair.objects.current(course_key).order_by("-run_id", "-score", "pk"):
        kept.setdefault((pair.harvester_username, pair.master_username), pair)  # the newest finding of each pair
    groups = {}
    for pair in sorted(kept.values(), key=lambda item: (-item.score, item.pk)):
        groups.setdefault(pair.master_username, []).append(pair)
    runs = DetectionRun.objects.in_course(course_key)
    return SuspectedPairsPage(
        course_key=course_key,
        groups=sorted((MasterGroup(master, pairs, pairs[0].score) for master, pairs in groups.items()),
                      key=lambda group: (-group.best_score, group.master)),
        pair_count=len(kept),
        latest_run=runs.first(),
        unfinished_run=_unfinished_runs(course_key).order_by("-pk").first(),
        source_configured=source_from_settings() is not None,
        advice=prevention_advice(course_key),
    )


def prevention_advice(course_key):
    """
    The course's problems that let a learner reveal the answer while they can still submit one
    (:func:`honorcode_xblock.policy.reveals_answer_while_open`). A read.
    """
    try:
        problems = get_platform().course_problems(course_key)
    except Exception:  # pylint: disable=broad-except  # advice is no reason for the page to fail
        log.exception("The problems of %s could not be listed", course_key)
        return PreventionAdvice(problems=0, unavailable=True)
    revealing = [problem for problem in problems if policy.reveals_answer_while_open(
        problem.showanswer, problem.max_attempts, problem.attempts_before_showanswer, problem.show_correctness)]
    return PreventionAdvice(problems=len(problems), revealing=revealing,
                            graded_revealing=sum(1 for problem in revealing if problem.graded))


# --- into a case -----------------------------------------------------------------------------------------------------

def _pair_for_staff(actor, pair_id, *, lock=False):
    access.require_signed_in(actor)
    missing = NotFound(_("There is no suspected pair {pair_id}.").format(pair_id=pair_id))
    queryset = SuspectedPair.objects.select_for_update() if lock else SuspectedPair.objects
    pair = common.first_or_none(queryset, pk=pair_id)
    if pair is None:
        raise missing
    access.require_course_staff_or(actor, pair.course_key, missing)
    return pair


def open_case_from_pair(actor, pair_id):
    """
    Open one case from a suspected pair: its respondents are the master and every harvester of it among the course's
    current pairs that are in no case yet, under the one-account commitment, with a description written from the
    evidence and the evidence attached as a CSV file; the pairs are linked to the case.

    Returns:
        the new ``Case``.
    Raises:
        NotFound (also for anyone off the course team), NotPermitted, Conflict (the pair is already in a case),
        InvalidInput (an account that is no user or no learner of the course).
    """
    with transaction.atomic():
        pair = _pair_for_staff(actor, pair_id, lock=True)
        access.require_course_staff(actor, pair.course_key)
        if pair.case_id is not None:
            raise Conflict(_("This pair is already in case {case_id}.").format(case_id=pair.case_id))
        ids = {pair.pk, *SuspectedPair.objects.current(pair.course_key).filter(
            master_username=pair.master_username, case__isnull=True).values_list("pk", flat=True)}
        group = list(SuspectedPair.objects.select_for_update().filter(pk__in=ids, case__isnull=True)
                     .order_by("-score", "pk"))  # locked: a concurrent "Open a case" waits, then finds them taken
        respondents = [pair.master or pair.master_username]
        respondents += [item.harvester or item.harvester_username for item in group]
        case = cases.open_case(actor, pair.course_key, respondents=respondents, commitment=Commitment.ONE_ACCOUNT,
                               description=_case_description(group), conduct_at=_first_copy(group))
        upload = SimpleUploadedFile(f"suspected-accounts-case-{case.pk}.csv", evidence_csv(group),
                                    content_type="text/csv")
        cases.add_evidence(actor, case.pk, text=_("Found by the detection of suspected multiple accounts "
                                                  "(run {run_id}).").format(run_id=pair.run_id), upload=upload)
        SuspectedPair.objects.filter(pk__in=[item.pk for item in group]).update(case=case)
        for item in group:
            common.record(actor, "suspected_pair.case_opened", item, course_key=pair.course_key,
                          after={"case": case.pk, "run": item.run_id, "score": item.score})
    return case


def _first_copy(group):
    """
    When the conduct began: the earliest copied answer made while an honor code version was in force (conduct is
    judged against the version in force when it happened). None (now) when the pairs carry no times.

    Raises:
        InvalidInput: every copy was made before any honor code version was in force.
    """
    moments = []
    for pair in group:
        for problem in pair.problems:
            try:
                moment = datetime.fromisoformat(str(problem.get("answered_at", "")).replace("Z", "+00:00"))
            except ValueError:
                continue
            if timezone.is_aware(moment) and moment <= timezone.now():
                moments.append(moment)
    for moment in sorted(moments):
        if versions.policy_in_force_at(moment) is not None:
            return moment
    if moments:
        raise InvalidInput({"conduct_at": [_(
            "Every copied answer was made before any honor code version was in force (the last one {when}).").format(
                when=max(moments).isoformat())]})
    return None


def _case_description(group):
    master = group[0].master_username
    lines = [_("Suspected multiple accounts: {count} account(s) revealed the answers of problems that the account "
               "{master} then answered correctly, within minutes, over many problems.").format(
                   count=len(group), master=master)]
    for pair in group:
        share = "—" if pair.shared_ip_share is None else f"{pair.shared_ip_share:.0%}"
        lines.append(_("- {harvester} → {master}: {problems} problems copied, score {score}, median lag {lag} s, "
                       "from the same address {share} of the time.").format(
                           harvester=pair.harvester_username, master=master, problems=len(pair.problems),
                           score=pair.score, lag=round(pair.median_lag_seconds), share=share))
    lines.append(_("The evidence file lists each problem with the time of the reveal and of the correct answer. "
                   "A suspected pair is a finding, not a determination."))
    return "\n".join(lines)


def evidence_csv(group):
    """The evidence of a group of pairs as CSV bytes (UTF-8): one row per copied problem."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EVIDENCE_CSV_HEADER)
    for pair in group:
        for problem in pair.problems:
            writer.writerow([pair.harvester_username, pair.master_username, pair.score, problem.get("problem_id", ""),
                             problem.get("shown_at", ""), problem.get("answered_at", ""),
                             problem.get("lag_seconds", ""), pair.median_lag_seconds,
                             "" if pair.shared_ip_share is None else pair.shared_ip_share])
    return out.getvalue().encode("utf-8")
