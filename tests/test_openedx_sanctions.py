"""
Sanctions and notifications on the Open edX platform: through ``api`` (open a case, determine it, the tasks apply the
sanctions and send the notifications), each sanction calls edx-platform as it is meant to be called (the doubles of
``tests/openedx_doubles.py`` record what happened), applying it twice changes nothing, and reverting undoes it.
"""
import sys
import types
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from openedx_filters.learning.filters import CertificateCreationRequested, StudentLoginRequested

from honorcode_xblock import api
from honorcode_xblock.exceptions import (
    Conflict,
    InvalidInput,
    NotFound,
    NotPermitted,
    SanctionCannotTakeEffect,
)
from honorcode_xblock.models import AuditEvent, Case, Notification, Sanction
from honorcode_xblock.platform import get_platform

from .helpers import COURSE_KEY, OTHER_COURSE_KEY
from .openedx_doubles import Recipient

pytestmark = pytest.mark.django_db
LMS_ROOT_URL = "https://lms.example.com"
COURSE_NAME = "Academic Integrity 101"


@pytest.fixture
def site(monkeypatch):
    """
    The current ``Site`` that ``OpenEdxPlatform.send_notification`` reads with ``Site.objects.get_current()``.

    ``django.contrib.sites`` is not in the INSTALLED_APPS of the demo settings the tests run on, so importing
    ``django.contrib.sites.models`` raises RuntimeError there (the LMS installs it, with ``SITE_ID``). The product
    imports it directly inside ``send_notification`` (reported as a product issue); this stands in for that module only.
    """
    current = SimpleNamespace(domain="lms.example.com", name="LMS")
    module = types.ModuleType("django.contrib.sites.models")
    module.Site = SimpleNamespace(objects=SimpleNamespace(get_current=lambda: current))
    monkeypatch.setitem(sys.modules, "django.contrib.sites.models", module)
    return current


@pytest.fixture(autouse=True)
def lms(openedx, settings, site):  # pylint: disable=unused-argument
    """The LMS: its root URL (links in messages), the course's overview, and the doubles."""
    settings.LMS_ROOT_URL = LMS_ROOT_URL + "/"
    openedx.courses[str(COURSE_KEY)] = COURSE_NAME
    return openedx


@pytest.fixture
def teacher(db, openedx):
    """Course staff (not global staff: in the LMS ``GlobalStaff`` is ``user.is_staff``)."""
    user = get_user_model().objects.create_user("teacher", email="teacher@example.com", password="pw")
    openedx.make_staff(user, COURSE_KEY)
    return user


@pytest.fixture
def admin(db, openedx):
    """Global staff (``is_staff``), who also has Studio access to every course (as ``has_studio_read_access``)."""
    user = get_user_model().objects.create_user("admin", email="admin@example.com", password="pw", is_staff=True)
    openedx.global_staff.add(user.pk)
    openedx.make_staff(user, COURSE_KEY)
    return user


@pytest.fixture
def course(openedx):
    """
    The course in the modulestore: a graded subsection (quiz 2) with a problem in a unit, an ungraded practice
    subsection, a problem outside any subsection, and a graded quiz of another course.
    """
    root = openedx.add_block(COURSE_KEY.make_usage_key("course", "course"), COURSE_NAME)
    chapter = openedx.add_block(COURSE_KEY.make_usage_key("chapter", "week1"), "Week 1", parent=root)
    quiz = openedx.add_block(COURSE_KEY.make_usage_key("sequential", "quiz2"), "Quiz 2", parent=chapter, graded=True)
    unit = openedx.add_block(COURSE_KEY.make_usage_key("vertical", "quiz2-unit"), "Questions", parent=quiz)
    problem = openedx.add_block(COURSE_KEY.make_usage_key("problem", "q1"), "Question 1", parent=unit)
    practice = openedx.add_block(COURSE_KEY.make_usage_key("sequential", "practice"), "Practice", parent=chapter)
    practice_problem = openedx.add_block(COURSE_KEY.make_usage_key("problem", "p1"), "Practice 1",
                                         parent=openedx.add_block(COURSE_KEY.make_usage_key("vertical", "p-unit"),
                                                                  "Practice unit", parent=practice))
    orphan = openedx.add_block(COURSE_KEY.make_usage_key("problem", "orphan"), "Orphan", graded=True)
    other_quiz = openedx.add_block(OTHER_COURSE_KEY.make_usage_key("sequential", "quiz"), "Other quiz", graded=True)
    other_problem = openedx.add_block(OTHER_COURSE_KEY.make_usage_key("problem", "q"), "Other question",
                                      parent=other_quiz)
    return SimpleNamespace(quiz=quiz, problem=problem, practice_problem=practice_problem, orphan=orphan,
                           other_quiz=other_quiz, other_problem=other_problem)


