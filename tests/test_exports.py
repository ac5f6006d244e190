"""
The CSV exports (``domain/exports.py``): the acceptances of a course, every row in order, read in chunks and cut
when the export starts, on SQLite and on MariaDB's unbuffered cursor. How the REST API streams them is in
``tests/test_rest.py``.
"""
import datetime
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from honorcode_xblock import api
from honorcode_xblock.domain import exports
from honorcode_xblock.exceptions import NotPermitted
from honorcode_xblock.models import Acceptance, CourseTerms, PolicyVersion

from .helpers import COURSE_KEY, OTHER_COURSE_KEY, course_author, publish_again_after_a_flush, save_settings, usage_key

pytestmark = pytest.mark.django_db


def course_with_learners(count):
    """A course whose learners ``learner0`` to ``learner<count - 1>`` accepted, in that order; returns its author."""
    author = course_author()
    save_settings(actor=author)
    for number in range(count):
        learner = get_user_model().objects.create_user(f"learner{number}", email=f"l{number}@example.com")
        api.accept(learner, COURSE_KEY, confirmed=True)
    return author


def insert_learners(cursor, count):
    """Users ``learner1`` to ``learner<count>``, in bulk from MariaDB's sequence engine."""
    cursor.execute(
        "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,"
        f" date_joined) SELECT '', 0, CONCAT('learner', seq), '', '', '', 0, 1, NOW() FROM seq_1_to_{count}")


