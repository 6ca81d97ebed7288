"""The indicator module's figures for a ledger small enough to count on paper (2022Q4).

Organisations: 姜山镇科协 and 五乡镇科协 (tests/conftest.py, no category) and 姜山农技协会
(production, based in 姜山镇). Activities (organiser, region, kind, start in Asia/Shanghai time,
status, check-ins or reported count, volunteer hours)::

    a1  姜山镇科协    姜山镇  科普宣讲      10-01 00:00  held       2 check-ins   甲 1.5, 乙 0.5
    a2  姜山镇科协    姜山镇  技术讲座培训  11-20 09:00  verified   reported 30   甲 2.0
    a3  姜山农技协会  姜山镇  科普宣讲      11-25 09:00  held       —             丁 no check-out
    a4  五乡镇科协    五乡镇  技术讲座培训  12-31 23:30  held       1 check-in *  丙 3.0
    x1  姜山镇科协    姜山镇  科普宣讲      09-30 23:30  held       4 check-ins   甲 9.0  (2022Q3)
    x2  姜山镇科协    姜山镇  科普宣讲      2023-01-01 00:00 held  4 check-ins          (2023Q1)
    x3  姜山镇科协    姜山镇  科普宣讲      11-01 09:00  cancelled  reported 100  甲 5.0
    x4  五乡镇科协    五乡镇  技术讲座培训  11-02 09:00  planned    reported 7

(* a4 also reports 50, which its check-in overrides; 丁's row has no hours.)

So 2022Q4 counts a1–a4: 4 activities, 2 + 1 check-ins and 30 reported (one activity) make
33 people served, 1.5 + 0.5 + 2.0 + 3.0 = 7.0 volunteer hours.
"""

import datetime
import zoneinfo
from decimal import Decimal

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
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
S = Activity.Status


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2022) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def month(number: int) -> datetime.date:
    """A breakdown's month key: the first day of the month in Asia/Shanghai."""
    return datetime.date(2022, number, 1)


@pytest.fixture
def ledger(jiangshan, wuxiang):
    js, wx = jiangshan.association, wuxiang.association
    nongji = f.OrganizationFactory(
        code="GA-JS",
        name="姜山农技协会",
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
        category="production",
        home_region=f.region("姜山镇"),
    )
    people = {name: f.PersonFactory(name=name) for name in ("甲", "乙", "丙", "丁")}
    lecture, training = "popular_lecture", "tech_training"
    a = {
        "a1": ActivityFactory(organizer=js, kind=lecture, starts_at=at(10, 1, 0)),
        "a2": ActivityFactory(
            organizer=js, kind=training, starts_at=at(11, 20), status=S.VERIFIED, reported_participants=30
        ),
        "a3": ActivityFactory(organizer=nongji, kind=lecture, starts_at=at(11, 25)),
        "a4": ActivityFactory(
            organizer=wx, kind=training, starts_at=at(12, 31, 23, 30), reported_participants=50
        ),
        "x1": ActivityFactory(organizer=js, kind=lecture, starts_at=at(9, 30, 23, 30)),
        "x2": ActivityFactory(organizer=js, kind=lecture, starts_at=at(1, 1, 0, year=2023)),
        "x3": ActivityFactory(
            organizer=js, kind=lecture, starts_at=at(11, 1), status=S.CANCELLED, reported_participants=100
        ),
        "x4": ActivityFactory(
            organizer=wx, kind=training, starts_at=at(11, 2), status=S.PLANNED, reported_participants=7
        ),
    }
    for key, count in (("a1", 2), ("a4", 1), ("x1", 4), ("x2", 4)):
        for _ in range(count):
            AttendanceFactory(activity=a[key])
    for key, person, hours in (
        ("a1", "甲", "1.5"),
        ("a1", "乙", "0.5"),
        ("a2", "甲", "2.0"),
        ("a4", "丙", "3.0"),
        ("x1", "甲", "9.0"),
        ("x3", "甲", "5.0"),
    ):
        VolunteerServiceFactory(activity=a[key], person=people[person], hours=Decimal(hours))
    # 丁 checked in to a3 and never out: a row without hours, which counts for nothing.
    VolunteerServiceFactory(activity=a["a3"], person=people["丁"], checked_out_at=None, hours=None)
    return {"js": js, "wx": wx, "nongji": nongji, "people": people, "activities": a}


def figures(row) -> tuple:
    return (row["activities"], row["people_served"], row["reported_activities"], row["volunteer_hours"])


# --------------------------------------------------------------------------- activity figures


