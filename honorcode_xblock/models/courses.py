"""
A course's own terms (versioned) and its honor code settings.
"""
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField


class AcceptanceMode(models.TextChoices):
    """How a learner accepts in a course: a checkbox and button, or a typed full name."""

    CHECKBOX = "checkbox", _("Checkbox and button")
    SIGNATURE = "signature", _("Typed full name (signature)")


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
