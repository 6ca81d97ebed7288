"""The indicator module on the hand-counted district of tests/district.py, for 2022Q4.

Every expected figure below is counted from the tables in that module's docstring."""

import datetime
from fractions import Fraction

import pytest

from organizations.models import Organization, Seat
from rollout import indicators as ind
from rollout.indicators import Period
from services.models import Activity, VolunteerService
from tests.district import Q4, QUARTER_END, TODAY, build_district

pytestmark = pytest.mark.django_db


# The coverage source of the running test (tests/rollout/conftest.py: raw rows or spans).
READY = {}


@pytest.fixture
def district(db, coverage_source):
    built = build_district()
    coverage_source()
    READY["source"] = coverage_source
    yield built
    READY.clear()


def coverage(period: Period = Q4) -> dict[str, ind.TownCoverage]:
    # Read as the test's source says, after whatever the test wrote.
    READY["source"]()
    rows = ind.town_coverage(period, towns=list(ind.towns_in_scope()), today=TODAY)
    return {row.region.name: row for row in rows}


def conditions(row: ind.TownCoverage) -> tuple[bool, bool, bool, bool]:
    return (row.organised, row.led, row.three_associations, row.working)


def test_each_towns_four_conditions(district):
    rows = coverage()
    assert conditions(rows["姜山镇"]) == (True, True, True, True)
    assert rows["姜山镇"].covered and rows["姜山镇"].failing == []
    assert conditions(rows["五乡镇"]) == (True, True, False, True)
    assert rows["五乡镇"].failing == ["three_associations"]
    assert conditions(rows["云龙镇"]) == (True, False, False, True)
    assert rows["云龙镇"].failing == ["led", "three_associations"]
    assert {name: rows[name].activities for name in ("姜山镇", "五乡镇", "云龙镇")} == {
        "姜山镇": 3,
        "五乡镇": 1,
        "云龙镇": 1,
    }
    # A town of the district with nothing in this world.
    assert rows["邱隘镇"].failing == ["organised", "led", "three_associations", "working"]


@pytest.mark.parametrize("name", ["姜山镇", "五乡镇", "云龙镇", "邱隘镇"])
def test_a_town_alone_has_the_conditions_and_activities_it_has_among_all(district, name):
    # Alone, a town's coverage reads its own regions (a village's activity included); among the
    # district's 25 towns, every region below the district: the same four conditions and counts.
    town = next(town for town in ind.towns_in_scope() if town.name == name)
    [alone] = ind.town_coverage(Q4, towns=[town], today=TODAY)
    among_all = coverage()[name]
    expected = {"姜山镇": (True, True, True, True), "五乡镇": (True, True, False, True),
                "云龙镇": (True, False, False, True), "邱隘镇": (False, False, False, False)}  # fmt: skip
    assert conditions(alone) == conditions(among_all) == expected[name]
    activities = {"姜山镇": 3, "五乡镇": 1, "云龙镇": 1, "邱隘镇": 0}
    assert alone.activities == among_all.activities == activities[name]
    assert alone.categories == among_all.categories
    assert alone.association_id == among_all.association_id


def test_the_town_association_is_the_one_that_counts(district):
    rows = coverage()
    assert rows["姜山镇"].association_id == district.orgs["姜山镇科协"].pk
    assert rows["五乡镇"].association_id == district.orgs["五乡镇科协"].pk
    assert rows["云龙镇"].association_id == district.orgs["云龙镇科协"].pk
    assert rows["邱隘镇"].association_id is None


def test_the_summary_over_the_districts_25_towns(district):
    summary = ind.summarize(list(coverage().values()))
    assert (summary.towns, summary.covered) == (25, 1)
    assert (summary.organised, summary.led, summary.three_associations, summary.working) == (3, 2, 1, 3)
    assert summary.coverage_rate == pytest.approx(0.04)
    assert summary.organisation_rate == pytest.approx(0.12)
    assert summary.work_rate == pytest.approx(0.12)
    assert summary.rate_of("led") == pytest.approx(0.08)
    assert summary.rate_of("three_associations") == pytest.approx(0.04)


