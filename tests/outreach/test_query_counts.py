"""Outreach pages cost the same number of queries whatever the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outreach.models import ThemedDay
from tests.outreach.factories import CampaignFactory, ChannelPostFactory
from tests.services.factories import ActivityFactory, AttendanceFactory, at

pytestmark = pytest.mark.django_db


def grow(town, campaign, n: int) -> None:
    day = ThemedDay.objects.get(name="全国爱眼日")
    for i in range(n):
        activity = ActivityFactory(
            organizer=town.association, starts_at=at(i + 1), status="planned", is_published=True
        )
        AttendanceFactory(activity=activity)
        campaign.activities.add(activity)
        day.activities.add(activity)
        ChannelPostFactory(activity=activity)
        ChannelPostFactory(campaign=campaign)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("persona", ["district_user", "jiangshan_admin", "supervisor_user", None])
def test_query_counts_do_not_grow_with_the_data(client, request, jiangshan, persona):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    campaign = CampaignFactory()
    day = ThemedDay.objects.get(name="全国爱眼日")
    year = at(1).year
    urls = [reverse("outreach:public_events"), reverse("outreach:public_events_ics")]
    if persona:
        urls += [
            reverse("outreach:campaign_list"),
            campaign.get_absolute_url(),
            reverse("outreach:themed_day_list") + f"?year={year}",
            reverse("outreach:themed_day_detail", args=[day.pk, year]),
            reverse("outreach:post_list") + "?year=2022",
        ]
    grow(jiangshan, campaign, 3)
    small = {url: count_queries(client, url) for url in urls}
    grow(jiangshan, campaign, 20)
    large = {url: count_queries(client, url) for url in urls}
    assert large == small
