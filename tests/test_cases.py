"""
Cases and their evidence (``domain/cases.py``): opening a case against one or more accounts (judged by the version
in force when the conduct happened), who may see it, how its status moves, filters, and the evidence's limits.
"""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from honorcode_xblock import api
from honorcode_xblock.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from honorcode_xblock.models import AuditEvent, Case

from .evidence_samples import pdf_bytes
from .helpers import COURSE_KEY, OTHER_COURSE_KEY, determine, open_case

pytestmark = pytest.mark.django_db


class TestCases:
    def test_course_staff_open_a_case_against_several_accounts_judged_by_the_version_then_in_force(
            self, author, learner, harvester):
        first = api.current_policy()
        case = open_case(author, learner, harvester)
        api.publish_new_policy(body="<p>Version two.</p>", change_kind="material")
        case.refresh_from_db()
        assert case.status == "open"
        assert sorted(user.username for user in case.respondents.all()) == ["harvester", "learner"]
        assert case.policy_version == first  # conduct is judged against the version in force when it happened
        assert case.reporter == author

    @pytest.mark.parametrize("fields, field", [
        ({"respondents": ["nobody"]}, "respondents"),
        ({"respondents": []}, "respondents"),
        ({"commitment": "be_nice"}, "commitment"),
        ({"description": "   "}, "description"),
        ({"description": "x" * (api.MAX_TEXT_LENGTH + 1)}, "description"),
        ({"conduct_at": timezone.now() + datetime.timedelta(days=1)}, "conduct_at"),
        ({"conduct_at": datetime.datetime(2001, 1, 1, tzinfo=datetime.timezone.utc)}, "conduct_at"),
        ({"usage_key": "block-v1:Other+X+Y+type@problem+block@p1"}, "usage_key"),
    ])
    def test_bad_input_is_refused_field_by_field(self, author, learner, fields, field):
        values = {"respondents": [learner.username], "commitment": "own_work", "description": "Copied."}
        values.update(fields)
        with pytest.raises(InvalidInput) as refused:
            api.open_case(author, COURSE_KEY, **values)
        assert field in refused.value.errors
        assert not Case.objects.exists()

    def test_learners_and_anonymous_cannot_open_or_read_cases(self, author, learner, other_learner):
        case = open_case(author, learner)
        for intruder in (learner, other_learner, None):
            with pytest.raises(NotPermitted):
                open_case(intruder, learner) if intruder else api.open_case(None, COURSE_KEY, respondents=["learner"],
                                                                           commitment="own_work", description="x")
            with pytest.raises(NotPermitted if intruder is None else NotFound):  # who may not see it learns nothing
                api.get_case(intruder, case.pk)
        with pytest.raises(NotFound):
            api.get_case(author, 999999)

    def test_status_moves_only_along_the_allowed_transitions_and_a_reopening_is_its_own_event(self, author, learner):
        case = open_case(author, learner)
        with pytest.raises(Conflict, match="cannot become"):
            api.change_case_status(author, case.pk, "determined")
        with pytest.raises(InvalidInput):
            api.change_case_status(author, case.pk, "archived")
        api.change_case_status(author, case.pk, "under_review")
        determine(author, case, finding="no_violation")
        api.change_case_status(author, case.pk, "closed")
        with pytest.raises(Conflict):
            api.change_case_status(author, case.pk, "open")
        api.change_case_status(author, case.pk, "under_review", note="New evidence arrived.")
        actions = list(AuditEvent.objects.about("case", [case.pk]).values_list("action", flat=True))
        assert actions == ["case.opened", "case.status_changed", "case.status_changed", "case.status_changed",
                           "case.reopened"]

    def test_filters(self, author, learner, other_learner):
        first = open_case(author, learner, commitment="own_work")
        second = open_case(author, other_learner)
        api.change_case_status(author, second.pk, "under_review")
        open_case(author, learner, course_key=OTHER_COURSE_KEY)
        assert list(api.list_cases(author, COURSE_KEY)) == [second, first]
        assert list(api.list_cases(author, COURSE_KEY, status="under_review")) == [second]
        assert list(api.list_cases(author, COURSE_KEY, commitment="own_work")) == [first]
        assert list(api.list_cases(author, COURSE_KEY, respondent="other")) == [second]
        with pytest.raises(InvalidInput):
            api.list_cases(author, COURSE_KEY, status="nope")


class TestEvidence:
    def test_text_and_files_are_kept_with_their_digest(self, author, learner, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        case = open_case(author, learner)
        api.add_evidence(author, case.pk, text="Forum post 1234.")
        pdf = pdf_bytes()
        item = api.add_evidence(author, case.pk, upload=SimpleUploadedFile("post.pdf", pdf, "application/pdf"))
        assert item.size == len(pdf) and item.content_type == "application/pdf" and item.filename == "post.pdf"
        assert api.evidence_file(author, item.pk).file.read() == pdf
        assert "post.pdf" not in item.file.name  # stored under a random name
        with pytest.raises(NotFound):
            api.evidence_file(learner, item.pk)

    @pytest.mark.parametrize("name, content, message", [
        ("run.exe", b"MZ", "cannot be added"),
        ("fake.pdf", b"<script>alert(1)</script>", "not a PDF"),
        ("notes.txt", b"\xff\xfe\xfa", "UTF-8"),
        ("big.txt", b"a" * 2048, "larger than 1024"),
    ])
    def test_size_and_type_limits(self, author, learner, settings, tmp_path, name, content, message):
        settings.MEDIA_ROOT, settings.HONORCODE_EVIDENCE_MAX_BYTES = str(tmp_path), 1024
        case = open_case(author, learner)
        with pytest.raises(InvalidInput, match=message):
            api.add_evidence(author, case.pk, upload=SimpleUploadedFile(name, content))
        assert not case.evidence.exists()

    def test_nothing_to_add_and_closed_cases_are_refused(self, author, learner):
        case = open_case(author, learner)
        with pytest.raises(InvalidInput, match="Add a text"):
            api.add_evidence(author, case.pk, text="  ")
        api.change_case_status(author, case.pk, "closed")
        with pytest.raises(Conflict, match="closed"):
            api.add_evidence(author, case.pk, text="late")
