from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/add/", views.campaign_add, name="campaign_add"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/activities/add/", views.campaign_activities_add, name="campaign_activities_add"),
    path(
        "campaigns/<int:pk>/activities/<int:activity_pk>/remove/",
        views.campaign_activity_remove,
        name="campaign_activity_remove",
    ),
    path("themed-days/", views.themed_day_list, name="themed_day_list"),
    path("themed-days/<int:pk>/<int:year>/", views.themed_day_detail, name="themed_day_detail"),
    path(
        "themed-days/<int:pk>/<int:year>/untag/<int:activity_pk>/",
        views.themed_day_untag,
        name="themed_day_untag",
    ),
    path("activities/<int:pk>/", views.activity_outreach, name="activity_outreach"),
    path("posts/", views.post_list, name="post_list"),
    path("posts/add/", views.post_add, name="post_add"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/delete/", views.post_delete, name="post_delete"),
    # Public: the calendar of upcoming popularisation events and its iCalendar feed.
    path("events/", views.public_events, name="public_events"),
    path("events.ics", views.public_events_ics, name="public_events_ics"),
]