def open_case(actor, *respondents, course_key=COURSE_KEY, **kwargs):
    """Open a case; a respondent with no enrollment row in the course is enrolled first (cases are about learners)."""
    from common.djangoapps.student.models import CourseEnrollment  # pylint: disable=import-error,import-outside-toplevel

    for user in respondents:
        if CourseEnrollment.get_enrollment(user, course_key) is None:
            CourseEnrollment.enroll(user, course_key, mode="verified")
    fields = {"commitment": "no_posting_answers", "description": "Posted the answers of quiz 2 on a forum."}
    fields.update(kwargs)
    return api.open_case(actor, course_key, respondents=[user.username for user in respondents], **fields)


def determine(actor, case, *kinds, finding="violation"):
    return api.determine(actor, case.pk, finding=finding, rationale="The posts match the learner's answers.",
                         sanctions_requested=[{"kind": kind, "details": "Written warning" if kind == "other" else ""}
                                              for kind in kinds])


def grades_api():
    from lms.djangoapps.grades import api as grades  # pylint: disable=import-error,import-outside-toplevel

    return grades


def certificates_api():
    from lms.djangoapps.certificates import api as certificates  # pylint: disable=import-error,import-outside-toplevel

    return certificates


def certificate_creation_allowed(user, course_key=COURSE_KEY):
    """Whether the creation filter lets the certificate be written as the platform asked (not as "unavailable")."""
    _user, _key, _mode, status, _grade, _generation = CertificateCreationRequested.run_filter(
        user=user, course_key=course_key, mode="verified", status=None, grade="0.9", generation_mode="batch")
    return status is None


def audit_actions(sanction):
    return list(AuditEvent.objects.about("sanction", [sanction.pk]).values_list("action", flat=True))


