"""The demo ledger of ``manage.py seed_demo``: a realistic programme year up to today,
repeatable and safe to re-run."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from organizations.models import Region
from outreach.models import Campaign, ChannelPost, ThemedDay
from rollout.models import Phase
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


def test_the_year_covers_every_town_type_campaign_and_themed_day(today):
    seed()
    # The programme year, laid by the demo so that today falls in its last quarter.
    phases = Phase.objects.order_by("number")
    start, end = phases.first().start_date, phases.last().end_date
    assert start <= today <= end
    year = Activity.objects.filter(starts_at__date__gte=start, starts_at__date__lte=end)
    towns = Region.objects.towns()
    assert set(year.values_list("region_id", flat=True)) >= set(towns.values_list("pk", flat=True))
    assert set(year.values_list("kind", flat=True)) == set(ActivityKind.values)
    assert {"held", "verified", "cancelled"} <= set(year.values_list("status", flat=True))
    assert not Campaign.objects.annotate(n=Count("activities")).filter(n=0).exists()
    # Every themed day was held within the past year.
    tagged = (
        ThemedDay.objects.filter(
            activities__status__in=Activity.TOOK_PLACE,
            activities__starts_at__date__gte=today - datetime.timedelta(days=366),
        )
        .distinct()
        .count()
    )
    assert tagged == ThemedDay.objects.count()
    assert VolunteerService.objects.filter(hours__isnull=False).count() > 500
    assert Activity.objects.publicly_listed().count() >= 10
    assert ChannelPost.objects.exists()


def test_themed_day_activities_fall_on_their_day():
    seed()
    for themed_day in ThemedDay.objects.all():
        days = {timezone.localtime(a.starts_at).date() for a in themed_day.activities.all()}
        assert days, themed_day.name
        for day in days:
            # On the themed day's real date, not on a date moved with the demo's programme year.
            assert day == themed_day.occurrence(day.year)[0], themed_day.name
