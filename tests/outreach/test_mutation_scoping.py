"""Who reads and changes which outreach record, persona by persona.

Campaigns: 区级系列活动 (no owner: the district's), 姜山系列活动 (owned by 姜山镇科协) and
五乡系列活动 (owned by 五乡镇科协). Activities: 姜山自办 (organised by 姜山镇科协), 五乡自办 and
院长已开展 (organised by 五乡镇科协, led by 姜山院长, the leader login). One channel post about
each activity and each campaign. Reminders of 全国爱眼日 sent to both towns' associations.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from organizations.scoping import scoped
from outreach.models import Campaign, ChannelPost, ThemedDay, ThemedDayReminder
from tests import factories as f
from tests.outreach.factories import CampaignFactory, ChannelPostFactory
from tests.services.factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(jiangshan, wuxiang, district_user, supervisor_user, jiangshan_admin, leader_user):
    js, wx = jiangshan.association, wuxiang.association
    campaigns = {
        "区级系列活动": CampaignFactory(name="区级系列活动"),
        "姜山系列活动": CampaignFactory(name="姜山系列活动", owner=js),
        "五乡系列活动": CampaignFactory(name="五乡系列活动", owner=wx),
    }
    activities = {
        "姜山自办": ActivityFactory(title="姜山自办", organizer=js),
        "五乡自办": ActivityFactory(title="五乡自办", organizer=wx),
        "院长已开展": ActivityFactory(title="院长已开展", organizer=wx, leaders=[jiangshan.leader]),
    }
    for title, activity in activities.items():
        ChannelPostFactory(title=f"稿件·{title}", activity=activity)
    for name, campaign in campaigns.items():
        ChannelPostFactory(title=f"稿件·{name}", campaign=campaign)
    eye_day = ThemedDay.objects.get(name="全国爱眼日")
    for organization in (js, wx):
        ThemedDayReminder.objects.create(themed_day=eye_day, organization=organization, year=2022)
    return {
        "district": district_user,
        "supervisor": supervisor_user,
        "jiangshan": jiangshan_admin,
        "leader": leader_user,
        "nobody": f.UserFactory(username="nobody"),
        "anonymous": AnonymousUser(),
    }


CAMPAIGNS = {"区级系列活动", "姜山系列活动", "五乡系列活动"}
POSTS = {f"稿件·{name}" for name in ("姜山自办", "五乡自办", "院长已开展", *CAMPAIGNS)}
NONE = set()


def visible(user, model, field: str, *, write: bool) -> set[str]:
    return {str(value) for value in scoped(user, model, write=write).values_list(field, flat=True)}


def test_campaigns(users):
    expected = {
        "district": (CAMPAIGNS, CAMPAIGNS),
        "supervisor": (CAMPAIGNS, NONE),
        "jiangshan": ({"区级系列活动", "姜山系列活动"}, {"姜山系列活动"}),
        # The leader reads 姜山镇科协 (seat and membership), hence its campaign.
        "leader": ({"区级系列活动", "姜山系列活动"}, NONE),
        "nobody": (NONE, NONE),
        "anonymous": (NONE, NONE),
    }
    for persona, (reads, changes) in expected.items():
        assert visible(users[persona], Campaign, "name", write=False) == reads, (persona, "read")
        assert visible(users[persona], Campaign, "name", write=True) == changes, (persona, "write")


def test_channel_posts_follow_their_activity_or_campaign(users):
    expected = {
        "district": (POSTS, POSTS),
        "supervisor": (POSTS, NONE),
        "jiangshan": (
            {"稿件·姜山自办", "稿件·区级系列活动", "稿件·姜山系列活动"},
            {"稿件·姜山自办", "稿件·姜山系列活动"},
        ),
        "leader": ({"稿件·院长已开展", "稿件·区级系列活动", "稿件·姜山系列活动"}, {"稿件·院长已开展"}),
        "nobody": (NONE, NONE),
        "anonymous": (NONE, NONE),
    }
    for persona, (reads, changes) in expected.items():
        assert visible(users[persona], ChannelPost, "title", write=False) == reads, (persona, "read")
        assert visible(users[persona], ChannelPost, "title", write=True) == changes, (persona, "write")


def test_themed_days_are_read_by_all_and_changed_by_district_staff(users):
    total = ThemedDay.objects.count()
    assert total > 0
    for persona, changes in (("district", total), ("supervisor", 0), ("jiangshan", 0), ("anonymous", 0)):
        assert scoped(users[persona], ThemedDay).count() == total, persona
        assert scoped(users[persona], ThemedDay, write=True).count() == changes, persona


def test_reminders_are_read_by_the_reminded_and_written_by_the_job(users):
    both = {"姜山镇科协", "五乡镇科协"}
    expected = {
        "district": (both, both),
        "supervisor": (both, NONE),
        "jiangshan": ({"姜山镇科协"}, NONE),
        "leader": (NONE, NONE),
        "anonymous": (NONE, NONE),
    }
    for persona, (reads, changes) in expected.items():
        field = "organization__name"
        assert visible(users[persona], ThemedDayReminder, field, write=False) == reads, (persona, "read")
        assert visible(users[persona], ThemedDayReminder, field, write=True) == changes, (persona, "write")
