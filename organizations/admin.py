"""Django admin for the organisations app.

The admin is for district staff and superusers. Writes to people go through the same
actions as the portal's pages so that validation, duplicate checks and the audit trail apply.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sanhui.normalize import IdNumberField, NormalizedFormMixin, PhoneField

from . import actions, selectors
from .accounts import actions as account_actions
from .models import (
    AuditEntry,
    LeaderRole,
    LoginEvent,
    Membership,
    Organization,
    Person,
    Region,
    RoleAssignment,
    Seat,
    TeamMembership,
    VolunteerTeam,
)
from .validators import credit_code_checksum_ok


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "code", "code_set", "managed_by", "in_scope"]
    list_filter = ["kind", "in_scope"]
    list_editable = ["in_scope"]
    search_fields = ["name", "name_en", "code"]
    readonly_fields = ["path"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["person"]


class SeatInline(admin.TabularInline):
    model = Seat
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "category", "home_region", "status", "is_demo", "credit_code_ok"]
    list_filter = ["kind", "category", "status", "is_demo", "home_region"]
    search_fields = ["name", "code", "credit_code"]
    autocomplete_fields = ["parent", "partners"]
    filter_horizontal = ["served_regions"]
    inlines = [SeatInline, MembershipInline]

    @admin.display(boolean=True, description=_("信用代码校验"))
    def credit_code_ok(self, obj):
        return None if not obj.credit_code else credit_code_checksum_ok(obj.credit_code)


class LeaderRoleInline(admin.TabularInline):
    model = LeaderRole
    extra = 0


class PersonAdminForm(NormalizedFormMixin, admin.ModelAdmin.form):
    class Meta:
        field_classes = {"phone": PhoneField, "id_number": IdNumberField}

    def clean(self):
        cleaned = super().clean()
        try:
            result = actions.person_clean_identifiers(
                actor=self.request_user,
                phone=cleaned.get("phone", ""),
                id_number=cleaned.get("id_number", ""),
                exclude_pk=self.instance.pk,
            )
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                self.add_error(field, errors)
        else:
            cleaned.update(result)
        return cleaned


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonAdminForm
    list_display = ["name", "gender", "masked_phone", "employer", "profession"]
    list_filter = ["profession", "gender", "leader_roles__kind"]
    # Phone and ID numbers are encrypted: a whole number is found by its hash (below).
    search_fields = ["name", "employer"]
    inlines = [LeaderRoleInline, MembershipInline]
    readonly_fields = ["created_at", "updated_at"]

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number = selectors.person_number_condition(search_term)
        if number is not None:
            found |= queryset.filter(number)
        return found, may_have_duplicates

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["person", "organization", "position", "term_start", "term_end"]
    list_filter = ["position", "organization__kind"]
    search_fields = ["person__name", "organization__name"]
    autocomplete_fields = ["person", "organization"]
    date_hierarchy = "term_start"


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "organization", "joined_on", "left_on"]
    search_fields = ["person__name", "organization__name"]
    autocomplete_fields = ["person", "organization"]


@admin.register(LeaderRole)
class LeaderRoleAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "institution", "started_on", "ended_on"]
    list_filter = ["kind"]
    search_fields = ["person__name", "institution"]
    autocomplete_fields = ["person"]


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(VolunteerTeam)
class VolunteerTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "leader", "status", "founded_on"]
    list_filter = ["status"]
    search_fields = ["name", "organization__name"]
    autocomplete_fields = ["organization", "leader"]
    inlines = [TeamMembershipInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organization", "person", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__name", "person__name"]
    autocomplete_fields = ["user", "organization", "person"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by the portal's actions (logs, ledgers, histories): the admin
    looks them up and never changes them. The other apps' admins use it too."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["summary", "object_id"]
    date_hierarchy = "created_at"


# --------------------------------------------------------------------------- accounts


class PortalUserAdmin(UserAdmin):
    """Django's user admin; a password district staff give (a new account, a reset of someone
    else's password) must be changed at its owner's next sign-in."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.has_usable_password():
            account_actions.account_require_password_change(actor=request.user, user=obj)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            if user is not None and user.pk != request.user.pk and user.has_usable_password():
                account_actions.account_require_password_change(actor=request.user, user=user)
        return response


admin.site.unregister(User)
admin.site.register(User, PortalUserAdmin)


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "username", "ip_address", "result"]
    list_filter = ["result"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "created_at"
