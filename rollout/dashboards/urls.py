from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.district, name="district"),
    path("town/", views.town, name="town"),
    path("me/", views.mine, name="mine"),
    path("data/district/", views.district_data, name="district_data"),
    path("data/town/", views.town_data, name="town_data"),
    path("data/me/", views.mine_data, name="mine_data"),
]
