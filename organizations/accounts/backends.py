"""The lockout check in front of Django's model backend, and the admin's permissions of district
staff, derived from their role."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for sign-ins that come with a request.

    Every sign-in from a browser (the portal's and the admin's login pages) passes its request
    and is checked. ``authenticate()`` without a request comes from code on the server itself
    (management commands, tests), which no one outside can reach; django-axes would raise an
    error there, so the check steps aside and the model backend decides alone."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


# The apps whose records district staff look up and keep in the admin.
PORTAL_APPS = ("organizations", "services", "outreach", "rollout")
# Of Django's own models, the accounts (to create them and assign their roles); never groups or
# permissions, never deleting an account (it is deactivated, its history stays).
ACCOUNT_PERMISSIONS = frozenset({"auth.view_user", "auth.add_user", "auth.change_user"})
# Records end by their dates or status (a seat's term, an organisation's dissolution), never by
# deletion: figures of past periods depend on them. A role assignment has no dates; it is
# deleted to end the role (``role_revoke``, audited).
DELETABLE = frozenset({"organizations.delete_roleassignment"})


def district_staff_permissions() -> frozenset[str]:
    from django.apps import apps

    found = set(ACCOUNT_PERMISSIONS | DELETABLE)
    for label in PORTAL_APPS:
        for model in apps.get_app_config(label).get_models():
            for action in ("view", "add", "change"):
                found.add(f"{label}.{action}_{model._meta.model_name}")
    return frozenset(found)


class DistrictStaffPermissionBackend:
    """The admin's model permissions of district staff, derived from their role.

    Whoever holds the district staff role (区科协) has the permissions of
    ``district_staff_permissions`` for as long as they hold it: nothing is granted by hand or
    stored, so ending the role withdraws them at the next request. Without the role (another
    role, or ``is_staff`` alone) this backend grants nothing. The admin's pages refine what the
    permissions allow: logs and ledgers stay read-only, and the account pages hide superuser
    status, groups and permissions from anyone but a superuser. It signs no one in."""

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        return None

    def get_all_permissions(self, user_obj, obj=None) -> frozenset[str]:
        from ..scoping import scope_for

        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return frozenset()
        if not scope_for(user_obj).is_district_staff:
            return frozenset()
        return district_staff_permissions()

    def get_user_permissions(self, user_obj, obj=None) -> frozenset[str]:
        return frozenset()

    def get_group_permissions(self, user_obj, obj=None) -> frozenset[str]:
        return frozenset()

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))
