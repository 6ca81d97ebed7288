"""Django admin for the service ledger: a read-only view for district staff.

Activities, check-ins and hours change only through the portal's pages, which call
``actions.py`` so that the workflow, its history and the hours corrections are always
recorded; the admin is for looking things up across the district.
"""

from django.contrib import admin

from organizations.admin import ReadOnlyAdmin

from .models import Activity, ActivityTransition, Attendance, Evidence, VolunteerHoursChange, VolunteerService


class TransitionInline(admin.TabularInline):
    model = ActivityTransition
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "note", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["title", "stream", "kind", "organizer", "region", "starts_at", "status", "is_published"]
    list_filter = ["stream", "kind", "status", "is_published", "venue_kind", "organizer__kind"]
    search_fields = ["title", "venue", "organizer__name", "source_key"]
    date_hierarchy = "starts_at"
    list_select_related = ["organizer", "region"]
    exclude = ["checkin_token"]
    inlines = [TransitionInline]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["activity", "name", "masked_phone", "checked_in_at"]
    search_fields = ["activity__title", "name"]
    list_select_related = ["activity"]
    exclude = ["phone"]


@admin.register(VolunteerService)
class VolunteerServiceAdmin(ReadOnlyAdmin):
    list_display = ["person", "activity", "team", "checked_in_at", "checked_out_at", "hours", "source"]
    list_filter = ["source"]
    search_fields = ["person__name", "activity__title", "team__name"]
    list_select_related = ["person", "activity", "team"]


@admin.register(VolunteerHoursChange)
class VolunteerHoursChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "service", "actor", "old_hours", "new_hours", "reason"]
    list_select_related = ["service", "actor"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "activity", "kind", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    list_select_related = ["activity", "uploaded_by"]
    exclude = ["file"]
