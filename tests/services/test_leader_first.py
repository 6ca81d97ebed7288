"""A leader's first steps: the home page leads with 登记活动 and the next activity's check-in code;
the activity form asks only what a leader must give, with the rest folded away and filled from
their own association; the code can be shown full screen; no widget needs Ctrl held down.

The leader is 姜山院长 (tests/conftest.py): a member of 姜山镇科协 holding a seat in it, leading
its volunteer team."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.models import Organization
from services.models import Activity
from tests import factories as f
from tests.services.factories import ActivityFactory, at

pytestmark = pytest.mark.django_db


def test_a_leader_lands_on_logging_an_activity_not_on_counts(client, leader_user):
    client.force_login(leader_user)
    body = client.get(reverse("home")).content.decode()
    actions = body[body.index('id="leader-actions"') :]
    assert actions.index(reverse("services:activity_add")) < actions.index(reverse("services:my_activities"))
    assert reverse("services:my_next_activity") in body
    assert 'id="stat-people"' not in body


def test_a_town_admin_still_lands_on_the_counts(client, jiangshan_admin):
    client.force_login(jiangshan_admin)
    body = client.get(reverse("home")).content.decode()
    assert 'id="stat-people"' in body and 'id="leader-actions"' not in body


def test_the_next_activity_is_the_first_not_ended_that_the_leader_leads(client, leader_user, jiangshan):
    past = ActivityFactory(title="上周讲座", organizer=jiangshan.association, starts_at=at(-7))
    later = ActivityFactory(title="下月义诊", organizer=jiangshan.association, starts_at=at(30))
    sooner = ActivityFactory(title="明天培训", organizer=jiangshan.association, starts_at=at(1))
    cancelled = ActivityFactory(
        title="取消的活动",
        organizer=jiangshan.association,
        starts_at=at(0.5),
        status=Activity.Status.CANCELLED,
    )
    not_mine = ActivityFactory(title="别人带队", organizer=jiangshan.association, starts_at=at(0.2))
    for activity in (past, later, sooner, cancelled):
        activity.leaders.add(jiangshan.leader)
    client.force_login(leader_user)
    card = client.get(reverse("services:my_next_activity")).content.decode()
    assert "明天培训" in card
    assert not any(title in card for title in ("上周讲座", "下月义诊", "取消的活动", not_mine.title))
    assert "<svg" in card
    assert reverse("services:activity_qr_screen", args=[sooner.pk]) in card


def test_an_activity_under_way_comes_first(client, leader_user, jiangshan):
    started = timezone.now() - datetime.timedelta(minutes=30)
    running = ActivityFactory(
        title="正在进行",
        organizer=jiangshan.association,
        starts_at=started,
        ends_at=started + datetime.timedelta(hours=2),
        status=Activity.Status.HELD,
    )
    tomorrow = ActivityFactory(title="明天培训", organizer=jiangshan.association, starts_at=at(1))
    running.leaders.add(jiangshan.leader)
    tomorrow.leaders.add(jiangshan.leader)
    client.force_login(leader_user)
    card = client.get(reverse("services:my_next_activity")).content.decode()
    assert "正在进行" in card and "明天培训" not in card


def test_without_an_activity_the_card_offers_to_log_one(client, leader_user):
    client.force_login(leader_user)
    card = client.get(reverse("services:my_next_activity")).content.decode()
    assert "暂无即将开展的活动" in card and reverse("services:activity_add") in card


def test_another_towns_leader_never_sees_this_towns_activity(client, jiangshan, wuxiang):
    activity = ActivityFactory(title="姜山讲座", organizer=jiangshan.association, starts_at=at(1))
    activity.leaders.add(jiangshan.leader)
    other = f.UserFactory(username="wuxiang-leader")
    f.assign(other, "leader", person=wuxiang.leader)
    client.force_login(other)
    assert "姜山讲座" not in client.get(reverse("services:my_next_activity")).content.decode()
    assert client.get(reverse("services:activity_qr_screen", args=[activity.pk])).status_code == 404


def test_the_full_screen_code_for_attendees_and_for_volunteers(client, leader_user, jiangshan):
    activity = ActivityFactory(title="明天培训", organizer=jiangshan.association, starts_at=at(1))
    activity.leaders.add(jiangshan.leader)
    client.force_login(leader_user)
    attendees = client.get(reverse("services:activity_qr_screen", args=[activity.pk])).content.decode()
    volunteers = client.get(
        reverse("services:activity_qr_screen", args=[activity.pk]), {"for": "volunteer"}
    ).content.decode()
    assert "请用手机扫码签到" in attendees and "<svg" in attendees
    assert "志愿者请扫码签到、签退" in volunteers
    assert attendees.split('id="screen-qr"')[1][:2000] != volunteers.split('id="screen-qr"')[1][:2000]
    assert reverse("services:activity_poster", args=[activity.pk]) in attendees


def test_the_form_starts_from_the_leaders_own_association(client, leader_user, jiangshan):
    # A second association she belongs to, without a seat: the seat's association is the default.
    society = f.OrganizationFactory(
        name="姜山农技协会",
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
        category=Organization.Category.PRODUCTION,
    )
    f.MembershipFactory(person=jiangshan.leader, organization=society)
    client.force_login(leader_user)
    form = client.get(reverse("services:activity_add")).context["form"]
    assert form.initial["organizer"] == jiangshan.association.pk
    assert form.initial["region"] == jiangshan.association.home_region_id
    assert form.initial["leaders"] == [jiangshan.leader.pk]


def test_the_form_shows_the_essentials_and_folds_the_rest(client, leader_user):
    client.force_login(leader_user)
    body = client.get(reverse("services:activity_add")).content.decode()
    folded = body[body.index('<details class="mb-3 activity-more"') : body.index("</details>")]
    essentials = body[: body.index('<details class="mb-3 activity-more"')]
    for name in ("title", "kind", "starts_at", "ends_at", "region", "venue", "planned_participants"):
        assert f'name="{name}"' in essentials, name
    for name in ("organizer", "co_organizers", "leaders", "teams", "audiences", "description"):
        assert f'name="{name}"' in folded, name
    assert '<details class="mb-3 activity-more">' in body  # closed until something in it is wrong
    assert "Ctrl" not in body and "multiple" not in re.sub(r"<input[^>]*>", "", body.split("<form")[1])


def test_the_few_essentials_are_enough_and_the_end_defaults_to_two_hours(client, leader_user, jiangshan):
    client.force_login(leader_user)
    form = client.get(reverse("services:activity_add")).context["form"]
    response = client.post(
        reverse("services:activity_add"),
        {
            "title": "社区健康讲座",
            "kind": "popular_lecture",
            "starts_at": "2030-05-10T09:00",
            "region": form.initial["region"],
            "venue": "文化礼堂",
            "planned_participants": "40",
            "organizer": form.initial["organizer"],
            "venue_kind": "village",
            "leaders": [jiangshan.leader.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    activity = Activity.objects.get(title="社区健康讲座")
    local = timezone.localtime
    assert (local(activity.starts_at).hour, local(activity.ends_at).hour) == (9, 11)
    assert list(activity.leaders.all()) == [jiangshan.leader]


def test_an_error_in_the_folded_part_opens_it(client, leader_user):
    client.force_login(leader_user)
    response = client.post(
        reverse("services:activity_add"),
        {
            "title": "讲座",
            "kind": "popular_lecture",
            "starts_at": "2030-05-10T09:00",
            "planned_participants": "1",
            "venue_kind": "village",
            "organizer": "999999999",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert '<details class="mb-3 activity-more" open>' in body
