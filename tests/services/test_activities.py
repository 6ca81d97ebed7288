"""Logging and editing activities: leaders their own, admins their organisations', with clear
Chinese messages for bad input and nothing half-written."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from organizations.models import AuditEntry
from services import actions
from services.models import Activity, ActivityTransition
from tests import factories as f
from tests.services.factories import ActivityFactory, at

pytestmark = pytest.mark.django_db


def form_data(town, **overrides):
    data = {
        "title": "姜山镇健康义诊",
        "kind": "free_clinic",
        "organizer": town.association.pk,
        "region": town.association.home_region_id,
        "venue_kind": "village",
        "venue": "姜山镇东村文化礼堂",
        "starts_at": at(-2, 9).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": at(-2, 11).strftime("%Y-%m-%dT%H:%M"),
        "planned_participants": "60",
        "audiences": ["elderly", "patients"],
        "alignment_tags": ["with_civilization_centers"],
        "description": "血压血糖检测",
    }
    data.update(overrides)
    return data


def action_data(town, **overrides):
    """What the form hands the action: typed values."""
    data = {
        "title": "姜山镇健康义诊",
        "kind": "free_clinic",
        "organizer": town.association,
        "region": town.association.home_region,
        "venue_kind": "village",
        "starts_at": at(-2, 9),
        "ends_at": at(-2, 11),
        "planned_participants": 60,
    }
    data.update(overrides)
    return data


def test_a_leader_logs_an_activity_they_led(client, leader_user, jiangshan):
    client.force_login(leader_user)
    page = client.get(reverse("services:activity_add")).content.decode()
    assert "姜山镇科协" in page and "五乡镇科协" not in page
    response = client.post(reverse("services:activity_add"), form_data(jiangshan, held="on"))
    assert response.status_code == 302
    activity = Activity.objects.get(title="姜山镇健康义诊")
    assert activity.status == Activity.Status.HELD
    assert activity.stream == "tech_service"
    assert list(activity.leaders.all()) == [jiangshan.leader]
    assert activity.audiences == ["elderly", "patients"]
    assert activity.created_by == leader_user
    assert ActivityTransition.objects.filter(activity=activity, to_status="held").exists()
    assert AuditEntry.objects.filter(action="activity_create", object_id=str(activity.pk)).exists()
    mine = client.get(reverse("services:my_activities")).content.decode()
    assert "姜山镇健康义诊" in mine


def test_a_leader_cannot_log_for_an_organisation_they_do_not_belong_to(
    client, leader_user, jiangshan, wuxiang
):
    client.force_login(leader_user)
    response = client.post(
        reverse("services:activity_add"), form_data(jiangshan, organizer=wuxiang.association.pk)
    )
    assert response.status_code == 200
    assert not Activity.objects.exists()
    with pytest.raises(ValidationError) as error:
        actions.activity_create(
            actor=leader_user,
            data=action_data(jiangshan, organizer=wuxiang.association),
        )
    assert "organizer" in error.value.error_dict


def test_bad_input_is_explained_on_the_form(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    response = client.post(
        reverse("services:activity_add"),
        form_data(jiangshan, ends_at=at(-3, 9).strftime("%Y-%m-%dT%H:%M"), title=""),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "结束时间不能早于开始时间" in body
    assert not Activity.objects.exists()


def test_a_future_activity_cannot_be_logged_as_held(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    data = form_data(
        jiangshan,
        starts_at=at(3).strftime("%Y-%m-%dT%H:%M"),
        ends_at=at(3, 11).strftime("%Y-%m-%dT%H:%M"),
        held="on",
    )
    response = client.post(reverse("services:activity_add"), data)
    assert "尚未开始的活动不能登记为“已举办”" in response.content.decode()
    assert not Activity.objects.exists()


def test_leaders_must_hold_a_leader_role(jiangshan_admin, jiangshan):
    with pytest.raises(ValidationError) as error:
        actions.activity_create(
            actor=jiangshan_admin,
            data=action_data(jiangshan),
            leaders=[jiangshan.member],
        )
    assert "没有三长/泛三长身份" in str(error.value.error_dict["leaders"])


def test_teams_must_belong_to_the_organisers(jiangshan_admin, jiangshan, wuxiang):
    data = action_data(jiangshan)
    with pytest.raises(ValidationError) as error:
        actions.activity_create(actor=jiangshan_admin, data=data, teams=[wuxiang.team])
    assert "teams" in error.value.error_dict
    activity = actions.activity_create(
        actor=jiangshan_admin, data=data, teams=[wuxiang.team], co_organizers=[wuxiang.association]
    )
    assert list(activity.teams.all()) == [wuxiang.team]


def test_an_admin_edits_their_activity(client, jiangshan_admin, js_activity, jiangshan):
    client.force_login(jiangshan_admin)
    url = reverse("services:activity_edit", args=[js_activity.pk])
    assert client.get(url).status_code == 200
    data = form_data(jiangshan, title="姜山健康讲座（第二场）", reported_participants="45")
    data["leaders"] = [jiangshan.leader.pk]
    response = client.post(url, data)
    assert response.status_code == 302
    js_activity.refresh_from_db()
    assert js_activity.title == "姜山健康讲座（第二场）"
    assert js_activity.reported_participants == 45
    entry = AuditEntry.objects.get(action="activity_update", object_id=str(js_activity.pk))
    assert entry.changes["title"] == ["姜山健康讲座", "姜山健康讲座（第二场）"]


def test_a_user_without_an_organisation_cannot_log_activities(client, supervisor_user):
    client.force_login(supervisor_user)
    assert client.get(reverse("services:activity_add")).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.activity_create(actor=supervisor_user, data={})


def test_the_list_filters_by_stream_type_region_month_and_status(client, district_user, jiangshan, wuxiang):
    ActivityFactory(
        title="五月讲座", organizer=jiangshan.association, starts_at=at(0).replace(year=2022, month=5, day=10)
    )
    ActivityFactory(
        title="六月培训",
        kind="tech_training",
        organizer=wuxiang.association,
        starts_at=at(0).replace(year=2022, month=6, day=10),
        status="verified",
    )
    grassroots = f.OrganizationFactory(
        kind="grassroots_association", category="production", home_region=jiangshan.association.home_region
    )
    ActivityFactory(
        title="农技指导",
        kind="field_guidance",
        organizer=grassroots,
        starts_at=at(0).replace(year=2022, month=5, day=20),
    )
    client.force_login(district_user)
    url = reverse("services:activity_list")

    def titles(**params):
        body = client.get(url, params).content.decode()
        return {t for t in ("五月讲座", "六月培训", "农技指导") if t in body}

    assert titles() == {"五月讲座", "六月培训", "农技指导"}
    assert titles(stream="popularization") == {"五月讲座"}
    assert titles(kind="tech_training") == {"六月培训"}
    assert titles(month="2022-05") == {"五月讲座", "农技指导"}
    assert titles(status="verified") == {"六月培训"}
    assert titles(region=jiangshan.association.home_region_id) == {"五月讲座", "农技指导"}
    assert titles(organizer_category="production") == {"农技指导"}
    district = f.region("鄞州区")
    assert titles(region=district.pk) == {"五月讲座", "六月培训", "农技指导"}


def test_the_region_filter_includes_sub_regions(client, district_user, jiangshan):
    from organizations.models import Region

    village = Region.objects.create(
        name="姜山镇测试村", kind="village", parent=jiangshan.association.home_region
    )
    ActivityFactory(title="村里的讲座", organizer=jiangshan.association, region=village)
    client.force_login(district_user)
    body = client.get(
        reverse("services:activity_list"), {"region": jiangshan.association.home_region_id}
    ).content.decode()
    assert "村里的讲座" in body


def test_the_month_calendar_places_activities_on_their_day(client, jiangshan_admin, jiangshan, wuxiang):
    ActivityFactory(
        title="五月讲座", organizer=jiangshan.association, starts_at=at(0).replace(year=2022, month=5, day=10)
    )
    ActivityFactory(
        title="五乡五月", organizer=wuxiang.association, starts_at=at(0).replace(year=2022, month=5, day=11)
    )
    client.force_login(jiangshan_admin)
    body = client.get(reverse("services:activity_calendar"), {"month": "2022-05"}).content.decode()
    assert "2022年5月" in body
    assert "五月讲座" in body and "五乡五月" not in body
    assert "month=2022-04" in body and "month=2022-06" in body


def test_the_calendar_names_its_month_in_the_viewers_language(client, jiangshan_admin):
    client.force_login(jiangshan_admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("services:activity_calendar"), {"month": "2022-05"}).content.decode()
    assert "May 2022" in body and "2022年5月" not in body
