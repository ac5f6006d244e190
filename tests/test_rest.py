"""
The REST API v1 on the Open edX platform: the permission matrix (every endpoint × anonymous, learner, another
learner, staff of this course, staff of another course, global staff), its answers to bad input, CSRF, JWT, the
streaming CSV exports and the OpenAPI 3 schema.
"""
import csv
import io
import json

import hypothesis
import pytest
from hypothesis import strategies as st
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from honorcode_xblock import api
from honorcode_xblock.domain import exports
from honorcode_xblock.models import DetectionRun, Sanction, SanctionState, SuspectedPair

from .evidence_samples import image_bytes
from .helpers import COURSE_KEY, OTHER_COURSE_KEY

pytestmark = pytest.mark.django_db
BASE = "/api/honorcode/v1/"
ROLES = ["anonymous", "learner", "other_learner", "course_staff", "other_course_staff", "global_staff"]


@pytest.fixture
def world(openedx):
    """Users in each role, a course using the honor code, a case about the learner with a determination."""
    users = get_user_model().objects
    people = {
        "learner": users.create_user("learner", email="learner@example.com"),
        "other_learner": users.create_user("other", email="other@example.com"),
        "course_staff": users.create_user("staff", email="staff@example.com"),
        "other_course_staff": users.create_user("elsewhere", email="elsewhere@example.com"),
        "global_staff": users.create_user("admin", email="admin@example.com", is_staff=True),
    }
    for learner in ("learner", "other_learner"):
        openedx.add_enrollment(people[learner], COURSE_KEY)
    openedx.make_staff(people["course_staff"], COURSE_KEY)
    openedx.make_staff(people["other_course_staff"], OTHER_COURSE_KEY)
    openedx.global_staff.add(people["global_staff"].pk)
    for course_key in (COURSE_KEY, OTHER_COURSE_KEY):  # global staff reach every course (has_studio_read_access)
        openedx.make_staff(people["global_staff"], course_key)
    api.save_course_settings(COURSE_KEY, terms_html="", collaboration_text="", acceptance_mode="checkbox",
                             gate_graded_content=True, actor=people["course_staff"])
    api.accept(people["learner"], COURSE_KEY, confirmed=True)
    staff, admin = people["course_staff"], people["global_staff"]
    case = api.open_case(staff, COURSE_KEY, respondents=["learner"], commitment="own_work", description="Copied.")
    decided = api.open_case(staff, COURSE_KEY, respondents=["learner"], commitment="one_account",
                            description="Shared the account.")
    api.determine(admin, decided.pk, finding="violation", rationale="Logins from two people.",
                  sanctions_requested=[{"kind": "certificate_withheld"}, {"kind": "terminate_account"}])
    withheld = Sanction.objects.get(kind="certificate_withheld")
    terminated = Sanction.objects.get(kind="terminate_account")
    Sanction.objects.filter(pk=withheld.pk).update(state=SanctionState.FAILED, attempts=1, last_error="down")
    Sanction.objects.filter(pk=terminated.pk).update(state=SanctionState.APPLIED, applied_at=timezone.now())
    run = DetectionRun.objects.create(course_key=COURSE_KEY, trigger="command", source="tracking logs x",
                                      status="done", queued_at=timezone.now())
    copied = timezone.now().isoformat()  # after the honor code the migrations published
    pair = SuspectedPair.objects.create(
        run=run, course_key=COURSE_KEY, harvester=people["other_learner"], harvester_username="other",
        master=people["learner"], master_username="learner", score=3.46, median_lag_seconds=30, shared_ip_share=1.0,
        problems=[{"problem_id": "block-v1:TestX+HC101+2026+type@problem+block@p1", "shown_at": copied,
                   "answered_at": copied, "lag_seconds": 0}])
    return {"people": people, "case": case, "withheld": withheld, "terminated": terminated, "pair": pair}


def client_for(world, role):
    client = Client()
    if role != "anonymous":
        client.force_login(world["people"][role])
    return client


