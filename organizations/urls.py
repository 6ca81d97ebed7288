from django.urls import path

from . import views
from .audit import views as audit_views

app_name = "organizations"

urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/add/", views.person_add, name="person_add"),
    path("people/export/", views.person_export, name="person_export"),
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
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/history/", audit_views.organization_history, name="organization_history"),
    # District staff: the audit log (read-only).
    path("audit-log/", audit_views.audit_log, name="audit_log"),
]
