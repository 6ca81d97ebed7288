from django.urls import path

from . import views
from .audit import views as audit_views
from .exports import views as export_views
from .imports import views as import_views

app_name = "organizations"

urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/add/", views.person_add, name="person_add"),
    path("people/options/", views.person_options, name="person_options"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/history/", audit_views.person_history, name="person_history"),
    path("people/<int:pk>/leader-roles/add/", views.leader_role_add, name="leader_role_add"),
    path("people/<int:pk>/memberships/add/", views.membership_add, name="membership_add"),
    path("leader-roles/<int:pk>/end/", views.leader_role_end, name="leader_role_end"),
    path("memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("leaders/", views.leader_list, name="leader_list"),
    path("seats/", views.seat_list, name="seat_list"),
    path("seats/add/", views.seat_add, name="seat_add"),
    path("seats/<int:pk>/", views.seat_detail, name="seat_detail"),
    path("seats/<int:pk>/edit/", views.seat_edit, name="seat_edit"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/add/", views.team_add, name="team_add"),
    path("teams/options/", views.team_options, name="team_options"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("teams/<int:pk>/volunteers/add/", views.team_volunteer_add, name="team_volunteer_add"),
    path(
        "team-memberships/<int:pk>/remove/",
        views.team_volunteer_remove,
        name="team_volunteer_remove",
    ),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/add/", views.organization_add, name="organization_add"),
    path("organizations/options/", views.organization_options, name="organization_options"),
    path("regions/options/", views.region_options, name="region_options"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/history/", audit_views.organization_history, name="organization_history"),
    # Exports of the list pages, and the user's own background exports.
    path("organizations/exports/", export_views.export_list, name="export_list"),
    path("organizations/exports/<int:pk>/", export_views.export_detail, name="export_detail"),
    path("organizations/exports/<int:pk>/download/", export_views.export_download, name="export_download"),
    path("organizations/exports/<slug:key>/", export_views.list_export, name="list_export"),
    # Imports of members and leaders (and of the apps' own records) from spreadsheets.
    path("organizations/imports/", import_views.import_list, name="import_list"),
    path("organizations/imports/new/", import_views.import_new, name="import_new"),
    path("organizations/imports/templates/<str:kind>/", import_views.import_template, name="import_template"),
    path("organizations/imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("organizations/imports/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("organizations/imports/<int:pk>/commit/", import_views.import_commit, name="import_commit"),
    path("organizations/imports/<int:pk>/discard/", import_views.import_discard, name="import_discard"),
    path("organizations/imports/<int:pk>/rejected/", import_views.import_rejected, name="import_rejected"),
    # District staff: the audit log (read-only).
    path("audit-log/", audit_views.audit_log, name="audit_log"),
]
