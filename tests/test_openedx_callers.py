"""
The product inside the LMS's own callers: the instructor's certificate run, the grade-change receiver, the learner's
certificate request, the certificate page, sign-in, sessions and tokens, as ``tests/openedx_doubles`` reproduces them
from openedx-platform (``PLATFORM_COMMIT``). Each test here failed on the product before it followed the platform's
real behaviour: an exception that ended the instructor's run, a revoked certificate's page that never showed, a
termination that left tokens working, a sign-in step that told a stranger an account was terminated.
"""
import json
import sys
import types
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from openedx_filters.learning.filters import StudentLoginRequested

from honorcode_xblock import api
from honorcode_xblock.domain import certificates, terminations
from honorcode_xblock.models import AuditEvent, CertificateHold, Sanction

from .helpers import COURSE_KEY, OTHER_COURSE_KEY
from .openedx_doubles.certificates import (
    generate_students_certificates,
    listen_for_passing_grade,
    run_certificate_tasks,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.lms_urls")]
User = get_user_model()


@pytest.fixture
def site(monkeypatch):
    """``Site.objects.get_current()`` for ``send_notification`` (``django.contrib.sites`` is not in the demo's apps)."""
    current = SimpleNamespace(domain="lms.example.com", name="LMS")
    module = types.ModuleType("django.contrib.sites.models")
    module.Site = SimpleNamespace(objects=SimpleNamespace(get_current=lambda: current))
    monkeypatch.setitem(sys.modules, "django.contrib.sites.models", module)
    return current


@pytest.fixture
def lms(openedx, settings, site):  # pylint: disable=unused-argument
    """The LMS: its root URL and the doubles."""
    settings.LMS_ROOT_URL = "https://lms.example.com"
    return openedx


@pytest.fixture
def teacher(lms):
    user = User.objects.create_user("teacher", email="teacher@example.com", password="pw")
    lms.make_staff(user, COURSE_KEY)
    return user


@pytest.fixture
def admin(lms):
    """Global staff (``is_staff``), with Studio access to the course as ``has_studio_read_access`` gives them."""
    user = User.objects.create_user("admin", email="admin@example.com", password="pw", is_staff=True)
    lms.global_staff.add(user.pk)
    lms.make_staff(user, COURSE_KEY)
    return user


@pytest.fixture
def learners(lms, teacher):
    """Ann, Bob and Cid, enrolled (verified) in a course that gates graded content; Ann and Cid accepted."""
    api.save_course_settings(COURSE_KEY, terms_html="<p>Work alone.</p>", collaboration_text="",
                             acceptance_mode="checkbox", gate_graded_content=True, actor=teacher)
    people = {}
    for name in ("ann", "bob", "cid"):
        people[name] = User.objects.create_user(name, email=f"{name}@example.com", password="pw")
        lms.add_enrollment(people[name], COURSE_KEY, mode="verified")
    api.accept(people["ann"], COURSE_KEY, confirmed=True)
    api.accept(people["cid"], COURSE_KEY, confirmed=True)
    return SimpleNamespace(**people)


def decide(actor, learner, *kinds, course_key=COURSE_KEY, usage_key=""):
    case = api.open_case(actor, course_key, respondents=[learner.username], commitment="own_work",
                         description="Copied answers.", usage_key=usage_key)
    api.determine(actor, case.pk, finding="violation", rationale="The answers match.",
                  sanctions_requested=[{"kind": kind} for kind in kinds])
    return Sanction.objects.filter(determination__case=case).order_by("pk").last()


def statuses(lms, *people):
    return [getattr(lms.certificates.get((user.pk, str(COURSE_KEY))), "status", None) for user in people]


class TestCertificateRuns:
    def test_the_instructors_run_goes_on_past_a_learner_who_never_accepted(self, lms, learners):
        progress = generate_students_certificates(lms, COURSE_KEY)
        assert progress["attempted"] == 3
        run_certificate_tasks(lms)
        assert statuses(lms, learners.ann, learners.bob, learners.cid) == ["downloadable", "unavailable",
                                                                           "downloadable"]
        hold = CertificateHold.objects.get()
        assert (hold.user, hold.reason, hold.released_at) == (learners.bob, "not_accepted", None)

    def test_the_instructors_run_goes_on_past_a_learner_a_determination_withholds(
            self, run_commit_hooks, lms, learners, teacher):
        decide(teacher, learners.ann, "certificate_withheld")
        generate_students_certificates(lms, COURSE_KEY)
        run_certificate_tasks(lms)
        assert statuses(lms, learners.ann, learners.bob, learners.cid) == ["unavailable", "unavailable",
                                                                           "downloadable"]
        assert dict(CertificateHold.objects.values_list("user__username", "reason")) == {
            "ann": "determination", "bob": "not_accepted"}

    def test_a_second_run_asks_again_for_the_withheld_and_withholds_them_again(self, lms, learners):
        generate_students_certificates(lms, COURSE_KEY)
        run_certificate_tasks(lms)
        progress = generate_students_certificates(lms, COURSE_KEY)  # "all learners" retries the unavailable ones
        assert (progress["attempted"], progress["skipped"]) == (1, 2)
        run_certificate_tasks(lms)
        assert statuses(lms, learners.bob) == ["unavailable"] and CertificateHold.objects.count() == 1

    def test_the_grade_change_receiver_withholds_without_an_exception(self, lms, learners):
        listen_for_passing_grade(lms, learners.bob, COURSE_KEY)
        listen_for_passing_grade(lms, learners.ann, COURSE_KEY)
        run_certificate_tasks(lms)
        assert statuses(lms, learners.ann, learners.bob) == ["downloadable", "unavailable"]

    def test_the_learners_own_request_says_why_and_succeeds_once_they_accept(self, run_commit_hooks, lms, learners):
        client = Client()
        client.force_login(learners.bob)
        refused = client.post(f"/courses/{COURSE_KEY}/generate_user_cert")
        assert refused.status_code == 400 and "withheld until you accept the honor code" in refused.content.decode()
        api.accept(learners.bob, COURSE_KEY, confirmed=True)
        run_certificate_tasks(lms)
        assert statuses(lms, learners.bob) == ["downloadable"]  # asked for again on acceptance
        assert client.post(f"/courses/{COURSE_KEY}/generate_user_cert").status_code == 400  # "already created"

    def test_accepting_releases_the_hold_and_asks_for_the_certificate_again(self, run_commit_hooks, lms, learners):
        generate_students_certificates(lms, COURSE_KEY)
        run_certificate_tasks(lms)
        api.accept(learners.bob, COURSE_KEY, confirmed=True)
        assert lms.certificate_tasks[-1] == {"user_id": learners.bob.pk, "course_key": str(COURSE_KEY),
                                             "generation_mode": None, "queued": True}
        run_certificate_tasks(lms)
        assert statuses(lms, learners.bob) == ["downloadable"]
        assert CertificateHold.objects.get().released_at is not None
        assert list(AuditEvent.objects.filter(action__startswith="certificate.").order_by("sequence")
                    .values_list("action", flat=True)) \
            == ["certificate.withheld", "certificate.released"]

    def test_reverting_the_withholding_asks_for_the_certificate_again(self, run_commit_hooks, lms, learners,
                                                                      teacher):
        sanction = decide(teacher, learners.ann, "certificate_withheld")
        listen_for_passing_grade(lms, learners.ann, COURSE_KEY)
        run_certificate_tasks(lms)
        assert statuses(lms, learners.ann) == ["unavailable"]
        api.revert_sanction(teacher, sanction.pk, reason="Appeal upheld.")
        run_certificate_tasks(lms)
        assert statuses(lms, learners.ann) == ["downloadable"]

    def test_course_staff_and_the_learner_see_the_withheld_certificate(self, lms, learners, teacher):
        generate_students_certificates(lms, COURSE_KEY)
        assert [hold.user for hold in api.certificate_holds(teacher, COURSE_KEY)] == [learners.bob]
        record = api.learner_record(learners.bob)
        assert [hold.reason for hold in record.certificates_withheld] == ["not_accepted"]
        client = Client()
        client.force_login(learners.bob)
        page = client.get("/honorcode/me/").content.decode()
        assert "Certificates withheld" in page and "accept it in the course" in page
        answer = client.get("/api/honorcode/v1/me/record/").json()
        assert answer["certificates_withheld"][0]["reason"] == "not_accepted"

    def test_an_error_in_the_check_withholds_quietly_and_the_run_goes_on(self, lms, learners, monkeypatch):
        real = api.certificate_hold_reason

        def broken(user, course_key):
            if user.username == "cid":
                raise RuntimeError("database gone")
            return real(user, course_key)

        monkeypatch.setattr(certificates, "certificate_hold_reason", broken)
        assert generate_students_certificates(lms, COURSE_KEY)["attempted"] == 3
        run_certificate_tasks(lms)
        assert statuses(lms, learners.ann, learners.bob, learners.cid) == ["downloadable", "unavailable",
                                                                           "unavailable"]

    def test_a_database_error_in_the_step_leaves_the_callers_transaction_usable(self, lms, learners, monkeypatch):
        from django.db import DatabaseError, transaction  # pylint: disable=import-outside-toplevel

        def broken(user, course_key):
            with transaction.get_connection().cursor() as cursor:
                cursor.execute("SELECT * FROM no_such_table")  # a real database error inside the step
            raise DatabaseError("unreachable")

        monkeypatch.setattr(certificates, "certificate_hold_reason", broken)
        with transaction.atomic():  # the caller's own transaction (a grade update, a task)
            listen_for_passing_grade(lms, learners.ann, COURSE_KEY)
            assert User.objects.filter(username="ann").exists()  # still usable: the step had its savepoint
        run_certificate_tasks(lms)
        assert statuses(lms, learners.ann) == ["unavailable"]  # withheld in a course that uses the honor code
        assert CertificateHold.objects.get().reason == "check_failed"

    def test_a_failed_check_withholds_nothing_in_a_course_without_the_honor_code(self, lms, learners, monkeypatch):
        other = User.objects.create_user("dee", email="dee@example.com", password="pw")
        lms.add_enrollment(other, OTHER_COURSE_KEY)
        monkeypatch.setattr(certificates, "certificate_hold_reason", lambda user, course_key: 1 / 0)
        listen_for_passing_grade(lms, other, OTHER_COURSE_KEY)
        run_certificate_tasks(lms)
        assert lms.certificates[(other.pk, str(OTHER_COURSE_KEY))].status == "downloadable"
        assert not CertificateHold.objects.exists()

    def test_the_sweep_asks_again_once_a_hold_no_longer_applies(self, run_commit_hooks, lms, learners, teacher,
                                                                django_capture_on_commit_callbacks):
        generate_students_certificates(lms, COURSE_KEY)
        run_certificate_tasks(lms)
        assert api.resume_pending_work(older_than_seconds=0)[2] == 0  # Bob still has not accepted
        api.save_course_settings(COURSE_KEY, terms_html="<p>Work alone.</p>", collaboration_text="",
                                 acceptance_mode="checkbox", gate_graded_content=False, actor=teacher)
        with django_capture_on_commit_callbacks(execute=True):
            assert api.resume_pending_work(older_than_seconds=0)[2] == 1  # the author turned the gate off
        run_certificate_tasks(lms)
        assert statuses(lms, learners.bob) == ["downloadable"]
        assert not api.certificate_holds(teacher, COURSE_KEY) and not api.learner_record(
            learners.bob).certificates_withheld

    def test_a_certificate_issued_ends_a_hold_left_from_before(self, lms, learners, teacher):
        listen_for_passing_grade(lms, learners.bob, COURSE_KEY)
        api.save_course_settings(COURSE_KEY, terms_html="<p>Work alone.</p>", collaboration_text="",
                                 acceptance_mode="checkbox", gate_graded_content=False, actor=teacher)
        generate_students_certificates(lms, COURSE_KEY)  # the next run: nothing withholds it now
        run_certificate_tasks(lms)
        assert statuses(lms, learners.bob) == ["downloadable"] and not api.certificate_holds(teacher, COURSE_KEY)

    def test_an_allowlisted_learners_own_request_gets_no_exception_the_platform_would_swallow(self, lms, learners):
        lms.allowlist.add((learners.bob.pk, str(COURSE_KEY)))
        client = Client()
        client.force_login(learners.bob)
        client.post(f"/courses/{COURSE_KEY}/generate_user_cert")
        run_certificate_tasks(lms)
        assert statuses(lms, learners.bob) == ["unavailable"]  # withheld, not issued
        assert CertificateHold.objects.get().user == learners.bob  # and shown to staff and the learner

    def test_the_creation_filter_fails_silently_as_its_callers_need(self, settings):
        config = settings.OPEN_EDX_FILTERS_CONFIG["org.openedx.learning.certificate.creation.requested.v1"]
        assert config["fail_silently"] is True


class TestRevokedCertificateLink:
    @pytest.fixture
    def certified(self, lms, learners):
        """Ann's downloadable certificate, and its public link."""
        certificate = lms.add_certificate(learners.ann, COURSE_KEY)
        return certificate, f"/certificates/{certificate.verify_uuid}"

    def test_the_link_says_the_certificate_was_revoked_where_the_platform_answers_404(
            self, run_commit_hooks, lms, learners, teacher, certified):
        certificate, link = certified
        assert Client().get(link).status_code == 200
        sanction = decide(teacher, learners.ann, "certificate_revoked")
        assert certificate.status == "unavailable"
        page = Client().get(link)
        assert page.status_code == 410 and "has been revoked. It is not valid." in page.content.decode()
        assert "honor code" not in page.content.decode().split("<main", 1)[-1].lower()  # the public is not told why
        owner = Client()
        owner.force_login(learners.ann)
        assert "following a determination under the honor code" in owner.get(link).content.decode()
        assert Client().get(f"/certificates/{'f' * 32}").status_code == 404  # any other link: the platform answers
        api.revert_sanction(teacher, sanction.pk, reason="Appeal upheld.")
        run_certificate_tasks(lms)
        assert Client().get(link).status_code == 200  # generated again under the same link

    def test_a_certificate_an_instructor_invalidated_is_the_platforms_to_answer(self, lms, learners, teacher,
                                                                              certified):
        certificate, link = certified
        from lms.djangoapps.certificates import api as certificates_api  # pylint: disable=import-error,import-outside-toplevel

        certificates_api.create_certificate_invalidation_entry(certificate, teacher, "Instructor's decision")
        certificate.invalidate(source="certificate_invalidation_list")
        assert Client().get(link).status_code == 404


class TestTerminatedAccount:
    @pytest.fixture
    def terminated(self, run_commit_hooks, lms, learners, admin):
        """Bob, signed in on a browser and holding a mobile app's tokens, then terminated."""
        browser = Client()
        browser.force_login(learners.bob)
        assert browser.get("/honorcode/me/").status_code == 200
        lms.add_tokens(learners.bob)
        decide(admin, learners.bob, "terminate_account")
        learners.bob.refresh_from_db()
        return SimpleNamespace(browser=browser, user=learners.bob)

    def test_the_session_ends(self, terminated):
        assert terminated.browser.get("/honorcode/me/").status_code == 302  # signed out: back to sign-in

    def test_the_oauth2_tokens_are_deleted_and_refused(self, lms, learners, terminated):
        assert lms.access_tokens == {} and lms.refresh_tokens == {}  # no bearer call, no new JWT from a refresh
        request = RequestFactory().get("/", HTTP_AUTHORIZATION="Bearer access-token")
        request.user = AnonymousUser()
        assert api.user_for_request(request) is None
        lms.add_tokens(learners.ann, access="ann-token", refresh="ann-refresh")
        request = RequestFactory().get("/", HTTP_AUTHORIZATION="Bearer ann-token")
        request.user = AnonymousUser()
        assert api.user_for_request(request) == learners.ann

    def test_a_bearer_token_had_after_support_gave_a_password_again_is_refused(self, lms, terminated, learners):
        terminated.user.set_password("support-reset")  # support's toggle, while the sanction stands
        terminated.user.save()
        lms.add_tokens(terminated.user, access="new-token", refresh="new-refresh")  # the mobile app's password grant
        refused = Client().get("/api/honorcode/v1/me/record/", HTTP_AUTHORIZATION="Bearer new-token")
        assert refused.status_code == 403 and refused.json()["error_code"] == "honorcode-account-terminated"
        lms.add_tokens(learners.ann, access="ann-token", refresh="ann-refresh")
        other = Client().get("/api/honorcode/v1/me/record/", HTTP_AUTHORIZATION="Bearer ann-token")
        assert other.status_code != 403  # (the demo's API takes no bearer tokens: 401, not the termination's 403)
        unknown = Client().get("/api/honorcode/v1/me/record/", HTTP_AUTHORIZATION="Bearer no-such-token")
        assert unknown.status_code == 401

    def test_jwts_already_issued_are_refused(self, terminated, learners):
        from edx_rest_framework_extensions.auth.jwt.tests.utils import (  # pylint: disable=import-outside-toplevel
            generate_jwt_token,
            generate_latest_version_payload,
        )

        token = generate_jwt_token(generate_latest_version_payload(terminated.user))
        refused = Client().get("/api/honorcode/v1/me/record/", HTTP_AUTHORIZATION=f"JWT {token}")
        assert refused.status_code == 403 and refused.json()["error_code"] == "honorcode-account-terminated"
        header_payload, _dot, signature = token.rpartition(".")
        mfe = Client()
        mfe.cookies["edx-jwt-cookie-header-payload"], mfe.cookies["edx-jwt-cookie-signature"] = header_payload, \
            signature
        assert mfe.get("/api/honorcode/v1/me/record/").status_code == 403
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        answer = Client().get("/api/honorcode/v1/me/record/", HTTP_AUTHORIZATION=f"JWT {forged}")
        assert answer.status_code == 401 and "terminated" not in answer.content.decode()  # a forger learns nothing
        other = generate_jwt_token(generate_latest_version_payload(learners.ann))
        assert Client().get("/api/honorcode/v1/me/record/", HTTP_AUTHORIZATION=f"JWT {other}").status_code == 200

    def test_jwts_work_again_once_the_termination_is_reverted(self, terminated, admin):
        from edx_rest_framework_extensions.auth.jwt.tests.utils import (  # pylint: disable=import-outside-toplevel
            generate_jwt_token,
            generate_latest_version_payload,
        )

        token = generate_jwt_token(generate_latest_version_payload(terminated.user))
        assert Client().get("/api/honorcode/v1/me/record/", HTTP_AUTHORIZATION=f"JWT {token}").status_code == 403
        api.revert_sanction(admin, Sanction.objects.get(kind="terminate_account").pk, reason="Appeal upheld.")
        assert Client().get("/api/honorcode/v1/me/record/", HTTP_AUTHORIZATION=f"JWT {token}").status_code == 200


class CountingCache:
    """Django's cache, counting the reads."""

    def __init__(self, real):
        self.real, self.reads = real, 0

    def get(self, *args, **kwargs):
        self.reads += 1
        return self.real.get(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


def jwt_request(user):
    from edx_rest_framework_extensions.auth.jwt.tests.utils import (  # pylint: disable=import-outside-toplevel
        generate_jwt_token,
        generate_latest_version_payload,
    )

    return RequestFactory().get("/", HTTP_AUTHORIZATION=f"JWT {generate_jwt_token(generate_latest_version_payload(user))}")


class TestTerminationCache:
    def test_a_token_on_a_site_without_terminations_costs_one_cache_read(self, lms, learners, monkeypatch,
                                                                          django_assert_num_queries):
        assert api.terminated_token_refusal(jwt_request(learners.ann)) is None  # the first asks the database
        counting = CountingCache(terminations.cache)
        monkeypatch.setattr(terminations, "cache", counting)
        with django_assert_num_queries(0):
            assert api.terminated_token_refusal(jwt_request(learners.ann)) is None
        assert counting.reads == 1

    def test_none_computed_before_a_termination_committed_never_hides_it(self, run_commit_hooks, lms, learners,
                                                                         admin, monkeypatch):
        real = terminations.cache

        class LateReader(CountingCache):
            def add(self, *args, **kwargs):  # the reader counted no termination, then one committed, then it writes
                monkeypatch.setattr(terminations, "cache", real)
                decide(admin, learners.bob, "terminate_account")
                return real.add(*args, **kwargs)

        monkeypatch.setattr(terminations, "cache", LateReader(real))
        assert api.terminated_token_refusal(jwt_request(learners.ann)) is None
        assert Sanction.objects.get(kind="terminate_account").state == "applied"
        assert api.terminated_token_refusal(jwt_request(learners.bob)) is not None


def sign_in(email, password=None, **extra):
    """POST ``/login_ajax`` as the LMS's sign-in page does; (status, JSON body)."""
    data = {"email": email, **extra}
    if password is not None:
        data["password"] = password
    response = Client().post("/login_ajax", data)
    return response.status_code, json.loads(response.content)


class TestSignIn:
    def test_a_stranger_who_types_a_terminated_accounts_email_gets_the_answer_to_a_wrong_password(
            self, run_commit_hooks, lms, learners, admin):
        before = sign_in("bob@example.com", "guess")
        decide(admin, learners.bob, "terminate_account")
        for password in ("guess", "pw", ""):  # a guess, the password it had, or none
            status, body = sign_in("bob@example.com", password)
            assert status == 400 and body["value"] == "Email or password is incorrect."
            assert body["error_code"] == "incorrect-email-or-password" and "terminated" not in json.dumps(body)
        assert before[1]["error_code"] == "incorrect-email-or-password"
        assert lms.login_failures[learners.bob.pk] == 4  # counted as any failure, towards the lockout

    def test_the_account_holder_is_told_why(self, run_commit_hooks, lms, learners, admin):
        decide(admin, learners.bob, "terminate_account")
        status, body = sign_in("", tpa_username="bob")  # a single sign-on: the provider authenticated them
        assert status == 400 and body["error_code"] == "honorcode-account-terminated"
        assert "terminated following an honor code determination" in body["value"]
        learners.bob.set_password("support-reset")  # support set a new password while the sanction stands
        learners.bob.save()
        status, body = sign_in("bob@example.com", "support-reset")
        assert status == 400 and body["error_code"] == "honorcode-account-terminated"
        status, body = sign_in("bob@example.com", "guess")
        assert body["error_code"] == "incorrect-email-or-password"

    def test_no_password_is_checked_once_the_rate_limit_is_hit(self, run_commit_hooks, lms, learners, admin):
        decide(admin, learners.bob, "terminate_account")
        learners.bob.set_password("support-reset")
        learners.bob.save()
        from honorcode_xblock.platform.openedx import OpenEdxPlatform  # pylint: disable=import-outside-toplevel

        request = RequestFactory().post("/login_ajax", {"email": "bob@example.com", "password": "support-reset"})
        assert OpenEdxPlatform().sign_in_proves_account(request, learners.bob)
        request.limited = True  # ``django_ratelimit`` with ``block=False``
        assert not OpenEdxPlatform().sign_in_proves_account(request, learners.bob)

    def test_other_learners_sign_in(self, lms, learners):
        status, body = sign_in("ann@example.com", "pw")
        assert status == 200 and body["success"] is True

    def test_the_step_runs_with_other_plugins_steps(self, settings, learners):
        config = {**settings.OPEN_EDX_FILTERS_CONFIG}
        config["org.openedx.learning.student.login.requested.v1"] = {
            "fail_silently": False, "pipeline": ["tests.test_openedx_callers.ExtraKeyStep",
                                                 "honorcode_xblock.filters.RefuseTerminatedLogin"]}
        settings.OPEN_EDX_FILTERS_CONFIG = config
        assert StudentLoginRequested.run_filter(user=learners.ann) == learners.ann


class ExtraKeyStep:
    """Another plugin's step that returns a key of its own (openedx-filters hands it on to the next step)."""

    def __init__(self, filter_type, running_pipeline):
        self.filter_type, self.running_pipeline = filter_type, running_pipeline

    def run_filter(self, **kwargs):  # pylint: disable=unused-argument
        return {"other_plugins_key": 42}