class TestZeroCredit:
    def test_the_graded_subsection_of_the_problem_is_overridden_to_zero_once_and_the_override_undone(
            self, run_commit_hooks, openedx, teacher, learner, course):
        case = open_case(teacher, learner, usage_key=str(course.problem))
        determine(teacher, case, "zero_credit")
        sanction = Sanction.objects.get()
        assert sanction.state == "applied" and sanction.usage_key == str(course.quiz)
        assert sanction.platform_ref == {"usage_key": str(course.quiz)}
        assert list(openedx.grade_overrides) == [(learner.pk, str(course.quiz))]  # the subsection, not the problem
        override = openedx.grade_overrides[(learner.pk, str(course.quiz))]
        assert override.system == "honorcode"
        assert override.earned_all_override == 0 and override.earned_graded_override == 0
        assert override.requesting_user == teacher and override.override_reason == f"Honor code case {case.pk}"
        assert override.grade.usage_key == course.quiz and override.possible_all_override == 1.0
        assert [signal["score_deleted"] for signal in openedx.grade_signals] == [False]

        again = api.apply_sanction(sanction.pk)
        assert again.state == "applied" and again.attempts == 1
        assert len(openedx.grade_signals) == 1
        assert audit_actions(sanction) == ["sanction.attempted", "sanction.applied"]

        api.revert_sanction(teacher, sanction.pk, reason="Regraded after appeal.")
        assert openedx.grade_overrides == {}
        assert [signal["score_deleted"] for signal in openedx.grade_signals] == [False, True]
        with pytest.raises(Conflict, match="already reverted"):
            api.revert_sanction(teacher, sanction.pk, reason="again")
        assert len(openedx.grade_signals) == 2

    def test_the_undo_never_deletes_an_override_proctoring_made_afterwards(
            self, run_commit_hooks, openedx, teacher, learner, course):
        determine(teacher, open_case(teacher, learner, usage_key=str(course.problem)), "zero_credit")
        sanction = Sanction.objects.get()
        grades_api().override_subsection_grade(learner.pk, COURSE_KEY, course.quiz, earned_all=0, earned_graded=0,
                                               comment="Suspicious exam session")  # feature: PROCTORING
        api.revert_sanction(teacher, sanction.pk, reason="Regraded after appeal.")
        override = openedx.grade_overrides[(learner.pk, str(course.quiz))]
        assert override.system == "PROCTORING" and override.override_reason == "Suspicious exam session"
        assert Sanction.objects.get().state == "reverted"

    def test_an_override_proctoring_made_before_survives_the_sanction_and_its_revert(
            self, run_commit_hooks, openedx, teacher, learner, course):
        grades_api().override_subsection_grade(learner.pk, COURSE_KEY, course.quiz, earned_all=0, earned_graded=0,
                                               comment="Suspicious exam session")
        determine(teacher, open_case(teacher, learner, usage_key=str(course.problem)), "zero_credit")
        api.revert_sanction(teacher, Sanction.objects.get().pk, reason="Regraded after appeal.")
        override = grades_api().get_subsection_grade_override(learner.pk, COURSE_KEY, course.quiz)
        assert override is not None and override.system == "PROCTORING"

    @pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["earlier-first", "later-first"])
    def test_two_zero_credits_over_proctoring_restore_the_newest_proctoring_override_in_either_order(
            self, run_commit_hooks, openedx, teacher, learner, course, order):
        grades = grades_api()
        grades.override_subsection_grade(learner.pk, COURSE_KEY, course.quiz, earned_all=0, earned_graded=0,
                                         comment="P1")
        determine(teacher, open_case(teacher, learner, usage_key=str(course.problem)), "zero_credit")
        grades.override_subsection_grade(learner.pk, COURSE_KEY, course.quiz, earned_all=1, earned_graded=1,
                                         comment="P2")
        determine(teacher, open_case(teacher, learner, usage_key=str(course.problem)), "zero_credit")
        pair = list(Sanction.objects.order_by("pk"))
        for index in order:
            api.revert_sanction(teacher, pair[index].pk, reason="Appeal upheld.")
        override = grades.get_subsection_grade_override(learner.pk, COURSE_KEY, course.quiz)
        assert (override.system, override.override_reason) == ("PROCTORING", "P2")

    def test_the_undo_leaves_an_override_made_after_the_sanction_in_place_and_says_so(
            self, run_commit_hooks, openedx, teacher, learner, course):
        grades = grades_api()
        grades.override_subsection_grade(learner.pk, COURSE_KEY, course.quiz, earned_all=0.5, earned_graded=0.5,
                                         comment="P1")  # proctoring, before
        determine(teacher, open_case(teacher, learner, usage_key=str(course.problem)), "zero_credit")
        grades.override_subsection_grade(learner.pk, COURSE_KEY, course.quiz, earned_all=0.8, earned_graded=0.8,
                                         feature="GRADEBOOK", comment="Regraded by hand")  # the gradebook, after
        sanction = Sanction.objects.get()
        api.revert_sanction(teacher, sanction.pk, reason="Appeal upheld.")
        override = grades.get_subsection_grade_override(learner.pk, COURSE_KEY, course.quiz)
        assert (override.system, override.earned_graded_override, override.override_reason) == (
            "GRADEBOOK", 0.8, "Regraded by hand")  # neither deleted nor overwritten by P1
        event = AuditEvent.objects.about("sanction", [sanction.pk]).get(action="sanction.reverted")
        assert event.after["platform"]["left_in_place"]["system"] == "GRADEBOOK"
        assert event.after["platform"]["removed"] is False

    def test_the_undo_leaves_an_override_with_no_system_in_place(self, run_commit_hooks, openedx, teacher, learner,
                                                                course):
        determine(teacher, open_case(teacher, learner, usage_key=str(course.problem)), "zero_credit")
        grades_api().override_subsection_grade(learner.pk, COURSE_KEY, course.quiz, earned_all=1, earned_graded=1,
                                               feature="", comment="Old tool")  # the platform's undo would delete it
        api.revert_sanction(teacher, Sanction.objects.get().pk, reason="Appeal upheld.")
        assert grades_api().get_subsection_grade_override(learner.pk, COURSE_KEY, course.quiz).override_reason \
            == "Old tool"

    def test_an_override_with_no_system_made_before_is_put_back_by_the_undo(self, run_commit_hooks, openedx,
                                                                          teacher, learner, course):
        grades_api().override_subsection_grade(learner.pk, COURSE_KEY, course.quiz, earned_all=0.7, earned_graded=0.7,
                                               feature="", comment="Older tool")
        determine(teacher, open_case(teacher, learner, usage_key=str(course.problem)), "zero_credit")
        assert Sanction.objects.get().platform_ref["previous"]["system"] == ""
        api.revert_sanction(teacher, Sanction.objects.get().pk, reason="Appeal upheld.")
        override = grades_api().get_subsection_grade_override(learner.pk, COURSE_KEY, course.quiz)
        assert (override.system, override.earned_graded_override, override.override_reason) == ("", 0.7,
                                                                                               "Older tool")

    def test_the_undo_of_an_override_someone_already_removed_changes_nothing(self, run_commit_hooks, openedx,
                                                                            teacher, learner, course):
        determine(teacher, open_case(teacher, learner, usage_key=str(course.problem)), "zero_credit")
        grades_api().undo_override_subsection_grade(learner.pk, COURSE_KEY, course.quiz)  # e.g. an admin's undo
        signals = len(openedx.grade_signals)
        api.revert_sanction(teacher, Sanction.objects.get().pk, reason="Appeal upheld.")
        assert len(openedx.grade_signals) == signals and Sanction.objects.get().state == "reverted"

    def test_no_zero_credit_is_decided_in_a_course_whose_grades_are_frozen(self, run_commit_hooks, openedx, teacher,
                                                                           learner, course):
        openedx.frozen_courses.add(str(COURSE_KEY))
        case = open_case(teacher, learner, usage_key=str(course.problem))
        with pytest.raises(InvalidInput, match="grades of .* are frozen"):
            determine(teacher, case, "zero_credit")
        assert not Sanction.objects.exists() and openedx.grade_overrides == {}

    def test_grades_frozen_after_the_determination_are_never_overridden(
            self, openedx, teacher, learner, course, django_capture_on_commit_callbacks):
        """The platform's freeze reaches the attempt; what the workflow makes of the failure (the reason, no retry) is
        in tests/test_determinations.py::TestSanctionFailure."""
        case = open_case(teacher, learner, usage_key=str(course.problem))
        with django_capture_on_commit_callbacks(execute=False) as queued:  # decided, not applied yet
            determine(teacher, case, "zero_credit")
        openedx.frozen_courses.add(str(COURSE_KEY))  # the course's grades freeze meanwhile
        for callback in queued:
            callback()
        assert Sanction.objects.get().state == "failed"
        assert openedx.grade_overrides == {}  # never stored without effect

    def test_an_undo_in_a_frozen_course_is_refused_with_the_reason(self, run_commit_hooks, openedx, teacher,
                                                                   learner, course):
        determine(teacher, open_case(teacher, learner, usage_key=str(course.problem)), "zero_credit")
        openedx.frozen_courses.add(str(COURSE_KEY))
        with pytest.raises(SanctionCannotTakeEffect, match="frozen"):
            api.revert_sanction(teacher, Sanction.objects.get().pk, reason="Appeal upheld.")
        assert Sanction.objects.get().state == "applied" and openedx.grade_overrides

    @pytest.mark.parametrize("block", ["practice_problem", "orphan", None])
    def test_refused_without_an_assignment_in_a_graded_subsection(self, run_commit_hooks, openedx, teacher, learner,
                                                                    course, block):
        case = open_case(teacher, learner, usage_key=str(getattr(course, block)) if block else "")
        with pytest.raises(InvalidInput, match="graded subsection"):
            determine(teacher, case, "zero_credit")
        case.refresh_from_db()
        assert case.status == "open" and not Sanction.objects.exists() and openedx.grade_overrides == {}

    def test_refused_for_an_assignment_of_another_course(self, run_commit_hooks, openedx, teacher, learner, course):
        with pytest.raises(InvalidInput) as refused:
            open_case(teacher, learner, usage_key=str(course.other_problem))
        assert "usage_key" in refused.value.errors
        platform = get_platform()
        assert platform.graded_assignment(OTHER_COURSE_KEY, str(course.other_problem)) == str(course.other_quiz)
        assert platform.graded_assignment(COURSE_KEY, str(course.other_problem)) is None
        assert platform.graded_assignment(COURSE_KEY, "not a key") is None

        case = open_case(teacher, learner, usage_key=str(course.problem))
        Case.objects.filter(pk=case.pk).update(usage_key=str(course.other_problem))  # a row changed behind the api
        with pytest.raises(InvalidInput, match="graded subsection"):
            determine(teacher, case, "zero_credit")
        assert not Sanction.objects.exists() and openedx.grade_overrides == {}


