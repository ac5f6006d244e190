"""
Cases of suspected violations, their respondents, evidence and determinations, and the notifications that tell
respondents of a determination.
"""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

from honorcode_xblock.models.versions import PolicyVersion


class Commitment(models.TextChoices):
    """The four commitments of the honor code; a case names the one it says was breached."""

    OWN_WORK = "own_work", _("Do your own work unless collaboration on the assignment is permitted")
    ONE_ACCOUNT = "one_account", _("Keep one account and never share your credentials")
    NO_DISHONEST_ADVANTAGE = "no_dishonest_advantage", _(
        "Do nothing that dishonestly improves your results or changes anyone else's"
    )
    NO_POSTING_ANSWERS = "no_posting_answers", _("Never post or share answers to assessment problems")


class CaseStatus(models.TextChoices):
    """Where a case stands: open → under review → determined → closed (reopening is a recorded event)."""

    OPEN = "open", _("Open")
    UNDER_REVIEW = "under_review", _("Under review")
    DETERMINED = "determined", _("Determined")
    CLOSED = "closed", _("Closed")


class Finding(models.TextChoices):
    """The outcome of a determination."""

    VIOLATION = "violation", _("Violation")
    NO_VIOLATION = "no_violation", _("No violation")


class CaseQuerySet(models.QuerySet):
    """Queries over cases."""

    def in_course(self, course_key):
        """A course's cases, newest first, with what the list pages show."""
        return (
            self.filter(course_key=course_key)
            .select_related("reporter", "policy_version")
            .prefetch_related("respondents")
            .order_by("-opened_at", "-pk")
        )

    def about(self, user):
        """The cases in which ``user`` is a respondent."""
        return self.filter(respondents=user)

    def locked(self, pk):
        """The case with primary key ``pk``, locked for update until the transaction ends."""
        return self.select_for_update().get(pk=pk)


class Case(models.Model):
    """
    A suspected breach of the honor code in one course, by one or more learners (the respondents).

    Several accounts of one person (a master account and its harvesting accounts) are one case. Conduct is judged
    against the policy version in force when it happened (``policy_version``), never a later one.

    .. pii: The respondents and reporter (by id), and the free-text description, which may name people;
       ``api.retire_user`` replaces the description of a retired respondent's cases and keeps the outcome.
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    course_key = CourseKeyField(max_length=255, db_index=True)
    respondents = models.ManyToManyField(settings.AUTH_USER_MODEL, through="CaseRespondent", related_name="+")
    commitment = models.CharField(max_length=32, choices=Commitment.choices)
    usage_key = models.CharField(max_length=255, blank=True, help_text=_("The assignment's usage key, if any."))
    description = models.TextField()
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True)
    conduct_at = models.DateTimeField(help_text=_("When the conduct happened (chooses the policy version)."))
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    redacted_at = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        indexes = [models.Index(fields=["course_key", "status"], name="honorcode_case_course_status")]

    def __str__(self):
        return f"case {self.pk} in {self.course_key} ({self.status})"


class CaseRespondent(models.Model):
    """
    One learner a case is about.

    .. pii: The learner, by id.
    .. pii_types: id
    .. pii_retirement: retained
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="respondent_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="honorcode_one_respondent_row")]
        verbose_name = _("respondent")

    def __str__(self):
        return f"user {self.user_id} in case {self.case_id}"


def evidence_upload_to(instance, filename):
    """Where an evidence file is stored: a random name (the original name is kept in the row, not the path)."""
    return f"honorcode/evidence/{instance.case_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """
    Text or a file staff added to a case.

    .. pii: Free text and files about the respondents, and who added them (by id). ``api.retire_user`` deletes the
       file and replaces the text of a retired respondent's cases, keeping the row (so the count stays).
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    text = models.TextField(blank=True)
    file = models.FileField(upload_to=evidence_upload_to, blank=True, max_length=255)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField()
    redacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return f"evidence {self.pk} of case {self.case_id}"


class Determination(models.Model):
    """
    The finding on a case and its rationale; its sanctions follow.

    A case has one live determination; reopening a case and deciding again adds the next one (``sequence``), and
    the unique (case, sequence) pair makes a second concurrent determination fail instead of adding an outcome.

    .. pii: Who decided (by id) and the rationale, which may name the respondents.
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="determinations")
    sequence = models.PositiveIntegerField(default=1)
    finding = models.CharField(max_length=16, choices=Finding.choices)
    rationale = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "sequence"], name="honorcode_one_determination_each")]
        ordering = ["case", "sequence"]
        verbose_name = _("determination")

    def __str__(self):
        return f"determination {self.sequence} of case {self.case_id}: {self.finding}"


class Notification(models.Model):
    """
    The message telling one respondent of a determination: sent once, retried until it is.

    .. pii: The learner, by id.
    .. pii_types: id
    .. pii_retirement: retained
    """

    determination = models.ForeignKey(Determination, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["determination", "user"], name="honorcode_one_notification_each"),
        ]
        verbose_name = _("determination notification")

    def __str__(self):
        return f"notification of determination {self.determination_id} to user {self.user_id}"
