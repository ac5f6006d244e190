"""
Detection runs of suspected multiple-account cheating (CAMEO) in a course, and the harvester → master pairs they found.

A pair is a finding for course staff, never a sanction: opening a case from it links the two (``SuspectedPair.case``).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

from honorcode_xblock.models.cases import Case


class DetectionStatus(models.TextChoices):
    """Where a detection run stands: queued → running → done, or failed (with its error)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DetectionRunQuerySet(models.QuerySet):
    """Queries over detection runs."""

    def in_course(self, course_key):
        """A course's runs, newest first."""
        return self.filter(course_key=course_key).select_related("started_by").order_by("-pk")

    def locked(self, pk):
        """The run ``pk``, locked for update until the transaction ends."""
        return self.select_for_update().get(pk=pk)


class DetectionRun(models.Model):
    """
    One run of the detector over a course's problem events: who or what started it, from which events, with which
    thresholds, and what came of it.

    .. pii: Who started it (by id); the source names files or a server (credentials are never stored).
    .. pii_types: id
    .. pii_retirement: retained
    """

    course_key = CourseKeyField(max_length=255, db_index=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    trigger = models.CharField(max_length=32, help_text=_("What started it: the staff page, a command, the demo."))
    source = models.TextField(help_text=_("Where the events were read (files or tables; never a password)."))
    status = models.CharField(max_length=16, choices=DetectionStatus.choices, default=DetectionStatus.QUEUED)
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    events_read = models.PositiveBigIntegerField(default=0)
    events_skipped = models.PositiveBigIntegerField(default=0)
    thresholds = models.JSONField(default=dict)
    error = models.TextField(blank=True)

    objects = DetectionRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("detection run")

    def __str__(self):
        return f"detection run {self.pk} in {self.course_key} ({self.status})"


class SuspectedPairQuerySet(models.QuerySet):
    """Queries over suspected pairs."""

    def current(self, course_key):
        """
        The course's pairs worth showing: those of its latest finished run, and any earlier one that went into a case.
        """
        latest = DetectionRun.objects.filter(course_key=course_key, status=DetectionStatus.DONE).order_by("-pk").first()
        query = models.Q(case__isnull=False)
        if latest is not None:
            query |= models.Q(run=latest)
        return self.filter(query, course_key=course_key).select_related("run", "case", "harvester", "master")

    def about(self, user):
        """The pairs in which ``user`` is the harvester or the master."""
        return self.filter(models.Q(harvester=user) | models.Q(master=user))


class SuspectedPair(models.Model):
    """
    A harvester account that revealed answers its master account then submitted correctly, in one course.

    .. pii: The two accounts (by id and username) and the times of their problem events. ``api.retire_user`` deletes
       a retired learner's pairs that are in no case and blanks the username in those that are (the case keeps the
       evidence file, which retirement redacts with the case).
    .. pii_types: id, username
    .. pii_retirement: local_api
    """

    run = models.ForeignKey(DetectionRun, on_delete=models.CASCADE, related_name="pairs")
    course_key = CourseKeyField(max_length=255, db_index=True)
    harvester = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    harvester_username = models.CharField(max_length=150)
    master = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    master_username = models.CharField(max_length=150)
    score = models.FloatField()
    problems = models.JSONField(default=list, help_text=_(
        "The copied problems: problem_id, shown_at, answered_at (ISO 8601, UTC) and lag_seconds."))
    median_lag_seconds = models.FloatField()
    shared_ip_share = models.FloatField(null=True, blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="suspected_pairs")

    objects = SuspectedPairQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("suspected pair")
        indexes = [models.Index(fields=["course_key", "case"], name="honorcode_pair_course_case")]

    def __str__(self):
        return f"{self.harvester_username} → {self.master_username} in {self.course_key} ({self.score})"