def test_a_dissolved_or_a_preparing_association_does_not_complete_the_three(district):
    # 五乡镇's only life_health association is dissolved and 云龙镇's only ecology association is
    # preparing: counting either would complete that town's three associations, and counting the
    # dissolved one would make 五乡镇 covered (2 covered towns instead of 1).
    assert district.orgs["五乡卫生健康协会"].status == Organization.Status.DISSOLVED
    assert district.orgs["五乡卫生健康协会"].category == "life_health"
    assert district.orgs["云龙科普教育协会"].status == Organization.Status.PREPARING
    assert district.orgs["云龙科普教育协会"].category == "ecology"
    rows = coverage()
    assert rows["五乡镇"].categories == frozenset({"production", "ecology"})
    assert rows["五乡镇"].missing_categories == ["life_health"]
    assert rows["云龙镇"].categories == frozenset({"production", "life_health"})
    assert rows["云龙镇"].missing_categories == ["ecology"]
    assert ind.summarize(list(rows.values())).covered == 1


def test_the_world_is_built_so_that_counting_them_would_change_the_result(district):
    """Reviving the dissolved and the preparing association flips 三会齐全 in both towns: the
    test above would have noticed had either been counted."""
    Organization.objects.filter(code__in=["WX-WJ", "YL-JY"]).update(
        status=Organization.Status.ACTIVE, founded_on=datetime.date(2022, 6, 15), dissolved_on=None
    )
    rows = coverage()
    assert rows["五乡镇"].three_associations and rows["五乡镇"].covered
    assert rows["云龙镇"].three_associations and rows["云龙镇"].failing == ["led"]
    assert ind.summarize(list(rows.values())).covered == 2


def test_an_activity_in_a_village_makes_its_town_working(district):
    village_activity = district.activities["上李家村健康讲座"]
    assert village_activity.region == district.village
    assert district.village.parent == district.towns["云龙镇"]
    row = coverage()["云龙镇"]
    assert row.working and row.activities == 1


def test_led_is_judged_on_the_reference_day(district):
    # 黄立新's seat in 云龙镇科协 ended on 2022-06-30: 云龙镇 was led in 2022Q2, not in 2022Q4.
    assert coverage(Period.quarter(2022, 2))["云龙镇"].led is True
    assert coverage(Period.quarter(2022, 3))["云龙镇"].led is False
    assert coverage()["云龙镇"].led is False
    # 五乡镇 is led by a 泛三长 (钱海波, 科普教育基地负责人): 泛三长 count.
    assert coverage()["五乡镇"].led is True


def test_several_periods_at_once_each_by_its_own_day_and_months(district):
    # One pass for four periods: 2022Q4 and the year 2022 share their reference day
    # (2022-12-31) but not their months; 黄立新's seat in 云龙镇科协 ended on 2022-06-30.
    periods = [Q4, Period.year(2022), Period.quarter(2022, 2), Period.quarter(2022, 3)]
    found = ind.town_coverages(periods, towns=list(ind.towns_in_scope()), today=TODAY)
    assert list(found) == periods
    rows = [{row.region.name: row for row in found[period]} for period in periods]
    # 姜山镇: three activities in 2022Q4, 姜山秋季科普讲座 on 09-28 in 2022Q3, none before.
    assert [period_rows["姜山镇"].activities for period_rows in rows] == [3, 4, 0, 1]
    assert [period_rows["云龙镇"].led for period_rows in rows] == [False, False, True, False]
    # Town associations were founded on 2022-03-15: organised from 2022Q1 on, in every period here.
    assert all(period_rows["五乡镇"].organised for period_rows in rows)
    assert rows[0]["姜山镇"] is not rows[1]["姜山镇"]


def test_coverage_quarter_by_quarter(district):
    trend = ind.coverage_trend(Q4, 4, towns=list(ind.towns_in_scope()), today=TODAY)
    assert [period.code for period, _summary in trend] == ["2021Q4", "2022Q1", "2022Q2", "2022Q3", "2022Q4"]
    assert [summary.covered for _period, summary in trend] == [0, 0, 0, 1, 1]
    assert [summary.organised for _period, summary in trend] == [0, 3, 3, 3, 3]
    assert [summary.working for _period, summary in trend] == [0, 0, 0, 1, 3]