class TestAcceptanceExport:
    @pytest.mark.parametrize("chunk", [1, 2, 3, 7, 5000])
    def test_every_row_in_order_across_chunk_boundaries(self, monkeypatch, chunk):
        """Seven acceptances of the course, each followed by one in another course, read ``chunk`` at a time."""
        author = course_author()
        save_settings(terms="<p>Terms 1</p>", actor=author)
        users = get_user_model().objects
        for number in range(7):
            if number == 3:
                save_settings(terms="<p>Terms 2</p>", actor=author)
            if number == 5:
                api.publish_new_policy(body="<p>v2</p>", change_kind="minor")
            learner = users.create_user(f"learner{number}", email=f"learner{number}@example.com")
            api.accept(learner, COURSE_KEY, confirmed=True, block_id=str(usage_key()))
            api.accept(learner, OTHER_COURSE_KEY, confirmed=True)
        expected = [
            [row.user.username, row.user_id, str(COURSE_KEY), row.policy_version.number, row.course_terms.version,
             row.method, row.accepted_at.isoformat(), row.block_id]
            for row in Acceptance.objects.filter(course_key=COURSE_KEY).select_related(
                "user", "policy_version", "course_terms").order_by("pk")
        ]
        assert [row[0] for row in expected] == [f"learner{number}" for number in range(7)]
        assert [(row[3], row[4]) for row in expected] == [(1, 1)] * 3 + [(1, 2)] * 2 + [(2, 2)] * 2

        monkeypatch.setattr(exports, "ACCEPTANCE_EXPORT_CHUNK", chunk)
        with CaptureQueriesContext(connection) as captured:
            pages = list(api.acceptance_pages(author, COURSE_KEY))

        assert pages[0] == [api.ACCEPTANCE_CSV_HEADER]
        assert [len(page) for page in pages[1:]] == [chunk] * (7 // chunk) + [7 % chunk] * bool(7 % chunk)
        assert [list(row) for page in pages[1:] for row in page] == expected
        assert [list(row) for row in api.acceptance_rows(author, COURSE_KEY)] == [api.ACCEPTANCE_CSV_HEADER, *expected]
        reads = [query["sql"] for query in captured.captured_queries if "honorcode_acceptance" in query["sql"]]
        assert len(reads) == 2  # the last id, then every row in one query however many pages: no page waits for one

    def test_no_course_no_rows_but_the_header(self):
        assert list(api.acceptance_rows(course_author(), COURSE_KEY)) == [api.ACCEPTANCE_CSV_HEADER]

    def test_staff_only_and_refused_before_the_first_row(self):
        learner = get_user_model().objects.create_user("learner", email="learner@example.com")
        with pytest.raises(NotPermitted):
            api.acceptance_pages(learner, COURSE_KEY)

    @pytest.mark.skipif(connection.vendor == "mysql", reason="on MySQL the connection serves the export alone")
    def test_the_export_stops_at_the_acceptances_on_file_when_it_starts(self, monkeypatch):
        """Learners who accept while the export runs are in the next one: the export is a cut, not a moving end."""
        author = course_with_learners(3)
        monkeypatch.setattr(exports, "ACCEPTANCE_EXPORT_CHUNK", 1)
        pages = api.acceptance_pages(author, COURSE_KEY)
        assert next(pages) == [api.ACCEPTANCE_CSV_HEADER] and next(pages)[0][0] == "learner0"
        api.publish_new_policy(body="<p>v2</p>", change_kind="material")
        api.accept(get_user_model().objects.create_user("late", email="late@example.com"), COURSE_KEY, confirmed=True)
        assert [page[0][0] for page in pages] == ["learner1", "learner2"]
        assert [row[0] for row in api.acceptance_rows(author, COURSE_KEY)][1:] == [
            "learner0", "learner1", "learner2", "late"]

    def test_an_export_abandoned_half_way_leaves_the_connection_usable(self, monkeypatch):
        """A client that goes away mid-download closes the pages: the rest is dropped, the next query works."""
        author = course_with_learners(5)
        monkeypatch.setattr(exports, "ACCEPTANCE_EXPORT_CHUNK", 2)
        pages = api.acceptance_pages(author, COURSE_KEY)
        assert [row[0] for row in next(pages)] == ["username"]
        assert [row[0] for row in next(pages)] == ["learner0", "learner1"]
        pages.close()
        assert Acceptance.objects.filter(course_key=COURSE_KEY).count() == 5
        assert len(list(api.acceptance_rows(author, COURSE_KEY))) == 6

    def test_a_version_the_lookup_misses_leaves_its_cells_empty_and_is_logged_once(self, monkeypatch, caplog):
        author = course_with_learners(3)
        monkeypatch.setattr(PolicyVersion.objects, "numbers", dict)
        rows = list(api.acceptance_rows(author, COURSE_KEY))
        assert [(row[0], row[3], row[4]) for row in rows[1:]] == [(f"learner{number}", "", 1) for number in range(3)]
        assert caplog.text.count("found no policy version with id") == 1

    @pytest.mark.skipif(connection.vendor != "mysql", reason="the unbuffered cursor is MySQL's")
    def test_the_unbuffered_cursor_is_closed_when_the_export_is_abandoned(self, monkeypatch):
        """Closed, not left to the garbage collector: an unread result would refuse every later query."""
        import MySQLdb.cursors  # pylint: disable=import-outside-toplevel

        author = course_with_learners(5)
        opened = []

        class Spied(MySQLdb.cursors.SSCursor):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                opened.append(self)

        monkeypatch.setattr(MySQLdb.cursors, "SSCursor", Spied)
        monkeypatch.setattr(exports, "ACCEPTANCE_EXPORT_CHUNK", 2)
        rows = api.acceptance_rows(author, COURSE_KEY)
        assert [next(rows)[0] for _ in range(3)] == ["username", "learner0", "learner1"]
        assert len(opened) == 1 and opened[0].connection is not None
        rows.close()
        assert opened[0].connection is None  # closed at once, the rows not read dropped

    @pytest.mark.skipif(connection.vendor != "mysql", reason="the unbuffered cursor is MySQL's")
    @pytest.mark.django_db(transaction=True)  # outside a transaction, as a streaming response reads
    def test_a_long_download_on_mariadb(self, monkeypatch):
        """300,001 rows, more than the sockets' buffers hold, so that the server waits for the client: a download
        abandoned, one slower than the statement limit, one that stalls past the server's write timeout."""
        if not connection.mysql_is_mariadb:
            pytest.skip("MariaDB's sequence engine seeds the rows")
        publish_again_after_a_flush()
        author = course_author()
        save_settings(actor=author)
        first = get_user_model().objects.create_user("learner0", email="l0@example.com")
        acceptance, _created = api.accept(first, COURSE_KEY, confirmed=True)
        count = 300_000
        with connection.cursor() as cursor:
            insert_learners(cursor, count)
            cursor.execute(
                "INSERT INTO honorcode_acceptance (course_key, user_id, policy_version_id, course_terms_id, method,"
                " signature, accepted_at, block_id) SELECT %s, id, %s, %s, 'explicit', '', NOW(6), '' FROM auth_user"
                " WHERE username <> 'learner0' AND username LIKE 'learner%%' ORDER BY id",
                [str(COURSE_KEY), acceptance.policy_version_id, acceptance.course_terms_id])
        everyone = ["username", *(f"learner{number}" for number in range(count + 1))]

        # abandoned after two rows: the connection is closed, which ends the statement without reading the rest
        rows = api.acceptance_rows(author, COURSE_KEY)
        assert [next(rows)[0] for _ in range(3)] == everyone[:3]
        rows.close()
        assert connection.connection is None
        assert Acceptance.objects.filter(course_key=COURSE_KEY).count() == count + 1  # a new connection

        # slower than the statement limit: the server stops each statement, the export goes on with a new one
        monkeypatch.setattr(exports, "ACCEPTANCE_EXPORT_CHUNK", 20_000)
        before = connection.connection
        with override_settings(HONORCODE_EXPORT_STATEMENT_SECONDS=0.5), CaptureQueriesContext(connection) as captured:
            read = []
            for row in api.acceptance_rows(author, COURSE_KEY):
                read.append(row)
                if len(read) % 20_000 == 0:
                    time.sleep(0.2)
        assert [row[0] for row in read] == everyone
        statements = [query["sql"] for query in captured.captured_queries if "max_statement_time = 0.5" in query["sql"]]
        assert len(statements) >= 2 and connection.connection is before  # stopped and resumed on the same connection

        # a client that stops reading: the server gives up on it after a second, with its connection
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION net_write_timeout = 1")
        before = connection.connection
        rows = api.acceptance_rows(author, COURSE_KEY)
        read = [next(rows) for _ in range(3)]
        time.sleep(4)
        read += list(rows)
        assert connection.connection is not before  # it was lost, and the read went on on a new one
        assert [row[0] for row in read] == everyone

    @pytest.mark.skipif(connection.vendor != "mysql", reason="MySQL's query plan")
    @pytest.mark.django_db(transaction=True)  # ANALYZE TABLE commits: the table is flushed after the test
    def test_a_small_course_among_many_rows_is_read_in_id_order_without_a_sort(self):
        """Left to itself MariaDB reads a course that is 1% of the table by (course_key, policy_version) and sorts it
        before sending a row; the export's query names the indexes it may use."""
        if not connection.mysql_is_mariadb:
            pytest.skip("MariaDB's sequence engine seeds the rows")
        publish_again_after_a_flush()
        author = course_author()
        save_settings(actor=author)
        small = api.accept(get_user_model().objects.create_user("learner0", email="l0@example.com"), COURSE_KEY,
                           confirmed=True)[0]
        big_terms, _created = CourseTerms.objects.first_version(OTHER_COURSE_KEY)
        with connection.cursor() as cursor:
            insert_learners(cursor, 20000)
            cursor.execute(
                "INSERT INTO honorcode_acceptance (course_key, user_id, policy_version_id, course_terms_id, method,"
                " signature, accepted_at, block_id)"
                " SELECT IF(id %% 100 = 0, %s, %s), id, %s, IF(id %% 100 = 0, %s, %s), 'explicit', '', NOW(6), ''"
                " FROM auth_user WHERE username LIKE 'learner%%' AND username <> 'learner0'"
                " ORDER BY id",
                [str(COURSE_KEY), str(OTHER_COURSE_KEY), small.policy_version_id, small.course_terms_id, big_terms.pk])
            cursor.execute("ANALYZE TABLE honorcode_acceptance")
            cursor.fetchall()
        for course, rows in ((COURSE_KEY, 201), (OTHER_COURSE_KEY, 19800)):
            with CaptureQueriesContext(connection) as captured:
                assert len(list(api.acceptance_rows(author, course))) == rows + 1
            limit, export = captured.captured_queries[-1]["sql"].split(" FOR ", 1)
            assert limit == "SET STATEMENT max_statement_time = 30.0" and "FORCE INDEX" in export
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + export)
                plan = cursor.fetchall()[0]
            assert plan[5] in ("PRIMARY", "honorcode_acc_course_pk") and "filesort" not in (plan[9] or ""), plan

    @pytest.mark.parametrize("moment", [
        datetime.datetime(2026, 3, 1, 9, 30, 5, 123456, tzinfo=datetime.timezone.utc),
        datetime.datetime(2026, 3, 1, 9, 30, 5, 7, tzinfo=datetime.timezone.utc),
        datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc),  # no fraction: none written
    ])
    def test_the_database_writes_the_time_as_isoformat_does(self, moment):
        author = course_author()
        save_settings(actor=author)
        learner = get_user_model().objects.create_user("learner", email="learner@example.com")
        acceptance, _created = api.accept(learner, COURSE_KEY, confirmed=True)
        Acceptance.objects.filter(pk=acceptance.pk).update(accepted_at=moment)
        assert list(api.acceptance_rows(author, COURSE_KEY))[1][6] == moment.isoformat()
