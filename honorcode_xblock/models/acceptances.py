"""
Acceptances: who accepted which versions in which course, how and when; and the facts the change rule judges.
"""
from django.conf import settings
from django.db import connections, models
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

from honorcode_xblock.models.courses import CourseSettings, CourseTerms
from honorcode_xblock.models.versions import PolicyVersion
from honorcode_xblock.streaming import IsoTimestamp, pages_of, unbuffered_pages


class AcceptanceMethod(models.TextChoices):
    """How an acceptance came about."""

    EXPLICIT = "explicit", _("Explicit acceptance")
    CONTINUED_ACCESS = "continued_access", _("Continued use after a change")


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
        course = CourseSettings.objects.filter(course_key=course_key)
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
            mine = self.filter(user=user, course_key=course_key)
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
