"""Django admin of the outreach app: district staff edit the themed-day calendar here (each
save leaves an audit entry).

Campaigns and channel posts are shown read-only: they change through the portal's pages, whose
actions check scope and leave an audit entry."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from organizations.admin import AuditedAdmin

from .models import Campaign, ChannelPost, ThemedDay, ThemedDayReminder


@admin.register(ThemedDay)
class ThemedDayAdmin(AuditedAdmin):
    list_display = ["name", "rule", "days", "suggested_category", "this_year", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["is_active", "suggested_category"]
    search_fields = ["name", "name_en"]
    exclude = ["activities"]

    @admin.display(description=_("今年日期"))
    def this_year(self, obj):
        from django.utils import timezone

        start, end = obj.occurrence(timezone.localdate().year)
        return f"{start:%m-%d}" if start == end else f"{start:%m-%d}—{end:%m-%d}"


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    list_display = ["name", "owner", "starts_on", "ends_on"]
    search_fields = ["name"]
    autocomplete_fields = ["owner"]
    exclude = ["activities"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(ChannelPost)
class ChannelPostAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    list_display = ["title", "channel", "published_on", "reach", "activity", "campaign"]
    list_filter = ["channel"]
    search_fields = ["title", "url", "outlet"]
    raw_id_fields = ["activity", "campaign"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(ThemedDayReminder)
class ThemedDayReminderAdmin(admin.ModelAdmin):
    list_display = ["themed_day", "year", "organization", "sent_at"]
    list_filter = ["year", "themed_day"]
    search_fields = ["organization__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
