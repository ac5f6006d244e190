"""
Acceptances (``domain/acceptances.py``): what an acceptance records, one row per acceptance however often it is
submitted, who may accept and how (a ticked box, a typed full name), stale pages, and the counts.

The change rule as the gate applies it (continued use, the notice of a change) is in ``tests/test_gate.py``.
"""
import pytest
from django.db import connection
from django.utils import timezone

from honorcode_xblock import api
from honorcode_xblock.exceptions import Conflict, InvalidInput, NotPermitted
from honorcode_xblock.models import Acceptance, AcceptanceMethod, AuditEvent, CourseTerms

from .helpers import COURSE_KEY, OTHER_COURSE_KEY, race, save_settings, usage_key

pytestmark = pytest.mark.django_db


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
