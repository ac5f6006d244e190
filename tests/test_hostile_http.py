"""
Hostile HTTP input, through Django's whole request stack (middleware, CSRF, routing, the views):

- every state-changing endpoint (found from the URL resolver and the block's handlers, so that a new one without a
  case here fails) refuses a request without a CSRF token, with a token that is not the session's, and from another
  user's session, and changes nothing; with the rightful user's own token it works;
- schemathesis over the REST API's OpenAPI schema, in-process against Django's WSGI application, as global staff and
  as course staff: no 5xx, and every 4xx carries a message;
- malformed course keys, usage keys, oversized texts and files, wrong types, non-JSON bodies and wrong content types,
  across the REST API, the staff pages' forms and the block's handlers: a 4xx with a message, and nothing written.

The REST API and the pages run on the Open edX platform layer (``test_rest``'s ``world``); the block's handlers on
the xblock-sdk workbench (the standalone platform, as in ``test_gate_doors``).
"""
import csv
import html
import inspect
import io
import json
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import pytest
import schemathesis
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, URLResolver, get_resolver, resolve, reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from honorcode_xblock import api
from honorcode_xblock.block import HonorCodeXBlock
from honorcode_xblock.models import Acceptance

from .evidence_samples import PRETENDERS
from .helpers import COURSE_KEY, OTHER_COURSE_KEY
from .test_gate_doors import demo_course  # noqa: F401  pylint: disable=unused-import
from .test_rest import BASE, world  # noqa: F401  pylint: disable=unused-import

pytestmark = pytest.mark.django_db
STAFF_REFUSAL = f"Only the course team of {COURSE_KEY} can do this."
GLOBAL_STAFF_REFUSAL = "Only global staff can do this."
SETTINGS_REFUSAL = "Only the course team can change the honor code settings of this course."
#: The largest evidence file while these tests run (``HONORCODE_EVIDENCE_MAX_BYTES``).
EVIDENCE_LIMIT = 1024
MEGABYTE_OF_TEXT = "x" * 1_000_000
#: JSON nested deeper than Python's parser can follow (it raises ``RecursionError``, not ``ValueError``).
DEEP_JSON = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def pledge(demo_course):  # pylint: disable=redefined-outer-name,unused-argument
    """
    The usage id of the Honor Code block of the demo course, loaded into the workbench (only this scenario: the
    workbench keeps its blocks in the test's database), with the workbench students of these tests already known
    (the workbench creates a student on first sight).
    """
    from honorcode_demo.blocks import COURSE_XML  # pylint: disable=import-outside-toplevel
    from workbench.runtime import WorkbenchRuntime  # pylint: disable=import-outside-toplevel

    get_user_model().objects.create_user("alice")
    runtime = WorkbenchRuntime()
    runtime.id_generator.set_scenario("hostile-http")
    blocks = [runtime.get_block(runtime.parse_xml_string(COURSE_XML))]
    while blocks[0].scope_ids.block_type != "honorcode":
        blocks[:1] = [runtime.get_block(child) for child in getattr(blocks[0], "children", [])]
    return str(blocks[0].scope_ids.usage_id)


def db_state():
    """Every row of the app's tables, the workbench's block state and the users: what a refused request must keep."""
    models = [*apps.get_app_config("honorcode").get_models(), *apps.get_app_config("workbench").get_models(),
              get_user_model()]
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


def csrf_token(client):
    """The CSRF token of ``client``'s browser: the cookie a page with a form sets, which its scripts send back."""
    client.get(reverse("demo-login"))
    return client.cookies[django_settings.CSRF_COOKIE_NAME].value


def fill(path, place, student=""):
    """
    ``path`` with its placeholders filled in: ``{case}``, ``{sanction}`` and ``{course}`` from the world, or the
    block's ``{pledge}`` usage id and the workbench ``{student}``.
    """
    if isinstance(place, str):
        return path.format(pledge=place, student=student)
    return path.format(case=place["case"].pk, sanction=place["withheld"].pk, course=COURSE_KEY, pair=place["pair"].pk)


def message_of(response, kind):
    """
    What a refusal tells its user: the REST API's ``detail`` (with the field errors), the block's JSON ``error``, or
    the text of a page.
    """
    if kind == "api":
        payload = response.json()
        assert payload["detail"], payload
        return f"{payload['detail']} {json.dumps(payload.get('errors', {}), ensure_ascii=False)}"
    if kind == "handler":
        return response.json()["error"]
    return html.unescape(response.content.decode())


# --- CSRF tokens and other users' sessions ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """A state-changing request, as its rightful user makes it, and the other users it must refuse."""

    route: str  # the URL name in the ``honorcode`` namespace, or ``handler:<name>`` for a handler of the block
    method: str
    path: str  # with placeholders (see ``fill``); a handler's names the workbench student as ``{student}``
    actor: str  # a role of ``world``, or a workbench student
    data: dict | None
    success: int
    intruders: tuple = ()  # (role, what the refusal says[, its status: 403 unless given])
    writes: bool = True

    @property
    def kind(self):
        """``api``, ``page`` or ``handler``."""
        if self.route.startswith("handler:"):
            return "handler"
        return "api" if self.route.startswith("honorcode:api-") else "page"

    def __str__(self):
        return f"{self.method} {self.route}"