def test_people_served_fall_back_to_the_reported_count(district):
    figures = ind.activity_figures(Activity.objects.all(), Q4)
    assert figures.activities == 5
    assert figures.people_served == 74  # 4 + 3 + 2 + 5 check-ins, 60 reported
    assert figures.people_served_reported == 60
    assert figures.reported_activities == 1
    assert figures.served_is_partly_reported


@pytest.mark.parametrize(
    ("town", "activities", "served", "reported", "hours"),
    [
        ("姜山镇", 3, 67, 60, 6.0),
        ("五乡镇", 1, 2, 0, 3.0),
        ("云龙镇", 1, 5, 0, 2.5),
    ],
)
def test_figures_of_each_town(district, town, activities, served, reported, hours):
    in_town = Activity.objects.in_region(district.towns[town])
    figures = ind.activity_figures(in_town, Q4)
    assert (figures.activities, figures.people_served, figures.people_served_reported) == (
        activities,
        served,
        reported,
    )
    assert figures.volunteer_hours == pytest.approx(hours)


def test_volunteer_hours(district):
    assert ind.activity_figures(Activity.objects.all(), Q4).volunteer_hours == pytest.approx(11.5)
    assert ind.volunteer_hours(VolunteerService.objects.all(), Q4) == pytest.approx(11.5)
    liu = VolunteerService.objects.filter(person=district.people["刘芳"])
    # 2.5 h at 姜山健康讲座 in Q4; her 2.0 h at the September lecture belong to Q3.
    assert ind.volunteer_hours(liu, Q4) == pytest.approx(2.5)
    assert ind.volunteer_hours(liu, Period.year(2022)) == pytest.approx(4.5)
    team = VolunteerService.objects.filter(team=district.teams["云龙健康志愿服务队"])
    assert ind.volunteer_hours(team, Q4) == pytest.approx(2.5)


def test_the_seats_held_by_leaders_at_the_end_of_the_quarter(district):
    share = ind.seat_share(Seat.objects.all(), QUARTER_END)
    assert (share.led, share.total) == (7, 12)
    assert Fraction(share.led, share.total) == Fraction(7, 12)
    assert share.share == pytest.approx(7 / 12)


@pytest.mark.parametrize(
    ("town", "led", "total"),
    [("姜山镇", 4, 6), ("五乡镇", 2, 3), ("云龙镇", 1, 3)],
)
def test_the_seats_held_by_leaders_in_each_town(district, town, led, total):
    seats = Seat.objects.filter(organization__home_region=district.towns[town])
    share = ind.seat_share(seats, QUARTER_END)
    assert Fraction(share.led, share.total) == Fraction(led, total)
    assert (share.led, share.total) == (led, total)


def test_the_seats_of_each_association(district):
    shares = ind.seat_share_by_organization(Seat.objects.all(), QUARTER_END)
    names = dict(Organization.objects.values_list("pk", "name"))
    assert {names[pk]: (share.led, share.total) for pk, share in shares.items()} == {
        "姜山镇科协": (1, 2),
        "姜山农技协会": (1, 2),
        "姜山科普教育协会": (1, 1),
        "姜山健康科普协会": (1, 1),
        "五乡镇科协": (1, 2),
        "五乡农技协会": (1, 1),
        "云龙镇科协": (0, 1),
        "云龙农技协会": (1, 1),
        "云龙健康协会": (0, 1),
    }


def test_seats_ended_before_the_quarters_end_were_current_earlier(district):
    # On 2022-06-30 the seats of 黄立新 (ended that day) and 何春燕 (2022-06-15 … 08-31) were
    # current as well: 14 seats, 9 held by 三长/泛三长.
    share = ind.seat_share(Seat.objects.all(), datetime.date(2022, 6, 30))
    assert Fraction(share.led, share.total) == Fraction(9, 14)
    assert (share.led, share.total) == (9, 14)