def test_the_period_counts_what_took_place_in_it(ledger):
    totals = ind.activity_figures(Activity.objects.all(), Q4)
    assert totals == ind.ActivityFigures(
        activities=4, people_served=33, people_served_reported=30, reported_activities=1, volunteer_hours=7.0
    )
    assert totals.served_is_partly_reported
    mine = ind.activity_figures(Activity.objects.filter(organizer=ledger["js"]), Q4)
    assert mine == ind.ActivityFigures(
        activities=2, people_served=32, people_served_reported=30, reported_activities=1, volunteer_hours=4.0
    )


def test_a_period_without_activities_counts_zeros(ledger):
    empty = ind.activity_figures(Activity.objects.all(), Period.quarter(2021, 4))
    assert empty == ind.ActivityFigures(0, 0, 0, 0, 0.0)
    assert isinstance(empty.volunteer_hours, float)
    assert not empty.served_is_partly_reported


def test_held_in_keeps_the_activities_that_took_place_in_the_period(ledger):
    a = ledger["activities"]
    assert set(ind.held_in(Activity.objects.all(), Q4)) == {a["a1"], a["a2"], a["a3"], a["a4"]}
    assert set(ind.held_in(Activity.objects.all(), Period.quarter(2022, 3))) == {a["x1"]}


# --------------------------------------------------------------------------- breakdowns


def test_by_organizer_in_key_order(ledger):
    rows = ind.activity_breakdown(Activity.objects.all(), Q4, "organizer")
    # Keys are the organisations' ids: 姜山镇科协 and 五乡镇科协 were made before 姜山农技协会.
    assert [(row["key"], figures(row)) for row in rows] == [
        (ledger["js"].pk, (2, 32, 1, 4.0)),
        (ledger["wx"].pk, (1, 1, 0, 3.0)),
        (ledger["nongji"].pk, (1, 0, 0, 0.0)),
    ]


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("stream", [("popularization", (2, 2, 0, 2.0)), ("tech_service", (2, 31, 1, 5.0))]),
        ("kind", [("popular_lecture", (2, 2, 0, 2.0)), ("tech_training", (2, 31, 1, 5.0))]),
        ("category", [("", (3, 33, 1, 7.0)), ("production", (1, 0, 0, 0.0))]),
    ],
)
def test_by_a_column_of_the_activity(ledger, by, expected):
    rows = ind.activity_breakdown(Activity.objects.all(), Q4, by)
    assert [(row["key"], figures(row)) for row in rows] == expected


def test_by_region(ledger):
    rows = ind.activity_breakdown(Activity.objects.all(), Q4, "region")
    by_key = {row["key"]: figures(row) for row in rows}
    assert by_key == {f.region("姜山镇").pk: (3, 32, 1, 4.0), f.region("五乡镇").pk: (1, 1, 0, 3.0)}


def test_by_month_in_shanghai_time(ledger):
    # a1 starts at midnight on 1 October in Shanghai (still September in UTC); a4 late on 31 December.
    rows = ind.activity_breakdown(Activity.objects.all(), Q4, "month")
    assert [(row["key"], figures(row)) for row in rows] == [
        (month(10), (1, 2, 0, 2.0)),
        (month(11), (2, 30, 1, 2.0)),
        (month(12), (1, 1, 0, 3.0)),
    ]


def test_by_month_and_stream(ledger):
    rows = ind.activity_breakdown(Activity.objects.all(), Q4, "month,stream")
    assert [(row["key"], figures(row)) for row in rows] == [
        ((month(10), "popularization"), (1, 2, 0, 2.0)),
        ((month(11), "popularization"), (1, 0, 0, 0.0)),
        ((month(11), "tech_service"), (1, 30, 1, 2.0)),
        ((month(12), "tech_service"), (1, 1, 0, 3.0)),
    ]


def test_an_unknown_breakdown_is_refused(ledger):
    with pytest.raises(ValueError) as error:
        ind.activity_breakdown(Activity.objects.all(), Q4, "month,town,colour")
    assert str(error.value) == "unknown breakdown: town, colour"


def test_a_breakdown_of_nothing_is_empty(ledger):
    assert ind.activity_breakdown(Activity.objects.none(), Q4, "month,stream") == []


# --------------------------------------------------------------------------- volunteer hours