class TestCertificateRevoked:
    @pytest.fixture
    def certified(self, openedx, learner):
        """A verified learner with a downloadable certificate."""
        openedx.add_enrollment(learner, COURSE_KEY, mode="verified")
        return openedx.add_certificate(learner, COURSE_KEY)

    def test_the_certificate_is_listed_as_invalidated_and_invalidated_once(
            self, run_commit_hooks, openedx, teacher, learner, certified):
        case = open_case(teacher, learner)
        determine(teacher, case, "certificate_revoked")
        sanction = Sanction.objects.get()
        entry = openedx.invalidations[certified.id]
        assert sanction.state == "applied"
        assert sanction.platform_ref == {"certificate": certified.id, "invalidation": entry.id,
                                         "verify_uuid": certified.verify_uuid}
        assert entry.active and entry.invalidated_by == teacher and entry.notes == f"Honor code case {case.pk}"
        assert certified.status == "unavailable" and certified.sources == ["honorcode"]
        assert certified.mode == "verified"
        assert not certificate_creation_allowed(learner)
        assert certificate_creation_allowed(learner, OTHER_COURSE_KEY)

        api.apply_sanction(sanction.pk)
        assert certified.sources == ["honorcode"] and list(openedx.invalidations) == [certified.id]

    def test_the_revert_lifts_the_invalidation_even_where_no_certificate_can_be_generated(
            self, run_commit_hooks, openedx, teacher, learner, certified):
        determine(teacher, open_case(teacher, learner), "certificate_revoked")
        sanction = Sanction.objects.get()
        openedx.enrollments[(learner.pk, str(COURSE_KEY))].mode = "audit"  # no longer eligible for a certificate
        api.revert_sanction(teacher, sanction.pk, reason="Appeal upheld.")
        assert Sanction.objects.get().state == "reverted"
        assert not openedx.invalidations[certified.id].active
        assert openedx.certificate_tasks == [{"user_id": learner.pk, "course_key": str(COURSE_KEY),
                                              "generation_mode": None, "queued": False}]
        assert certificate_creation_allowed(learner)

    def test_the_revert_revalidates_and_regenerates_the_certificate_of_a_learner_who_qualifies(
            self, run_commit_hooks, openedx, teacher, learner, certified):
        determine(teacher, open_case(teacher, learner), "certificate_revoked")
        sanction = Sanction.objects.get()
        api.revert_sanction(teacher, sanction.pk, reason="Appeal upheld.")
        assert Sanction.objects.get().state == "reverted"
        assert not openedx.invalidations[certified.id].active
        assert openedx.certificate_tasks == [{"user_id": learner.pk, "course_key": str(COURSE_KEY),
                                              "generation_mode": None, "queued": True}]

    def test_without_a_certificate_the_creation_filter_withholds_it_and_the_revert_asks_for_it_again(
            self, run_commit_hooks, openedx, teacher, learner):
        determine(teacher, open_case(teacher, learner), "certificate_revoked")
        sanction = Sanction.objects.get()
        assert sanction.state == "applied" and sanction.platform_ref == {"certificate": None}
        assert openedx.invalidations == {}
        assert not certificate_creation_allowed(learner)  # the platform asked, and the certificate was withheld
        api.revert_sanction(teacher, sanction.pk, reason="Appeal upheld.")
        assert openedx.certificate_tasks == [{"user_id": learner.pk, "course_key": str(COURSE_KEY),
                                              "generation_mode": None, "queued": True}]  # asked for again
        assert certificate_creation_allowed(learner)

    def test_reverting_leaves_an_invalidation_the_instructor_made_in_place(
            self, run_commit_hooks, openedx, teacher, learner, other_learner):
        certificate = openedx.add_certificate(learner, COURSE_KEY)
        certificates_api().create_certificate_invalidation_entry(certificate, other_learner, "Instructor: copied")
        certificate.invalidate(source="certificate_invalidation_list")
        determine(teacher, open_case(teacher, learner), "certificate_revoked")
        api.revert_sanction(teacher, Sanction.objects.get().pk, reason="Appeal upheld.")
        entry = certificates_api().get_certificate_invalidation_entry(certificate)
        assert entry.active and entry.invalidated_by == other_learner and entry.notes == "Instructor: copied"
        assert openedx.certificate_tasks == [] or not openedx.certificate_tasks[0]["queued"]


