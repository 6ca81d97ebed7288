"""The indicator module against hand-built towns, each failing one condition in turn."""

import datetime

import pytest
from django.utils import timezone

from organizations.models import LeaderRole, Organization, Region, Seat
from rollout import indicators as ind
from rollout.indicators import Period
from services.models import Activity, VolunteerService
from tests import factories as f
from tests.services.factories import ActivityFactory, AttendanceFactory, VolunteerServiceFactory

pytestmark = pytest.mark.django_db

Q4 = Period.quarter(2022, 4)
IN_Q4 = timezone.make_aware(datetime.datetime(2022, 11, 15, 9))
TODAY = datetime.date(2026, 11, 29)


def full_town(name: str, *, skip: str = "", code: str = "") -> Region:
    """A town meeting all four conditions in 2022Q4, except the one named by ``skip``."""
    town = f.region(name)
    code = code or f"T-{town.code}"
    status = Organization.Status.PREPARING if skip == "organised" else Organization.Status.ACTIVE
    association = f.OrganizationFactory(
        code=code,
        name=f"{name}科协",
        kind=Organization.Kind.TOWN_ASSOCIATION,
        home_region=town,
        status=status,
    )
    director = f.PersonFactory()
    f.LeaderRoleFactory(person=director, kind=LeaderRole.Kind.HOSPITAL_DIRECTOR)
    holder = director if skip != "led" else f.PersonFactory()
    f.SeatFactory(organization=association, person=holder, position=Seat.Position.VICE_CHAIR_PARTTIME)
    categories = list(Organization.Category.values)
    if skip == "three_associations":
        categories.remove("ecology")
    for category in categories:
        f.OrganizationFactory(
            code=f"{code}-{category}", kind=Organization.Kind.GRASSROOTS_ASSOCIATION, category=category,
            home_region=town, parent=association,
        )  # fmt: skip
    if skip != "working":
        ActivityFactory(organizer=association, region=town, starts_at=IN_Q4)
    return town


@pytest.fixture
def towns():
    return {
        "covered": full_town("姜山镇"),
        "organised": full_town("五乡镇", skip="organised"),
        "led": full_town("云龙镇", skip="led"),
        "three_associations": full_town("下应街道", skip="three_associations"),
        "working": full_town("邱隘镇", skip="working"),
    }


def coverage_of(towns, period=Q4):
    rows = ind.town_coverage(period, towns=list(towns.values()), today=TODAY)
    return {row.region.name: row for row in rows}


def test_a_town_fails_each_condition_in_turn(towns):
    rows = coverage_of(towns)
    assert rows["姜山镇"].covered and rows["姜山镇"].failing == []
    for condition, town in towns.items():
        if condition == "covered":
            continue
        row = rows[town.name]
        # Without an active association there is no leadership to hold a seat in either.
        expected = ["organised", "led"] if condition == "organised" else [condition]
        assert row.failing == expected, (town.name, row.failing)
        assert not row.covered


def test_the_summary_counts_each_condition(towns):
    summary = ind.summarize(list(coverage_of(towns).values()))
    assert (summary.towns, summary.covered) == (5, 1)
    assert summary.coverage_rate == 0.2
    assert summary.organisation_rate == 0.8  # 五乡镇 has only a preparing association
    assert summary.work_rate == 0.8
    assert (summary.led, summary.three_associations) == (3, 4)


def test_a_served_region_or_a_village_below_the_town_counts(towns):
    xiaying = towns["three_associations"]
    neighbour = f.OrganizationFactory(
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION, category="ecology", home_region=f.region("首南街道")
    )
    neighbour.served_regions.add(xiaying)
    assert coverage_of(towns)["下应街道"].three_associations
    neighbour.served_regions.clear()
    village = Region.objects.create(name="某社区", kind="community", parent=xiaying)
    f.OrganizationFactory(
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION, category="ecology", home_region=village
    )
    assert coverage_of(towns)["下应街道"].covered


def test_activities_in_a_village_count_for_the_town(towns):
    qiuai = towns["working"]
    village = Region.objects.create(name="某村", kind="village", parent=qiuai)
    ActivityFactory(region=village, starts_at=IN_Q4)
    assert coverage_of(towns)["邱隘镇"].covered


def test_only_activities_that_took_place_in_the_period_count(towns):
    qiuai = towns["working"]
    ActivityFactory(region=qiuai, starts_at=IN_Q4, status=Activity.Status.PLANNED)
    ActivityFactory(region=qiuai, starts_at=IN_Q4, status=Activity.Status.CANCELLED)
    ActivityFactory(region=qiuai, starts_at=timezone.make_aware(datetime.datetime(2023, 1, 1, 0, 30)))
    # 2022-09-30 23:30 in Shanghai is still Q3.
    ActivityFactory(region=qiuai, starts_at=timezone.make_aware(datetime.datetime(2022, 9, 30, 23, 30)))
    assert not coverage_of(towns)["邱隘镇"].working
    ActivityFactory(region=qiuai, starts_at=timezone.make_aware(datetime.datetime(2022, 12, 31, 23, 30)))
    ActivityFactory(region=qiuai, starts_at=IN_Q4, status=Activity.Status.VERIFIED)
    assert coverage_of(towns)["邱隘镇"].activities == 2


def test_seats_and_roles_are_judged_on_the_reference_day(towns):
    jiangshan = towns["covered"]
    seat = Seat.objects.get(organization__home_region=jiangshan, organization__kind="town_association")
    seat.term_end = datetime.date(2022, 10, 31)  # left office during Q4
    seat.save()
    assert not coverage_of(towns)["姜山镇"].led
    assert coverage_of(towns, Period.quarter(2022, 3))["姜山镇"].led is True