def test_a_volunteers_hours_in_a_period(ledger):
    mine = VolunteerService.objects.filter(person=ledger["people"]["甲"])
    assert ind.volunteer_hours(mine, Q4) == 3.5  # a1 and a2
    assert ind.volunteer_hours(mine, Period.year(2022)) == 12.5  # and x1; never the cancelled x3
    assert ind.volunteer_hours(VolunteerService.objects.all(), Q4) == 7.0
    assert ind.volunteer_hours(VolunteerService.objects.filter(person=ledger["people"]["丁"]), Q4) == 0.0
    nothing = ind.volunteer_hours(VolunteerService.objects.none(), Q4)
    assert nothing == 0.0 and isinstance(nothing, float)


# --------------------------------------------------------------------------- seats


@pytest.fixture
def seats(jiangshan, wuxiang):
    """On top of the two towns (each: 2 seats, one held by a 三长 with an open role), 姜山农技协会
    has a seat held by 卸任站长 (agritech station head until 2022-11-30), a seat held by 新任校长
    (school principal from 2022-12-01) and a seat that ended on 2022-11-15."""
    nongji = f.OrganizationFactory(
        code="GA-JS",
        name="姜山农技协会",
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
        category="production",
        home_region=f.region("姜山镇"),
    )
    former = f.PersonFactory(name="卸任站长")
    f.LeaderRoleFactory(
        person=former,
        kind=LeaderRole.Kind.AGRITECH_STATION_HEAD,
        started_on=datetime.date(2022, 1, 1),
        ended_on=datetime.date(2022, 11, 30),
    )
    newcomer = f.PersonFactory(name="新任校长")
    f.LeaderRoleFactory(
        person=newcomer, kind=LeaderRole.Kind.SCHOOL_PRINCIPAL, started_on=datetime.date(2022, 12, 1)
    )
    f.SeatFactory(organization=nongji, person=former)
    f.SeatFactory(organization=nongji, person=newcomer)
    f.SeatFactory(organization=nongji, term_end=datetime.date(2022, 11, 15))
    return {"js": jiangshan.association, "wx": wuxiang.association, "nongji": nongji}


def test_the_seat_share_on_a_day(seats):
    everything = Seat.objects.all()
    assert ind.seat_share(everything, datetime.date(2022, 11, 15)) == ind.SeatShare(led=3, total=7)
    assert ind.seat_share(everything, datetime.date(2022, 11, 30)) == ind.SeatShare(led=3, total=6)
    assert ind.seat_share(everything, datetime.date(2022, 12, 31)) == ind.SeatShare(led=3, total=6)
    assert ind.seat_share(everything, datetime.date(2021, 12, 31)) == ind.SeatShare(led=0, total=0)
    assert ind.seat_share(everything, datetime.date(2021, 12, 31)).share is None
    assert ind.seat_share(Seat.objects.filter(organization=seats["nongji"]), datetime.date(2022, 12, 1)) == (
        ind.SeatShare(led=1, total=2)
    )


def test_the_seat_share_of_each_organisation(seats):
    js, wx, nongji = seats["js"].pk, seats["wx"].pk, seats["nongji"].pk
    assert ind.seat_share_by_organization(Seat.objects.all(), datetime.date(2022, 11, 15)) == {
        js: ind.SeatShare(1, 2),
        wx: ind.SeatShare(1, 2),
        nongji: ind.SeatShare(1, 3),
    }
    assert ind.seat_share_by_organization(Seat.objects.all(), datetime.date(2022, 12, 31)) == {
        js: ind.SeatShare(1, 2),
        wx: ind.SeatShare(1, 2),
        nongji: ind.SeatShare(1, 2),
    }
    assert ind.seat_share_by_organization(Seat.objects.all(), datetime.date(2021, 6, 30)) == {}


# --------------------------------------------------------------------------- coverage


def test_regions_map_to_the_deepest_town_given(db):
    jiangshan, wuxiang, district = f.region("姜山镇"), f.region("五乡镇"), f.region("鄞州区")
    village = Region.objects.create(name="上李家", kind=Region.Kind.VILLAGE, parent=jiangshan)
    mapping = ind.township_map([district, jiangshan])
    assert {region: mapping[region.pk] for region in (jiangshan, village, wuxiang, district)} == {
        jiangshan: jiangshan.pk,
        village: jiangshan.pk,
        wuxiang: district.pk,
        district: district.pk,
    }
    assert ind.township_map([jiangshan]) == {jiangshan.pk: jiangshan.pk, village.pk: jiangshan.pk}
    assert ind.township_map([]) == {}


def test_coverage_defaults_to_every_town_in_scope(db):
    Region.objects.towns().exclude(name__in=["姜山镇", "五乡镇"]).update(in_scope=False)
    assert [town.name for town in ind.towns_in_scope()] == ["五乡镇", "姜山镇"]
    rows = ind.town_coverage(Q4, today=datetime.date(2026, 11, 29))
    assert [row.region.name for row in rows] == ["五乡镇", "姜山镇"]
    assert ind.town_coverage(Q4, towns=[]) == []