C = f"courses/{COURSE_KEY}/"
#: Cells of a generated page's columns: any text, text a plain page may hold, integers, or any of them.
PAGE_CELLS = {
    "text": st.text(max_size=6),
    "plain": st.text(st.characters(blacklist_characters=',"\r\n=+-@\t'), max_size=8),
    "int": st.integers(),
    "any": st.one_of(st.text(max_size=6), st.integers(), st.none(), st.booleans()),
}
STAFF_ONLY = {"anonymous": 401, "learner": 403, "other_learner": 403, "course_staff": 200,
              "other_course_staff": 403, "global_staff": 200}


#: A record (case, sanction) answers 404 to anyone off its course team, as for an id that names nothing.
RECORD = {**STAFF_ONLY, "learner": 404, "other_learner": 404, "other_course_staff": 404}


def staff(code, base=None):
    return {**(base or STAFF_ONLY), "course_staff": code, "global_staff": code}


#: (name, method, path, body, {role: status}). ``{case}``, ``{withheld}`` and ``{terminated}`` are filled in.
MATRIX = [
    ("policy versions", "get", "policy-versions/", None, dict.fromkeys(ROLES, 200)),
    ("publish a version", "post", "policy-versions/", {"body": "<p>v2</p>", "change_kind": "minor"},
     {**STAFF_ONLY, "course_staff": 403, "global_staff": 201}),
    ("one version", "get", "policy-versions/1/", None, dict.fromkeys(ROLES, 200)),
    ("schema", "get", "schema/", None, dict.fromkeys(ROLES, 200)),
    ("my record", "get", "me/record/", None, {**dict.fromkeys(ROLES, 200), "anonymous": 401}),
    ("my acceptance", "get", C + "acceptance/", None, {**dict.fromkeys(ROLES, 200), "anonymous": 401}),
    ("a learner's acceptance", "get", C + "acceptance/?username=learner", None, {**STAFF_ONLY, "learner": 200}),
    ("accept", "post", C + "acceptance/", {"confirmed": True}, {**dict.fromkeys(ROLES, 201), "anonymous": 401,
                                                                 "learner": 200}),
    ("acceptances", "get", C + "acceptances/", None, STAFF_ONLY),
    ("acceptances CSV", "get", C + "acceptances.csv", None, STAFF_ONLY),
    ("cases", "get", C + "cases/", None, STAFF_ONLY),
    ("open a case", "post", C + "cases/", {"respondents": ["other"], "commitment": "own_work",
                                           "description": "Same answers."}, staff(201)),
    ("cases CSV", "get", C + "cases.csv", None, STAFF_ONLY),
    ("a case", "get", "cases/{case}/", None, RECORD),
    ("change a case's status", "patch", "cases/{case}/", {"status": "under_review"}, RECORD),
    ("add evidence", "post", "cases/{case}/evidence/", {"text": "Screenshot 1."}, staff(201, RECORD)),
    ("determine", "post", "cases/{case}/determination/", {"finding": "no_violation", "rationale": "Coincidence."},
     staff(201, RECORD)),
    ("determine a termination", "post", "cases/{case}/determination/",
     {"finding": "violation", "rationale": "Shared.", "sanctions": [{"kind": "terminate_account"}]},
     {**RECORD, "course_staff": 403, "global_staff": 201}),
    ("a sanction", "get", "sanctions/{withheld}/", None, RECORD),
    ("retry a sanction", "post", "sanctions/{withheld}/retry/", None, staff(202, RECORD)),
    ("revert a sanction", "post", "sanctions/{withheld}/revert/", {"reason": "Appeal."}, RECORD),
    ("revert a termination", "post", "sanctions/{terminated}/revert/", {"reason": "Appeal."},
     {**RECORD, "course_staff": 403}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, method, path, body, expected", MATRIX, ids=[row[0] for row in MATRIX])
def test_permission_matrix(world, role, name, method, path, body, expected):
    url = BASE + path.format(case=world["case"].pk, withheld=world["withheld"].pk,
                             terminated=world["terminated"].pk)
    client = client_for(world, role)
    if body is None:
        response = getattr(client, method)(url)
    else:
        response = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if response.status_code >= 400:
        assert response.json()["detail"]  # every refusal says why


def test_the_matrix_covers_every_endpoint():
    from django.urls import get_resolver  # pylint: disable=import-outside-toplevel

    from honorcode_xblock.rest import urls  # pylint: disable=import-outside-toplevel

    routes = {str(pattern.pattern) for pattern in urls.urlpatterns if pattern.name != "api-not-found"}
    covered = {path.split("?")[0].replace(C, "courses/<path:course_id>/").replace("{case}", "<int:case_id>")
               .replace("{withheld}", "<int:sanction_id>").replace("{terminated}", "<int:sanction_id>")
               .replace("policy-versions/1/", "policy-versions/<int:number>/") for _n, _m, path, _b, _e in MATRIX}
    assert routes == covered
    assert len(MATRIX) * len(ROLES) == 132
    assert get_resolver()  # the URLs load


class TestWhatLearnersSee:
    def test_a_learner_sees_only_their_own_record(self, world):
        response = client_for(world, "learner").get(BASE + "me/record/")
        record = response.json()
        assert record["username"] == "learner"
        assert [a["policy_version"] for a in record["acceptances"]] == [1]
        (determination,) = record["determinations"]
        assert sorted(s["kind"] for s in determination["sanctions"]) == ["certificate_withheld", "terminate_account"]
        other = client_for(world, "other_learner").get(BASE + "me/record/").json()
        assert other["acceptances"] == [] and other["determinations"] == []

    def test_acceptance_status_own_and_for_staff(self, world):
        assert client_for(world, "learner").get(BASE + C + "acceptance/").json()["accepted"] is True
        assert client_for(world, "other_learner").get(BASE + C + "acceptance/").json()["accepted"] is False
        found = client_for(world, "course_staff").get(BASE + C + "acceptance/?username=learner").json()
        assert found["username"] == "learner" and found["acceptance"]["policy_version"] == 1
        assert client_for(world, "course_staff").get(BASE + C + "acceptance/?username=ghost").status_code == 404
        # a user who exists but is not a learner of the course: the same answer as for nobody
        stranger = client_for(world, "course_staff").get(BASE + C + "acceptance/?username=elsewhere")
        assert stranger.status_code == 404 and "not a learner of this course" in stranger.json()["detail"]


class TestBadInput:
    @pytest.mark.parametrize("method, path, body, field", [
        ("get", "courses/not-a-course/cases/", None, "course_id"),
        ("post", C + "cases/", {"respondents": "learner", "commitment": "own_work", "description": "x"},
         "respondents"),
        ("post", C + "cases/", {"respondents": ["learner"], "commitment": "cheating", "description": "x"},
         "commitment"),
        ("post", C + "cases/", {"respondents": ["ghost"], "commitment": "own_work", "description": "x"},
         "respondents"),
        ("post", C + "cases/", {"respondents": ["learner"], "commitment": "own_work", "description": "x" * 20001},
         "description"),
        ("post", C + "cases/", ["not", "an", "object"], None),
        ("post", "cases/{case}/determination/", {"finding": "violation", "rationale": "r",
                                                 "sanctions": [{"kind": "zero_credit"}]}, "sanctions"),
        ("post", "cases/{case}/determination/", {"finding": "violation", "rationale": "r", "sanctions": "all"},
         "sanctions"),
        ("patch", "cases/{case}/", {"status": 3}, "status"),
        ("post", C + "acceptance/", {"confirmed": "maybe"}, "confirmed"),
        ("get", C + "cases/?status=lost", None, "status"),
    ])
    def test_a_4xx_with_a_message(self, world, method, path, body, field):
        """400 for a request the schema does not allow; 422 for one it allows that breaks a rule."""
        client = client_for(world, "course_staff")
        url = BASE + path.format(case=world["case"].pk)
        response = (getattr(client, method)(url) if body is None
                    else getattr(client, method)(url, data=json.dumps(body), content_type="application/json"))
        rule = (field == "respondents" and body["respondents"] == ["ghost"]) or (
            field == "sanctions" and isinstance(body.get("sanctions"), list)) or "status=lost" in path
        assert response.status_code == (422 if rule else 400), response.content[:300]
        payload = response.json()
        assert payload["detail"]
        if field:
            assert field in payload["errors"]

    def test_malformed_json_and_unknown_ids(self, world):
        client = client_for(world, "course_staff")
        response = client.post(BASE + C + "cases/", data="{nope", content_type="application/json")
        assert response.status_code == 400 and response.json()["detail"]
        assert client.get(BASE + "cases/999999/").status_code == 404
        assert client.get(BASE + "sanctions/999999/").status_code == 404
        assert client.get(BASE + "policy-versions/99/").status_code == 404

    def test_invalid_transition_is_a_conflict(self, world):
        response = client_for(world, "course_staff").patch(
            BASE + f"cases/{world['case'].pk}/", data=json.dumps({"status": "determined"}),
            content_type="application/json")
        assert response.status_code == 409 and "cannot become" in response.json()["detail"]

    def test_evidence_file_limits(self, world, settings, tmp_path):
        from django.core.files.uploadedfile import SimpleUploadedFile  # pylint: disable=import-outside-toplevel

        settings.MEDIA_ROOT, settings.HONORCODE_EVIDENCE_MAX_BYTES = str(tmp_path), 100
        client = client_for(world, "course_staff")
        url = BASE + f"cases/{world['case'].pk}/evidence/"
        too_big = client.post(url, {"file": SimpleUploadedFile("a.txt", b"a" * 101)})
        assert too_big.status_code == 422 and "file" in too_big.json()["errors"]
        wrong = client.post(url, {"file": SimpleUploadedFile("a.html", b"<script>alert(1)</script>")})
        assert wrong.status_code == 422 and "cannot be added" in wrong.json()["detail"]
        fine = client.post(url, {"text": "note", "file": SimpleUploadedFile("a.png", image_bytes("PNG"))})
        assert fine.status_code == 201 and fine.json()["content_type"] == "image/png"
        long_name = client.post(url, {"file": SimpleUploadedFile("n" * 230 + ".txt", b"notes")})
        assert long_name.status_code == 201, long_name.json()  # shortened before its extension, which is kept
        assert len(long_name.json()["filename"]) == 200 and long_name.json()["filename"].endswith("n.txt")


class TestAuthentication:
    def test_session_changes_need_the_csrf_token(self, world):
        client = Client(enforce_csrf_checks=True)
        client.force_login(world["people"]["course_staff"])
        url = BASE + f"cases/{world['case'].pk}/evidence/"
        refused = client.post(url, data=json.dumps({"text": "x"}), content_type="application/json")
        assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
        client.get(BASE + "policy-versions/")  # any page; then take the token from the cookie
        token = client.cookies.get("csrftoken")
        if token is None:
            from django.middleware.csrf import _get_new_csrf_string  # pylint: disable=import-outside-toplevel

            token = _get_new_csrf_string()
            client.cookies["csrftoken"] = token
        accepted = client.post(url, data=json.dumps({"text": "x"}), content_type="application/json",
                               HTTP_X_CSRFTOKEN=token.value if hasattr(token, "value") else token)
        assert accepted.status_code == 201

    def test_jwt_callers_act_as_their_user(self, world):
        from edx_rest_framework_extensions.auth.jwt.tests.utils import (  # pylint: disable=import-outside-toplevel
            generate_jwt_token,
            generate_latest_version_payload,
        )

        staff = world["people"]["course_staff"]
        token = generate_jwt_token(generate_latest_version_payload(staff))
        response = Client().get(BASE + C + "cases/", HTTP_AUTHORIZATION=f"JWT {token}")
        assert response.status_code == 200 and response.json()["count"] == 2
        learner = generate_jwt_token(generate_latest_version_payload(world["people"]["learner"]))
        assert Client().get(BASE + C + "cases/", HTTP_AUTHORIZATION=f"JWT {learner}").status_code == 403
        assert Client().get(BASE + C + "cases/", HTTP_AUTHORIZATION="JWT forged.token.here").status_code == 401


class TestExportsAndSchema:
    def test_streaming_csv_exports(self, world):
        client = client_for(world, "course_staff")
        response = client.get(BASE + C + "acceptances.csv")
        assert response.streaming and response["Content-Type"].startswith("text/csv")
        rows = b"".join(response.streaming_content).decode().splitlines()
        assert rows[0] == ",".join(api.ACCEPTANCE_CSV_HEADER)
        assert rows[1].startswith("learner,") and len(rows) == 2
        cases = b"".join(client.get(BASE + C + "cases.csv").streaming_content).decode().splitlines()
        assert cases[0] == ",".join(api.CASE_CSV_HEADER) and len(cases) == 3
        assert any(",determined," in row and "terminate_account:applied" in row for row in cases[1:])

    def test_no_cell_is_a_spreadsheet_formula(self, world, openedx):
        from django.contrib.auth import get_user_model as users  # pylint: disable=import-outside-toplevel

        tricky = users().objects.create_user("-2+3", email="x@example.com")
        openedx.add_enrollment(tricky, COURSE_KEY)
        api.accept(tricky, COURSE_KEY, confirmed=True)
        rows = b"".join(client_for(world, "course_staff").get(BASE + C + "acceptances.csv").streaming_content)
        assert b"\n'-2+3," in rows.replace(b"\r\n", b"\n")
        refused = client_for(world, "course_staff").get(BASE + "courses/=cmd()/cases.csv", HTTP_ACCEPT="text/csv")
        cells = [cell for row in csv.reader(io.StringIO(refused.content.decode())) for cell in row]
        assert refused.status_code == 400 and "=cmd()" in cells[1]
        assert not any(cell[:1] in "=+-@" for cell in cells if cell)

    def test_a_download_closed_half_way_ends_its_query(self, world, openedx, monkeypatch):
        """The client goes away after the first piece: closing the response ends the export's query (on MySQL the
        connection would otherwise refuse every query after it)."""
        from django.db import connection  # pylint: disable=import-outside-toplevel

        from honorcode_xblock.models import Acceptance  # pylint: disable=import-outside-toplevel

        users = get_user_model().objects
        for number in range(6):
            learner = users.create_user(f"many{number}", email=f"many{number}@example.com")
            openedx.add_enrollment(learner, COURSE_KEY)
            api.accept(learner, COURSE_KEY, confirmed=True)
        monkeypatch.setattr(exports, "ACCEPTANCE_EXPORT_CHUNK", 2)
        response = client_for(world, "course_staff").get(BASE + C + "acceptances.csv")
        pieces = iter(response.streaming_content)
        assert next(pieces).startswith(b"username,") and next(pieces).count(b"\n") == 2
        # the end of the request closes a connection that is not kept (CONN_MAX_AGE); the test's own one must stay
        monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)
        response.close()
        assert Acceptance.objects.filter(course_key=COURSE_KEY).count() == 7
        whole = b"".join(client_for(world, "course_staff").get(BASE + C + "acceptances.csv").streaming_content)
        assert whole.count(b"\n") == 8

    def test_streamed_pieces_are_the_lines_of_csv_line(self):
        """Every pair of tricky cells, in both places, streamed in pieces of any size: the same text, line for line."""
        from honorcode_xblock.csv_export import csv_chunks, csv_line  # pylint: disable=import-outside-toplevel

        cells = ["", "ok", "=1+2", "+x", "-", "@a", "\tt", "\rr", "a\r", "a,b", 'a"b', "=a,b", "x\n=y", '"=q', " =s",
                 "\n-", "'=", -5, 3, 1.5, None]
        rows = [[first, second] for first in cells for second in cells] + [["=alone"], [""], ["a", "b", "-c"]]
        expected = "".join(csv_line(row) for row in rows)
        assert "'=1+2" in expected and "'-5" not in expected  # formula_safe quotes text, not numbers
        for size in (1, 2, 7, 500):
            assert "".join(csv_chunks(rows, size)) == expected

    @pytest.mark.parametrize("character", [chr(code) for code in range(128)] + ["é", "\x85", "\u2028", "\ufeff", "😀"])
    def test_a_page_is_the_lines_of_csv_line_whatever_character_a_cell_holds(self, character):
        """Plain pages are joined, not written by the csv module: they come out the same, character by character."""
        from honorcode_xblock.csv_export import csv_line, csv_pages  # pylint: disable=import-outside-toplevel

        for cell in (character, f"a{character}", f"a{character}b", character * 2, f"{character}a"):
            for page in ([[cell, "x"], ["y", cell]], [[cell, 1, cell], ["z", -2, "w"]], [[1, cell], [2, cell]]):
                assert "".join(csv_pages([page])) == "".join(csv_line(row) for row in page), (cell, page)

    @pytest.mark.parametrize("page", [
        [["a", 1], ["b", True]], [["a", 1.5], ["b", 2]], [["a", None], ["b", "c"]], [["a", "b"], ["c"]], [[""], [""]],
        [["", ""], ["", ""]], [["-1", 1], ["ok", 2]], [[1, 2], [3, -4]], [["a", 10**30], ["b", -(10**30)]], [],
    ])
    def test_pages_with_other_types_or_shapes_are_the_lines_of_csv_line(self, page):
        from honorcode_xblock.csv_export import csv_line, csv_pages  # pylint: disable=import-outside-toplevel

        assert "".join(csv_pages([page])) == "".join(csv_line(row) for row in page)

    @hypothesis.settings(max_examples=400, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(st.lists(st.sampled_from(["text", "plain", "int", "any"]), min_size=1, max_size=4).flatmap(
        lambda kinds: st.lists(st.tuples(*(PAGE_CELLS[kind] for kind in kinds)), max_size=6)))
    def test_any_page_of_text_and_integers_is_the_lines_of_csv_line(self, page):
        """Columns of one kind each (so that many pages are plain), or of any cells."""
        from honorcode_xblock.csv_export import csv_line, csv_pages  # pylint: disable=import-outside-toplevel

        assert "".join(csv_pages([page])) == "".join(csv_line(row) for row in page)

    def test_a_number_that_writes_itself_as_text_is_written_by_the_csv_module(self):
        """Only plain ``int`` columns are joined: a subclass may write itself with a comma."""
        from honorcode_xblock.csv_export import csv_line, csv_pages  # pylint: disable=import-outside-toplevel

        class Odd(int):
            def __str__(self):
                return f"{int(self)},5"

            __repr__ = __str__

        page = [["a", Odd(1)], ["b", Odd(2)]]
        assert "".join(csv_pages([page])) == "".join(csv_line(row) for row in page) == 'a,"1,5"\r\nb,"2,5"\r\n'

    def test_csv_exports_answer_a_client_that_accepts_only_csv(self, world):
        client = client_for(world, "course_staff")
        response = client.get(BASE + C + "cases.csv", HTTP_ACCEPT="text/csv")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        refused = client_for(world, "learner").get(BASE + C + "cases.csv", HTTP_ACCEPT="text/csv")
        assert refused.status_code == 403 and refused.content.decode().startswith("detail")

    def test_acceptances_are_paged(self, world):
        page = client_for(world, "course_staff").get(BASE + C + "acceptances/?page_size=1").json()
        assert page["count"] == 1 and page["results"][0]["username"] == "learner"

    def test_the_openapi_3_schema_describes_every_endpoint(self, world):
        import yaml  # pylint: disable=import-outside-toplevel

        response = Client().get(BASE + "schema/")
        schema = yaml.safe_load(response.content)
        assert schema["openapi"].startswith("3.")
        paths = set(schema["paths"])
        assert "/api/honorcode/v1/courses/{course_id}/cases/" in paths
        assert "/api/honorcode/v1/cases/{case_id}/determination/" in paths
        assert len(paths) == 14  # every endpoint but the schema itself
        determination = schema["paths"]["/api/honorcode/v1/cases/{case_id}/determination/"]["post"]
        assert "requestBody" in determination and "409" in determination["responses"]
        assert set(schema["components"]["securitySchemes"]) == {"cookieAuth", "jwtAuth"}
        listed = schema["paths"]["/api/honorcode/v1/courses/{course_id}/cases/"]["get"]["responses"]["200"]
        assert listed["content"]["application/json"]["schema"]["$ref"].endswith("/PaginatedCases")

    def test_the_schema_is_generated_without_warnings(self):
        from drf_spectacular.drainage import GENERATOR_STATS  # pylint: disable=import-outside-toplevel
        from drf_spectacular.generators import SchemaGenerator  # pylint: disable=import-outside-toplevel

        GENERATOR_STATS.reset()
        SchemaGenerator(urlconf="honorcode_xblock.rest.schema_urls").get_schema(request=None, public=True)
        assert dict(GENERATOR_STATS._warn_cache) == {} and dict(GENERATOR_STATS._error_cache) == {}  # pylint: disable=protected-access
