"""The demo ledger of ``manage.py seed_demo``: a realistic year, repeatable and safe to re-run."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from organizations.models import Region
from outreach.models import Campaign, ChannelPost, ThemedDay
from services.models import Activity, ActivityKind, ActivityTransition, Attendance, VolunteerService

pytestmark = pytest.mark.django_db

COUNTED = (
    Activity,
    Attendance,
    VolunteerService,
    ActivityTransition,
    Campaign,
    ChannelPost,
    Activity.leaders.through,
    ThemedDay.activities.through,
    Campaign.activities.through,
)


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", password="x-demo-pass-1", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in COUNTED}


def test_running_it_twice_creates_nothing_new():
    output = seed()
    first = counts()
    assert first["services.Activity"] > 400
    assert first["services.Attendance"] > 5000
    assert "服务活动" in output and "扫码签到" in output and "系列活动" in output
    seed()
    assert counts() == first


def test_the_year_covers_every_town_type_campaign_and_themed_day():
    seed()
    year = Activity.objects.filter(starts_at__year=2022)
    towns = Region.objects.towns()
    assert set(year.values_list("region_id", flat=True)) >= set(towns.values_list("pk", flat=True))
    assert set(year.values_list("kind", flat=True)) == set(ActivityKind.values)
    assert set(year.values_list("status", flat=True)) == {"held", "verified", "cancelled"}
    assert not Campaign.objects.annotate(n=Count("activities")).filter(n=0).exists()
    tagged = ThemedDay.objects.filter(activities__starts_at__year=2022).distinct().count()
    assert tagged == ThemedDay.objects.count()
    assert VolunteerService.objects.filter(hours__isnull=False).count() > 500
    assert Activity.objects.publicly_listed().count() >= 10
    assert ChannelPost.objects.exists()


def test_themed_day_activities_fall_on_their_day():
    seed()
    for themed_day in ThemedDay.objects.all():
        start, _end = themed_day.occurrence(2022)
        days = {a.starts_at.astimezone().date() for a in themed_day.activities.filter(starts_at__year=2022)}
        assert days == {start}, themed_day.name