def test_an_association_counts_from_its_founding_day(jiangshan, wuxiang):
    Organization.objects.filter(pk=jiangshan.association.pk).update(founded_on=datetime.date(2022, 12, 31))
    Organization.objects.filter(pk=wuxiang.association.pk).update(founded_on=datetime.date(2023, 1, 1))
    for category, founded in (("production", "2022-12-31"), ("ecology", "2023-01-01"), ("life_health", None)):
        f.OrganizationFactory(
            kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
            category=category,
            home_region=f.region("姜山镇"),
            founded_on=founded and datetime.date.fromisoformat(founded),
        )
    towns = [f.region("姜山镇"), f.region("五乡镇")]
    jiangshan_row, wuxiang_row = ind.town_coverage(Q4, towns=towns, today=datetime.date(2026, 11, 29))
    assert (jiangshan_row.organised, jiangshan_row.association_id) == (True, jiangshan.association.pk)
    assert jiangshan_row.led
    assert jiangshan_row.categories == {"production", "life_health"}
    assert jiangshan_row.missing_categories == ["ecology"]
    assert (wuxiang_row.organised, wuxiang_row.association_id, wuxiang_row.led) == (False, None, False)
    # In 2023Q1 everything founded by then counts.
    jiangshan_row, wuxiang_row = ind.town_coverage(
        Period.quarter(2023, 1), towns=towns, today=datetime.date(2026, 11, 29)
    )
    assert jiangshan_row.three_associations and wuxiang_row.organised


def test_activities_in_the_town_and_below_it_add_up(jiangshan):
    town = f.region("姜山镇")
    village = Region.objects.create(name="上李家", kind=Region.Kind.VILLAGE, parent=town)
    for region in (town, town, village):
        ActivityFactory(organizer=jiangshan.association, region=region, starts_at=at(11, 15))
    [row] = ind.town_coverage(Q4, towns=[town], today=datetime.date(2026, 11, 29))
    assert row.activities == 3
    assert row.met("working") and row.met("organised") and not row.met("three_associations")
    assert row.met_count == 3


def test_the_summary_rates(db):
    def town(**conditions):
        return ind.TownCoverage(region=Region(name="某镇"), **conditions)

    full = {"organised": True, "led": True, "categories": frozenset(ind.CATEGORIES), "activities": 1}
    rows = [town(**full), town(organised=True, activities=2), town(led=True), town()]
    summary = ind.summarize(rows)
    assert summary == ind.CoverageSummary(
        towns=4, covered=1, organised=2, led=2, three_associations=1, working=2
    )
    assert [summary.rate_of(condition) for condition in ind.CONDITIONS] == [0.5, 0.5, 0.25, 0.5]
    assert (summary.coverage_rate, summary.organisation_rate, summary.work_rate) == (0.25, 0.5, 0.5)
    nothing = ind.summarize([])
    assert nothing == ind.CoverageSummary(0, 0, 0, 0, 0, 0)
    assert nothing.rate_of("led") is None and nothing.coverage_rate is None


def test_the_trend_looks_back_four_quarters_as_of_the_day_given(jiangshan):
    # 姜山镇's only 三长 seat ends on 2022-11-30: led on 11-15, not on 12-31.
    Seat.objects.filter(pk=jiangshan.leader_seat.pk).update(term_end=datetime.date(2022, 11, 30))
    towns = [f.region("姜山镇")]
    trend = ind.coverage_trend(Q4, towns=towns, today=datetime.date(2022, 11, 15))
    assert [period.label for period, _ in trend] == ["2021Q4", "2022Q1", "2022Q2", "2022Q3", "2022Q4"]
    assert [summary.led for _, summary in trend] == [0, 1, 1, 1, 1]
    trend = ind.coverage_trend(Q4, quarters=1, towns=towns, today=datetime.date(2026, 11, 29))
    assert [(period.label, summary.led) for period, summary in trend] == [("2022Q3", 1), ("2022Q4", 0)]


