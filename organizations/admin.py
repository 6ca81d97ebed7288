"""Django admin for the organisations app.

The admin is for district staff and superusers (``sanhui.admin_site``); district staff's
permissions here come from their role (``organizations.accounts.backends``). Every write made
here goes through an action and leaves an audit entry: role assignments through
``role_assign``/``role_revoke``, other records through ``admin_record_save`` (people after
the same validation and duplicate checks as the portal's pages). Logs stay read-only, and
superuser status, groups and permissions are for superusers only.
"""

from django import forms
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


class AuditedAdmin(admin.ModelAdmin):
    """Saves (the change form, inlines, list editing) and deletions through the actions that
    record them in the audit trail. The other apps' admins use it too."""

    def save_model(self, request, obj, form, change):
        fields = form.changed_data if change else list(form.fields)
        actions.admin_record_save(actor=request.user, obj=obj, fields=fields)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            actions.admin_record_delete(actor=request.user, obj=obj)
        for obj in formset.new_objects:
            actions.admin_record_save(actor=request.user, obj=obj, fields=list(formset.form.base_fields))
        for obj, changed in formset.changed_objects:
            actions.admin_record_save(actor=request.user, obj=obj, fields=changed)
        formset.save_m2m()

    def delete_model(self, request, obj):
        actions.admin_record_delete(actor=request.user, obj=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            actions.admin_record_delete(actor=request.user, obj=obj)


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
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
class OrganizationAdmin(AuditedAdmin):
    list_display = ["name", "code", "kind", "category", "home_region", "status", "is_demo", "credit_code_ok"]
    list_filter = ["kind", "category", "status", "is_demo", "home_region"]
    search_fields = ["name", "code", "credit_code"]
    # Searched boxes, not Django's multiple select: it asks for Ctrl held down, which a phone
    # has not, and lists all the district's regions at once.
    autocomplete_fields = ["parent", "partners", "served_regions"]
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
class PersonAdmin(AuditedAdmin):
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
class SeatAdmin(AuditedAdmin):
    list_display = ["person", "organization", "position", "term_start", "term_end"]
    list_filter = ["position", "organization__kind"]
    search_fields = ["person__name", "organization__name"]
    autocomplete_fields = ["person", "organization"]
    date_hierarchy = "term_start"


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["person", "organization", "joined_on", "left_on"]
    search_fields = ["person__name", "organization__name"]
    autocomplete_fields = ["person", "organization"]


@admin.register(LeaderRole)
class LeaderRoleAdmin(AuditedAdmin):
    list_display = ["person", "kind", "institution", "started_on", "ended_on"]
    list_filter = ["kind"]
    search_fields = ["person__name", "institution"]
    autocomplete_fields = ["person"]


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(VolunteerTeam)
class VolunteerTeamAdmin(AuditedAdmin):
    list_display = ["name", "organization", "leader", "status", "founded_on"]
    list_filter = ["status"]
    search_fields = ["name", "organization__name"]
    autocomplete_fields = ["organization", "leader"]
    inlines = [TeamMembershipInline]


class RoleAssignmentForm(NormalizedFormMixin, forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "organization", "person"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """角色分配: roles are given (``role_assign``) and taken away (``role_revoke``), both
    audited; an assignment is never edited in place: another role is another assignment."""

    form = RoleAssignmentForm
    list_display = ["user", "role", "organization", "person", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__name", "person__name"]
    autocomplete_fields = ["user", "organization", "person"]
    list_select_related = ["user", "organization", "person"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        assignment = actions.role_assign(
            actor=request.user,
            user=obj.user,
            role=obj.role,
            organization=obj.organization,
            person=obj.person,
        )
        # The admin goes on with the saved row (its message, its change log, the redirect).
        obj.pk, obj.created_at = assignment.pk, assignment.created_at
        obj._state.adding, obj._state.db = False, assignment._state.db

    def delete_model(self, request, obj):
        actions.role_revoke(actor=request.user, assignment=obj)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("user"):
            actions.role_revoke(actor=request.user, assignment=assignment)


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


# Fields of an account that only a superuser sees and sets: whoever may set them may give
# themselves any permission.
SUPERUSER_ONLY_FIELDS = frozenset({"is_superuser", "groups", "user_permissions"})


class PortalUserAdmin(AuditedAdmin, UserAdmin):
    """Django's user admin; a password district staff give (a new account, a reset of someone
    else's password) must be changed at its owner's next sign-in. District staff create and
    keep accounts (roles are given under 角色分配) but never see or set superuser status,
    groups or permissions, and never change a superuser's account."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        kept = []
        for title, options in fieldsets:
            fields = [name for name in options.get("fields", ()) if name not in SUPERUSER_ONLY_FIELDS]
            if fields:
                kept.append((title, {**options, "fields": fields}))
        return kept

    def get_list_filter(self, request):
        found = super().get_list_filter(request)
        if request.user.is_superuser:
            return found
        return [name for name in found if name not in SUPERUSER_ONLY_FIELDS]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

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