STAFF_INTRUDERS = (("learner", STAFF_REFUSAL), ("other_course_staff", STAFF_REFUSAL))
#: Off the course team, a case or sanction that exists gets the answer of one that does not.
CASE_INTRUDERS = (("learner", "There is no case", 404), ("other_course_staff", "There is no case", 404))
SANCTION_INTRUDERS = (("learner", "There is no sanction", 404), ("other_course_staff", "There is no sanction", 404))
CASE = "/honorcode/cases/{case}/"
SANCTION = "/honorcode/sanctions/{sanction}/"
HANDLER = "/handler/{pledge}/"
STUDIO_SETTINGS = {"display_name": "Honor Code", "course_terms": "<p>Work alone.</p>", "collaboration": "",
                   "acceptance_mode": "checkbox", "gate_graded_content": True}

CHANGES = [
    Change("honorcode:api-policy-versions", "POST", BASE + "policy-versions/", "global_staff",
           {"body": "<p>v2</p>", "change_kind": "minor"}, 201,
           (("learner", GLOBAL_STAFF_REFUSAL), ("course_staff", GLOBAL_STAFF_REFUSAL))),
    Change("honorcode:api-acceptance", "POST", BASE + "courses/{course}/acceptance/", "other_learner",
           {"confirmed": True}, 201),
    Change("honorcode:api-cases", "POST", BASE + "courses/{course}/cases/", "course_staff",
           {"respondents": ["other"], "commitment": "own_work", "description": "Same answers."}, 201, STAFF_INTRUDERS),
    Change("honorcode:api-case", "PATCH", BASE + "cases/{case}/", "course_staff", {"status": "under_review"}, 200,
           CASE_INTRUDERS),
    Change("honorcode:api-case-evidence", "POST", BASE + "cases/{case}/evidence/", "course_staff",
           {"text": "Screenshot 1."}, 201, CASE_INTRUDERS),
    Change("honorcode:api-case-determination", "POST", BASE + "cases/{case}/determination/", "course_staff",
           {"finding": "no_violation", "rationale": "Coincidence."}, 201, CASE_INTRUDERS),
    Change("honorcode:api-sanction-retry", "POST", BASE + "sanctions/{sanction}/retry/", "course_staff", None, 202,
           SANCTION_INTRUDERS),
    Change("honorcode:api-sanction-revert", "POST", BASE + "sanctions/{sanction}/revert/", "course_staff",
           {"reason": "Appeal."}, 200, SANCTION_INTRUDERS),
    Change("honorcode:accept", "POST", "/honorcode/courses/{course}/accept/", "other_learner",
           {"confirmed": "true", "next": "/"}, 303),
    Change("honorcode:new_case", "POST", "/honorcode/courses/{course}/cases/new/", "course_staff",
           {"respondents": "other", "commitment": "own_work", "description": "Same answers."}, 303, STAFF_INTRUDERS),
    Change("honorcode:case_evidence", "POST", CASE + "evidence/", "course_staff", {"text": "Screenshot 1."}, 303,
           CASE_INTRUDERS),
    Change("honorcode:case_status", "POST", CASE + "status/", "course_staff", {"status": "under_review"}, 303,
           CASE_INTRUDERS),
    Change("honorcode:case_determine", "POST", CASE + "determine/", "course_staff",
           {"finding": "no_violation", "rationale": "Coincidence."}, 303, CASE_INTRUDERS),
    Change("honorcode:sanction_retry", "POST", SANCTION + "retry/", "course_staff", {}, 303, SANCTION_INTRUDERS),
    Change("honorcode:sanction_revert", "POST", SANCTION + "revert/", "course_staff", {"reason": "Appeal."}, 303,
           SANCTION_INTRUDERS),
    Change("honorcode:run_detection", "POST", "/honorcode/courses/{course}/suspected-accounts/run/", "course_staff",
           {}, 303, STAFF_INTRUDERS),
    Change("honorcode:case_from_pair", "POST", "/honorcode/suspected-pairs/{pair}/case/", "course_staff",
           {"course_id": str(COURSE_KEY)}, 303, (("learner", "There is no suspected pair", 404),
                                                ("other_course_staff", "There is no suspected pair", 404))),
    Change("handler:accept", "POST", HANDLER + "accept/?student={student}", "alice", {"confirmed": True}, 200),
    Change("handler:studio_submit", "POST", HANDLER + "studio_submit/?student={student}", "author", STUDIO_SETTINGS,
           200, (("alice", SETTINGS_REFUSAL),)),
    # POST only because XBlock's JSON handlers are; it reads the learner's state
    Change("handler:status", "POST", HANDLER + "status/?student={student}", "alice", {}, 200, writes=False),
]