def test_leader_roles_are_judged_on_the_day_given(jiangshan):
    # 姜山院长 stopped being a hospital director on 2022-11-30.
    LeaderRole.objects.filter(person=jiangshan.leader).update(ended_on=datetime.date(2022, 11, 30))
    js = jiangshan.association.pk
    assert ind.seat_share_by_organization(Seat.objects.all(), datetime.date(2022, 11, 15)) == {
        js: ind.SeatShare(1, 2)
    }
    assert ind.seat_share_by_organization(Seat.objects.all(), datetime.date(2022, 12, 31)) == {
        js: ind.SeatShare(0, 2)
    }
    assert ind.seat_share(Seat.objects.all(), datetime.date(2022, 11, 15)) == ind.SeatShare(1, 2)


def test_the_trend_defaults_to_every_town_in_scope(jiangshan, wuxiang):
    Region.objects.towns().exclude(name__in=["姜山镇", "五乡镇"]).update(in_scope=False)
    trend = ind.coverage_trend(Q4, quarters=1, today=datetime.date(2026, 11, 29))
    assert [(period.label, summary.towns, summary.organised) for period, summary in trend] == [
        ("2022Q3", 2, 2),
        ("2022Q4", 2, 2),
    ]


def test_an_activity_reporting_nobody_served_nobody(jiangshan):
    ActivityFactory(organizer=jiangshan.association, starts_at=at(11, 3), reported_participants=0)
    [row] = ind.activity_breakdown(Activity.objects.all(), Q4, "stream")
    assert (row["key"], figures(row)) == ("popularization", (1, 0, 1, 0.0))
    assert ind.activity_figures(Activity.objects.all(), Q4) == ind.ActivityFigures(1, 0, 0, 1, 0.0)


def test_a_town_is_led_by_the_leader_roles_of_the_reference_day(jiangshan):
    """姜山院长's hospital directorship ended on 2023-06-30, after 2022Q4: on 2022-12-31 the seat
    was held by a 三长, so 姜山镇 was led then — whatever has become of the role since."""
    LeaderRole.objects.filter(person=jiangshan.leader).update(ended_on=datetime.date(2023, 6, 30))
    [row] = ind.town_coverage(Q4, towns=[f.region("姜山镇")], today=datetime.date(2026, 11, 29))
    assert row.led


def test_served_regions_count_only_for_the_towns_asked_about_and_active_grassroots(jiangshan, wuxiang):
    """Asked about 姜山镇 alone: an ecology association based in 五乡镇 serving both towns gives
    姜山镇 its ecology category (its service in 五乡镇 is not asked about); a dissolved
    production association and the 五乡镇 town association, both serving 姜山镇, give nothing."""
    jiangshan_town, wuxiang_town = f.region("姜山镇"), f.region("五乡镇")
    ecology = f.OrganizationFactory(
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION, category="ecology", home_region=wuxiang_town
    )
    dissolved = f.OrganizationFactory(
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
        category="production",
        home_region=wuxiang_town,
        status=Organization.Status.DISSOLVED,
        founded_on=datetime.date(2015, 1, 1),
        dissolved_on=datetime.date(2021, 12, 31),
    )
    ecology.served_regions.set([jiangshan_town, wuxiang_town])
    dissolved.served_regions.set([jiangshan_town])
    wuxiang.association.served_regions.set([jiangshan_town])
    [row] = ind.town_coverage(Q4, towns=[jiangshan_town], today=datetime.date(2026, 11, 29))
    assert row.categories == {"ecology"}


def test_towns_of_two_districts_map_their_own_regions(db):
    # A province's towns lie under several districts: each town's regions are found under its
    # own district, none lost and none of the other district's taken.
    jiangshan = f.region("姜山镇")
    village = Region.objects.create(name="上李家", kind=Region.Kind.VILLAGE, parent=jiangshan)
    other = Region.objects.create(name="海曙区", kind=Region.Kind.DISTRICT)
    town = Region.objects.create(name="石碶街道", kind=Region.Kind.SUBDISTRICT, parent=other)
    community = Region.objects.create(name="星光社区", kind=Region.Kind.COMMUNITY, parent=town)
    assert ind.township_map([jiangshan, town]) == {
        jiangshan.pk: jiangshan.pk,
        village.pk: jiangshan.pk,
        town.pk: town.pk,
        community.pk: town.pk,
    }


def test_a_town_asked_about_alone_finds_its_association_after_another_towns(jiangshan, wuxiang):
    """五乡镇 asked about alone: 姜山镇科协 (made first, so read first) lies outside the towns
    asked about and is passed over; 五乡镇科协 after it is still found."""
    assert jiangshan.association.pk < wuxiang.association.pk
    [row] = ind.town_coverage(Q4, towns=[f.region("五乡镇")], today=datetime.date(2026, 11, 29))
    assert (row.organised, row.association_id) == (True, wuxiang.association.pk)
