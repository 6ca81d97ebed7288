"""The Django admin of the portal, open only to district staff.

Django's own site lets in any active user with ``is_staff``; the portal's rules decide scope
from role assignments, and the admin shows every record unscoped, so it is kept to superusers
and staff accounts that hold the district staff role (区科协): an organisation admin whose
account was marked staff by mistake still gets the login page of the admin, never its data.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


class PortalAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        from organizations.scoping import scope_for

        return super().has_permission(request) and scope_for(request.user).is_district_staff

    def password_change(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # The portal's own page: the change is audited and ends a change staff required.
        return redirect("password_change")


class PortalAdminConfig(AdminConfig):
    default_site = "sanhui.admin_site.PortalAdminSite"
