"""The domain API: policy versions, course terms and settings, acceptances, audit."""
import datetime
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from honorcode_xblock import api
from honorcode_xblock.domain import exports
from honorcode_xblock.exceptions import Conflict, InvalidInput, NotPermitted, ReadOnly
from honorcode_xblock.models import (
    Acceptance,
    AcceptanceMethod,
    AuditEvent,
    CourseSettings,
    CourseTerms,
    PolicyVersion,
    PublishedVersionIsReadOnly,
)

from .helpers import COURSE_KEY, OTHER_COURSE_KEY, usage_key

pytestmark = pytest.mark.django_db


def course_author():
    """A staff account: a course author on the standalone platform."""
    return get_user_model().objects.get_or_create(username="author", defaults={"is_staff": True})[0]


def save_settings(course_key=COURSE_KEY, terms="", collaboration="", mode="checkbox", gate=False, actor=None):
    return api.save_course_settings(
        course_key, terms_html=terms, collaboration_text=collaboration, acceptance_mode=mode,
        gate_graded_content=gate, actor=actor or course_author(),
    )


def publish_again_after_a_flush():
    """The honor code the migrations published, again if the table flush after a transactional test removed it."""
    if api.current_policy() is None:
        api.publish_new_policy(body=api.default_policy_text(), change_kind="material")


def race(count, *actions):
    """
    Run the actions (or one action ``count`` times) in threads released together; returns their errors.

    Tests that race run with ``transaction=True``: the table flush between such tests removes the honor code that
    the migrations published, so it is published again first.
    """
    publish_again_after_a_flush()
    actions = actions if len(actions) == count else actions * count
    errors, barrier = [], threading.Barrier(count)

    def run(action):
        try:
            barrier.wait()
            action()
        except Exception as error:  # pylint: disable=broad-except
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


class TestDefaultHonorCode:
    def test_version_one_is_published_by_the_migrations(self):
        current = api.current_policy()
        assert current.number == 1
        assert current.is_published and current.published_at <= timezone.now()
        assert current.change_kind == "material"

    @pytest.mark.parametrize("phrase", [
        # the four commitments
        "unless\n    the instructions for that particular assignment say plainly that collaboration is allowed",
        "You hold a single account",
        "never\n    give anyone else your password",
        "raises your own results, or that raises or\n    lowers the results of anyone else",
        "never publish, post or pass on the answers to problems",
        # every consequence, and no refund
        "zero or no credit for an assignment",
        "withhold a certificate",
        "revoke one already issued",
        "unenroll you",
        "end your use of the site and close your account",
        "any other step it considers appropriate",
        "No refund is given",
        # determination and notification
        "decided by the site operator, at its discretion",
        "you are told what was decided and which of the actions above will follow",
        # the change rule, prospective only
        "takes effect as soon as it is posted",
        'new "last updated" date',
        "you agree to the new version from\nthen on",
        "judged against the version that was in force when it happened",
        # course terms
        "A course may add terms of its own",
    ])
    def test_default_text_covers_every_clause(self, phrase):
        assert phrase in api.current_policy().body
        assert phrase in api.default_policy_text()


