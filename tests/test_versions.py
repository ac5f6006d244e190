"""
Policy versions (``domain/versions.py``): the honor code the migrations publish, drafts and publishing, and which
version is in force at a moment.
"""
import datetime

import pytest
from django.utils import timezone

from honorcode_xblock import api
from honorcode_xblock.exceptions import InvalidInput, ReadOnly
from honorcode_xblock.models import AuditEvent, PolicyVersion, PublishedVersionIsReadOnly

from .helpers import COURSE_KEY

pytestmark = pytest.mark.django_db


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
        """Conduct is judged against the version in force when it happened: the last one published by then."""
        first = api.current_policy()
        second = api.publish_new_policy(body="<p>v2</p>", change_kind="material")
        assert api.policy_in_force_at(first.published_at) == first
        assert api.policy_in_force_at(second.published_at - datetime.timedelta(microseconds=1)) == first
        assert api.policy_in_force_at(second.published_at) == second
        assert api.policy_in_force_at(first.published_at - datetime.timedelta(days=1)) is None

    def test_publishing_writes_one_row_whatever_the_number_of_acceptances(self, learner, django_assert_max_num_queries):
        api.accept(learner, COURSE_KEY, confirmed=True)
        draft = api.create_policy_draft(body="<p>v2</p>", change_kind="minor")
        # lock, number and publish the draft (4); append to the audit chain: lock its head, insert, move the head (3)
        with django_assert_max_num_queries(8):
            api.publish_policy(draft)
