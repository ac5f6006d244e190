"""
REST API v1 views: parse the request, call ``api``, serialize. Permissions are ``api``'s (course staff act on their
own courses only, global staff alone publish policy versions and terminate accounts, learners see only their own
record); every ``HonorCodeError`` becomes a 4xx response with a message.
"""
import csv
import re

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication
from edx_rest_framework_extensions.permissions import NotJwtRestrictedApplication
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from honorcode_xblock import api
from honorcode_xblock.csv_export import csv_chunks, csv_line, csv_pages, csv_response
from honorcode_xblock.exceptions import HonorCodeError, InvalidInput, NotFound
from honorcode_xblock.rest import serializers


def first_message(detail):
    """The first message of a DRF error detail (a string, or lists and dicts of them)."""
    while isinstance(detail, (list, dict)) and detail:
        detail = next(iter(detail.values())) if isinstance(detail, dict) else detail[0]
    return str(detail) if detail else ""


def authentication_classes():
    """
    JWT (edx-drf-extensions' ``JwtAuthentication``, what the LMS's APIs accept from the MFEs and services) and the
    session, with CSRF enforced for changes (DRF's ``SessionAuthentication``).
    """
    return (JwtAuthentication, SessionAuthentication)


def documented(**schema):
    """
    ``drf_spectacular.utils.extend_schema`` on drf-spectacular's own ``AutoSchema``, whatever the site's
    ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`` is (the LMS's may be DRF's), so the schema view can describe the API.
    """
    def decorator(method):
        method.kwargs = {"schema": AutoSchema}
        return extend_schema(**schema)(method)
    return decorator


class JwtScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes edx-drf-extensions' JWT authentication: ``Authorization: JWT <token>``."""

    target_class = JwtAuthentication
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`JWT <token>`, as the LMS issues them."}


#: Signed in, and not through a JWT of a restricted OAuth application (edx-drf-extensions), as the LMS's own APIs.
SIGNED_IN = (IsAuthenticated, NotJwtRestrictedApplication)


class NestingSafeJSONParser(JSONParser):
    """
    DRF's JSON parser, answering a document nested deeper than Python's parser can follow with a 400 like any other
    malformed JSON: ``json`` raises ``RecursionError`` for it, not the ``ValueError`` DRF turns into a ``ParseError``.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - the document is nested too deeply.") from error


class HonorCodeAPIView(APIView):
    """Base of the API's views: authentication, JSON, and the app's errors as 4xx responses."""

    authentication_classes = authentication_classes()
    permission_classes = SIGNED_IN
    parser_classes = (NestingSafeJSONParser,)
    schema = AutoSchema()

    def handle_exception(self, exc):
        if isinstance(exc, InvalidInput):  # the request matched the schema and broke a rule: 422, not 400
            return Response({"detail": str(exc), "errors": exc.errors}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        if isinstance(exc, HonorCodeError):
            return Response({"detail": str(exc)}, status=exc.status_code)
        if isinstance(exc, ValidationError):
            return Response({"detail": f"Invalid input: {first_message(exc.detail)}", "errors": exc.detail},
                            status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)

    def valid(self, serializer_class, **kwargs):
        """The request's data validated by ``serializer_class`` (400 with the field errors otherwise)."""
        if not isinstance(self.request.data, dict) and not hasattr(self.request.data, "getlist"):
            raise ParseError("The request body must be a JSON object.")
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @staticmethod
    def course_key(course_id):
        """The course key in the URL (400 for one that does not match ``COURSE_ID_PATTERN``)."""
        if COURSE_ID_RE.fullmatch(course_id):
            try:
                return CourseKey.from_string(course_id)
            except InvalidKeyError:
                pass
        raise ValidationError({"course_id": [f"{course_id} is not a valid course key."]})

    def query_value(self, name):
        """A query parameter; an empty one is the same as none."""
        return self.request.query_params.get(name) or ""


#: A course key in a URL: ``course-v1:Org+Course+Run``, or an old ``Org/Course/Run`` one (opaque-keys' characters).
COURSE_ID_PATTERN = r"^(course-v1:[\w\-~.:]+\+[\w\-~.:]+\+[\w\-~.:]+|[\w\-~.:]+/[\w\-~.:]+/[\w\-~.:]+)$"
COURSE_ID_RE = re.compile(COURSE_ID_PATTERN)


PAGING = [
    OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="Page number, from 1"),
    OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": 1000},
                     description="Items per page (default 100)"),
]


