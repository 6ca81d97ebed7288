from django.urls import path, re_path

from . import views

app_name = "services"

urlpatterns = [
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/calendar/", views.activity_calendar, name="activity_calendar"),
    re_path(r"^activities/calendar/(?P<day>\d{4}-\d{2}-\d{2})/$", views.activity_day, name="activity_day"),
    path("activities/mine/", views.my_activities, name="my_activities"),
    path("activities/add/", views.activity_add, name="activity_add"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/history/", views.activity_history, name="activity_history"),
    path("activities/<int:pk>/status/<str:to>/", views.activity_transition, name="activity_transition"),
    path("activities/<int:pk>/publish/", views.activity_publish, name="activity_publish"),
    path("activities/<int:pk>/evidence/add/", views.evidence_add, name="evidence_add"),
    path("activities/<int:pk>/qr.svg", views.activity_qr, name="activity_qr"),
    path("activities/<int:pk>/poster/", views.activity_poster, name="activity_poster"),
    path("activities/<int:pk>/qr/", views.activity_qr_screen, name="activity_qr_screen"),
    path("mine/next/", views.my_next_activity, name="my_next_activity"),
    path("activities/<int:pk>/attendees/", views.attendee_list, name="attendee_list"),
    path("activities/<int:pk>/attendees/count/", views.attendance_count, name="attendance_count"),
    path("activities/<int:pk>/hours/add/", views.hours_enter, name="hours_enter"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("volunteer-services/<int:pk>/hours/", views.hours_correct, name="hours_correct"),
    path("volunteers/<int:pk>/", views.volunteer_record, name="volunteer_record"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_record, name="team_record"),
    path("teams/<int:pk>/export/", views.team_export, name="team_export"),
    # Public pages behind the QR code: the token, not the pk, identifies the activity.
    path("c/<str:token>/", views.checkin, name="checkin"),
    path("c/<str:token>/volunteer/", views.volunteer_checkin, name="volunteer_checkin"),
]