def test_out_of_scope_towns_are_not_counted(towns):
    f.region("邱隘镇").__class__.objects.filter(name="邱隘镇").update(in_scope=False)
    names = {town.name for town in ind.towns_in_scope()}
    assert "邱隘镇" not in names and len(names) == 24


def test_the_query_count_does_not_grow_with_the_towns(django_assert_max_num_queries, towns):
    with django_assert_max_num_queries(8):
        ind.town_coverage(Q4, towns=list(towns.values()), today=TODAY)
    for name in ("东吴镇", "横溪镇", "塘溪镇", "咸祥镇", "瞻岐镇"):
        full_town(name)
    all_towns = list(ind.towns_in_scope())
    with django_assert_max_num_queries(8):
        rows = ind.town_coverage(Q4, towns=all_towns, today=TODAY)
    assert sum(row.covered for row in rows) == 6


def test_people_served_falls_back_to_the_reported_count_and_says_so(jiangshan):
    org = jiangshan.association
    checked = ActivityFactory(organizer=org, starts_at=IN_Q4, reported_participants=100)
    for _ in range(3):
        AttendanceFactory(activity=checked)
    ActivityFactory(organizer=org, starts_at=IN_Q4, reported_participants=40)
    ActivityFactory(organizer=org, starts_at=IN_Q4)  # nobody checked in, nothing reported
    ActivityFactory(organizer=org, starts_at=IN_Q4, status=Activity.Status.PLANNED, reported_participants=9)
    VolunteerServiceFactory(activity=checked, hours=2.5)
    VolunteerServiceFactory(activity=checked, hours=1)
    figures = ind.activity_figures(Activity.objects.all(), Q4)
    assert figures.activities == 3
    assert figures.people_served == 43
    assert figures.people_served_reported == 40 and figures.reported_activities == 1
    assert figures.volunteer_hours == 3.5


def test_breakdowns_are_grouped_in_the_database(jiangshan):
    org = jiangshan.association
    ActivityFactory(organizer=org, starts_at=IN_Q4, reported_participants=10)
    ActivityFactory(
        organizer=org, starts_at=timezone.make_aware(datetime.datetime(2022, 12, 2, 9)), kind="tech_training",
        reported_participants=5,
    )  # fmt: skip
    by_month = ind.activity_breakdown(Activity.objects.all(), Q4, "month")
    assert [(row["key"].month, row["activities"], row["people_served"]) for row in by_month] == [
        (11, 1, 10),
        (12, 1, 5),
    ]
    by_stream = {
        row["key"]: row["activities"] for row in ind.activity_breakdown(Activity.objects.all(), Q4, "stream")
    }
    assert by_stream == {"popularization": 1, "tech_service": 1}


def test_seat_share_counts_current_seats_held_by_leaders(jiangshan):
    share = ind.seat_share(Seat.objects.all(), TODAY)
    assert (share.led, share.total, share.share) == (1, 2, 0.5)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2022Q4", datetime.date(2022, 10, 1), datetime.date(2022, 12, 31)),
        ("2024q1", datetime.date(2024, 1, 1), datetime.date(2024, 3, 31)),
        ("2022", datetime.date(2022, 1, 1), datetime.date(2022, 12, 31)),
        ("2022-02-01..2022-02-28", datetime.date(2022, 2, 1), datetime.date(2022, 2, 28)),
    ],
)
def test_periods_parse(text, start, end):
    period = Period.parse(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["2022Q5", "22Q1", "2022-03-01..2022-02-01", ""])
def test_bad_periods_are_refused(text):
    with pytest.raises(ValueError):
        Period.parse(text)


def test_earlier_quarters_cross_the_year():
    assert [p.label for p in Period.quarter(2023, 2).previous_quarters(3)] == ["2022Q3", "2022Q4", "2023Q1"]


def test_a_volunteers_hours_count_only_activities_that_took_place_in_the_period(jiangshan):
    org = jiangshan.association
    held = ActivityFactory(organizer=org, starts_at=IN_Q4)
    planned = ActivityFactory(organizer=org, starts_at=IN_Q4, status=Activity.Status.PLANNED)
    earlier = ActivityFactory(organizer=org, starts_at=timezone.make_aware(datetime.datetime(2022, 3, 1, 9)))
    VolunteerServiceFactory(activity=held, person=jiangshan.member, hours=2.5)
    VolunteerServiceFactory(activity=planned, person=jiangshan.member, hours=4)
    VolunteerServiceFactory(activity=earlier, person=jiangshan.member, hours=8)
    VolunteerServiceFactory(activity=held, person=jiangshan.leader, hours=1)
    mine = VolunteerService.objects.filter(person=jiangshan.member)
    assert ind.volunteer_hours(mine, Q4) == 2.5
    assert ind.volunteer_hours(mine, Period.year(2022)) == 10.5
    everyone = VolunteerService.objects.all()
    assert (
        ind.volunteer_hours(everyone, Q4) == ind.activity_figures(Activity.objects.all(), Q4).volunteer_hours
    )


def test_the_trend_of_a_year_is_its_quarters(towns):
    labels = [period.label for period, _ in ind.coverage_trend(Period.year(2022), towns=list(towns.values()))]
    assert labels == ["2022Q1", "2022Q2", "2022Q3", "2022Q4"]
    labels = [period.label for period, _ in ind.coverage_trend(Q4, quarters=2, towns=list(towns.values()))]
    assert labels == ["2022Q2", "2022Q3", "2022Q4"]
    custom = Period.parse("2022-02-15..2022-04-01").quarters_overlapped()
    assert [p.label for p in custom] == ["2022Q1", "2022Q2"]
