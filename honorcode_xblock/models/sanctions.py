"""
Sanctions decided by determinations, and the certificate holds the honor code records.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

from honorcode_xblock.models.cases import Determination


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