class Pages(PageNumberPagination):
    """Pages of 100 (1 to 1000 with ``page_size``; any other page size is a 400, not silently the default)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not value.isdigit() or not 1 <= int(value) <= self.max_page_size:
            raise ValidationError({"page_size": [f"A page holds 1 to {self.max_page_size} items."]})
        return int(value)


#: Every error an operation may answer: 400 (the request does not match the schema), 401, 403, 404, 409 (the data
#: changed meanwhile), 415 (a body of another media type) and 422 (the request matches the schema and breaks a rule).
ERRORS = {code: serializers.ErrorSerializer for code in (400, 401, 403, 404, 409, 415, 422)}
CSV = {(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, streamed row by row"), **ERRORS}


class CSVRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: text/csv`` (the export streams its own body; an error is one CSV cell)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict):
            return csv_line(["detail"]) + csv_line([str(data.get("detail", ""))], quoting=csv.QUOTE_ALL)
        return data if data is not None else ""


class PolicyVersionList(HonorCodeAPIView):
    """The published honor code versions (anyone), and publishing a new one (global staff)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [permission() for permission in SIGNED_IN]

    @documented(responses={200: serializers.PolicyVersionSerializer(many=True), **ERRORS})
    def get(self, request):
        return Response(serializers.PolicyVersionSerializer(api.published_policies(), many=True).data)

    @documented(request=serializers.PolicyVersionCreateSerializer,
                responses={201: serializers.PolicyVersionSerializer, **ERRORS})
    def post(self, request):
        api.require_global_staff(request.user)
        data = self.valid(serializers.PolicyVersionCreateSerializer)
        version = api.publish_new_policy(actor=request.user, **data)
        return Response(serializers.PolicyVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class PolicyVersionDetail(HonorCodeAPIView):
    """One published honor code version."""

    permission_classes = (AllowAny,)

    @documented(responses={200: serializers.PolicyVersionSerializer, **ERRORS})
    def get(self, request, number):
        return Response(serializers.PolicyVersionSerializer(api.published_policy(number)).data)


#: The course in the URL, as the API accepts it.
COURSE = OpenApiParameter("course_id", str, OpenApiParameter.PATH, pattern=COURSE_ID_PATTERN,
                          description="A course key, such as course-v1:Org+Course+Run")


class CourseAcceptance(HonorCodeAPIView):
    """A learner's acceptance in a course: one's own (course staff may ask for anyone's), and accepting."""

    @documented(parameters=[COURSE, OpenApiParameter("username", str, description="Another learner (course staff)")],
                   responses={200: serializers.AcceptanceStatusSerializer, **ERRORS})
    def get(self, request, course_id):
        found = api.acceptance_for(request.user, self.course_key(course_id), self.query_value("username") or None)
        return Response(serializers.AcceptanceStatusSerializer(found).data)

    @documented(request=serializers.AcceptRequestSerializer, parameters=[COURSE],
                responses={200: serializers.AcceptanceSerializer, 201: serializers.AcceptanceSerializer, **ERRORS})
    def post(self, request, course_id):
        course_key = self.course_key(course_id)
        data = self.valid(serializers.AcceptRequestSerializer)
        if not api.course_uses_honor_code(course_key):
            raise NotFound(f"There is no honor code to accept in course {course_key}.")
        acceptance, created = api.accept(request.user, course_key, block_id="api", **data)
        return Response(serializers.AcceptanceSerializer(acceptance).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CourseAcceptances(HonorCodeAPIView):
    """A course's acceptances, paged (course staff)."""

    @documented(parameters=[COURSE, *PAGING], responses={200: serializers.PaginatedAcceptances, **ERRORS})
    def get(self, request, course_id):
        rows = api.acceptances_in_course(request.user, self.course_key(course_id))
        pages = Pages()
        page = pages.paginate_queryset(rows, request, view=self)
        return pages.get_paginated_response(serializers.AcceptanceRowSerializer(page, many=True).data)


class CourseAcceptancesCsv(HonorCodeAPIView):
    """A course's acceptances as a streaming CSV file (course staff)."""

    renderer_classes = (JSONRenderer, CSVRenderer)

    @documented(parameters=[COURSE], responses=CSV)
    def get(self, request, course_id):
        course_key = self.course_key(course_id)
        pages = api.acceptance_pages(request.user, course_key)
        return csv_response(csv_pages(pages), f"honorcode-acceptances-{course_key.course}.csv")


class CaseList(HonorCodeAPIView):
    """A course's cases (filtered by ``status``, ``commitment``, ``respondent``), and opening one (course staff)."""

    @documented(parameters=[
        COURSE,
        OpenApiParameter("status", str, enum=["", *api.CaseStatus.values], description="Only cases in this status"),
        OpenApiParameter("commitment", str, enum=["", *api.Commitment.values],
                         description="Only cases about this commitment"),
        OpenApiParameter("respondent", str, description="Only cases about the learner with this username"),
        *PAGING,
    ], responses={200: serializers.PaginatedCases, **ERRORS})
    def get(self, request, course_id):
        cases = api.list_cases(request.user, self.course_key(course_id), status=self.query_value("status"),
                               commitment=self.query_value("commitment"),
                               respondent=self.query_value("respondent"))
        pages = Pages()
        page = pages.paginate_queryset(cases, request, view=self)
        return pages.get_paginated_response(serializers.CaseSerializer(page, many=True).data)

    @documented(request=serializers.CaseCreateSerializer, parameters=[COURSE],
                responses={201: serializers.CaseSerializer, **ERRORS})
    def post(self, request, course_id):
        course_key = self.course_key(course_id)
        data = self.valid(serializers.CaseCreateSerializer)
        case = api.open_case(request.user, course_key, **data)
        return Response(serializers.CaseSerializer(case).data, status=status.HTTP_201_CREATED)


class CasesCsv(HonorCodeAPIView):
    """A course's cases as a streaming CSV file (course staff)."""

    renderer_classes = (JSONRenderer, CSVRenderer)

    @documented(parameters=[COURSE], responses=CSV)
    def get(self, request, course_id):
        course_key = self.course_key(course_id)
        return csv_response(csv_chunks(api.case_rows(request.user, course_key)),
                            f"honorcode-cases-{course_key.course}.csv")


class CaseDetail(HonorCodeAPIView):
    """One case with its evidence, determinations and sanctions; ``PATCH`` changes its status (course staff)."""

    def _detail(self, case_id):
        found = api.case_file(self.request.user, case_id)
        found.case.case_file = found
        return serializers.CaseDetailSerializer(found.case).data

    @documented(responses={200: serializers.CaseDetailSerializer, **ERRORS})
    def get(self, request, case_id):
        return Response(self._detail(case_id))

    @documented(request=serializers.CaseStatusSerializer, responses={200: serializers.CaseDetailSerializer, **ERRORS})
    def patch(self, request, case_id):
        api.get_case(request.user, case_id)  # 404/403 before the body is judged
        data = self.valid(serializers.CaseStatusSerializer)
        api.change_case_status(request.user, case_id, data["status"], note=data["note"])
        return Response(self._detail(case_id))


class CaseEvidence(HonorCodeAPIView):
    """Adding evidence to a case: ``text`` and/or ``file`` (multipart; course staff)."""

    parser_classes = (MultiPartParser, FormParser, NestingSafeJSONParser)

    @documented(request={"multipart/form-data": serializers.EvidenceCreateSerializer},
                   responses={201: serializers.EvidenceSerializer, **ERRORS})
    def post(self, request, case_id):
        api.get_case(request.user, case_id)
        upload = request.data.get("file") if hasattr(request.data, "get") else None
        if upload is not None and not hasattr(upload, "read"):  # a form part without a file name: text, not a file
            raise InvalidInput({"file": ["The submitted data was not a file: send it as a file (a form part with "
                                         "a file name)."]})
        data = self.valid(serializers.EvidenceCreateSerializer)
        item = api.add_evidence(request.user, case_id, text=data.get("text", ""), upload=data.get("file"))
        return Response(serializers.EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)


class CaseDetermination(HonorCodeAPIView):
    """Determining a case: the finding, the rationale, the sanctions (course staff; termination: global staff)."""

    @documented(request=serializers.DeterminationCreateSerializer,
                responses={201: serializers.DeterminationSerializer, **ERRORS})
    def post(self, request, case_id):
        api.get_case(request.user, case_id)
        data = self.valid(serializers.DeterminationCreateSerializer)
        determination = api.determine(
            request.user, case_id, finding=data["finding"], rationale=data["rationale"],
            sanctions_requested=[dict(item) for item in data["sanctions"]],
            expected_sequence=data.get("expected_sequence"),
        )
        return Response(serializers.DeterminationSerializer(determination).data, status=status.HTTP_201_CREATED)


class SanctionDetail(HonorCodeAPIView):
    """One sanction and its state (course staff)."""

    @documented(responses={200: serializers.SanctionSerializer, **ERRORS})
    def get(self, request, sanction_id):
        return Response(serializers.SanctionSerializer(api.get_sanction(request.user, sanction_id)).data)


class SanctionRetry(HonorCodeAPIView):
    """Retrying a failed sanction (course staff)."""

    @documented(request=None, responses={202: serializers.SanctionSerializer, **ERRORS})
    def post(self, request, sanction_id):
        api.retry_sanction(request.user, sanction_id)
        return Response(serializers.SanctionSerializer(api.get_sanction(request.user, sanction_id)).data,
                        status=status.HTTP_202_ACCEPTED)


class SanctionRevert(HonorCodeAPIView):
    """Reverting a sanction, with a reason (course staff; termination: global staff)."""

    @documented(request=serializers.RevertSerializer, responses={200: serializers.SanctionSerializer, **ERRORS})
    def post(self, request, sanction_id):
        api.get_sanction(request.user, sanction_id)
        data = self.valid(serializers.RevertSerializer)
        sanction = api.revert_sanction(request.user, sanction_id, reason=data["reason"])
        return Response(serializers.SanctionSerializer(sanction).data)


class MyRecord(HonorCodeAPIView):
    """The signed-in learner's own honor code record."""

    @documented(responses={200: serializers.RecordSerializer, **ERRORS})
    def get(self, request):
        record = api.learner_record(request.user)
        return Response(serializers.RecordSerializer({"username": request.user.username, **vars(record)}).data)


@csrf_exempt  # it changes nothing: a POST to a path that names nothing is a 404, not a CSRF failure
def not_found(request):
    """A path under the API that names no operation: a JSON 404, as every other answer of the API."""
    return JsonResponse({"detail": "Not found."}, status=404)

