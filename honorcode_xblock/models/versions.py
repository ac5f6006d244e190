"""
Policy versions: the site-wide honor code's text, its drafts and its published versions, and which is in force.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeKind(models.TextChoices):
    """How much a new policy version changes: a material change may call for a new explicit acceptance."""

    MATERIAL = "material", _("Material change")
    MINOR = "minor", _("Minor change")


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
