"""Django admin for the rollout: for looking things up.

Changes are made on the portal's pages, whose actions validate, keep the history of tasks and
rectification items and write the audit trail; the admin would bypass all three, so it is
read-only here.
"""

from django.contrib import admin

from organizations.admin import ReadOnlyAdmin

from .models import (
    Incentive,
    Inspection,
    Milestone,
    Phase,
    Pilot,
    Rectification,
    RectificationEvidence,
    RectificationUpdate,
    ReportRun,
    ShowcaseItem,
    Stage,
    SteeringMember,
    Task,
    TaskUpdate,
    TermReminder,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StageInline(ReadOnlyInline):
    model = Stage


@admin.register(Phase)
class PhaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "start_date", "end_date"]
    inlines = [StageInline]


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ["title", "phase", "stage", "due_date", "achieved_on"]
    list_filter = ["phase"]


class TaskUpdateInline(ReadOnlyInline):
    model = TaskUpdate
    fields = ["created_at", "actor", "old_status", "new_status", "note"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["title", "organization", "phase", "stage", "due_date", "status", "completed_on"]
    list_filter = ["status", "phase", "stage"]
    search_fields = ["title", "organization__name"]
    date_hierarchy = "due_date"
    inlines = [TaskUpdateInline]


@admin.register(Pilot)
class PilotAdmin(ReadOnlyAdmin):
    list_display = ["organization", "stage", "started_on", "updated_at"]


@admin.register(SteeringMember)
class SteeringMemberAdmin(ReadOnlyAdmin):
    list_display = ["name", "role", "title", "user", "started_on", "ended_on"]
    list_filter = ["role"]


class RectificationInline(ReadOnlyInline):
    model = Rectification
    fields = ["title", "organization", "deadline", "status", "closed_on"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["inspected_on", "organization", "reference", "supervisor", "score"]
    search_fields = ["organization__name", "reference", "findings"]
    date_hierarchy = "inspected_on"
    inlines = [RectificationInline]


class RectificationUpdateInline(ReadOnlyInline):
    model = RectificationUpdate
    fields = ["created_at", "actor", "old_status", "new_status", "note"]


class RectificationEvidenceInline(ReadOnlyInline):
    model = RectificationEvidence
    fields = ["original_name", "size", "uploaded_by", "uploaded_at"]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["title", "organization", "deadline", "status", "closed_on"]
    list_filter = ["status"]
    search_fields = ["title", "organization__name"]
    inlines = [RectificationEvidenceInline, RectificationUpdateInline]


@admin.register(ShowcaseItem)
class ShowcaseItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "nominated_on", "published_on"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "summary"]


@admin.register(Incentive)
class IncentiveAdmin(ReadOnlyAdmin):
    list_display = ["person", "kind", "title", "granted_on", "amount"]
    list_filter = ["kind"]
    search_fields = ["person__name", "title"]


@admin.register(TermReminder)
class TermReminderAdmin(ReadOnlyAdmin):
    list_display = ["seat", "term_end", "organization", "sent_at", "recipients"]
    date_hierarchy = "sent_at"


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "status", "requested_by", "requested_at", "finished_at", "checksum"]
    list_filter = ["kind", "status", "current"]
    search_fields = ["params_hash", "checksum", "requested_by__username"]
    date_hierarchy = "requested_at"