#: Sample values of the app's URL arguments, to build a URL of each route.
URL_ARGUMENTS = {"course_id": str(COURSE_KEY), "case_id": 1, "sanction_id": 1, "evidence_id": 1, "number": 1,
                 "pair_id": 1}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _named_routes(patterns):
    """(URL name, names of its arguments) of each route under ``patterns``."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _named_routes(entry.url_patterns)
        else:
            assert entry.name, f"{entry.pattern} has no URL name"
            yield entry.name, set(entry.pattern.regex.groupindex)


def _allowed(client, url):
    """The methods ``url`` allows, as it answers OPTIONS (DRF's ``Allow``; a 405 from Django's and XBlock's guards)."""
    response = client.options(url)
    assert "Allow" in response, f"{url} does not say which methods it allows (no require_http_methods?)"
    return {method.strip().upper() for method in response["Allow"].split(",")}


def state_changing_routes(pledge):  # pylint: disable=redefined-outer-name
    """
    (route, method) of every request that can change state: each route of the app's URLs (pages and REST API) and
    each handler of the block at the workbench's handler URL, with each method it allows but GET, HEAD and OPTIONS.
    """
    client = Client()
    _prefix, app_urls = get_resolver().namespace_dict["honorcode"]
    found = set()
    for name, arguments in _named_routes(app_urls.url_patterns):
        if name == "api-not-found":  # the API's JSON 404 for a path that names nothing: it changes nothing
            continue
        url = reverse(f"honorcode:{name}", kwargs={argument: URL_ARGUMENTS[argument] for argument in arguments})
        found |= {(f"honorcode:{name}", method) for method in _allowed(client, url) - SAFE_METHODS}
    for name, member in inspect.getmembers(HonorCodeXBlock):
        if getattr(member, "_is_xblock_handler", False):
            found |= {(f"handler:{name}", method) for method in _allowed(client, f"/handler/{pledge}/{name}/")
                      - SAFE_METHODS}
    return found


def test_every_state_changing_endpoint_has_a_case_here(pledge):  # pylint: disable=redefined-outer-name
    found = state_changing_routes(pledge)
    assert found == {(change.route, change.method) for change in CHANGES}
    assert len(found) == 20  # 9 pages, 8 REST operations, 3 handlers


def _place(change, request):
    """Where ``change`` is made: the workbench's block (its usage id) or the Open edX world."""
    return request.getfixturevalue("pledge" if change.kind == "handler" else "world")


def _client_of(change, place, role):
    """A browser that enforces CSRF, signed in as ``role`` (a handler's user is the workbench's ``?student=``)."""
    client = Client(enforce_csrf_checks=True)
    if change.kind != "handler":
        client.force_login(place["people"][role])
    return client


def send(client, change, url, token=None):
    """
    Make ``change``'s request: a page's form posted as a browser does (the token in ``csrfmiddlewaretoken``), the
    REST API's and the handlers' JSON as their scripts do (the token in ``X-CSRFToken``).
    """
    if change.kind == "page":
        return client.post(url, {**change.data, **({"csrfmiddlewaretoken": token} if token else {})})
    headers = {"HTTP_X_CSRFTOKEN": token} if token else {}
    body = json.dumps(change.data) if change.data is not None else ""
    return client.generic(change.method, url, body, content_type="application/json", **headers)


@pytest.mark.parametrize("change", CHANGES, ids=str)
def test_a_change_needs_the_csrf_token_of_its_own_session(change, request):
    place = _place(change, request)
    url = fill(change.path, place, student=change.actor)
    client = _client_of(change, place, change.actor)
    someone_else = csrf_token(Client())
    before = db_state()
    refusals = {"no cookie, no token": send(client, change, url)}
    token = csrf_token(client)
    refusals["no token"] = send(client, change, url)
    refusals["another browser's token"] = send(client, change, url, token=someone_else)
    client.cookies[django_settings.CSRF_COOKIE_NAME] = someone_else
    refusals["another browser's cookie"] = send(client, change, url, token=token)
    client.cookies[django_settings.CSRF_COOKIE_NAME] = token
    for what, response in refusals.items():
        assert response.status_code == 403 and b"CSRF" in response.content, (what, response.content[:300])
    assert db_state() == before
    done = send(client, change, url, token=token)
    assert done.status_code == change.success, done.content[:300]
    assert (db_state() != before) is change.writes


INTRUSIONS = [(change, intruder[0], intruder[1], intruder[2] if len(intruder) > 2 else 403)
              for change in CHANGES for intruder in change.intruders]


@pytest.mark.parametrize("change, role, message, status", INTRUSIONS,
                         ids=[f"{change} by {role}" for change, role, _m, _s in INTRUSIONS])
def test_another_users_session_is_refused(change, role, message, status, request):
    place = _place(change, request)
    client = _client_of(change, place, role)
    token = csrf_token(client)
    before = db_state()
    response = send(client, change, fill(change.path, place, student=role), token=token)
    assert response.status_code == status
    assert message in message_of(response, change.kind)
    assert db_state() == before


def test_the_anonymous_handler_url_accepts_and_saves_nothing(pledge):  # pylint: disable=redefined-outer-name
    """The workbench's ``unauth_handler`` reaches the same handlers with nobody signed in."""
    client = Client(enforce_csrf_checks=True)
    token = csrf_token(client)
    before = db_state()
    for handler, body, message in (("accept", {"confirmed": True}, "Sign in to accept"),
                                   ("studio_submit", STUDIO_SETTINGS, SETTINGS_REFUSAL)):
        response = client.post(f"/unauth_handler/{pledge}/{handler}/", json.dumps(body),
                               content_type="application/json", HTTP_X_CSRFTOKEN=token)
        assert response.status_code == 403 and message in response.json()["error"]
    assert db_state() == before


def test_a_learner_accepts_only_for_themselves(world):  # pylint: disable=redefined-outer-name
    """Naming another learner in the body changes nothing of theirs: an acceptance is always the session's own."""
    learner, other = world["people"]["learner"], world["people"]["other_learner"]
    theirs = list(Acceptance.objects.filter(user=learner).values())
    client = Client(enforce_csrf_checks=True)
    client.force_login(other)
    token = csrf_token(client)
    impersonation = {"username": "learner", "user": learner.pk, "user_id": learner.pk}
    by_api = client.post(BASE + f"courses/{COURSE_KEY}/acceptance/", json.dumps({"confirmed": True, **impersonation}),
                         content_type="application/json", HTTP_X_CSRFTOKEN=token)
    by_form = client.post(f"/honorcode/courses/{COURSE_KEY}/accept/",
                          {"confirmed": "true", "next": "/", "csrfmiddlewaretoken": token, **impersonation})
    assert (by_api.status_code, by_form.status_code) == (201, 303)
    assert list(Acceptance.objects.filter(user=learner).values()) == theirs
    assert Acceptance.objects.filter(user=other).count() == 1


# --- schemathesis over the OpenAPI schema -----------------------------------------------------------------------------

#: Examples per operation, generation mode, choice of ids and user: about 930 requests, half a minute.
FUZZ_EXAMPLES = 8


@contextmanager
def database_connection_kept():
    """
    Keep the test's database connection through requests to the WSGI application, as Django's test client does:
    ``close_old_connections`` on each request's start and end would close it (it is inside the test's transaction).
    """
    from django.core.signals import request_finished, request_started  # pylint: disable=import-outside-toplevel
    from django.db import close_old_connections  # pylint: disable=import-outside-toplevel

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def error_has_a_message(ctx, response, case):  # pylint: disable=unused-argument
    """
    Every 4xx of the API says why: JSON ``{"detail": ...}``, or for a CSV export asked for as ``text/csv`` a
    ``detail`` column with the message. A path that reaches no view at all is Django's own 404.
    """
    if not 400 <= response.status_code < 500:
        return
    try:
        resolve(unquote(urlsplit(response.request.url).path))
    except Resolver404:
        assert response.status_code == 404
        return
    content_type = (response.headers.get("content-type") or [""])[0]
    if content_type.startswith("text/csv"):
        header, message = list(csv.reader(io.StringIO(response.content.decode())))[:2]
        assert header == ["detail"] and message[0], response.content
    else:
        assert json.loads(response.content)["detail"], response.content


def jwt_for(user):
    """A JWT for ``user``, signed as the LMS signs them (the demo settings' issuer)."""
    from edx_rest_framework_extensions.auth.jwt.tests.utils import (  # pylint: disable=import-outside-toplevel
        generate_jwt_token,
        generate_latest_version_payload,
    )

    return generate_jwt_token(generate_latest_version_payload(user))


def fuzz_variants(operation, real_ids):
    """
    (generation mode, fixed path parameters) to run an operation with: generated ids (mostly unknown) and the ids of
    the world's objects (so that bodies reach the handlers); negative data only where something is left to break.
    """
    names = [parameter.name for parameter in operation.path_parameters]
    fixed = {name: real_ids[name] for name in names}
    has_more = bool(len(operation.query) or operation.body)
    yield schemathesis.GenerationMode.POSITIVE, None
    if names:
        yield schemathesis.GenerationMode.POSITIVE, fixed
    if names or has_more:
        yield schemathesis.GenerationMode.NEGATIVE, None
    if names and has_more:
        yield schemathesis.GenerationMode.NEGATIVE, fixed


#: What every generated request's answer must satisfy: no server error, a message with every 4xx, and the OpenAPI
#: schema's word on status codes, content types, headers and bodies; data valid per the schema is accepted and data
#: invalid per the schema refused.
CONFORMANCE_CHECKS = [not_a_server_error, error_has_a_message, status_code_conformance, content_type_conformance,
                      response_headers_conformance, response_schema_conformance, positive_data_acceptance,
                      negative_data_rejection]


def fuzz(strategy, headers, statuses):
    """Call the API with the cases ``strategy`` generates, each in a transaction rolled back after it."""
    @hypothesis_settings(max_examples=FUZZ_EXAMPLES, derandomize=True, database=None, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(case=strategy)
    def run(case):
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CONFORMANCE_CHECKS)

    run()


def test_the_api_answers_generated_requests_without_a_server_error(world):  # pylint: disable=redefined-outer-name
    from django.core.handlers.wsgi import WSGIHandler  # pylint: disable=import-outside-toplevel

    real_ids = {"case_id": world["case"].pk, "sanction_id": world["withheld"].pk, "number": 1,
                "course_id": str(COURSE_KEY)}
    statuses = Counter()
    with database_connection_kept():
        schema = schemathesis.openapi.from_wsgi(BASE + "schema/", WSGIHandler())
        operations = [result.ok() for result in schema.get_all_operations()]
        for role in ("global_staff", "course_staff"):
            headers = {"Authorization": f"JWT {jwt_for(world['people'][role])}"}
            for operation in operations:
                for mode, path_parameters in fuzz_variants(operation, real_ids):
                    fuzz(operation.as_strategy(generation_mode=mode, path_parameters=path_parameters), headers,
                         statuses)
    print(f"schemathesis: {len(operations)} operations, {sum(statuses.values())} requests, {dict(statuses)}")
    assert len(operations) == 18
    assert not [code for code in statuses if code >= 500]
    assert sum(count for code, count in statuses.items() if code < 300) > 100  # the ids reached real objects


# --- malformed input: a 4xx with a message, nothing written -----------------------------------------------------------

@dataclass(frozen=True)
class Hostile:
    """A malformed request, who sends it, and the refusal it gets (its status and a part of its message)."""

    kind: str  # ``api``, ``page`` or ``handler``
    what: str
    method: str
    path: str  # with placeholders (see ``fill``)
    payload: object  # a dict (JSON, or a form for a page), raw text or bytes, or a callable making it
    status: int
    message: str
    role: str = "course_staff"  # a role of ``world`` (a handler's workbench student is in its path)
    content_type: str | None = None  # for a raw payload

    def __str__(self):
        return f"{self.kind}: {self.what}"


BAD_COURSE_IDS = {"garbage": "not-a-course", "unicode": "☃☃☃", "10k characters": "x" * 10_000,
                  "dot-dot": "../../../etc/passwd", "NUL": "\x00"}
VALID_CASE = {"respondents": ["other"], "commitment": "own_work", "description": "Same answers."}
API_ON_A_COURSE = [("GET", "acceptance/", None), ("POST", "acceptance/", {"confirmed": True}),
                   ("GET", "acceptances/", None), ("GET", "acceptances.csv", None), ("GET", "cases/", None),
                   ("POST", "cases/", VALID_CASE), ("GET", "cases.csv", None)]
PAGES_ON_A_COURSE = [("GET", "cases/", None, "is not a course."), ("GET", "cases/new/", None, "is not a course."),
                     ("POST", "cases/new/", {**VALID_CASE, "respondents": "other"}, "is not a course."),
                     ("GET", "cases.csv", None, "is not a course."),
                     ("POST", "accept/", {"confirmed": "true"}, "There is no honor code to accept in course")]
A_USAGE_KEY_ELSEWHERE = str(OTHER_COURSE_KEY.make_usage_key("problem", "q1"))
TOO_MANY = [f"learner{number}" for number in range(api.MAX_RESPONDENTS + 1)]


#: (what, (file name, content), the refusal): files that are not what their name and first bytes say.
PRETENDER_ROWS = [
    (what, file, "holds HTML or XML markup" if name.endswith((".txt", ".csv")) and b"<" in content else
     "holds control characters" if name.endswith(".txt") else
     f"The file's content is not a {'JPEG' if name.endswith('.jpg') else name.rsplit('.', 1)[1].upper()} file.")
    for what, file in PRETENDERS.items() for name, content in [file]
]


def upload(name, content):
    """A form's file field (made per request: an upload is read once)."""
    return lambda: SimpleUploadedFile(name, content)


def evidence_form(**fields):
    """A multipart form with a file (made per request)."""
    return lambda: {name: value() if callable(value) else value for name, value in fields.items()}


def shown(value):
    """A short form of ``value`` for a test's id."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 30 else f"{text[:27]}... ({len(text)} characters)"


def case_api(field, value, message, status=400):
    """Opening a case through the REST API with one field malformed (400: against the schema; 422: against a rule)."""
    return Hostile("api", f"new case {field} = {shown(value)}", "POST", BASE + "courses/{course}/cases/",
                   {**VALID_CASE, field: value}, status, message)


def case_form(field, value, message):
    """Opening a case with the staff page's form, one field malformed."""
    return Hostile("page", f"new case {field} = {shown(value)}", "POST", "/honorcode/courses/{course}/cases/new/",
                   {**VALID_CASE, "respondents": "other", field: value}, 400, message)


def studio(field, value, message):
    """Saving the block's settings in Studio with one field malformed."""
    return Hostile("handler", f"Studio {field} = {shown(value)}", "POST", HANDLER + "studio_submit/?student=author",
                   {**STUDIO_SETTINGS, field: value}, 400, message)


HOSTILE = [
    *[Hostile("api", f"{method} {endpoint} of a {name} course key", method, BASE + f"courses/{course_id}/{endpoint}",
              body, 400, "is not a valid course key.")
      for name, course_id in BAD_COURSE_IDS.items() for method, endpoint, body in API_ON_A_COURSE],
    *[Hostile("page", f"{method} {endpoint} of a {name} course key", method,
              f"/honorcode/courses/{course_id}/{endpoint}", body, 404, message)
      for name, course_id in BAD_COURSE_IDS.items() for method, endpoint, body, message in PAGES_ON_A_COURSE],

    # the REST API: wrong types, over-long texts, malformed keys, bodies that are no JSON object
    case_api("respondents", None, "This field may not be null."),
    case_api("respondents", {"learner": True}, "Expected a list"),
    case_api("respondents", [["learner"]], "Not a valid string."),
    case_api("respondents", ["x" * 151], "no more than 150 characters"),
    case_api("respondents", TOO_MANY, "no more than 50 elements"),
    case_api("commitment", ["own_work"], "is not a valid choice."),
    case_api("description", MEGABYTE_OF_TEXT, "no more than 20000 characters"),
    case_api("description", {"text": "x"}, "Not a valid string."),
    case_api("usage_key", "block-v1:not a key", "is not a block of this course.", 422),
    case_api("usage_key", A_USAGE_KEY_ELSEWHERE, "is not a block of this course.", 422),
    case_api("usage_key", "x" * 10_000, "no more than 255 characters"),
    case_api("conduct_at", "yesterday", "Datetime has wrong format."),
    case_api("conduct_at", 12345, "Datetime has wrong format."),
    case_api("conduct_at", "9999-12-31T23:59:59Z", "cannot have happened in the future.", 422),
    Hostile("api", "status null", "PATCH", BASE + "cases/{case}/", {"status": None}, 400, "may not be null."),
    Hostile("api", "status as a list", "PATCH", BASE + "cases/{case}/", {"status": ["open"]}, 400,
            "is not a valid choice."),
    Hostile("api", "a 1 MB note", "PATCH", BASE + "cases/{case}/", {"status": "under_review",
                                                                      "note": MEGABYTE_OF_TEXT}, 400,
            "no more than 20000 characters"),
    Hostile("api", "a case id past 64 bits", "PATCH", BASE + f"cases/{2 ** 70}/", {"status": "under_review"}, 404,
            "There is no case"),
    Hostile("api", "finding null", "POST", BASE + "cases/{case}/determination/",
            {"finding": None, "rationale": "r"}, 400, "may not be null."),
    Hostile("api", "a 1 MB rationale", "POST", BASE + "cases/{case}/determination/",
            {"finding": "violation", "rationale": MEGABYTE_OF_TEXT}, 400, "no more than 20000 characters"),
    Hostile("api", "a sanction kind as an object", "POST", BASE + "cases/{case}/determination/",
            {"finding": "violation", "rationale": "r", "sanctions": [{"kind": {"$ne": ""}}]}, 400,
            "is not a valid choice."),
    Hostile("api", "a null sanction", "POST", BASE + "cases/{case}/determination/",
            {"finding": "violation", "rationale": "r", "sanctions": [None]}, 400, "may not be null."),
    Hostile("api", "sanctions as an object", "POST", BASE + "cases/{case}/determination/",
            {"finding": "violation", "rationale": "r", "sanctions": {"kind": "unenroll"}}, 400, "Expected a list"),
    Hostile("api", "1 MB of sanction details", "POST", BASE + "cases/{case}/determination/",
            {"finding": "violation", "rationale": "r", "sanctions": [{"kind": "other", "details": MEGABYTE_OF_TEXT}]},
            400, "no more than 20000 characters"),
    Hostile("api", "expected sequence as a word", "POST", BASE + "cases/{case}/determination/",
            {"finding": "violation", "rationale": "r", "expected_sequence": "one"}, 400,
            "A valid integer is required."),
    Hostile("api", "expected sequence past 64 bits", "POST", BASE + "cases/{case}/determination/",
            {"finding": "violation", "rationale": "r", "expected_sequence": 2 ** 70}, 409, "meanwhile"),
    Hostile("api", "evidence text of 1 MB", "POST", BASE + "cases/{case}/evidence/", {"text": MEGABYTE_OF_TEXT},
            400, "no more than 20000 characters"),
    Hostile("api", "evidence text as a list", "POST", BASE + "cases/{case}/evidence/", {"text": ["a"]}, 400,
            "Not a valid string."),
    Hostile("api", "a file field that is no file", "POST", BASE + "cases/{case}/evidence/",
            evidence_form(file="not a file"), 422, "The submitted data was not a file"),
    Hostile("api", "an empty evidence file", "POST", BASE + "cases/{case}/evidence/",
            evidence_form(file=upload("empty.txt", b"")), 400, "The submitted file is empty."),
    Hostile("api", "evidence as plain text", "POST", BASE + "cases/{case}/evidence/", "Screenshot 1.", 415,
            "Unsupported media type", content_type="text/plain"),
    Hostile("api", "a null reason", "POST", BASE + "sanctions/{sanction}/revert/", {"reason": None}, 400,
            "may not be null."),
    Hostile("api", "a 1 MB reason", "POST", BASE + "sanctions/{sanction}/revert/", {"reason": MEGABYTE_OF_TEXT}, 400,
            "no more than 20000 characters"),
    Hostile("api", "a reason as an object", "POST", BASE + "sanctions/{sanction}/revert/", {"reason": {"a": 1}}, 400,
            "Not a valid string."),
    Hostile("api", "a sanction id past 64 bits", "POST", BASE + f"sanctions/{2 ** 70}/retry/", None, 404,
            "There is no sanction"),
    Hostile("api", "a version number past 64 bits", "GET", BASE + f"policy-versions/{2 ** 70}/", None, 404,
            "There is no published honor code version"),
    Hostile("api", "a policy body over 200000 characters", "POST", BASE + "policy-versions/",
            {"body": "x" * 200_001, "change_kind": "minor"}, 400, "no more than 200000 characters",
            role="global_staff"),
    Hostile("api", "an unknown change kind", "POST", BASE + "policy-versions/", {"body": "b", "change_kind": "huge"},
            400, "is not a valid choice.", role="global_staff"),
    Hostile("api", "a policy title as a list", "POST", BASE + "policy-versions/",
            {"title": ["a"], "body": "b", "change_kind": "minor"}, 400, "Not a valid string.", role="global_staff"),
    Hostile("api", "a 1 MB signature", "POST", BASE + "courses/{course}/acceptance/",
            {"confirmed": True, "signature": MEGABYTE_OF_TEXT}, 400, "no more than 255 characters",
            role="other_learner"),
    Hostile("api", "a policy version as a word", "POST", BASE + "courses/{course}/acceptance/",
            {"confirmed": True, "policy_version": "one"}, 400, "A valid integer is required.", role="other_learner"),
    Hostile("api", "a policy version of 0", "POST", BASE + "courses/{course}/acceptance/",
            {"confirmed": True, "policy_version": 0}, 400, "greater than or equal to 1", role="other_learner"),
    Hostile("api", "terms version as a list", "POST", BASE + "courses/{course}/acceptance/",
            {"confirmed": True, "terms_version": []}, 400, "A valid integer is required.", role="other_learner"),
    Hostile("api", "confirmed null", "POST", BASE + "courses/{course}/acceptance/", {"confirmed": None}, 400,
            "may not be null.", role="other_learner"),
    Hostile("api", "JSON nested 100000 deep", "POST", BASE + "courses/{course}/cases/", DEEP_JSON, 400,
            "JSON parse error", content_type="application/json"),
    Hostile("api", "a body that is not UTF-8", "POST", BASE + "courses/{course}/cases/", b"\xff\xfe{}", 400,
            "JSON parse error", content_type="application/json"),
    Hostile("api", "a JSON null", "POST", BASE + "courses/{course}/cases/", "null", 400, "must be a JSON object",
            content_type="application/json"),
    Hostile("api", "a JSON number", "POST", BASE + "cases/{case}/determination/", "42", 400, "must be a JSON object",
            content_type="application/json"),
    Hostile("api", "a JSON string", "POST", BASE + "sanctions/{sanction}/revert/", '"Appeal."', 400,
            "must be a JSON object", content_type="application/json"),
    Hostile("api", "an empty body", "POST", BASE + "courses/{course}/cases/", "", 400, "This field is required.",
            content_type="application/json"),
    Hostile("api", "XML", "POST", BASE + "courses/{course}/cases/", "<case/>", 415, "Unsupported media type",
            content_type="application/xml"),
    Hostile("api", "a form where JSON is expected", "POST", BASE + "courses/{course}/cases/",
            "respondents=other&commitment=own_work&description=x", 415, "Unsupported media type",
            content_type="application/x-www-form-urlencoded"),
    Hostile("api", "a JSON body with a text content type", "PATCH", BASE + "cases/{case}/",
            json.dumps({"status": "under_review"}), 415, "Unsupported media type", content_type="text/plain"),

    # the staff pages' forms (and the learner's accept form)
    case_form("description", MEGABYTE_OF_TEXT, "A description is longer than 20000 characters."),
    case_form("respondents", " ".join(TOO_MANY), "A case can name at most 50 learners."),
    case_form("respondents", "x" * 10_000, "No such user"),
    case_form("commitment", "cheating", "Choose one of the four commitments."),
    case_form("usage_key", "block-v1:not a key", "is not a block of this course."),
    case_form("usage_key", "x" * 10_000, "is not a block of this course."),
    case_form("usage_key", A_USAGE_KEY_ELSEWHERE, "is not a block of this course."),
    case_form("conduct_at", "9999-12-31T23:59", "cannot have happened in the future."),
    case_form("conduct_at", "0001-01-01T00:00", "No honor code version was in force at that time."),
    case_form("conduct_at", "0001-01-01T00:00+05:00", "Give a date between the years 1 and 9999 in UTC."),
    case_api("conduct_at", "0001-01-01T00:00+05:00", "Give a date between the years 1 and 9999 in UTC.", 422),
    Hostile("page", "a case in a course that does not exist", "POST",
            "/honorcode/courses/course-v1:No+Such+2026/cases/new/", {**VALID_CASE, "respondents": "other"}, 404,
            "There is no course course-v1:No+Such+2026.", role="global_staff"),
    Hostile("api", "a case in a course that does not exist", "POST", BASE + "courses/course-v1:No+Such+2026/cases/",
            VALID_CASE, 404, "There is no course course-v1:No+Such+2026.", role="global_staff"),
    # off the course team, a course that does not exist gets the answer of one that does (no probing for courses)
    Hostile("api", "a case in a course that does not exist, by a course's staff", "POST",
            BASE + "courses/course-v1:No+Such+2026/cases/", VALID_CASE, 403, "Only the course team"),
    *[Hostile("page", f"evidence: {what}", "POST", CASE + "evidence/", evidence_form(file=upload(name, content)), 400,
              message) for what, (name, content), message in PRETENDER_ROWS],
    *[Hostile("api", f"evidence: {what}", "POST", BASE + "cases/{case}/evidence/",
              evidence_form(file=upload(name, content)), 422, message)
      for what, (name, content), message in PRETENDER_ROWS],
    Hostile("page", "a file over the evidence limit", "POST", CASE + "evidence/",
            evidence_form(file=upload("log.txt", b"a" * (EVIDENCE_LIMIT + 1))), 400,
            f"The file is larger than {EVIDENCE_LIMIT} bytes."),
    Hostile("page", "an empty evidence file", "POST", CASE + "evidence/", evidence_form(file=upload("empty.txt", b"")),
            400, "The file is empty."),
    Hostile("page", "a PNG that is not one", "POST", CASE + "evidence/",
            evidence_form(file=upload("shot.png", b"GIF89a")), 400, "The file's content is not a PNG file."),
    Hostile("page", "evidence text of 1 MB", "POST", CASE + "evidence/", {"text": MEGABYTE_OF_TEXT}, 400,
            "text is longer than 20000 characters."),
    Hostile("page", "a file field that is no file", "POST", CASE + "evidence/", {"file": "not a file"}, 400,
            "Add a text, a file, or both."),
    Hostile("page", "evidence as JSON", "POST", CASE + "evidence/", json.dumps({"text": "x"}), 400,
            "Add a text, a file, or both.", content_type="application/json"),
    Hostile("page", "a broken multipart body", "POST", CASE + "evidence/", b"--x\r\ngarbage", 400,
            "Add a text, a file, or both.", content_type="multipart/form-data; boundary=x"),
    Hostile("page", "an unknown status", "POST", CASE + "status/", {"status": "lost"}, 400, "Unknown status lost."),
    Hostile("page", "a status no form offers", "POST", CASE + "status/", {"status": "determined"}, 409,
            "cannot become"),
    Hostile("page", "a 1 MB note", "POST", CASE + "status/", {"status": "under_review", "note": MEGABYTE_OF_TEXT},
            400, "note is longer than 20000 characters."),
    Hostile("page", "an unknown finding", "POST", CASE + "determine/", {"finding": "guilty", "rationale": "r"}, 400,
            "finding"),
    Hostile("page", "a 1 MB rationale", "POST", CASE + "determine/",
            {"finding": "violation", "rationale": MEGABYTE_OF_TEXT}, 400, "longer than 20000 characters."),
    Hostile("page", "an unknown sanction", "POST", CASE + "determine/",
            {"finding": "violation", "rationale": "r", "sanctions": ["expel"]}, 400, "Unknown sanction expel."),
    Hostile("page", "1 MB of sanction details", "POST", CASE + "determine/",
            {"finding": "violation", "rationale": "r", "sanctions": ["other"], "details_other": MEGABYTE_OF_TEXT},
            400, "A sanction's details are too long."),
    Hostile("page", "a stale expected sequence", "POST", CASE + "determine/",
            {"finding": "violation", "rationale": "r", "expected_sequence": "99"}, 409, "meanwhile"),
    Hostile("page", "a 1 MB reason", "POST", SANCTION + "revert/", {"reason": MEGABYTE_OF_TEXT}, 400,
            "A reason is longer than 20000 characters."),
    Hostile("page", "a case id past 64 bits", "POST", f"/honorcode/cases/{2 ** 70}/status/", {"status": "closed"},
            404, "There is no case"),
    Hostile("page", "a sanction id past 64 bits", "POST", f"/honorcode/sanctions/{2 ** 70}/retry/", {}, 404,
            "There is no sanction"),
    Hostile("page", "an evidence id past 64 bits", "GET", f"/honorcode/evidence/{2 ** 70}/file/", None, 404,
            "There is no such evidence file."),
    Hostile("page", "acceptance not confirmed", "POST", "/honorcode/courses/{course}/accept/",
            {"confirmed": "maybe", "next": "/"}, 400, "Tick the box", role="other_learner"),

    # the block's handlers
    Hostile("handler", "JSON nested 100000 deep", "POST", HANDLER + "accept/?student=alice", DEEP_JSON, 400,
            "Invalid JSON", content_type="application/json"),
    Hostile("handler", "JSON nested 100000 deep (Studio)", "POST", HANDLER + "studio_submit/?student=author",
            DEEP_JSON, 400, "Invalid JSON", content_type="application/json"),
    Hostile("handler", "a body that is not UTF-8", "POST", HANDLER + "accept/?student=alice", b"\xff\xfe{}", 400,
            "Invalid JSON", content_type="application/json"),
    Hostile("handler", "a JSON null", "POST", HANDLER + "accept/?student=alice", "null", 400, "Send a JSON object.",
            content_type="application/json"),
    Hostile("handler", "a JSON list (Studio)", "POST", HANDLER + "studio_submit/?student=author", "[]", 400,
            "Send a JSON object.", content_type="application/json"),
    Hostile("handler", "confirmed as a string", "POST", HANDLER + "accept/?student=alice", {"confirmed": "true"}, 400,
            "Tick the box"),
    Hostile("handler", "confirmed as an object", "POST", HANDLER + "accept/?student=alice",
            {"confirmed": {"$ne": False}}, 400, "Tick the box"),
    studio("course_terms", MEGABYTE_OF_TEXT, "The course terms are longer than 50000 characters."),
    studio("course_terms", ["<p>a</p>"], "The course terms must be text."),
    studio("display_name", ["Honor Code"], "Give the component a display name."),
    studio("display_name", "x" * 10_000, "The display name must be at most 255 characters."),
    studio("collaboration", "block-v1:not a key", "is not a usage key."),
    studio("collaboration", A_USAGE_KEY_ELSEWHERE, "belongs to another course."),
    studio("collaboration", {"a": 1}, "The collaboration list must be text, one assignment per line."),
    studio("gate_graded_content", "yes", "This setting must be on or off."),
    studio("acceptance_mode", ["checkbox"], "Choose how learners accept"),
    studio("acceptance_mode", None, "Choose how learners accept"),
    studio("collaboration", "block-v1:TestX+HC101+2026+type@problem+block@" + "x" * 10_000,
           "a usage key is at most 255 characters"),
    Hostile("handler", "Studio: a setting no editor has", "POST", HANDLER + "studio_submit/?student=author", {"a": 1},
            400, "Unknown settings: a."),
    Hostile("handler", "Studio: an empty save", "POST", HANDLER + "studio_submit/?student=author", {}, 400,
            "Send at least one setting to save."),
]


def _hostile_request(client, row, url):
    """Send ``row``'s payload: JSON (a form for a page) for a dict, as given with its content type otherwise."""
    payload = row.payload() if callable(row.payload) else row.payload
    if row.content_type is not None:
        return client.generic(row.method, url, payload, content_type=row.content_type)
    if row.method == "GET":
        return client.get(url)
    if row.kind == "page" or (callable(row.payload) and row.kind == "api"):  # a form, or multipart with a file
        return client.post(url, payload or {})
    return client.generic(row.method, url, json.dumps(payload) if payload is not None else "",
                          content_type="application/json")


@pytest.mark.parametrize("row", HOSTILE, ids=str)
def test_malformed_input_is_a_4xx_with_a_message(row, request, settings, tmp_path):
    settings.MEDIA_ROOT, settings.HONORCODE_EVIDENCE_MAX_BYTES = str(tmp_path), EVIDENCE_LIMIT
    place = request.getfixturevalue("pledge" if row.kind == "handler" else "world")
    client = Client()
    if row.kind != "handler":
        client.force_login(place["people"][row.role])
    before = db_state()
    response = _hostile_request(client, row, fill(row.path, place))
    assert response.status_code == row.status, response.content[:500]
    assert row.message in message_of(response, row.kind)
    assert db_state() == before


@pytest.mark.parametrize("route", ["handler", "unauth_handler"])
def test_an_unknown_handler_name_is_a_404_as_in_the_lms(pledge, route):  # pylint: disable=redefined-outer-name
    client = Client()
    response = client.post(f"/{route}/{pledge}/no_such_handler/?student=alice", data="{}",
                            content_type="application/json")
    assert response.status_code == 404
    assert client.post(f"/{route}/{pledge}/status/?student=alice", data="{}",
                       content_type="application/json").status_code != 404

