from django.urls import path, re_path

from . import views
from .closing import views as closing_views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_request, name="request"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/status/", views.report_status, name="status"),
    path("<int:pk>/download/", views.report_download, name="download"),
    path("<int:pk>/rerun/", views.report_rerun, name="rerun"),
    path("quarters/", closing_views.quarter_list, name="quarter_list"),
    re_path(r"^quarters/(?P<code>[0-9]{4}Q[1-4])/$", closing_views.quarter_detail, name="quarter_detail"),
    re_path(r"^quarters/(?P<code>[0-9]{4}Q[1-4])/close/$", closing_views.quarter_close, name="quarter_close"),
    re_path(
        r"^quarters/(?P<code>[0-9]{4}Q[1-4])/reopen/$", closing_views.quarter_reopen, name="quarter_reopen"
    ),
    re_path(r"^quarters/(?P<code>[0-9]{4}Q[1-4])/issue/$", closing_views.quarter_issue, name="quarter_issue"),
    path("issued/<int:pk>/download/", closing_views.issued_file_download, name="issued_download"),
]