class TestPolicyVersions:
    def test_draft_then_publish_takes_the_next_number_and_is_in_force_at_once(self, operator):
        draft = api.create_policy_draft(body="<p>New text</p>", change_kind="minor", change_summary="Typos", actor=operator)
        assert draft.number is None and not draft.is_published
        assert api.current_policy().number == 1
        published = api.publish_policy(draft, actor=operator)
        assert published.number == 2
        assert published.published_by == operator
        assert api.current_policy() == published
        assert list(AuditEvent.objects.filter(action="policy.published").values_list("object_id", flat=True)) == [
            str(published.pk)]

    def test_published_version_cannot_be_saved_or_deleted_even_past_the_api(self):
        version = api.current_policy()
        version.title = "Changed behind the API's back"
        with pytest.raises(PublishedVersionIsReadOnly):
            version.save()
        with pytest.raises(PublishedVersionIsReadOnly):
            version.delete()
        assert PolicyVersion.objects.get(pk=version.pk).title == "Honor Code"

    def test_published_version_is_read_only(self, operator):
        version = api.current_policy()
        with pytest.raises(ReadOnly):
            api.update_policy_draft(version, body="<p>changed</p>", change_kind="minor")
        with pytest.raises(ReadOnly):
            api.publish_policy(version)
        version.refresh_from_db()
        assert "changed" not in version.body

    def test_draft_is_editable_and_sanitized(self):
        draft = api.create_policy_draft(body="<p>One</p>", change_kind="material")
        updated = api.update_policy_draft(
            draft, body='<p onclick="x()">Two<script>alert(1)</script></p><a href="javascript:alert(1)">l</a>',
            change_kind="material", change_summary="<b>Why</b><img src=x onerror=alert(1)>",
        )
        assert updated.body == '<p>Two</p><a rel="noopener noreferrer nofollow">l</a>'
        assert updated.change_summary == "<b>Why</b>"

    @pytest.mark.parametrize("fields, field", [
        ({"body": "", "change_kind": "minor"}, "body"),
        ({"body": "<script>only()</script>", "change_kind": "minor"}, "body"),
        ({"body": "<p>x</p>", "change_kind": "huge"}, "change_kind"),
        ({"body": "<p>x</p>", "change_kind": "minor", "title": "  "}, "title"),
        ({"body": "x" * 200_001, "change_kind": "minor"}, "body"),
    ])
    def test_invalid_drafts_are_refused_with_a_message(self, fields, field):
        with pytest.raises(InvalidInput) as caught:
            api.create_policy_draft(**fields)
        assert caught.value.errors[field]
        assert str(caught.value)
        assert PolicyVersion.objects.count() == 1

    def test_version_in_force_at_a_time(self):
        first = api.current_policy()
        second = api.publish_new_policy(body="<p>v2</p>", change_kind="material")
        assert api.policy_in_force_at(second.published_at - datetime.timedelta(microseconds=1)) == first
        assert api.policy_in_force_at(second.published_at) == second
        assert api.policy_in_force_at(first.published_at - datetime.timedelta(days=1)) is None

    def test_publishing_writes_one_row_whatever_the_number_of_acceptances(self, learner, django_assert_max_num_queries):
        api.accept(learner, COURSE_KEY, confirmed=True)
        draft = api.create_policy_draft(body="<p>v2</p>", change_kind="minor")
        # lock, number and publish the draft (4); append to the audit chain: lock its head, insert, move the head (3)
        with django_assert_max_num_queries(8):
            api.publish_policy(draft)


class TestCourseSettings:
    def test_terms_are_versioned_only_when_they_change(self, operator):
        first = save_settings(terms="<p>Teams of two on the project.</p>", actor=operator)
        assert first.terms_version == 1
        same = save_settings(terms="<p>Teams of two on the project.</p>", mode="signature", gate=True)
        assert same.terms_version == 1
        changed = save_settings(terms="<p>Teams of three.</p>")
        assert changed.terms_version == 2
        assert list(CourseTerms.objects.for_course(COURSE_KEY).values_list("version", flat=True)) == [2, 1]
        view = api.learner_view(COURSE_KEY)
        assert view.terms_html == "<p>Teams of three.</p>" and view.terms_version == 2
        assert view.acceptance_mode == "checkbox"

    def test_only_the_course_team_may_change_settings(self, learner):
        with pytest.raises(NotPermitted):
            save_settings(terms="<p>Learner's own rules</p>", actor=learner)
        with pytest.raises(NotPermitted):
            api.save_course_settings(COURSE_KEY, terms_html="", collaboration_text="", acceptance_mode="checkbox",
                                     gate_graded_content=False, actor=None)
        assert not CourseTerms.objects.exists() and not CourseSettings.objects.exists()

    def test_settings_are_stored(self):
        save_settings(mode="signature", gate=True)
        assert api.learner_view(COURSE_KEY).acceptance_mode == "signature"
        assert api.studio_values(COURSE_KEY)["gate_graded_content"] is True
        assert api.studio_values(OTHER_COURSE_KEY) is None
        assert api.learner_view(OTHER_COURSE_KEY).acceptance_mode == "checkbox"

    def test_terms_are_sanitized(self):
        save_settings(terms='<p>Fine</p><script>steal()</script><iframe src="//evil"></iframe>')
        assert CourseTerms.objects.current(COURSE_KEY).body == "<p>Fine</p>"

    def test_collaboration_is_parsed_with_notes(self):
        project = usage_key("problem", "project")
        lab = usage_key("openassessment", "lab")
        cleaned = save_settings(collaboration=f"{project} | Teams of three\n\n  {lab}  \n")
        assert cleaned.collaboration == [
            {"usage_key": str(project), "note": "Teams of three"},
            {"usage_key": str(lab), "note": ""},
        ]
        assert CourseTerms.objects.current(COURSE_KEY).collaboration == cleaned.collaboration
        assert [item.label for item in api.learner_view(COURSE_KEY).collaboration] == ["Teams of three", str(lab)]

    @pytest.mark.parametrize("collaboration, message", [
        ("not-a-key", 'Line 1: "not-a-key" is not a usage key'),
        (f"{usage_key('problem', 'x', OTHER_COURSE_KEY)}", "Line 1: block-v1:TestX+OTHER+2026+type@problem+block@x "
                                                           "belongs to another course."),
        (f"{usage_key('problem', 'x')}\n{usage_key('problem', 'x')}", "Line 2: "),
        (f"{usage_key('problem', 'x')} | {'n' * 501}", "the note is longer than 500 characters"),
        ("\n".join(str(usage_key("problem", f"p{i}")) for i in range(201)), "List at most 200 assignments"),
    ])
    def test_invalid_collaboration_is_refused_with_a_line_message(self, collaboration, message):
        with pytest.raises(InvalidInput) as caught:
            save_settings(collaboration=collaboration)
        assert any(message in msg for msg in caught.value.errors["collaboration"])
        assert not CourseTerms.objects.exists()

    @pytest.mark.parametrize("kwargs, field", [
        ({"acceptance_mode": "smoke-signal"}, "acceptance_mode"),
        ({"gate_graded_content": "yes"}, "gate_graded_content"),
        ({"terms_html": 42}, "course_terms"),
        ({"terms_html": "x" * 50_001}, "course_terms"),
        ({"collaboration_text": ["a"]}, "collaboration"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "n" * 256}, "display_name"),
    ])
    def test_invalid_settings_are_refused_per_field(self, kwargs, field):
        values = {"terms_html": "", "collaboration_text": "", "acceptance_mode": "checkbox",
                  "gate_graded_content": False, **kwargs}
        with pytest.raises(InvalidInput) as caught:
            api.save_course_settings(COURSE_KEY, actor=course_author(), **values)
        assert list(caught.value.errors) == [field]


