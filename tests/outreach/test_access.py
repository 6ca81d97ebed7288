"""The outreach URL access matrix: outsiders get 404, readers 403 on writes, anonymous users
go to the login page (except the public calendar and its feed)."""

import pytest
from django.urls import reverse

from outreach.models import ThemedDay
from tests.outreach.factories import CampaignFactory, ChannelPostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(js_activity, jiangshan):
    campaign = CampaignFactory(name="姜山校园科技节", owner=jiangshan.association)
    post = ChannelPostFactory(activity=js_activity)
    return {"activity": js_activity, "campaign": campaign, "post": post}


def object_urls(r) -> list[tuple[str, str]]:
    c, a, p = r["campaign"].pk, r["activity"].pk, r["post"].pk
    return [
        ("get", reverse("outreach:campaign_detail", args=[c])),
        ("get", reverse("outreach:campaign_edit", args=[c])),
        ("get", reverse("outreach:campaign_activities_add", args=[c])),
        ("post", reverse("outreach:campaign_activity_remove", args=[c, a])),
        ("get", reverse("outreach:activity_outreach", args=[a])),
        ("get", reverse("outreach:post_add") + f"?activity={a}"),
        ("get", reverse("outreach:post_add") + f"?campaign={c}"),
        ("get", reverse("outreach:post_edit", args=[p])),
        ("post", reverse("outreach:post_delete", args=[p])),
    ]


def test_another_towns_admin_gets_404(client, wuxiang_admin, records):
    client.force_login(wuxiang_admin)
    for method, url in object_urls(records):
        assert getattr(client, method)(url).status_code == 404, url


def test_the_own_admin_opens_everything(client, jiangshan_admin, records):
    client.force_login(jiangshan_admin)
    for method, url in object_urls(records):
        assert getattr(client, method)(url).status_code == (302 if method == "post" else 200), url


def test_a_supervisor_reads_and_changes_nothing(client, supervisor_user, records):
    client.force_login(supervisor_user)
    reads = [
        url for method, url in object_urls(records) if url.endswith(f"campaigns/{records['campaign'].pk}/")
    ]
    for url in reads:
        assert client.get(url).status_code == 200
    for method, url in object_urls(records):
        if url in reads:
            continue
        assert getattr(client, method)(url).status_code == 403, url


def test_anonymous_users_go_to_login_except_for_the_public_calendar(client, records):
    day = ThemedDay.objects.first()
    urls = [url for _m, url in object_urls(records)] + [
        reverse("outreach:campaign_list"),
        reverse("outreach:campaign_add"),
        reverse("outreach:themed_day_list"),
        reverse("outreach:themed_day_detail", args=[day.pk, 2025]),
        reverse("outreach:post_list"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    assert client.get(reverse("outreach:public_events")).status_code == 200
    assert client.get(reverse("outreach:public_events_ics")).status_code == 200


def test_only_district_staff_edit_themed_days(client, jiangshan_admin, district_user):
    day = ThemedDay.objects.first()
    client.force_login(jiangshan_admin)
    assert client.get(reverse("admin:outreach_themedday_change", args=[day.pk])).status_code == 302
