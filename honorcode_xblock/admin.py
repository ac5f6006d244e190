"""
Django admin for operators: write and publish honor code versions; read course terms, acceptances, the audit, cases,
and detection runs with their suspected pairs.

Every change goes through ``api``; published versions, acceptances and audit events are read-only here.
"""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from honorcode_xblock import api
from honorcode_xblock.exceptions import HonorCodeError, InvalidInput
from honorcode_xblock.models import (
    Acceptance,
    AuditEvent,
    Case,
    CourseSettings,
    CourseTerms,
    DetectionRun,
    Determination,
    PolicyVersion,
    Sanction,
    SuspectedPair,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that shows records and never adds, changes or deletes them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PolicyVersionForm(forms.ModelForm):
    """Validates a draft through ``api`` so the admin applies the same rules as every other door."""

    class Meta:
        model = PolicyVersion
        fields = ["title", "body", "change_kind", "change_summary"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.is_published:
            raise ValidationError(_("This version is published and can no longer be changed."))
        try:
            cleaned.update(api.validate_policy_fields(
                cleaned.get("title"), cleaned.get("body"), cleaned.get("change_kind"), cleaned.get("change_summary"),
            ))
        except InvalidInput as error:
            raise ValidationError({
                (field if field in self.fields else NON_FIELD_ERRORS): messages_
                for field, messages_ in error.errors.items()
            }) from error
        return cleaned


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    """Drafts are edited here; the "Publish" action makes one the honor code in force."""

    form = PolicyVersionForm
    list_display = ["__str__", "number", "change_kind", "published_at", "published_by"]
    list_filter = ["change_kind"]
    actions = ["publish"]
    readonly_fields = ["number", "published_at", "published_by", "created_at", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return ["title", "body", "change_kind", "change_summary", *self.readonly_fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {
            "title": data["title"], "body": data["body"], "change_kind": data["change_kind"],
            "change_summary": data["change_summary"], "actor": request.user,
        }
        try:
            saved = api.update_policy_draft(obj, **fields) if change else api.create_policy_draft(**fields)
        except HonorCodeError as error:  # e.g. published by someone else while this form was open
            self.message_user(request, str(error), messages.ERROR)
            return
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        try:
            api.delete_policy_draft(obj, actor=request.user)
        except HonorCodeError as error:
            self.message_user(request, str(error), messages.ERROR)

    def delete_queryset(self, request, queryset):
        for version in queryset:
            try:
                api.delete_policy_draft(version, actor=request.user)
            except HonorCodeError as error:
                self.message_user(request, f"{version}: {error}", messages.ERROR)

    @admin.action(description=_("Publish the selected drafts (effective at once)"), permissions=["change"])
    def publish(self, request, queryset):
        published = 0
        for version in queryset.order_by("created_at"):
            try:
                api.publish_policy(version, actor=request.user)
                published += 1
            except HonorCodeError as error:
                self.message_user(request, f"{version}: {error}", messages.ERROR)
        if published:
            self.message_user(request, ngettext(
                "%(count)d version published.", "%(count)d versions published.", published,
            ) % {"count": published}, messages.SUCCESS)


@admin.register(CourseTerms)
class CourseTermsAdmin(ReadOnlyAdmin):
    list_display = ["course_key", "version", "created_at", "created_by"]
    search_fields = ["course_key"]


@admin.register(CourseSettings)
class CourseSettingsAdmin(ReadOnlyAdmin):
    list_display = ["course_key", "acceptance_mode", "gate_graded_content", "updated_at"]
    search_fields = ["course_key"]


@admin.register(Acceptance)
class AcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["user", "course_key", "policy_version", "course_terms", "method", "accepted_at"]
    list_filter = ["method"]
    search_fields = ["user__username", "course_key"]
    list_select_related = ["user", "policy_version", "course_terms"]
    raw_id_fields = ["user"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The hash-chained audit trail: append-only, never edited here (``verify_honor_code_audit`` checks it)."""

    list_display = ["occurred_at", "action", "actor", "course_key", "object_type", "object_id", "sequence"]
    list_filter = ["action"]
    search_fields = ["course_key", "object_id"]


class SanctionInline(admin.TabularInline):
    """A determination's sanctions, read-only (staff act on them from the case page)."""

    model = Sanction
    extra = 0
    can_delete = False
    fields = ["user", "kind", "state", "attempts", "last_error", "applied_at", "reverted_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Cases, read-only: course staff work on them from the case pages (``/honorcode/courses/<course>/cases/``)."""

    list_display = ["pk", "course_key", "status", "commitment", "opened_at", "reporter"]
    list_filter = ["status", "commitment"]
    search_fields = ["course_key", "respondent_links__user__username"]
    list_select_related = ["reporter"]


@admin.register(Determination)
class DeterminationAdmin(ReadOnlyAdmin):
    list_display = ["case", "sequence", "finding", "decided_by", "decided_at"]
    list_filter = ["finding"]
    inlines = [SanctionInline]


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "user", "course_key", "kind", "state", "attempts", "applied_at"]
    list_filter = ["kind", "state"]
    search_fields = ["user__username", "course_key"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(DetectionRun)
class DetectionRunAdmin(ReadOnlyAdmin):
    """Detection runs, read-only: course staff run detection from the "Suspected multiple accounts" page."""

    list_display = ["pk", "course_key", "status", "trigger", "started_by", "queued_at", "finished_at", "events_read"]
    list_filter = ["status", "trigger"]
    search_fields = ["course_key"]
    list_select_related = ["started_by"]


@admin.register(SuspectedPair)
class SuspectedPairAdmin(ReadOnlyAdmin):
    """Suspected pairs, read-only: a case is opened from a pair on the course's page, never here."""

    list_display = ["pk", "course_key", "harvester_username", "master_username", "score", "median_lag_seconds",
                    "case"]
    search_fields = ["course_key", "harvester_username", "master_username"]
    raw_id_fields = ["harvester", "master", "run", "case"]