class TestUnenroll:
    def test_unenrolled_without_refund_in_the_same_mode_and_reenrolled_in_it(
            self, run_commit_hooks, openedx, teacher, learner):
        enrollment = openedx.add_enrollment(learner, COURSE_KEY, mode="verified")
        determine(teacher, open_case(teacher, learner), "unenroll")
        sanction = Sanction.objects.get()
        assert sanction.state == "applied" and sanction.platform_ref == {"was_enrolled": True, "mode": "verified"}
        assert not enrollment.is_active and enrollment.mode == "verified"
        assert openedx.unenrollments == [{"user_id": learner.pk, "course_key": str(COURSE_KEY), "skip_refund": True}]

        api.apply_sanction(sanction.pk)
        assert len(openedx.unenrollments) == 1

        api.revert_sanction(teacher, sanction.pk, reason="Appeal upheld.")
        assert enrollment.is_active and enrollment.mode == "verified"  # not the course default ("audit")
        assert openedx.enrollments[(learner.pk, str(COURSE_KEY))] is enrollment

    def test_a_learner_no_longer_enrolled_is_not_enrolled_by_the_revert(
            self, run_commit_hooks, openedx, teacher, learner):
        openedx.add_enrollment(learner, COURSE_KEY, mode="verified", is_active=False)
        determine(teacher, open_case(teacher, learner), "unenroll")
        sanction = Sanction.objects.get()
        assert sanction.state == "applied" and sanction.platform_ref["was_enrolled"] is False
        api.revert_sanction(teacher, sanction.pk, reason="Appeal upheld.")
        enrollment = openedx.enrollments.get((learner.pk, str(COURSE_KEY)))
        assert openedx.unenrollments == [] and not enrollment.is_active

    def test_a_case_is_only_about_learners_of_the_course(self, openedx, teacher, learner):
        with pytest.raises(InvalidInput, match="Not a learner of this course: learner"):
            api.open_case(teacher, COURSE_KEY, respondents=[learner.username], commitment="own_work",
                          description="Never enrolled.")
        openedx.add_enrollment(learner, COURSE_KEY, is_active=False)  # an unenrolled learner's conduct counts
        assert api.open_case(teacher, COURSE_KEY, respondents=[learner.username], commitment="own_work",
                             description="Enrolled once.").pk

    def test_an_unenrollment_the_platform_refuses_fails_with_its_message_and_leaves_the_enrollment(
            self, run_commit_hooks, openedx, teacher, learner, settings):
        """A ``CourseUnenrollmentStarted`` step's refusal; the workflow's attempts and retries are in
        tests/test_determinations.py::TestSanctionFailure."""
        settings.HONORCODE_TASK_MAX_RETRIES = 0
        enrollment = openedx.add_enrollment(learner, COURSE_KEY, mode="verified")
        openedx.refuse_unenrollment = "Unenrollment is closed for this course."
        determine(teacher, open_case(teacher, learner), "unenroll")
        sanction = Sanction.objects.get()
        assert sanction.state == "failed"
        assert sanction.last_error == "UnenrollmentNotAllowed: Unenrollment is closed for this course."
        assert enrollment.is_active and openedx.unenrollments == []

        openedx.refuse_unenrollment = None
        api.retry_sanction(teacher, sanction.pk)
        assert Sanction.objects.get().state == "applied"
        assert not enrollment.is_active and len(openedx.unenrollments) == 1


