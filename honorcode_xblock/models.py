"""
The honor code's records: policy versions, course terms, course settings, acceptances and the audit trail.

Models own their queries (manager methods); everything outside the app reaches them through ``api``.
"""
import uuid

from django.conf import settings
from django.db import IntegrityError, connections, models, transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

from honorcode_xblock.streaming import IsoTimestamp, pages_of, unbuffered_pages


class ChangeKind(models.TextChoices):
    """How much a new policy version changes: a material change may call for a new explicit acceptance."""

    MATERIAL = "material", _("Material change")
    MINOR = "minor", _("Minor change")


class AcceptanceMode(models.TextChoices):
    """How a learner accepts in a course: a checkbox and button, or a typed full name."""

    CHECKBOX = "checkbox", _("Checkbox and button")
    SIGNATURE = "signature", _("Typed full name (signature)")


class AcceptanceMethod(models.TextChoices):
    """How an acceptance came about."""

    EXPLICIT = "explicit", _("Explicit acceptance")
    CONTINUED_ACCESS = "continued_access", _("Continued use after a change")


class PublishedVersionIsReadOnly(Exception):
    """A published policy version was about to be changed or deleted (a programming error: ``api`` refuses first)."""


class PolicyVersionQuerySet(models.QuerySet):
    """Queries over policy versions."""

    def published(self):
        """Published versions, newest first."""
        return self.filter(published_at__isnull=False).order_by("-number")

    def published_between(self, after_number, up_to_number):
        """The published versions numbered above ``after_number`` up to ``up_to_number``, newest first."""
        return self.published().filter(number__gt=after_number, number__lte=up_to_number)

    def drafts(self):
        """Versions not yet published."""
        return self.filter(published_at__isnull=True)

    def in_force(self, when=None):
        """
        The rule of which version is in force, as a query (its one definition): the versions published by ``when``
        (by now when None), the one in force first: the highest number, since publishing numbers them in turn.
        """
        published = self.published()
        return published if when is None else published.filter(published_at__lte=when)

    def current(self):
        """The version in force now, or None when none was ever published."""
        return self.in_force().first()

    def in_force_at(self, when):
        """The version in force at ``when`` (conduct is judged against it), or None."""
        return self.in_force(when).first()

    def material(self):
        """Material changes only (those that may ask learners to accept again)."""
        return self.filter(change_kind=ChangeKind.MATERIAL)

    def highest_number(self):
        """The number of the newest published version (0 when none is)."""
        return self.published().values_list("number", flat=True).first() or 0

    def locked(self, pk):
        """The version with primary key ``pk``, locked for update until the transaction ends."""
        return self.select_for_update().get(pk=pk)

    def numbers(self):
        """The number of every version, by primary key."""
        return dict(self.order_by().values_list("pk", "number"))


