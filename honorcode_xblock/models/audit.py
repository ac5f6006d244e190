"""
The audit trail: append-only events, hash-chained per course.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField


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