class TestTerminateAccount:
    def test_only_global_staff_terminate_an_account(self, run_commit_hooks, openedx, teacher, admin, learner):
        case = open_case(teacher, learner)
        with pytest.raises(NotPermitted, match="global staff"):
            determine(teacher, case, "terminate_account")
        assert openedx.standings == {} and not Sanction.objects.exists()
        determine(admin, case, "terminate_account")
        assert Sanction.objects.get().state == "applied"

    def test_the_standing_is_disabled_by_the_deciding_staff_and_enabled_again_by_the_revert(
            self, run_commit_hooks, openedx, teacher, admin, learner):
        determine(admin, open_case(teacher, learner), "terminate_account")
        sanction = Sanction.objects.get()
        standing = openedx.standings[learner.pk]
        assert standing["account_status"] == "disabled" and standing["changed_by_id"] == admin.pk
        learner.refresh_from_db()
        assert not learner.has_usable_password() and not learner.check_password("pw")
        assert sanction.platform_ref == {"standing": "disabled", "previous_standing": "", "sessions": "ended",
                                         "oauth2_tokens": "deleted"}
        assert openedx.dot_retired == [learner.pk]

        changed_at = standing["standing_last_changed_at"]
        api.apply_sanction(sanction.pk)
        assert openedx.standings[learner.pk]["standing_last_changed_at"] == changed_at

        with pytest.raises(NotPermitted, match="global staff"):
            api.revert_sanction(teacher, sanction.pk, reason="Appeal upheld.")
        assert openedx.standings[learner.pk]["account_status"] == "disabled"
        api.revert_sanction(admin, sanction.pk, reason="Appeal upheld.")
        standing = openedx.standings[learner.pk]
        assert standing["account_status"] == "enabled" and standing["changed_by_id"] == admin.pk
        learner.refresh_from_db()
        assert not learner.has_usable_password()  # support sets a new password
        assert StudentLoginRequested.run_filter(user=learner) == learner

    def test_a_standing_support_set_before_is_changed_by_the_deciding_staff(
            self, run_commit_hooks, openedx, teacher, admin, learner):
        from common.djangoapps.student.models import (  # pylint: disable=import-error,import-outside-toplevel
            UserStanding,
        )

        support = get_user_model().objects.create_user("support", email="support@example.com", is_staff=True)
        standing, _created = UserStanding.objects.get_or_create(user=learner, defaults={"changed_by": support})
        standing.account_status = UserStanding.ACCOUNT_ENABLED
        standing.save()
        determine(admin, open_case(teacher, learner), "terminate_account")
        assert openedx.standings[learner.pk]["account_status"] == "disabled"
        assert openedx.standings[learner.pk]["changed_by_id"] == admin.pk

    def test_an_account_support_had_disabled_stays_disabled_after_the_revert(
            self, run_commit_hooks, openedx, teacher, admin, learner):
        from common.djangoapps.student.models import (  # pylint: disable=import-error,import-outside-toplevel
            UserStanding,
        )

        support = get_user_model().objects.create_user("support", email="support@example.com", is_staff=True)
        standing, _created = UserStanding.objects.get_or_create(user=learner, defaults={"changed_by": support})
        standing.account_status = UserStanding.ACCOUNT_DISABLED
        standing.save()
        determine(admin, open_case(teacher, learner), "terminate_account")
        sanction = Sanction.objects.get()
        assert sanction.platform_ref["previous_standing"] == "disabled"
        api.revert_sanction(admin, sanction.pk, reason="Appeal upheld.")
        assert Sanction.objects.get().state == "reverted"
        assert openedx.standings[learner.pk]["account_status"] == "disabled"  # support's decision stands


