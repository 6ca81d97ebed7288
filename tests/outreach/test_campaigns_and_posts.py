"""Campaigns, themed-day registration and channel posts, through their pages and actions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from outreach import actions
from outreach.models import Campaign, ChannelPost, ThemedDay
from tests.outreach.factories import CampaignFactory, ChannelPostFactory
from tests.services.factories import ActivityFactory, at

pytestmark = pytest.mark.django_db


def test_district_staff_start_district_campaigns_and_admins_their_own(
    client, district_user, jiangshan_admin, jiangshan
):
    client.force_login(district_user)
    response = client.post(
        reverse("outreach:campaign_add"),
        {"name": "科普惠民行动", "starts_on": "2025-03-01", "ends_on": "2025-12-31", "description": "全年"},
    )
    assert response.status_code == 302
    assert Campaign.objects.get(name="科普惠民行动").owner is None
    with pytest.raises(PermissionDenied):
        actions.campaign_create(
            actor=jiangshan_admin,
            data={"name": "x", "starts_on": datetime.date(2025, 1, 1), "ends_on": datetime.date(2025, 2, 1)},
        )
    client.force_login(jiangshan_admin)
    response = client.post(
        reverse("outreach:campaign_add"),
        {
            "name": "姜山镇校园科技节",
            "owner": jiangshan.association.pk,
            "starts_on": "2025-10-01",
            "ends_on": "2025-09-01",
        },
    )
    assert "结束日期不能早于开始日期" in response.content.decode()
    response = client.post(
        reverse("outreach:campaign_add"),
        {
            "name": "姜山镇校园科技节",
            "owner": jiangshan.association.pk,
            "starts_on": "2025-10-01",
            "ends_on": "2025-11-30",
        },
    )
    assert response.status_code == 302
    assert Campaign.objects.get(name="姜山镇校园科技节").owner == jiangshan.association


def test_admins_add_their_own_activities_to_a_district_campaign(
    client, jiangshan_admin, js_activity, wx_activity
):
    campaign = CampaignFactory(name="科普惠民行动")
    client.force_login(jiangshan_admin)
    page = client.get(reverse("outreach:campaign_activities_add", args=[campaign.pk])).content.decode()
    assert "姜山健康讲座" in page and "五乡农技培训" not in page
    response = client.post(
        reverse("outreach:campaign_activities_add", args=[campaign.pk]), {"activities": [js_activity.pk]}
    )
    assert response.status_code == 302
    assert list(campaign.activities.all()) == [js_activity]
    with pytest.raises(PermissionDenied):
        actions.campaign_add_activities(actor=jiangshan_admin, campaign=campaign, activities=[wx_activity])
    detail = client.get(campaign.get_absolute_url()).content.decode()
    assert "姜山健康讲座" in detail
    client.post(reverse("outreach:campaign_activity_remove", args=[campaign.pk, js_activity.pk]))
    assert not campaign.activities.exists()


def test_activities_outside_the_campaign_dates_are_refused(jiangshan_admin, js_activity):
    campaign = CampaignFactory(starts_on=datetime.date(2001, 1, 1), ends_on=datetime.date(2001, 12, 31))
    with pytest.raises(ValidationError, match="不在系列活动的时间范围内"):
        actions.campaign_add_activities(actor=jiangshan_admin, campaign=campaign, activities=[js_activity])


def test_another_towns_campaign_is_invisible(client, wuxiang_admin, jiangshan):
    campaign = CampaignFactory(name="姜山内部活动", owner=jiangshan.association)
    client.force_login(wuxiang_admin)
    assert client.get(campaign.get_absolute_url()).status_code == 404
    assert "姜山内部活动" not in client.get(reverse("outreach:campaign_list")).content.decode()


def test_the_activity_page_sets_campaigns_and_themed_days(client, jiangshan_admin, js_activity):
    campaign = CampaignFactory(name="科普惠民行动")
    day = ThemedDay.objects.get(name="全国爱眼日")
    client.force_login(jiangshan_admin)
    url = reverse("outreach:activity_outreach", args=[js_activity.pk])
    response = client.post(url, {"campaigns": [campaign.pk], "themed_days": [day.pk]})
    assert response.status_code == 302
    assert list(js_activity.campaigns.all()) == [campaign]
    assert list(js_activity.themed_days.all()) == [day]
    detail = client.get(js_activity.get_absolute_url()).content.decode()
    assert "宣传与主题" in detail and "科普惠民行动" in detail and "全国爱眼日" in detail


def test_registering_on_the_themed_day_page(client, jiangshan_admin, jiangshan):
    day = ThemedDay.objects.get(name="全国爱耳日")
    year = at(0).year
    start, _ = day.occurrence(year)
    activity = ActivityFactory(
        title="爱耳日义诊",
        organizer=jiangshan.association,
        status="planned",
        starts_at=at((start - at(0).date()).days, 9),
    )
    client.force_login(jiangshan_admin)
    url = reverse("outreach:themed_day_detail", args=[day.pk, year])
    assert "爱耳日义诊" in client.get(url).content.decode()
    assert client.post(url, {"activity": activity.pk}).status_code == 302
    assert list(day.activities.all()) == [activity]
    listing = client.get(reverse("outreach:themed_day_list"), {"year": year}).content.decode()
    assert "全国爱耳日" in listing
    client.post(reverse("outreach:themed_day_untag", args=[day.pk, year, activity.pk]))
    assert not day.activities.exists()


def test_channel_posts_on_an_activity(client, jiangshan_admin, supervisor_user, js_activity):
    client.force_login(jiangshan_admin)
    url = reverse("outreach:post_add") + f"?activity={js_activity.pk}"
    data = {
        "channel": "wechat",
        "outlet": "姜山发布",
        "title": "健康讲座走进文化礼堂",
        "url": "https://example.com/a/1",
        "published_on": "2022-06-02",
        "reach": "1200",
    }
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert "已登记过这个链接" in again.content.decode()
    bad = client.post(url, {**data, "url": "not a url", "reach": "-5"})
    assert bad.status_code == 200
    post = ChannelPost.objects.get()
    assert (post.activity, post.reach) == (js_activity, 1200)
    listing = client.get(reverse("outreach:post_list"), {"year": 2022}).content.decode()
    assert "健康讲座走进文化礼堂" in listing and "1200" in listing
    client.force_login(supervisor_user)
    assert client.get(reverse("outreach:post_edit", args=[post.pk])).status_code == 403
    assert client.post(reverse("outreach:post_delete", args=[post.pk])).status_code == 403


def test_a_post_belongs_to_an_activity_or_a_campaign(jiangshan_admin, js_activity):
    with pytest.raises(ValidationError, match="二选一"):
        actions.channel_post_create(actor=jiangshan_admin, data={}, activity=None, campaign=None)


def test_posts_of_another_town_are_invisible(client, wuxiang_admin, js_activity):
    post = ChannelPostFactory(activity=js_activity, title="姜山的宣传")
    client.force_login(wuxiang_admin)
    assert client.get(reverse("outreach:post_edit", args=[post.pk])).status_code == 404
    assert "姜山的宣传" not in client.get(reverse("outreach:post_list"), {"year": 2022}).content.decode()
