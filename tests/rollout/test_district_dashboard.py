"""The district's, a town's and a leader's dashboard data for 2022Q4 on the hand-counted district
of tests/district.py. Dashboards are given ``on=TODAY`` (2026-11-29): the period's figures are
taken as of its last day, 2022-12-31."""

import pytest

from organizations.scoping import scope_for
from rollout.dashboards import district_dashboard, leader_dashboard, town_dashboard
from tests.district import Q4, TODAY, build_district

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(db, coverage_source):
    built = build_district()
    coverage_source()
    return built


def tiles_by_name(data) -> dict[str, dict]:
    return {tile["name"]: tile for tile in data["towns"]}


# --------------------------------------------------------------------------- the district


def test_the_district_coverage_figures(district):
    data = district_dashboard(user=district.district_staff, period=Q4, on=TODAY)
    assert data["period"] == {
        "code": "2022Q4",
        "label": "2022年第4季度",
        "start": "2022-10-01",
        "end": "2022-12-31",
    }
    summary = data["summary"]
    assert (summary["towns"], summary["covered"]) == (25, 1)
    assert (summary["coverage_text"], summary["organisation_text"], summary["work_text"]) == (
        "4.0%",
        "12.0%",
        "12.0%",
    )
    assert {row["key"]: row["count"] for row in summary["conditions"]} == {
        "organised": 3,
        "led": 2,
        "three_associations": 1,
        "working": 3,
    }


def test_the_district_town_tiles(district):
    tiles = tiles_by_name(district_dashboard(user=district.district_staff, period=Q4, on=TODAY))
    assert len(tiles) == 25
    picked = {
        name: (tiles[name]["met"], tiles[name]["covered"], tiles[name]["activities"], tiles[name]["failing"])
        for name in ("姜山镇", "五乡镇", "云龙镇", "邱隘镇")
    }
    assert picked == {
        "姜山镇": (4, True, 3, []),
        "五乡镇": (3, False, 1, ["三会齐全"]),
        "云龙镇": (2, False, 1, ["三长进入领导机构", "三会齐全"]),
        "邱隘镇": (0, False, 0, ["有镇（街）科协", "三长进入领导机构", "三会齐全", "本期有活动"]),
    }
    assert sum(tile["covered"] for tile in tiles.values()) == 1


def test_the_district_trend(district):
    trend = district_dashboard(user=district.district_staff, period=Q4, on=TODAY)["trend"]
    assert [(row["period"], row["covered"]) for row in trend] == [
        ("2021Q4", 0),
        ("2022Q1", 0),
        ("2022Q2", 0),
        ("2022Q3", 1),
        ("2022Q4", 1),
    ]
    assert trend[-1]["rate"] == pytest.approx(0.04)


def test_the_district_activity_figures(district):
    activity = district_dashboard(user=district.district_staff, period=Q4, on=TODAY)["activity"]
    assert activity["activities"] == 5
    assert activity["people_served"] == 74
    assert (activity["people_served_reported"], activity["reported_activities"]) == (60, 1)
    assert activity["volunteer_hours"] == pytest.approx(11.5)
    assert activity["months"] == ["2022-10", "2022-11", "2022-12"]
    streams = {stream["key"]: stream for stream in activity["streams"]}
    assert streams["popularization"]["activities"] == [1, 0, 2]
    assert streams["tech_service"]["activities"] == [0, 2, 0]
    assert streams["popularization"]["people_served"] == [4, 0, 65]
    assert streams["tech_service"]["people_served"] == [0, 5, 0]
    assert streams["popularization"]["volunteer_hours"] == pytest.approx([4.0, 0, 2.5])
    assert streams["tech_service"]["volunteer_hours"] == pytest.approx([0, 5.0, 0])
    by_category = {row["key"]: (row["activities"], row["people_served"]) for row in activity["by_category"]}
    assert by_category == {"production": (2, 5), "ecology": (1, 60), "life_health": (1, 5), "": (1, 4)}
    assert {row["key"]: row["activities"] for row in activity["by_kind"]} == {
        "popular_lecture": 2,
        "tech_training": 1,
        "exhibition": 1,
        "field_guidance": 1,
    }


def test_the_district_seats_and_rollout(district):
    data = district_dashboard(user=district.district_staff, period=Q4, on=TODAY)
    assert (data["seats"]["led"], data["seats"]["total"], data["seats"]["share_text"]) == (7, 12, "58.3%")
    rollout = data["rollout"]
    assert (rollout["tasks_total"], rollout["tasks_done"], rollout["tasks_overdue"]) == (2, 1, 1)
    assert (rollout["rectifications_open"], rollout["rectifications_overdue"]) == (1, 1)


