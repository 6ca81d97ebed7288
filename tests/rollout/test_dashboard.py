"""The dashboards: who may open which, that every figure is the indicator module's, that the
JSON endpoints obey the same scope as the pages, and that bad periods never give a 500."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.models import Organization, Region, RoleAssignment
from organizations.scoping import scope_for
from rollout.dashboards import blocks
from rollout.indicators import Period
from services.models import Activity
from tests import factories as f
from tests.rollout import factories as rf
from tests.services.factories import ActivityFactory, AttendanceFactory, VolunteerServiceFactory

pytestmark = pytest.mark.django_db

Q4 = Period.quarter(2022, 4)
IN_Q4 = timezone.make_aware(datetime.datetime(2022, 11, 15, 9))
IN_DEC = timezone.make_aware(datetime.datetime(2022, 12, 3, 9))

DISTRICT = [reverse("dashboards:district"), reverse("dashboards:district_data")]
TOWN = [reverse("dashboards:town"), reverse("dashboards:town_data")]
MINE = [reverse("dashboards:mine"), reverse("dashboards:mine_data")]


@pytest.fixture
def activities(jiangshan, wuxiang, plan):
    """Activities in both towns in 2022Q4, one of them organised by 姜山 but held in 五乡,
    with check-ins, a reported count and volunteer hours; tasks and a rectification item."""
    js, wx = jiangshan.association, wuxiang.association
    grassroots = f.OrganizationFactory(
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
        category="production",
        home_region=js.home_region,
        parent=js,
    )
    lecture = ActivityFactory(
        organizer=js, starts_at=IN_Q4, leaders=[jiangshan.leader], reported_participants=80
    )
    for _ in range(3):
        AttendanceFactory(activity=lecture)
    VolunteerServiceFactory(activity=lecture, person=jiangshan.member, hours=2.5)
    ActivityFactory(
        organizer=grassroots,
        starts_at=IN_DEC,
        kind="tech_training",
        stream="tech_service",
        reported_participants=40,
    )
    ActivityFactory(organizer=js, starts_at=IN_DEC, region=wx.home_region, reported_participants=7)
    ActivityFactory(organizer=wx, starts_at=IN_Q4, reported_participants=12)
    ActivityFactory(organizer=wx, starts_at=IN_Q4, status=Activity.Status.PLANNED)
    rf.TaskFactory(organization=js, due_date=datetime.date(2022, 12, 1))
    rf.TaskFactory(organization=wx, due_date=datetime.date(2022, 12, 1))
    rf.RectificationFactory(
        inspection=rf.InspectionFactory(organization=wx, inspected_on=datetime.date(2022, 11, 20))
    )
    return lecture


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize("url", DISTRICT + TOWN + MINE)
def test_anonymous_users_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["district_user", "supervisor_user"])
def test_district_readers_open_the_district_and_any_town(client, request, persona, jiangshan, wuxiang):
    client.force_login(request.getfixturevalue(persona))
    for url in DISTRICT:
        assert client.get(url).status_code == 200
    for url in TOWN:
        assert client.get(url, {"region": wuxiang.association.home_region_id}).status_code == 200


@pytest.mark.parametrize("url", DISTRICT + MINE)
def test_an_org_admin_may_not_open_the_district_dashboard_or_a_leaders_page(client, jiangshan_admin, url):
    client.force_login(jiangshan_admin)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", TOWN)
def test_an_org_admin_gets_404_for_another_town(client, jiangshan_admin, wuxiang, url):
    client.force_login(jiangshan_admin)
    assert client.get(url, {"region": wuxiang.association.home_region_id}).status_code == 404
    assert client.get(url, {"region": "999999"}).status_code == 404
    assert client.get(url, {"region": "x"}).status_code == 404


@pytest.mark.parametrize("url", DISTRICT + TOWN)
def test_a_leader_opens_only_their_own_page(client, leader_user, url):
    client.force_login(leader_user)
    assert client.get(url).status_code == 403
    for mine in MINE:
        assert client.get(mine).status_code == 200


def test_the_navigation_names_each_roles_dashboard(client, district_user, jiangshan_admin, leader_user):
    for user, shown, hidden in (
        (district_user, "dashboards:district", "dashboards:town"),
        (jiangshan_admin, "dashboards:town", "dashboards:district"),
        (leader_user, "dashboards:mine", "dashboards:district"),
    ):
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert f'href="{reverse(shown)}"' in page
        assert f'href="{reverse(hidden)}"' not in page


# --------------------------------------------------------------------------- figures


def test_the_district_figures_are_the_indicator_modules(client, district_user, activities):
    client.force_login(district_user)
    data = client.get(reverse("dashboards:district_data"), {"period": "2022Q4"}).json()
    # Four activities took place (the planned one does not count): 3 check-ins at the lecture
    # (its reported 80 is not used), and the reported 40, 7 and 12 of the other three.
    assert data["activity"]["activities"] == 4
    assert data["activity"]["people_served"] == 3 + 40 + 7 + 12
    assert data["activity"]["reported_activities"] == 3
    assert data["activity"]["volunteer_hours"] == 2.5
    # No town has all three associations; 姜山镇 and 五乡镇 both had activities in the town.
    assert data["summary"]["covered"] == 0
    assert data["summary"]["towns"] == 25
    assert data["summary"]["work_rate"] == pytest.approx(2 / 25)
    # Each town association: a member's seat and its hospital director's.
    assert (data["seats"]["led"], data["seats"]["total"]) == (2, 4)
    assert data["rollout"]["tasks_overdue"] == 2 and data["rollout"]["rectifications_open"] == 1
    assert len(data["trend"]) == 5 and data["trend"][-1]["period"] == "2022Q4"


def test_breakdowns_by_month_stream_category_and_type_add_up(client, district_user, activities):
    client.force_login(district_user)
    activity = client.get(reverse("dashboards:district_data"), {"period": "2022Q4"}).json()["activity"]
    assert activity["months"] == ["2022-10", "2022-11", "2022-12"]
    by_stream = {stream["key"]: stream["activities"] for stream in activity["streams"]}
    assert by_stream == {"tech_service": [0, 0, 1], "popularization": [0, 2, 1]}
    assert sum(sum(stream["people_served"]) for stream in activity["streams"]) == activity["people_served"]
    categories = {row["key"]: row["activities"] for row in activity["by_category"]}
    assert categories == {"production": 1, "": 3}
    assert {row["key"]: row["activities"] for row in activity["by_kind"]} == {
        "popular_lecture": 3,
        "tech_training": 1,
    }


def test_the_town_grid_says_which_conditions_fail(client, district_user, activities, jiangshan):
    client.force_login(district_user)
    data = client.get(reverse("dashboards:district_data"), {"period": "2022Q4"}).json()
    tiles = {tile["name"]: tile for tile in data["towns"]}
    assert len(tiles) == 25
    # 姜山 has an association, a leader in it and activities, but only one of the three
    # associations; so has 五乡 (an activity of 姜山's held there counts for 五乡).
    for name in ("姜山镇", "五乡镇"):
        assert (tiles[name]["met"], tiles[name]["failing"]) == (3, ["三会齐全"])
    nothing = ["有镇（街）科协", "三长进入领导机构", "三会齐全", "本期有活动"]
    others = [tile for name, tile in tiles.items() if name not in ("姜山镇", "五乡镇")]
    assert [(tile["met"], tile["failing"]) for tile in others] == [(0, nothing)] * 23
    page = client.get(reverse("dashboards:district"), {"period": "2022Q4"}).content.decode()
    assert 'title="姜山镇：未达标：三会齐全"' in page


Q4_LINK = "&status=took_place&date_from=2022-10-01&date_to=2022-12-31"


def test_every_figure_links_to_the_filtered_list_behind_it(client, district_user, activities, jiangshan):
    client.force_login(district_user)
    data = client.get(reverse("dashboards:district_data"), {"period": "2022Q4"}).json()
    region = jiangshan.association.home_region_id
    tile = next(tile for tile in data["towns"] if tile["name"] == "姜山镇")
    assert tile["url"] == f"/organizations/?region={region}"
    tech = next(stream for stream in data["activity"]["streams"] if stream["key"] == "tech_service")
    december = tech["urls"][2]
    assert december == "/services/activities/?stream=tech_service&month=2022-12&status=took_place"
    listed = client.get(december)
    assert listed.status_code == 200
    assert len(listed.context["page"].object_list) == tech["activities"][2] == 1
    kind = next(row for row in data["activity"]["by_kind"] if row["key"] == "tech_training")
    assert kind["url"] == f"/services/activities/?kind=tech_training{Q4_LINK}"
    assert len(client.get(kind["url"]).context["page"].object_list) == kind["activities"]
    production = next(row for row in data["activity"]["by_category"] if row["key"] == "production")
    assert production["url"] == f"/services/activities/?organizer_category=production{Q4_LINK}"
    assert len(client.get(production["url"]).context["page"].object_list) == production["activities"]
    assert data["seats"]["url"] == "/seats/?state=current&holder=leader"
    assert data["rollout"]["rectifications_url"] == "/rollout/rectifications/?state=open"
    phase = data["rollout"]["phases"][2]
    assert phase["overdue"] == 2 and "state=overdue" in phase["overdue_url"]
    assert client.get(phase["overdue_url"]).status_code == 200


def test_a_month_long_period_links_to_that_month(client, district_user, activities):
    client.force_login(district_user)
    data = client.get(reverse("dashboards:district_data"), {"period": "2022-12-01..2022-12-31"}).json()
    url = data["activity"]["url"]
    assert url == "/services/activities/?status=took_place&date_from=2022-12-01&date_to=2022-12-31"
    assert data["activity"]["activities"] == 2
    assert len(client.get(url).context["page"].object_list) == 2


def test_an_org_admins_town_dashboard_counts_only_their_own_activities(
    client, wuxiang_admin, activities, wuxiang
):
    client.force_login(wuxiang_admin)
    data = client.get(reverse("dashboards:town_data"), {"period": "2022Q4"}).json()
    assert data["town"]["name"] == "五乡镇"
    # 姜山's activity held in 五乡 is not theirs to see; it still makes 五乡 "working".
    assert data["activity"]["activities"] == 1
    assert data["activity"]["people_served"] == 12
    assert data["town"]["conditions"][3] == {
        "key": "working",
        "label": "本期有活动",
        "met": True,
        "url": f"/services/activities/?region={wuxiang.association.home_region_id}{Q4_LINK}",
    }
    assert data["rollout"]["tasks_total"] == 1 and data["rollout"]["rectifications_open"] == 1
    page = client.get(reverse("dashboards:town"), {"period": "2022Q4"})
    assert page.status_code == 200
    assert "姜山" not in page.content.decode().split('id="dashboard"')[1]


def test_a_leaders_page_shows_their_seats_teams_activities_and_hours(
    client, leader_user, activities, jiangshan
):
    client.force_login(leader_user)
    data = client.get(reverse("dashboards:mine_data"), {"period": "2022Q4"}).json()
    assert data["activities"] == 1 and data["people_served"] == 3
    assert [seat["organization"] for seat in data["seats"]] == ["姜山镇科协"]
    assert [team["name"] for team in data["teams"]] == ["姜山镇科技志愿服务队"]
    assert data["teams"][0]["leads"] is True
    assert [row["title"] for row in data["recent"]] == [activities.title]
    assert data["volunteer_hours"] == 0  # the hours at that lecture were served by the member
    assert data["by_month"] == [0, 1, 0]


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    "text", ["2022Q5", "next year", "2022-13-01..2022-12-31", "2022-06-30..2022-01-01", "9999"]
)
def test_a_bad_period_shows_a_message_never_a_500(client, district_user, text):
    client.force_login(district_user)
    response = client.get(reverse("dashboards:district"), {"period": text})
    assert response.status_code == 200
    assert response.context["period_error"]
    assert "data-period-error" in response.content.decode()
    data = client.get(reverse("dashboards:district_data"), {"period": text})
    assert data.status_code == 400 and data.json()["error"]


def test_a_custom_range_from_two_dates(client, district_user):
    client.force_login(district_user)
    response = client.get(
        reverse("dashboards:district"), {"period": "2022Q4", "start": "2022-03-01", "end": "2022-05-31"}
    )
    assert response.context["period"] == Period(
        datetime.date(2022, 3, 1), datetime.date(2022, 5, 31), "2022-03-01..2022-05-31"
    )
    assert "2022-03-01..2022-05-31" in response.context["data_url"]


def test_the_default_period_is_the_current_quarter(client, district_user, today):
    client.force_login(district_user)
    response = client.get(reverse("dashboards:district"))
    assert response.context["period"] == Period.containing(today)
    assert "2022Q4" in response.content.decode()  # the quick links reach the programme year


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_chart_labels_come_from_the_page_in_the_viewers_language(client, district_user, language):
    import json
    import re as regex

    client.force_login(district_user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.get(reverse("dashboards:district"), {"period": "2022Q4"}).content.decode()
    raw = regex.search(r'<script type="application/json" id="dashboard-labels">(.*?)</script>', page, regex.S)
    labels = json.loads(raw.group(1))
    assert {"people", "hours", "served", "activities", "empty", "kindTooltip", "pieTooltip"} <= labels.keys()
    has_chinese = bool(regex.search(r"[\u4e00-\u9fff]", labels["served"]))
    assert has_chinese is (language == "zh-hans")


def test_an_admins_towns_are_those_above_their_organisations_homes(client, wuxiang):
    """An organisation based in a village counts for the village's town; the town picker holds
    the admin's towns only, and another town's dashboard is a 404."""
    yunlong = f.region("云龙镇")
    village = Region.objects.create(name="上李家村", kind=Region.Kind.VILLAGE, parent=yunlong)
    health = f.OrganizationFactory(
        code="YL-JK",
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
        category="life_health",
        home_region=village,
    )
    admin = f.UserFactory(username="two-towns")
    f.assign(admin, RoleAssignment.Role.ORG_ADMIN, organization=health)
    f.assign(admin, RoleAssignment.Role.ORG_ADMIN, organization=wuxiang.association)
    assert {town.name for town in blocks.towns_queryset(scope_for(admin))} == {"云龙镇", "五乡镇"}
    client.force_login(admin)
    data = client.get(reverse("dashboards:town_data"), {"region": yunlong.pk, "period": "2022Q4"}).json()
    assert data["town"]["name"] == "云龙镇"
    jiangshan_region = f.region("姜山镇")
    assert client.get(reverse("dashboards:town_data"), {"region": jiangshan_region.pk}).status_code == 404