class PolicyVersion(models.Model):
    """
    One version of the site-wide honor code.

    A draft is editable; publishing gives it its number and its "last updated" date, and from then on it is
    never changed (the ``api`` refuses to, and so does the admin).

    .. no_pii: The text is the operator's policy; the publisher and author are staff accounts, referenced by id.
    """

    number = models.PositiveIntegerField(
        unique=True, null=True, blank=True, editable=False,
        help_text=_("Assigned when the version is published."),
    )
    title = models.CharField(max_length=200, default="Honor Code")
    body = models.TextField(help_text=_("The honor code text (HTML; sanitized when saved)."))
    change_kind = models.CharField(max_length=16, choices=ChangeKind.choices, default=ChangeKind.MATERIAL)
    change_summary = models.TextField(
        blank=True, help_text=_("What changed since the previous version, shown to learners (HTML; sanitized)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number", "-created_at"]
        verbose_name = _("honor code version")

    def __str__(self):
        if self.is_published:
            return f"{self.title} v{self.number} ({self.published_at:%Y-%m-%d})"
        return f"{self.title} (draft {self.pk})"

    @property
    def is_published(self):
        """True once the version has been published; it is read-only from then on."""
        return self.published_at is not None

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._published_in_db = instance.published_at is not None  # pylint: disable=protected-access
        return instance

    def save(self, *args, **kwargs):
        """Save a draft, or publish it; a version that was already published is never written again."""
        if getattr(self, "_published_in_db", False):
            raise PublishedVersionIsReadOnly(f"Honor code version {self.number} is published and read-only.")
        super().save(*args, **kwargs)
        self._published_in_db = self.published_at is not None

    def delete(self, *args, **kwargs):
        """Delete a draft; published versions are kept for ever."""
        if self.is_published:
            raise PublishedVersionIsReadOnly(f"Honor code version {self.number} is published and is kept.")
        return super().delete(*args, **kwargs)


class CourseTermsQuerySet(models.QuerySet):
    """Queries over course terms."""

    def for_course(self, course_key):
        """All versions of one course's terms, newest first."""
        return self.filter(course_key=course_key).order_by("-version")

    def current(self, course_key):
        """The course's current terms, or None when the course has none yet."""
        return self.for_course(course_key).first()

    def versions(self, course_key):
        """The version number of each of a course's terms, by primary key."""
        return dict(self.filter(course_key=course_key).order_by().values_list("pk", "version"))

    def add_version(self, course_key, *, body="", collaboration=(), created_by=None):
        """
        Add the course's next terms version.

        Writers hold the course's settings lock (:meth:`CourseSettingsQuerySet.locked`); a first, empty
        version made at the same moment by a learner's acceptance (:meth:`first_version`) only moves this one to the
        next number.
        """
        for _attempt in range(2):
            current = self.current(course_key)
            try:
                with transaction.atomic():
                    return self.create(
                        course_key=course_key, version=(current.version + 1) if current else 1, body=body,
                        collaboration=list(collaboration), created_by=created_by,
                    )
            except IntegrityError:
                continue
        raise IntegrityError(f"Could not add a terms version to {course_key}.")

    def first_version(self, course_key):
        """
        The course's current terms, or an empty version 1 made now for a course that has none.

        Returns:
            (CourseTerms, created)
        """
        current = self.current(course_key)
        if current is not None:
            return current, False
        return self.get_or_create(course_key=course_key, version=1)


class CourseTerms(models.Model):
    """
    One version of a course's additional terms and its per-assignment collaboration permissions.

    Rows are never changed: saving different terms adds the next version.

    .. no_pii: Course content written by course authors; the author is a staff account referenced by id.
    """

    course_key = CourseKeyField(max_length=255, db_index=True)
    version = models.PositiveIntegerField()
    body = models.TextField(blank=True, help_text=_("Additional terms of this course (HTML; sanitized)."))
    collaboration = models.JSONField(
        default=list, blank=True,
        help_text=_('Assignments on which collaboration is permitted: [{"usage_key": ..., "note": ...}].'),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )

    objects = CourseTermsQuerySet.as_manager()

    class Meta:
        ordering = ["course_key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["course_key", "version"], name="honorcode_terms_course_version"),
        ]
        verbose_name = _("course terms version")
        verbose_name_plural = _("course terms versions")

    def __str__(self):
        return f"{self.course_key} terms v{self.version}"


class CourseSettingsQuerySet(models.QuerySet):
    """Queries over course settings."""

    def for_course(self, course_key):
        """The course's saved settings, or None."""
        return self.filter(course_key=course_key).first()

    def ensure(self, course_key):
        """
        The course's settings row, created with defaults if it does not exist.

        Call it outside a transaction: creating the row in its own transaction keeps two first writers of a course
        from deadlocking on MySQL (a duplicate-key wait followed by a lock of the same row).

        Returns:
            (CourseSettings, created)
        """
        return self.get_or_create(course_key=course_key)

    def locked(self, course_key):
        """The course's settings row locked until the transaction ends: holding it serialises the course's writers."""
        return self.select_for_update().get(course_key=course_key)


    def gate_facts(self, course_key, user):
        """
        Everything the change rule needs about one learner in one course, in one query: the gate reads it, and so
        does the learner's current acceptance.

        Returns:
            None when no honor code version was ever published; otherwise a dict with ``uses_honor_code`` (the
            course has a settings row) and the course's ``gate_graded_content``, ``staff_exempt`` and
            ``reaccept_after_material_change`` (their defaults without a row), the site's ``current_id``,
            ``current_number`` and ``last_material_number``, the course's ``current_terms_id``, and, for a signed-in
            learner, ``best_explicit_number``, ``accepted_any``, ``accepted_current`` (the current policy and course
            terms) and ``notice_pending``.
        """
        in_force = PolicyVersion.objects.in_force()
        course = self.filter(course_key=course_key)
        current_terms = CourseTerms.objects.for_course(course_key).values("pk")[:1]

        def setting(name, default):
            return Coalesce(Subquery(course.values(name)[:1]), Value(default), output_field=models.BooleanField())

        annotations = {
            "current_id": F("pk"),
            "current_number": F("number"),
            "uses_honor_code": Exists(course),
            "gate_graded_content": setting("gate_graded_content", False),
            "staff_exempt": setting("staff_exempt", True),
            "reaccept_after_material_change": setting("reaccept_after_material_change", True),
            "last_material_number": Subquery(in_force.material().values("number")[:1]),
            "current_terms_id": Subquery(current_terms),
        }
        if user is not None:
            mine = Acceptance.objects.filter(user=user, course_key=course_key)
            annotations.update({
                "best_explicit_number": Subquery(
                    mine.filter(method=AcceptanceMethod.EXPLICIT).order_by("-policy_version__number")
                    .values("policy_version__number")[:1]),
                "accepted_any": Exists(mine),
                "accepted_current": Exists(mine.filter(
                    policy_version_id=OuterRef("pk"), course_terms_id=Subquery(current_terms))),
                "notice_pending": Exists(mine.filter(
                    method=AcceptanceMethod.CONTINUED_ACCESS, notice_shown_at__isnull=True)),
            })
        return in_force.annotate(**annotations).values(*annotations).first()


class CourseSettings(models.Model):
    """
    How one course uses the honor code: the acceptance mode and whether graded content is gated.

    .. no_pii: Course configuration only.
    """

    course_key = CourseKeyField(max_length=255, unique=True)
    acceptance_mode = models.CharField(
        max_length=16, choices=AcceptanceMode.choices, default=AcceptanceMode.CHECKBOX,
    )
    gate_graded_content = models.BooleanField(
        default=False, help_text=_("Withhold graded content from learners until they accept the honor code."),
    )
    staff_exempt = models.BooleanField(
        default=True, help_text=_("Course staff see graded content without accepting."),
    )
    reaccept_after_material_change = models.BooleanField(
        default=True,
        help_text=_("After a material change of the honor code, graded content stays gated until learners accept "
                    "the new version explicitly. Minor changes never ask for it."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("course honor code settings")
        verbose_name_plural = _("course honor code settings")

    def __str__(self):
        return f"{self.course_key} settings"


class AcceptanceQuerySet(models.QuerySet):
    """Queries over acceptances."""

    def for_user_in_course(self, user, course_key):
        """One learner's acceptances in one course, newest first."""
        return self.filter(user=user, course_key=course_key).select_related(
            "policy_version", "course_terms",
        ).order_by("-accepted_at", "-pk")

    def covering(self, user, course_key, policy_version_id, course_terms_id):
        """The learner's acceptance of these versions in the course, the explicit one first, or None."""
        found = sorted(self.filter(user=user, course_key=course_key, policy_version_id=policy_version_id,
                                   course_terms_id=course_terms_id).select_related("policy_version", "course_terms"),
                       key=lambda acceptance: (acceptance.method != AcceptanceMethod.EXPLICIT, -acceptance.pk))
        return found[0] if found else None

    def pending_notices(self, user, course_key):
        """The learner's continued-use acceptances whose change notice has not been shown yet, newest first."""
        return list(self.for_user_in_course(user, course_key).filter(
            method=AcceptanceMethod.CONTINUED_ACCESS, notice_shown_at__isnull=True,
        ))

    def mark_notices_shown(self, acceptance_ids, when):
        """Record that the change notices of these acceptances (by id) were shown at ``when``."""
        return self.filter(pk__in=list(acceptance_ids)).update(notice_shown_at=when)

    def redact_signatures(self, user):
        """Blank the full names ``user`` typed as signatures; returns how many rows changed."""
        return self.filter(user=user).exclude(signature="").update(signature="")

    def export_bounds(self, course_key):
        """
        The primary keys of the course's first and newest acceptances, or None when it has none: where an export of
        the course starts and stops.
        """
        bounds = self.filter(course_key=course_key).aggregate(first=Min("pk"), last=Max("pk"))
        return None if bounds["last"] is None else (bounds["first"], bounds["last"])

    def export_pages(self, course_key, bounds, size, statement_seconds=None):
        """
        A course's acceptances with primary keys within ``bounds`` (from :meth:`export_bounds`), in primary-key
        order, in pages of at most ``size`` tuples ``(pk, username, user_id, policy_version_id, course_terms_id,
        method, accepted_at, block_id)``. ``accepted_at`` is the ISO 8601 text ``datetime.isoformat`` gives, written
        by the database: a million rows need no datetime made and formatted in Python.

        One query, served in id order by the ``(course_key, id)`` index or the primary key, whichever reads fewer
        rows (no sort), whose rows are read as they come: memory stays flat however many learners the
        course has. On MySQL/MariaDB it runs on an unbuffered cursor (``streaming.unbuffered_pages``: Django's
        ``QuerySet.iterator()`` there has the client hold the whole result), so the connection serves only it until
        the pages are read to the end or closed, and each of its statements lasts at most ``statement_seconds``;
        elsewhere (SQLite) it is Django's ``iterator()``.
        """
        first, last = bounds
        rows = self.filter(course_key=course_key, pk__gte=first, pk__lte=last).order_by("pk").annotate(
            accepted_iso=IsoTimestamp("accepted_at"),
        ).values_list("pk", "user__username", "user_id", "policy_version_id", "course_terms_id", "method",
                      "accepted_iso", "block_id")
        if connections[rows.db].vendor == "mysql":
            # left to itself, MySQL may read a course that is a small part of the table by another index that starts
            # with the course, and sort its rows before sending the first one
            return unbuffered_pages(rows, size, indexes=("PRIMARY", "honorcode_acc_course_pk"),
                                     statement_seconds=statement_seconds)
        return pages_of(rows.iterator(chunk_size=size), size)

    def counts_by_version(self, course_key):
        """
        How many learners accepted each pair of versions in a course.

        Returns:
            list of dicts with ``policy_version__number``, ``course_terms__version`` and ``learners``, newest
            policy version first.
        """
        return list(
            self.filter(course_key=course_key)
            .values("policy_version__number", "course_terms__version")
            .annotate(learners=Count("user", distinct=True))
            .order_by("-policy_version__number", "-course_terms__version")
        )


class Acceptance(models.Model):
    """
    A learner's acceptance of one honor code version and one version of a course's terms.

    Append-only: there is one row for each learner, course, policy version, course-terms version and method, however
    often the learner clicks (an explicit acceptance after an agreement by continued use is a second row).

    .. pii: The learner (by id) and, in signature mode, the full name the learner typed; ``api.retire_user``
       blanks the typed name and keeps the row as a record of the acceptance.
    .. pii_types: id, name
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    course_key = CourseKeyField(max_length=255)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="acceptances")
    course_terms = models.ForeignKey(CourseTerms, on_delete=models.PROTECT, related_name="acceptances")
    method = models.CharField(max_length=32, choices=AcceptanceMethod.choices, default=AcceptanceMethod.EXPLICIT)
    signature = models.CharField(max_length=255, blank=True, help_text=_("Full name typed in signature mode."))
    accepted_at = models.DateTimeField(db_index=True)
    block_id = models.CharField(
        max_length=255, blank=True, help_text=_("Usage id of the Honor Code block the learner accepted in."),
    )
    notice_shown_at = models.DateTimeField(
        null=True, blank=True,
        help_text=_("For an acceptance by continued use: when the learner was shown the notice of the change."),
    )

    objects = AcceptanceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course_key", "policy_version", "course_terms", "method"],
                name="honorcode_one_acceptance_per_versions_method",
            ),
        ]
        indexes = [
            models.Index(fields=["course_key", "policy_version"], name="honorcode_acc_course_policy"),
            # the CSV export reads a course's acceptances in primary-key order, page by page
            models.Index(fields=["course_key", "id"], name="honorcode_acc_course_pk"),
        ]
        verbose_name = _("acceptance")

    def __str__(self):
        return f"user {self.user_id} accepted v{self.policy_version.number} in {self.course_key}"


class AuditEventQuerySet(models.QuerySet):
    """Queries over the audit trail."""

    def chain(self, scope):
        """One chain's events in order (a chain per course, and "" for the site)."""
        return self.filter(scope=scope).order_by("sequence")

    def scopes(self):
        """The chains there are."""
        return list(self.order_by().values_list("scope", flat=True).distinct())

    def about(self, object_type, object_ids):
        """The events about some objects of one type, oldest first."""
        return self.filter(object_type=object_type, object_id__in=[str(pk) for pk in object_ids]).order_by(
            "occurred_at", "pk",
        )


class AuditEvent(models.Model):
    """
    An append-only record of one change the app made: who, when, what, and the values before and after.

    Nothing in the app edits or deletes one. Events form one hash chain per course (and one for the site): each
    carries the hash of the one before it, so an edited, removed or inserted event breaks the chain, which
    ``manage.py verify_honor_code_audit`` finds. Free text is recorded by length and digest, never verbatim, so
    the trail holds no personal data that retirement would have to rewrite.

    .. pii: The actor (by id) and the ids of the learners the changes were about.
    .. pii_types: id
    .. pii_retirement: retained
    """

    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    actor_ref = models.CharField(max_length=64, blank=True, help_text=_("The actor's id as hashed."))
    action = models.CharField(max_length=64)
    course_key = CourseKeyField(max_length=255, null=True, blank=True, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    scope = models.CharField(max_length=255, blank=True, default="", help_text=_("The chain: a course, or the site."))
    sequence = models.PositiveBigIntegerField(default=0)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["scope", "sequence"], name="honorcode_audit_chain_link")]
        verbose_name = _("audit event")

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"


class AuditChainHead(models.Model):
    """
    The last link of one audit chain: appending locks this row, so concurrent writers chain one after the other.

    .. no_pii: Sequence numbers and hashes only.
    """

    scope = models.CharField(max_length=255, unique=True)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"chain {self.scope or '(site)'} at {self.sequence}"


# --- violations: cases, evidence, determinations, sanctions ---------------------------------------------------------

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


class SanctionKind(models.TextChoices):
    """The consequences the honor code lists; a determination may impose any combination."""

    ZERO_CREDIT = "zero_credit", _("Zero credit on the assignment")
    CERTIFICATE_WITHHELD = "certificate_withheld", _("Certificate withheld")
    CERTIFICATE_REVOKED = "certificate_revoked", _("Certificate revoked")
    UNENROLL = "unenroll", _("Unenrolled from the course, without refund")
    TERMINATE_ACCOUNT = "terminate_account", _("Use of the site terminated")
    OTHER = "other", _("Other action")


class SanctionState(models.TextChoices):
    """A sanction's life: pending → applied, or failed (retried) → applied; applied → reverted."""

    PENDING = "pending", _("Pending")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed")
    REVERTED = "reverted", _("Reverted")


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
        constraints = [models.UniqueConstraint(fields=["determination", "user"], name="honorcode_one_notification_each")]
        verbose_name = _("determination notification")

    def __str__(self):
        return f"notification of determination {self.determination_id} to user {self.user_id}"


class SanctionQuerySet(models.QuerySet):
    """Queries over sanctions."""

    def in_force(self, user, course_key, kinds):
        """
        Whether a learner (a user or a user id) has an applied sanction of one of ``kinds`` in ``course_key``
        (None: in any course).
        """
        queryset = self.filter(user_id=getattr(user, "pk", user), kind__in=kinds, state=SanctionState.APPLIED)
        if course_key is not None:
            queryset = queryset.filter(course_key=course_key)
        return queryset.exists()

    def revoking_certificate(self, certificate_uuid):
        """
        The applied revocation whose certificate's public link carries ``certificate_uuid`` (kept in its platform
        reference when it was applied), or None.
        """
        return self.filter(kind=SanctionKind.CERTIFICATE_REVOKED, state=SanctionState.APPLIED,
                           platform_ref__verify_uuid=certificate_uuid).order_by("pk").first()

    def locked_with_its_kind(self, pk):
        """
        The sanction ``pk``, locked together with every other sanction of its kind on the same learner, in primary-key
        order, or None.

        Applying and reverting sanctions with the same effect (two cases that both unenroll a learner) look at each
        other; taking their locks as one group, always in the same order, serialises them without deadlocks.
        """
        target = self.filter(pk=pk).values("user_id", "kind").first()
        if target is None:
            return None
        group = list(self.select_for_update().filter(**target).order_by("pk"))
        return next((item for item in group if item.pk == pk), None)

    def overlapping(self, sanction, account_wide):
        """
        Another applied sanction with the same effect on the same learner, or None: in the same course and assignment,
        or anywhere when the sanction is ``account_wide``.
        """
        same = self.filter(user_id=sanction.user_id, kind=sanction.kind, state=SanctionState.APPLIED)
        if not account_wide:
            same = same.filter(course_key=sanction.course_key, usage_key=sanction.usage_key)
        return same.exclude(pk=sanction.pk).order_by("pk").first()

    def lost(self, cutoff):
        """Ids of sanctions still pending from determinations made before ``cutoff``."""
        return list(self.filter(state=SanctionState.PENDING, determination__decided_at__lte=cutoff)
                    .values_list("pk", flat=True))


class Sanction(models.Model):
    """
    One consequence for one respondent, applied through the platform layer.

    ``state`` goes pending → applied, or failed (with ``attempts`` and ``last_error``) and retried; an applied
    sanction may be reverted. ``platform_ref`` keeps what the platform needs to undo it (e.g. the enrollment mode).

    .. pii: The learner (by id), and for "other action" the free-text description of it.
    .. pii_types: id, other
    .. pii_retirement: retained
    """

    determination = models.ForeignKey(Determination, on_delete=models.CASCADE, related_name="sanctions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    course_key = CourseKeyField(max_length=255, db_index=True)
    kind = models.CharField(max_length=32, choices=SanctionKind.choices)
    usage_key = models.CharField(max_length=255, blank=True)
    details = models.TextField(blank=True)
    state = models.CharField(max_length=16, choices=SanctionState.choices, default=SanctionState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    platform_ref = models.JSONField(default=dict, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    reverted_at = models.DateTimeField(null=True, blank=True)

    objects = SanctionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["determination", "user", "kind"], name="honorcode_one_sanction_each"),
        ]
        indexes = [models.Index(fields=["user", "kind", "state"], name="honorcode_sanction_user_kind")]
        verbose_name = _("sanction")

    def __str__(self):
        return f"{self.kind} for user {self.user_id} in {self.course_key} ({self.state})"


# --- the standalone platform's own records (the demo's enrollments, certificates and grade overrides) ---------------

class HoldReason(models.TextChoices):
    """Why the honor code withholds a learner's certificate."""

    NOT_ACCEPTED = "not_accepted", _("the learner has not accepted the honor code of this course")
    DETERMINATION = "determination", _("an honor code determination withholds or revokes it")
    CHECK_FAILED = "check_failed", _("the honor code could not be checked just now; it is asked for again shortly")


class CertificateHoldQuerySet(models.QuerySet):
    """Queries on certificate holds."""

    def in_force(self):
        """The holds not released yet."""
        return self.filter(released_at__isnull=True)

    def held(self, user, course_key):
        """The hold in force on the learner's certificate in the course, or None."""
        return self.in_force().filter(user=user, course_key=course_key).first()

    def record(self, user, course_key, reason, now):
        """
        Note that the platform asked for the learner's certificate and it was withheld for ``reason``.

        Returns:
            (hold, whether it is new or its reason changed).
        """
        hold, created = self.get_or_create(user=user, course_key=course_key, defaults={
            "reason": reason, "first_held_at": now, "last_held_at": now})
        if created:
            return hold, True
        changed = hold.reason != reason or hold.released_at is not None
        hold.reason, hold.last_held_at, hold.released_at = reason, now, None
        if changed:
            hold.first_held_at = now
        hold.save(update_fields=["reason", "last_held_at", "released_at", "first_held_at"])
        return hold, changed


class CertificateHold(models.Model):
    """
    A certificate the platform was asked for and the honor code withheld: the learner had not accepted in a course
    that gates its graded content, or a determination withholds or revokes it. Course staff and the learner see it;
    it is released (and the certificate asked for again) when nothing withholds it any more.

    .. pii: The learner, by id; ``api.retire_user`` deletes the learner's holds.
    .. pii_types: id
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_key = CourseKeyField(max_length=255)
    reason = models.CharField(max_length=32, choices=HoldReason.choices)
    first_held_at = models.DateTimeField(help_text=_("When the platform first asked for it and it was withheld."))
    last_held_at = models.DateTimeField(help_text=_("The last time it was asked for and withheld."))
    released_at = models.DateTimeField(null=True, blank=True)

    objects = CertificateHoldQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course_key"], name="honorcode_one_hold_each")]
        indexes = [models.Index(fields=["course_key", "released_at"], name="honorcode_hold_course")]
        verbose_name = _("certificate hold")

    def __str__(self):
        return f"certificate of user {self.user_id} in {self.course_key} withheld ({self.reason})"

