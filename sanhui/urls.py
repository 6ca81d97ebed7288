from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from organizations import views as org_views

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", org_views.healthz, name="healthz"),
    path("accounts/", include("organizations.account_urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("organizations.urls")),
    path("services/", include("services.urls")),
    path("outreach/", include("outreach.urls")),
    path("rollout/", include("rollout.urls")),
    path("dashboard/", include("rollout.dashboards.urls")),
    path("reports/", include("rollout.reports.urls")),
    path("admin/", admin.site.urls),
]
