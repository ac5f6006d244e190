"""
The learner's own record and retirement (``domain/learner_records.py``): a learner sees only their own acceptances,
determinations and sanctions; retirement redacts personal data and keeps the counts and the outcomes.
"""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from honorcode_xblock import api
from honorcode_xblock.exceptions import NotPermitted
from honorcode_xblock.models import Acceptance, AuditEvent, Sanction

from .helpers import COURSE_KEY, determine, open_case, save_settings

pytestmark = pytest.mark.django_db


class TestLearnerRecord:
    def test_only_the_learners_own_acceptances_determinations_and_sanctions(
            self, run_commit_hooks, author, learner, other_learner):
        save_settings(actor=author)
        api.accept(learner, COURSE_KEY, confirmed=True)
        api.accept(other_learner, COURSE_KEY, confirmed=True)
        determine(author, open_case(author, learner, other_learner), "certificate_withheld")
        determine(author, open_case(author, other_learner), "unenroll")
        record = api.learner_record(learner)
        assert [acc.user for acc in record.acceptances] == [learner]
        (entry,) = record.determinations
        assert [s.user for s in entry.sanctions] == [learner]
        with pytest.raises(NotPermitted):
            api.learner_record(None)


class TestRetirement:
    def test_personal_data_is_redacted_and_counts_and_outcomes_kept(self, run_commit_hooks, author, learner,
                                                                    settings, tmp_path,
                                                                    django_capture_on_commit_callbacks):
        settings.MEDIA_ROOT = str(tmp_path)
        case = open_case(author, learner, description="Learner Jane Roe posted answers.")
        item = api.add_evidence(author, case.pk, text="Jane's post", upload=SimpleUploadedFile("p.txt", b"post"))
        stored = item.file.path
        determine(author, case, "certificate_withheld")
        from honorcode_xblock.receivers import retire_user  # pylint: disable=import-outside-toplevel

        with django_capture_on_commit_callbacks(execute=True):  # the file goes once the redaction is committed
            retire_user(sender=None, user=learner)
        case.refresh_from_db(), item.refresh_from_db()
        assert "Jane" not in case.description and case.redacted_at is not None
        assert "Jane" not in item.text and not item.file and not (tmp_path / stored).exists()
        assert "match" not in case.determinations.get().rationale
        assert case.evidence.count() == 1 and Sanction.objects.get().state == "applied"
        assert AuditEvent.objects.filter(action="user.retired").get().after == {
            "acceptances": 0, "cases": 1, "evidence": 1, "suspected_pairs": 0}
        assert not AuditEvent.objects.filter(after__icontains="Jane").exists()  # the trail never held the text
        redacted = AuditEvent.objects.get(action="case.redacted")
        assert redacted.scope == str(COURSE_KEY) and redacted.after == {"cases": [case.pk], "reason": "retirement"}

    def test_a_second_respondents_retirement_redacts_what_was_added_since(self, run_commit_hooks, author, learner,
                                                                        harvester):
        case = open_case(author, learner, harvester, description="Jane and John shared answers.")
        api.retire_user(learner)
        api.add_evidence(author, case.pk, text="John's phone is 555-0100.")
        determine(author, case, "other")  # "Written warning", for each
        Sanction.objects.filter(user=harvester).update(last_error="SMTP 550 john@example.com")
        counts = api.retire_user(harvester)
        assert counts == {"acceptances": 0, "cases": 1, "evidence": 1, "suspected_pairs": 0}
        assert "555" not in case.evidence.get().text
        assert case.determinations.get().rationale == api.REDACTED
        mine = Sanction.objects.get(user=harvester)
        assert mine.details == "" and mine.last_error == "" and mine.state == "applied"

    def test_retirement_blanks_typed_names_and_keeps_the_record(self, learner):
        save_settings(mode="signature")
        api.accept(learner, COURSE_KEY, signature="Ada Lovelace")
        assert api.retire_user(learner)["acceptances"] == 1
        row = Acceptance.objects.get()
        assert row.signature == "" and row.user == learner and row.policy_version.number == 1
        assert AuditEvent.objects.filter(action="user.retired", object_id=str(learner.pk)).exists()

    def test_retirement_twice_changes_and_records_nothing_the_second_time(self, run_commit_hooks, author, learner):
        open_case(author, learner, description="Jane's case")
        assert api.retire_user(learner) == {"acceptances": 0, "cases": 1, "evidence": 0, "suspected_pairs": 0}
        events = AuditEvent.objects.count()
        assert api.retire_user(learner) == {"acceptances": 0, "cases": 0, "evidence": 0, "suspected_pairs": 0}
        assert AuditEvent.objects.count() == events