class TestNotifications:
    def test_each_respondent_gets_one_ace_message_with_the_finding_commitment_actions_and_links(
            self, run_commit_hooks, openedx, teacher, learner, harvester, site):
        openedx.preferences[(learner.pk, "pref-lang")] = "fr"
        case = open_case(teacher, learner, harvester)
        determine(teacher, case, "certificate_withheld", "unenroll", "other")
        assert sorted(message.recipient.lms_user_id for message in openedx.ace_messages) == sorted(
            [learner.pk, harvester.pk])
        message = next(m for m in openedx.ace_messages if m.recipient.lms_user_id == learner.pk)
        assert message.language == "fr"  # the learner's language preference
        assert next(m for m in openedx.ace_messages if m.recipient.lms_user_id == harvester.pk).language is None
        assert message.recipient == Recipient(learner.id, "learner@example.com")
        assert (message.app_label, message.name) == ("honorcode", "determination")
        assert message.options.get("transactional") is True
        context = message.context
        assert context["finding"] == "violation" and context["username"] == "learner"
        assert context["commitment"] == "Never post or share answers to assessment problems"
        assert [action["kind"] for action in context["actions"]] == ["certificate_withheld", "other", "unenroll"]
        assert context["record_url"] == f"{LMS_ROOT_URL}/honorcode/me/"
        assert context["policy_url"].startswith(f"{LMS_ROOT_URL}/honorcode/v")
        assert context["course_name"] == COURSE_NAME
        assert context["platform_name"] == openedx.platform_name  # the base template context, merged
        assert openedx.template_context_sites == [site, site]

        assert openedx.ace_errors == []
        rendered = next(r for m, r in openedx.ace_emails if m is message)
        assert rendered["from_name"].strip() == openedx.platform_name
        assert rendered["subject"].split() == f"Honor code determination in {COURSE_NAME}".split()
        for body in (rendered["body"], rendered["body_html"]):
            assert "Violation" in body and "Unenrolled from the course, without refund" in body
            assert f"{LMS_ROOT_URL}/honorcode/me/" in body
        assert "harvester" not in rendered["body"]

        assert Notification.objects.filter(sent_at__isnull=False).count() == 2
        assert api.send_notifications(case.determinations.get().pk) == 0
        assert len(openedx.ace_messages) == 2

    @pytest.mark.parametrize("failure", ["no channel", "channel error", "missing template"])
    def test_a_message_ace_did_not_deliver_stays_unsent_and_staff_see_it(
            self, run_commit_hooks, openedx, teacher, learner, site, failure, client):
        if failure == "no channel":
            openedx.ace_channels = False
        elif failure == "channel error":
            openedx.ace_channel_error = "An SMTP error occurred (and logged) from Django send_email()"
        else:
            openedx.ace_templates_missing.add("honorcode/edx_ace/determination/email/body.html")
        case = open_case(teacher, learner)
        determine(teacher, case, "other")
        notification = Notification.objects.get()
        assert notification.sent_at is None and notification.attempts >= 1 and "edx-ace delivered no message" in notification.last_error
        assert openedx.ace_emails == [] and openedx.ace_messages  # ace.send was called, and raised nothing
        client.force_login(teacher)
        page = client.get(f"/honorcode/cases/{case.pk}/").content.decode()
        assert "not sent yet" in page and "edx-ace delivered no message" in page
        openedx.ace_channels, openedx.ace_channel_error, openedx.ace_templates_missing = True, "", set()
        assert api.send_notifications(case.determinations.get().pk) == 0  # sent now that edx-ace delivers
        assert Notification.objects.get().sent_at is not None

    def test_a_delivered_message_counts_as_sent_once(self, run_commit_hooks, openedx, teacher, learner, site):
        determine(teacher, open_case(teacher, learner), "other")
        assert Notification.objects.get().sent_at is not None and len(openedx.ace_emails) == 1

    def test_the_course_key_names_a_course_the_platform_does_not_know(self, openedx):
        del openedx.courses[str(COURSE_KEY)]
        assert get_platform().course_name(COURSE_KEY) == str(COURSE_KEY)
        openedx.courses[str(COURSE_KEY)] = COURSE_NAME
        assert get_platform().course_name(COURSE_KEY) == COURSE_NAME

    def test_no_case_in_a_course_the_platform_does_not_have(self, openedx, teacher, learner):
        del openedx.courses[str(COURSE_KEY)]
        with pytest.raises(NotFound, match="There is no course"):
            open_case(teacher, learner)
