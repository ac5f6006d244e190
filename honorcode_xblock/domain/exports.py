"""
CSV exports for course staff: a course's cases, and its acceptances streamed page by page so that memory stays flat
at any size.
"""
import logging
from contextlib import closing
from itertools import repeat

from django.conf import settings as django_settings

from honorcode_xblock.domain import access
from honorcode_xblock.models import Acceptance, Case, CourseTerms, PolicyVersion

log = logging.getLogger(__name__)


CASE_CSV_HEADER = ["case_id", "course_key", "status", "commitment", "usage_key", "respondents", "reporter",
                   "policy_version", "conduct_at", "opened_at", "finding", "determined_at", "sanctions"]


ACCEPTANCE_CSV_HEADER = ["username", "user_id", "course_key", "policy_version", "course_terms_version", "method",
                         "accepted_at", "block_id"]


def case_rows(actor, course_key):
    """The CSV rows (header first) of a course's cases, as a generator for streaming."""
    access.require_course_staff(actor, course_key)
    return _case_rows(course_key)


def _case_rows(course_key):
    yield CASE_CSV_HEADER
    cases = Case.objects.in_course(course_key).prefetch_related(
        "respondent_links__user", "determinations__sanctions",
    )
    for case in cases.iterator(chunk_size=500):
        last = max(case.determinations.all(), key=lambda item: item.sequence, default=None)
        yield [
            case.pk, str(case.course_key), case.status, case.commitment, case.usage_key,
            " ".join(sorted(link.user.username for link in case.respondent_links.all())),
            case.reporter.username if case.reporter else "", case.policy_version.number,
            case.conduct_at.isoformat(), case.opened_at.isoformat(),
            last.finding if last else "", last.decided_at.isoformat() if last else "",
            " ".join(sorted(f"{item.kind}:{item.state}" for item in last.sanctions.all())) if last else "",
        ]


def acceptances_in_course(actor, course_key):
    """A course's acceptances, newest first (course staff only), as a queryset for paging."""
    access.require_course_staff(actor, course_key)
    return Acceptance.objects.filter(course_key=course_key).select_related(
        "user", "policy_version", "course_terms").order_by("-accepted_at", "-pk")


def acceptance_rows(actor, course_key):
    """
    The CSV rows (header first) of a course's acceptances (course staff only), read page by page so memory stays flat
    (:func:`acceptance_pages`).
    """
    return _rows_of(acceptance_pages(actor, course_key))


def _rows_of(pages):
    """The rows of ``pages``, one after the other; closing them closes the pages."""
    with closing(pages):
        for page in pages:
            yield from page


#: How many acceptances the CSV export reads and writes at a time.
ACCEPTANCE_EXPORT_CHUNK = 5000


def acceptance_pages(actor, course_key):
    """
    A course's acceptances as CSV rows (course staff only), in pages: the header alone, then pages of up to
    ``ACCEPTANCE_EXPORT_CHUNK`` rows (sequences of cells), oldest first, up to the newest acceptance on file when the
    first of them is read.

    One query reads the rows as they come (``Acceptance.objects.export_pages``); on MySQL/MariaDB the connection
    serves only it until the pages are read to the end or closed, so read them before running other queries.
    """
    access.require_course_staff(actor, course_key)
    return _acceptance_pages(course_key)


def _acceptance_pages(course_key):
    """
    The pages of :func:`acceptance_pages`. The few policy version numbers and course terms versions are looked up
    once, not joined on every row (joined, MySQL sorts the whole course first), and the course key is the one asked
    for.

    Read in this order: the course's first and last acceptance ids, then the versions, then the acceptances between
    them. An acceptance up to the last names a policy version published before its id was taken, and terms made
    before it or in the same transaction (a course's first terms), which holds every other acceptance of the course
    until it commits: the lookups miss none, and the rows need no query while they stream. Were one missed all the
    same, its cell would be left empty and the miss logged, rather than the download cut short.
    """
    yield [ACCEPTANCE_CSV_HEADER]
    bounds = Acceptance.objects.export_bounds(course_key)
    if bounds is None:
        return
    numbers = _LoggedLookup("policy version", PolicyVersion.objects.numbers())
    versions = _LoggedLookup("course terms", CourseTerms.objects.versions(course_key))
    course = str(course_key)
    # .. setting_name: HONORCODE_EXPORT_STATEMENT_SECONDS
    # .. setting_default: 30
    # .. setting_description: On MySQL/MariaDB, the longest a database statement of the acceptance CSV export may
    #   run, in seconds (0: no limit). The export reads a course with one statement, which holds the tables' metadata
    #   locks while a slow download lasts; at this limit the server stops it and the export goes on from its last row
    #   with a new one, so that a migration never waits longer than this for an export.
    statement_seconds = float(getattr(django_settings, "HONORCODE_EXPORT_STATEMENT_SECONDS", 30))
    pages = Acceptance.objects.export_pages(course_key, bounds, ACCEPTANCE_EXPORT_CHUNK, statement_seconds)
    with closing(pages):
        yield from map(_acceptance_csv_rows, pages, repeat(course), repeat(numbers), repeat(versions))


class _LoggedLookup(dict):
    """Numbers by primary key; a key not among them gives an empty cell, logged (the export goes on)."""

    def __init__(self, what, numbers):
        super().__init__(numbers)
        self.what = what

    def __missing__(self, pk):
        log.error("The acceptance export found no %s with id %s; its cells are left empty.", self.what, pk)
        self[pk] = ""  # logged once
        return ""


def _acceptance_csv_rows(page, course, numbers, versions):
    """A page of ``Acceptance.objects.export_pages`` as CSV rows, built column by column (the loops run in C)."""
    _pks, usernames, user_ids, policy_ids, terms_ids, methods, accepted_ats, block_ids = zip(*page)
    return list(zip(
        usernames, user_ids, repeat(course), map(numbers.__getitem__, policy_ids),
        map(versions.__getitem__, terms_ids), methods, accepted_ats, block_ids,
    ))
