"""
The standalone platform's records: what Open edX keeps in its own apps, here for a plain Django site.

Enrollments (what unenrollment changes), certificates (what revocation invalidates) and grade overrides (what zero
credit writes). They belong to the platform, not to the product: only ``platform.py`` and the demo use them.
"""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField


def new_certificate_uuid():
    """A certificate's public id, as Open edX makes a ``verify_uuid``."""
    return uuid.uuid4().hex


class Enrollment(models.Model):
    """
    Outside Open edX: a learner's enrollment in a course (what unenrollment changes).

    .. pii: The learner, by id.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_key = CourseKeyField(max_length=255)
    mode = models.CharField(max_length=32, default="audit")
    is_active = models.BooleanField(default=True)
    refunded = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course_key"], name="honorcode_standalone_one_enrollment"),
        ]
        verbose_name = _("standalone enrollment")

    def __str__(self):
        return f"user {self.user_id} in {self.course_key} ({'active' if self.is_active else 'inactive'})"


class Certificate(models.Model):
    """
    Outside Open edX: a learner's course certificate (what revocation invalidates).

    .. pii: The learner, by id.
    .. pii_types: id
    .. pii_retirement: retained
    """

    DOWNLOADABLE = "downloadable"
    UNAVAILABLE = "unavailable"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_key = CourseKeyField(max_length=255)
    status = models.CharField(max_length=32, default=DOWNLOADABLE)
    invalidation_notes = models.TextField(blank=True)
    created_at = models.DateTimeField()
    verify_uuid = models.CharField(max_length=32, default=new_certificate_uuid, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course_key"], name="honorcode_standalone_one_certificate"),
        ]
        verbose_name = _("standalone certificate")

    def __str__(self):
        return f"certificate of user {self.user_id} in {self.course_key} ({self.status})"

    @property
    def invalidated(self):
        """Whether the certificate was invalidated (it is then unavailable, as Open edX marks one)."""
        return self.status == self.UNAVAILABLE


class GradeOverride(models.Model):
    """
    Outside Open edX: an override of a learner's score on an assignment (what zero credit writes).

    .. pii: The learner, by id.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_key = CourseKeyField(max_length=255)
    usage_key = models.CharField(max_length=255)
    earned_graded = models.FloatField(default=0.0)
    comment = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course_key", "usage_key"],
                                    name="honorcode_standalone_one_override"),
        ]
        verbose_name = _("standalone grade override")

    def __str__(self):
        return f"override of {self.usage_key} for user {self.user_id}: {self.earned_graded}"