def test_a_supervisor_sees_the_same_district_figures(district):
    data = district_dashboard(user=district.supervisor, period=Q4, on=TODAY)
    assert (data["activity"]["activities"], data["activity"]["people_served"]) == (5, 74)
    assert (data["seats"]["led"], data["seats"]["total"]) == (7, 12)
    assert data["summary"]["covered"] == 1


# --------------------------------------------------------------------------- a town


def test_the_town_admins_dashboard_of_their_town(district):
    data = town_dashboard(user=district.jiangshan_admin, town=district.towns["姜山镇"], period=Q4, on=TODAY)
    town = data["town"]
    assert (town["name"], town["met"], town["covered"], town["activities"]) == ("姜山镇", 4, True, 3)
    assert town["failing"] == [] and town["missing_categories"] == []
    activity = data["activity"]
    assert (activity["activities"], activity["people_served"], activity["reported_activities"]) == (3, 67, 1)
    assert activity["volunteer_hours"] == pytest.approx(6.0)
    assert (data["seats"]["led"], data["seats"]["total"], data["seats"]["share_text"]) == (4, 6, "66.7%")
    rollout = data["rollout"]
    assert (rollout["tasks_total"], rollout["tasks_done"], rollout["tasks_overdue"]) == (1, 1, 0)
    assert rollout["rectifications_open"] == 0
    assert [row["covered"] for row in data["trend"]] == [False, False, False, True, True]


def test_another_towns_dashboard_for_its_admin(district):
    data = town_dashboard(user=district.wuxiang_admin, town=district.towns["五乡镇"], period=Q4, on=TODAY)
    assert data["town"]["failing"] == ["三会齐全"]
    assert data["town"]["missing_categories"] == ["生活健康类"]
    activity = data["activity"]
    assert (activity["activities"], activity["people_served"], activity["reported_activities"]) == (1, 2, 0)
    assert activity["volunteer_hours"] == pytest.approx(3.0)
    assert (data["seats"]["led"], data["seats"]["total"]) == (2, 3)
    assert (data["rollout"]["tasks_total"], data["rollout"]["tasks_overdue"]) == (1, 1)
    assert data["rollout"]["rectifications_open"] == 0


def test_a_town_whose_only_activity_was_in_a_village(district):
    data = town_dashboard(user=district.district_staff, town=district.towns["云龙镇"], period=Q4, on=TODAY)
    town = data["town"]
    assert (town["met"], town["activities"]) == (2, 1)
    assert town["failing"] == ["三长进入领导机构", "三会齐全"]
    assert town["missing_categories"] == ["生态服务类"]
    assert {condition["key"]: condition["met"] for condition in town["conditions"]} == {
        "organised": True,
        "led": False,
        "three_associations": False,
        "working": True,
    }
    activity = data["activity"]
    assert (activity["activities"], activity["people_served"]) == (1, 5)
    assert activity["volunteer_hours"] == pytest.approx(2.5)
    assert (data["seats"]["led"], data["seats"]["total"]) == (1, 3)
    assert (data["rollout"]["rectifications_open"], data["rollout"]["rectifications_overdue"]) == (1, 1)
    assert data["rollout"]["tasks_total"] == 0


def test_a_grassroots_admins_town_dashboard_counts_only_their_association(district):
    data = town_dashboard(user=district.grassroots_admin, town=district.towns["姜山镇"], period=Q4, on=TODAY)
    # The town's conditions are the town's; the figures are the admin's own association's.
    assert (data["town"]["covered"], data["town"]["activities"]) == (True, 3)
    activity = data["activity"]
    assert (activity["activities"], activity["people_served"]) == (1, 3)
    assert activity["volunteer_hours"] == pytest.approx(2.0)
    assert (data["seats"]["led"], data["seats"]["total"]) == (1, 2)
    assert data["rollout"]["tasks_total"] == 0


# --------------------------------------------------------------------------- a leader


def test_the_leaders_own_page(district):
    data = leader_dashboard(scope=scope_for(district.leader), period=Q4, on=TODAY)
    assert (data["activities"], data["people_served"], data["reported_activities"]) == (1, 3, 0)
    assert data["led_hours"] == pytest.approx(2.0)  # served by 周晓东 at the training 孙立强 led
    assert data["volunteer_hours"] == 0
    assert data["by_month"] == [0, 1, 0]
    assert data["served_by_month"] == [0, 3, 0]
    assert [(seat["organization"], seat["position"]) for seat in data["seats"]] == [("姜山农技协会", "主席")]
    assert [(team["name"], team["leads"]) for team in data["teams"]] == [("姜山农技志愿服务队", True)]
    assert [row["title"] for row in data["recent"]] == ["姜山农技培训"]
