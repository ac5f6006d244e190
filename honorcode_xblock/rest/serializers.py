"""
Serializers of the REST API: the shapes of requests (validated types) and of responses.

A request is refused with a 400 exactly when it does not match the OpenAPI schema: the request fields are strict
(a JSON string, integer or boolean, never a value DRF would coerce into one; no NUL character; a text that must not be
blank holds more than whitespace; lengths counted as sent), and the schema says so (``TextSchema``). A request that
matches the schema but breaks a rule that depends on the data (an unknown learner, a date before any version) is a 422.
"""
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from honorcode_xblock import api

#: A string without NUL characters, and one that also holds something other than whitespace.
NO_NUL = "^[^\\x00]*$"
NOT_BLANK = "^[^\\x00]*[^\\x00\\s][^\\x00]*$"


class Text(serializers.CharField):
    """
    A request's text as the schema describes it: a JSON string (a number or a boolean is refused, not turned into
    one), without NUL characters, not only whitespace unless ``allow_blank``, its length counted as sent (the domain
    trims it).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not self.allow_blank and not value.strip():
            self.fail("blank")
        return value


class TextSchema(OpenApiSerializerFieldExtension):
    """How the schema describes ``Text``: DRF's string, with the pattern its checks follow."""

    target_class = Text

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)  # pylint: disable=protected-access
        schema["pattern"] = NO_NUL if self.target.allow_blank else NOT_BLANK
        return schema


class Integer(serializers.IntegerField):
    """A request's integer: a JSON integer (a string, a float or a boolean is refused, not converted)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class Boolean(serializers.BooleanField):
    """A request's boolean: JSON ``true`` or ``false`` (not "yes", 1 or "true")."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class Moment(serializers.DateTimeField):
    """
    A request's date and time (ISO 8601, with its offset). One that the schema accepts but that falls outside the
    years 1 to 9999 once in UTC is left to the domain, which refuses it with a 422 and says why.
    """

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except serializers.ValidationError:
            return value


class PolicyVersionSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A published honor code version."""

    number = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    change_kind = serializers.CharField()
    change_summary = serializers.CharField()
    published_at = serializers.DateTimeField()


class PolicyVersionCreateSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A new honor code version to publish at once."""

    title = Text(max_length=255, default="Honor Code")
    body = Text(max_length=200000)
    change_kind = serializers.ChoiceField(choices=api.ChangeKind.choices)
    change_summary = Text(max_length=2000, allow_blank=True, default="")


class AcceptanceSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """One acceptance."""

    id = serializers.IntegerField(source="pk")
    course_key = serializers.CharField()
    policy_version = serializers.IntegerField(source="policy_version.number")
    course_terms_version = serializers.IntegerField(source="course_terms.version")
    method = serializers.CharField()
    accepted_at = serializers.DateTimeField()


class AcceptanceRowSerializer(AcceptanceSerializer):  # pylint: disable=abstract-method
    """One acceptance in a course's list, with the learner."""

    username = serializers.CharField(source="user.username")


class AcceptanceStatusSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Whether a learner has accepted the versions in force in a course."""

    username = serializers.CharField()
    accepted = serializers.BooleanField()
    policy_version = serializers.IntegerField(allow_null=True)
    acceptance = AcceptanceSerializer(allow_null=True)


class AcceptRequestSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """The learner's acceptance: tick (checkbox mode) or full name (signature mode), and the versions shown."""

    confirmed = Boolean(default=False)
    signature = Text(max_length=255, allow_blank=True, default="")
    policy_version = Integer(required=False, min_value=1)
    terms_version = Integer(required=False, min_value=1)


class SanctionSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """One sanction and its state."""

    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    username = serializers.CharField(source="user.username")
    course_key = serializers.CharField()
    usage_key = serializers.CharField()
    details = serializers.CharField()
    state = serializers.CharField()
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()
    applied_at = serializers.DateTimeField(allow_null=True)
    reverted_at = serializers.DateTimeField(allow_null=True)


class DeterminationSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A determination."""

    id = serializers.IntegerField(source="pk")
    sequence = serializers.IntegerField()
    finding = serializers.CharField()
    rationale = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    decided_at = serializers.DateTimeField()


class EvidenceSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """An evidence item (the file is downloaded from its own page)."""

    id = serializers.IntegerField(source="pk")
    text = serializers.CharField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    added_by = serializers.CharField(source="added_by.username", allow_null=True, default=None)
    added_at = serializers.DateTimeField()


class CaseSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A case, as listed."""

    id = serializers.IntegerField(source="pk")
    course_key = serializers.CharField()
    status = serializers.CharField()
    commitment = serializers.CharField()
    usage_key = serializers.CharField()
    description = serializers.CharField()
    respondents = serializers.SerializerMethodField()
    reporter = serializers.CharField(source="reporter.username", allow_null=True, default=None)
    policy_version = serializers.IntegerField(source="policy_version.number")
    conduct_at = serializers.DateTimeField()
    opened_at = serializers.DateTimeField()

    def get_respondents(self, case) -> list[str]:
        return sorted(user.username for user in case.respondents.all())


class CaseDetailSerializer(CaseSerializer):  # pylint: disable=abstract-method
    """A case with its evidence, determinations and sanctions."""

    evidence = EvidenceSerializer(many=True, source="case_file.evidence")
    determinations = DeterminationSerializer(many=True, source="case_file.determinations")
    sanctions = SanctionSerializer(many=True, source="case_file.sanctions")
    transitions = serializers.ListField(child=serializers.CharField(), source="case_file.transitions")


class CaseCreateSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A new case."""

    respondents = serializers.ListField(child=Text(max_length=150), min_length=1, max_length=api.MAX_RESPONDENTS)
    commitment = serializers.ChoiceField(choices=api.Commitment.choices)
    description = Text(max_length=api.MAX_TEXT_LENGTH)
    usage_key = Text(max_length=255, allow_blank=True, default="")
    conduct_at = Moment(required=False)


class CaseStatusSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A status change."""

    status = serializers.ChoiceField(choices=api.CaseStatus.choices)
    note = Text(max_length=api.MAX_TEXT_LENGTH, allow_blank=True, default="")


class EvidenceCreateSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Evidence to add: a text, a file, or both (multipart)."""

    text = Text(max_length=api.MAX_TEXT_LENGTH, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_empty_file=False)


class SanctionRequestSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """One sanction asked for in a determination."""

    kind = serializers.ChoiceField(choices=api.SanctionKind.choices)
    details = Text(max_length=api.MAX_TEXT_LENGTH, allow_blank=True, default="")


class DeterminationCreateSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A determination: the finding, its reasons and the sanctions (each applies to every respondent)."""

    finding = serializers.ChoiceField(choices=api.Finding.choices)
    rationale = Text(max_length=api.MAX_TEXT_LENGTH)
    sanctions = SanctionRequestSerializer(many=True, default=list)
    expected_sequence = Integer(required=False, min_value=1)


class RevertSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Why a sanction is reverted."""

    reason = Text(max_length=api.MAX_TEXT_LENGTH)


class RecordDeterminationSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A determination about the learner, with the learner's own sanctions."""

    case_id = serializers.IntegerField(source="case.pk")
    course_key = serializers.CharField(source="case.course_key")
    commitment = serializers.CharField(source="case.commitment")
    policy_version = serializers.IntegerField(source="case.policy_version.number")
    finding = serializers.CharField(source="determination.finding")
    rationale = serializers.CharField(source="determination.rationale")
    decided_at = serializers.DateTimeField(source="determination.decided_at")
    sanctions = serializers.SerializerMethodField()

    def get_sanctions(self, entry) -> list[dict]:
        return [{"kind": item.kind, "state": item.state, "details": item.details} for item in entry.sanctions]


class CertificateHoldSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A certificate the platform was asked for and the honor code withholds."""

    course_key = serializers.CharField()
    username = serializers.CharField(source="user.username")
    reason = serializers.ChoiceField(choices=api.HoldReason.choices)
    first_held_at = serializers.DateTimeField()
    last_held_at = serializers.DateTimeField()


class RecordSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """The learner's own honor code record."""

    username = serializers.CharField()
    acceptances = AcceptanceSerializer(many=True)
    determinations = RecordDeterminationSerializer(many=True)
    certificates_withheld = CertificateHoldSerializer(many=True)


class ErrorSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """An error: a message, and for invalid input the messages by field (nested for lists and objects)."""

    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.JSONField(), required=False)


def paginated(name, item_serializer):
    """The serializer of one page of ``item_serializer`` items, as DRF's ``PageNumberPagination`` answers."""
    return type(name, (serializers.Serializer,), {
        "__doc__": f"One page of {item_serializer.__name__.removesuffix('Serializer')} items.",
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": item_serializer(many=True),
    })


PaginatedCases = paginated("PaginatedCases", CaseSerializer)
PaginatedAcceptances = paginated("PaginatedAcceptances", AcceptanceRowSerializer)