class TestAcceptance:
    def test_acceptance_names_user_course_versions_method_and_time(self, learner):
        save_settings(terms="<p>Course terms</p>")
        before = timezone.now()
        acceptance, created = api.accept(learner, COURSE_KEY, confirmed=True, block_id=str(usage_key()))
        assert created
        row = Acceptance.objects.get()
        assert row.user == learner
        assert row.course_key == COURSE_KEY
        assert row.policy_version.number == 1
        assert row.course_terms.version == 1
        assert row.method == AcceptanceMethod.EXPLICIT
        assert before <= row.accepted_at <= timezone.now()
        assert row.block_id == str(usage_key())
        assert api.current_acceptance(learner, COURSE_KEY) == acceptance

    def test_a_second_accept_adds_nothing(self, learner):
        first, created = api.accept(learner, COURSE_KEY, confirmed=True)
        again, created_again = api.accept(learner, COURSE_KEY, confirmed=True)
        assert created and not created_again
        assert again.pk == first.pk
        assert Acceptance.objects.count() == 1
        assert AuditEvent.objects.filter(action="acceptance.created").count() == 1

    @pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs a server DB")
    @pytest.mark.django_db(transaction=True)
    @pytest.mark.parametrize("terms_exist", [False, True], ids=["course-without-terms", "course-with-terms"])
    def test_concurrent_double_submit_makes_one_row(self, learner, terms_exist):
        if terms_exist:
            save_settings(terms="<p>Existing terms</p>")
        errors = race(4, lambda: api.accept(learner, COURSE_KEY, confirmed=True))
        assert errors == []
        assert Acceptance.objects.filter(course_key=COURSE_KEY).count() == 1
        assert CourseTerms.objects.filter(course_key=COURSE_KEY).count() == 1

    @pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs a server DB")
    @pytest.mark.django_db(transaction=True)
    def test_concurrent_saves_and_accepts_never_collide(self, learner, other_learner):
        actions = [
            lambda: save_settings(terms="<p>Terms A</p>"),
            lambda: save_settings(terms="<p>Terms B</p>"),
            lambda: api.accept(learner, COURSE_KEY, confirmed=True),
            lambda: api.accept(other_learner, COURSE_KEY, confirmed=True),
        ]
        errors = race(len(actions), *actions)
        assert errors == []
        versions = sorted(CourseTerms.objects.filter(course_key=COURSE_KEY).values_list("version", flat=True))
        assert versions == list(range(1, len(versions) + 1))

    def test_anonymous_accept_is_refused_with_a_message(self):
        with pytest.raises(NotPermitted) as caught:
            api.accept(None, COURSE_KEY, confirmed=True)
        assert "Anonymous visitors cannot accept" in str(caught.value)
        assert not Acceptance.objects.exists()

    def test_inactive_account_cannot_accept(self, learner):
        learner.is_active = False
        learner.save()
        with pytest.raises(NotPermitted):
            api.accept(learner, COURSE_KEY, confirmed=True)

    def test_checkbox_mode_needs_the_box_ticked(self, learner):
        with pytest.raises(InvalidInput) as caught:
            api.accept(learner, COURSE_KEY, confirmed=False)
        assert "Tick the box" in caught.value.errors["confirmed"][0]

    @pytest.mark.parametrize("signature", ["", " ", "A", "x" * 256, "\x00\x00\x00", "Ada\x00Lovelace",
                                           "\u202eecalevol ada", "Ada\x07 Lovelace", "\u200b\u200b\u200b", "12345",
                                           "..."])
    def test_signature_mode_needs_a_full_name(self, learner, signature):
        save_settings(mode="signature")
        with pytest.raises(InvalidInput) as caught:
            api.accept(learner, COURSE_KEY, signature=signature, confirmed=True)
        assert caught.value.errors["signature"]
        assert not Acceptance.objects.exists()

    @pytest.mark.parametrize("signature", ["Ada Lovelace", "李雷", "Zoë O'Brien-Núñez", "محمد علي", "Nguyễn Văn A"])
    def test_a_full_name_in_any_script_signs(self, learner, signature):
        save_settings(mode="signature")
        acceptance, _created = api.accept(learner, COURSE_KEY, signature=signature, confirmed=True)
        assert acceptance.signature == signature

    def test_signature_is_stored(self, learner):
        save_settings(mode="signature")
        acceptance, _created = api.accept(learner, COURSE_KEY, signature="  Ada Lovelace ")
        assert acceptance.signature == "Ada Lovelace"

    def test_new_terms_or_policy_need_a_new_acceptance(self, learner):
        api.accept(learner, COURSE_KEY, confirmed=True)
        save_settings(terms="<p>New course terms</p>")
        assert api.current_acceptance(learner, COURSE_KEY) is None
        api.accept(learner, COURSE_KEY, confirmed=True)
        assert api.current_acceptance(learner, COURSE_KEY).course_terms.version == 2
        api.publish_new_policy(body="<p>v2</p>", change_kind="material")
        assert api.current_acceptance(learner, COURSE_KEY) is None
        assert Acceptance.objects.filter(user=learner, course_key=COURSE_KEY).count() == 2

    def test_a_page_shown_before_a_change_cannot_accept_the_new_text(self, learner):
        api.publish_new_policy(body="<p>v2</p>", change_kind="material")
        with pytest.raises(Conflict):
            api.accept(learner, COURSE_KEY, confirmed=True, policy_version=1)
        save_settings(terms="<p>Terms 1</p>")
        save_settings(terms="<p>Terms 2</p>")
        with pytest.raises(Conflict):
            api.accept(learner, COURSE_KEY, confirmed=True, policy_version=2, terms_version=1)
        assert not Acceptance.objects.exists()
        acceptance, _created = api.accept(learner, COURSE_KEY, confirmed=True, policy_version=2, terms_version=2)
        assert (acceptance.policy_version.number, acceptance.course_terms.version) == (2, 2)

    def test_acceptance_and_its_audit_event_are_written_together(self, learner):
        api.accept(learner, COURSE_KEY, confirmed=True)
        actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
        assert actions[-2:] == ["course_terms.created", "acceptance.created"]

    def test_retirement_blanks_typed_names_and_keeps_the_record(self, learner):
        save_settings(mode="signature")
        api.accept(learner, COURSE_KEY, signature="Ada Lovelace")
        assert api.retire_user(learner)["acceptances"] == 1
        row = Acceptance.objects.get()
        assert row.signature == "" and row.user == learner and row.policy_version.number == 1
        assert AuditEvent.objects.filter(action="user.retired", object_id=str(learner.pk)).exists()

    def test_acceptance_in_one_course_does_not_count_in_another(self, learner):
        api.accept(learner, COURSE_KEY, confirmed=True)
        assert api.current_acceptance(learner, OTHER_COURSE_KEY) is None

    def test_counts_by_version(self, learner, other_learner):
        api.accept(learner, COURSE_KEY, confirmed=True)
        save_settings(terms="<p>v2 terms</p>")
        api.accept(learner, COURSE_KEY, confirmed=True)
        api.accept(other_learner, COURSE_KEY, confirmed=True)
        api.accept(other_learner, OTHER_COURSE_KEY, confirmed=True)
        assert api.acceptance_counts(COURSE_KEY) == [
            api.VersionCount(policy_version=1, terms_version=2, learners=2),
            api.VersionCount(policy_version=1, terms_version=1, learners=1),
        ]


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
