"""The ledger's summary tables (services/tallies.py) stay exact on every write.

Expected cells are counted by hand from the rows each test makes; ``differences`` (a recount of
the raw rows in the database) must find nothing after any action — every action of the portal
is called once below, through the audit test's table, plus the public check-in and check-out."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from rollout import indicators as ind
from rollout.indicators.ledger import activities_by_region
from services import actions, tallies
from services.models import (
    Activity,
    ActivityKind,
    ActivityTally,
    LedgerCategoryMonth,
    LedgerMonth,
    LedgerRegionMonth,
    TeamYear,
)
from tests import test_audit_every_write as audit_cases
from tests.factories import PersonFactory, TeamMembershipFactory
from tests.services.factories import ActivityFactory, AttendanceFactory, VolunteerServiceFactory
from tests.test_audit_every_write import CASES, Case, World, action_named

# The rollout's fixtures that some cases ask for by name.
plan = audit_cases.plan
jiangshan_task = audit_cases.jiangshan_task
jiangshan_rectification = audit_cases.jiangshan_rectification

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def moment(month: int, day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2022, month, day, hour, tzinfo=SHANGHAI)


def cells() -> list[tuple]:
    """Every month cell as (month, kind, activities, check-ins, reported people, reported
    activities, hours × 100), in month order."""
    return list(
        LedgerMonth.objects.order_by("month", "kind").values_list(
            "month",
            "kind",
            "activities",
            "checkins",
            "reported_people",
            "reported_activities",
            "hours_hundredths",
        )
    )


def assert_exact() -> None:
    found = tallies.differences()
    assert not found, found


MARCH = datetime.date(2022, 3, 1)
APRIL = datetime.date(2022, 4, 1)
LECTURE = ActivityKind.POPULAR_LECTURE


@pytest.mark.django_db
def test_a_month_cell_follows_each_write(district_user, jiangshan):
    organizer = jiangshan.association
    lecture = {"organizer": organizer, "kind": LECTURE}
    # A lecture nobody checked in to: its 40 reported participants count.
    a = ActivityFactory(**lecture, starts_at=moment(3, 10), reported_participants=40)
    assert cells() == [(MARCH, LECTURE, 1, 0, 40, 1, 0)]
    # Two check-ins: the reported figure gives way to them.
    AttendanceFactory(activity=a)
    AttendanceFactory(activity=a)
    assert cells() == [(MARCH, LECTURE, 1, 2, 0, 0, 0)]
    # A second lecture in March with a volunteer's 2.5 hours.
    b = ActivityFactory(**lecture, starts_at=moment(3, 20))
    service = VolunteerServiceFactory(
        activity=b, person=jiangshan.member, team=jiangshan.team, hours=Decimal("2.5")
    )
    assert cells() == [(MARCH, LECTURE, 2, 2, 0, 0, 250)]
    # A planned lecture counts only once held.
    c = ActivityFactory(**lecture, starts_at=moment(3, 25), status=Activity.Status.PLANNED)
    assert cells() == [(MARCH, LECTURE, 2, 2, 0, 0, 250)]
    actions.activity_transition(actor=district_user, activity=c, to_status=Activity.Status.HELD)
    assert cells() == [(MARCH, LECTURE, 3, 2, 0, 0, 250)]
    assert_exact()
    # Hours corrected: 2.5 → 3.25.
    actions.volunteer_hours_correct(
        actor=district_user, service=service, hours="3.25", reason="签退时间登记有误"
    )
    assert cells() == [(MARCH, LECTURE, 3, 2, 0, 0, 325)]
    # The second lecture moves to April, with its hours.
    actions.activity_update(
        actor=district_user, activity=b, data={"starts_at": moment(4, 2), "ends_at": moment(4, 2, 11)}
    )
    assert cells() == [(MARCH, LECTURE, 2, 2, 0, 0, 0), (APRIL, LECTURE, 1, 0, 0, 0, 325)]
    region = organizer.home_region_id
    by_region = LedgerRegionMonth.objects.order_by("month").values_list("region_id", "month", "activities")
    assert list(by_region) == [(region, MARCH, 2), (region, APRIL, 1)]
    assert_exact()
    # The figures of the first quarter, from the month cells and from the tallies alike.
    q1 = ind.Period.quarter(2022, 1)
    expected = ind.ActivityFigures(
        activities=2, people_served=2, people_served_reported=0, reported_activities=0, volunteer_hours=0.0
    )
    assert ind.activity_figures(ind.Ledger(), q1) == expected
    assert ind.activity_figures(Activity.objects.all(), q1) == expected
    # A span of days that is not whole months: April from the cells, 15–31 March from the tallies
    # (the third lecture, held on 25 March; the first, on 10 March, is outside).
    span = ind.Period(datetime.date(2022, 3, 15), datetime.date(2022, 4, 30))
    expected = ind.ActivityFigures(
        activities=2, people_served=0, people_served_reported=0, reported_activities=0, volunteer_hours=3.25
    )
    assert ind.activity_figures(ind.Ledger(), span) == expected
    assert ind.activity_figures(Activity.objects.all(), span) == expected
    by_month = ind.activity_breakdown(ind.Ledger(), span, "month")
    assert [(row["key"], row["activities"], row["volunteer_hours"]) for row in by_month] == [
        (MARCH, 1, 0.0),
        (APRIL, 1, 3.25),
    ]
    q2 = ind.Period.quarter(2022, 2)
    assert ind.activity_figures(ind.Ledger(region=organizer.home_region), q2).volunteer_hours == 3.25
    assert (
        ind.activity_figures(ind.Ledger(organizer_ids=frozenset({organizer.pk + 1000})), q2).activities == 0
    )


@pytest.mark.django_db
def test_a_month_is_a_month_in_shanghai(jiangshan):
    # 00:30 on 1 April in Shanghai is still 31 March in UTC.
    ActivityFactory(
        organizer=jiangshan.association,
        kind=LECTURE,
        starts_at=moment(4, 1, 0) + datetime.timedelta(minutes=30),
    )
    assert cells() == [(APRIL, LECTURE, 1, 0, 0, 0, 0)]
    assert_exact()


@pytest.mark.django_db
def test_rebuild_and_check_from_the_command_line(jiangshan, capsys):
    a = ActivityFactory(
        organizer=jiangshan.association, kind=LECTURE, starts_at=moment(3, 10), reported_participants=12
    )
    call_command("ledger_tallies")
    assert "一致" in capsys.readouterr().out
    # A write around the actions: the check names it and fails; a rebuild mends it.
    Activity.objects.filter(pk=a.pk).update(reported_participants=30)
    # The activity's tally, its month's cell and its category's month, each as stored and as it should be.
    with pytest.raises(CommandError, match="有 6 处不一致"):
        call_command("ledger_tallies")
    out = capsys.readouterr().out
    assert "活动计数（应为）" in out and "月度单元（表中）" in out
    call_command("ledger_tallies", "--rebuild")
    assert cells() == [(MARCH, LECTURE, 1, 0, 30, 1, 0)]
    assert_exact()


@pytest.mark.django_db
def test_the_public_check_in_and_check_out_keep_the_cells_exact(jiangshan):
    now = timezone.now()
    activity = ActivityFactory(
        organizer=jiangshan.association,
        teams=[jiangshan.team],
        starts_at=now - datetime.timedelta(hours=3),
        ends_at=now - datetime.timedelta(minutes=30),
    )
    actions.attendance_record(activity=activity, name="王芳", phone="13800001111", now=now)
    member = jiangshan.member
    actions.volunteer_check_in(
        activity=activity, name=member.name, phone=member.phone, now=now - datetime.timedelta(hours=2)
    )
    actions.volunteer_check_out(activity=activity, name=member.name, phone=member.phone, now=now)
    tally = ActivityTally.objects.get(activity=activity)
    assert (tally.checkins, tally.hours_hundredths) == (1, 200)
    assert_exact()


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_each_action_keeps_the_summaries_exact(case: Case, request: pytest.FixtureRequest) -> None:
    action = action_named(case.action)
    actor = request.getfixturevalue(case.actor)
    arranged = case.arrange(World(request))
    tallies.rebuild()
    action(actor=actor, **arranged.kwargs)
    assert_exact()


def team_years() -> list[tuple]:
    """Every team's year as (year, hours × 100, activities, volunteers)."""
    return list(
        TeamYear.objects.order_by("team_id", "year").values_list(
            "year", "hours_hundredths", "activities", "volunteers"
        )
    )


@pytest.mark.django_db
def test_a_teams_year_follows_its_volunteers_services(district_user, jiangshan, client):
    team, member = jiangshan.team, jiangshan.member
    second = PersonFactory(name="第二志愿者")
    TeamMembershipFactory(team=team, person=second)
    lecture = {"organizer": jiangshan.association, "kind": LECTURE}
    # 30 December 2022: two volunteers, 2 and 1.5 hours.
    a = ActivityFactory(**lecture, starts_at=moment(12, 30))
    VolunteerServiceFactory(activity=a, person=member, team=team, hours=Decimal("2"))
    service = VolunteerServiceFactory(activity=a, person=second, team=team, hours=Decimal("1.5"))
    # 31 December 2022 at 23:30 in Shanghai (15:30 UTC): still 2022; the member again, 1 hour.
    b = ActivityFactory(**lecture, starts_at=moment(12, 31, 23) + datetime.timedelta(minutes=30))
    VolunteerServiceFactory(activity=b, person=member, team=team, hours=Decimal("1"))
    # A check-in without check-out: no hours, not counted; a volunteer in no team: no team's.
    VolunteerServiceFactory(activity=b, person=second, team=team, hours=None)
    VolunteerServiceFactory(activity=b, person=PersonFactory(name="散客"), team=None, hours=Decimal("4"))
    assert team_years() == [(2022, 450, 2, 2)]
    # A planned activity's hours do not count until it is held.
    c = ActivityFactory(**lecture, starts_at=moment(11, 5), status=Activity.Status.PLANNED)
    VolunteerServiceFactory(activity=c, person=second, team=team, hours=Decimal("3"))
    assert team_years() == [(2022, 450, 2, 2)]
    actions.activity_transition(actor=district_user, activity=c, to_status=Activity.Status.HELD)
    assert team_years() == [(2022, 750, 3, 2)]
    # Corrected hours: 1.5 → 0.25.
    actions.volunteer_hours_correct(actor=district_user, service=service, hours="0.25", reason="签退有误")
    assert team_years() == [(2022, 625, 3, 2)]
    # The 31 December activity moves half an hour later: 1 January 2023 in Shanghai.
    actions.activity_update(
        actor=district_user,
        activity=b,
        data={
            "starts_at": moment(12, 31, 23) + datetime.timedelta(hours=1),
            "ends_at": moment(12, 31, 23) + datetime.timedelta(hours=3),
        },
    )
    assert team_years() == [(2022, 525, 2, 2), (2023, 100, 1, 1)]
    assert_exact()

    # The team list reads them: 5.25 hours in 2022, 1.00 in 2023.
    client.force_login(district_user)
    for year, hours, activities, volunteers in ((2022, Decimal("5.25"), 2, 2), (2023, Decimal(1), 1, 1)):
        row = next(
            t for t in client.get("/services/teams/", {"year": year}).context["page"] if t.pk == team.pk
        )
        assert (row.year_hours, row.year_activities, row.year_volunteers) == (
            hours,
            activities,
            volunteers,
        )
    # A year with nothing: zeros.
    row = next(t for t in client.get("/services/teams/", {"year": 2021}).context["page"] if t.pk == team.pk)
    assert (row.year_hours, row.year_activities, row.year_volunteers) == (0, 0, 0)


@pytest.mark.django_db
def test_the_edge_days_of_a_span_keep_the_ledgers_region_and_organisers(jiangshan, wuxiang):
    # One lecture each in 姜山镇 and 五乡镇 on 20 March (an edge day of the span below) and on
    # 10 April (a whole month of it), reported 10, 20, 30 and 40.
    for organizer, reported in ((jiangshan.association, (10, 30)), (wuxiang.association, (20, 40))):
        for when, count in zip((moment(3, 20), moment(4, 10)), reported, strict=True):
            ActivityFactory(organizer=organizer, kind=LECTURE, starts_at=when, reported_participants=count)
    span = ind.Period(datetime.date(2022, 3, 15), datetime.date(2022, 4, 30))

    def served(ledger) -> tuple[int, int]:
        figures = ind.activity_figures(ledger, span)
        return figures.activities, figures.people_served

    assert served(ind.Ledger()) == (4, 100)
    assert served(ind.Ledger(region=jiangshan.association.home_region)) == (2, 40)
    assert served(ind.Ledger(organizer_ids=frozenset({wuxiang.association.pk}))) == (2, 60)
    assert served(ind.Ledger(organizer_ids=frozenset())) == (0, 0)


@pytest.mark.django_db
def test_a_span_within_a_month_and_a_breakdown_across_cells_and_tallies(jiangshan):
    lecture = {"organizer": jiangshan.association, "kind": LECTURE}
    ActivityFactory(**lecture, starts_at=moment(3, 20), reported_participants=10)
    ActivityFactory(**lecture, starts_at=moment(4, 10), reported_participants=30)
    ActivityFactory(organizer=jiangshan.association, kind=ActivityKind.FREE_CLINIC, starts_at=moment(4, 12))
    # No whole month in 15–25 March: the tallies alone.
    within = ind.Period(datetime.date(2022, 3, 15), datetime.date(2022, 3, 25))
    assert ind.activity_figures(ind.Ledger(), within).people_served == 10
    # 15 March – 30 April: April's cell and 20 March's tally add up under the same type.
    span = ind.Period(datetime.date(2022, 3, 15), datetime.date(2022, 4, 30))
    by_kind = ind.activity_breakdown(ind.Ledger(), span, "kind")
    assert sorted((row["key"], row["activities"], row["people_served"]) for row in by_kind) == sorted(
        [(LECTURE, 2, 40), (ActivityKind.FREE_CLINIC, 1, 0)]
    )


# Spans whose ends are not a month's: (start, end) of 2022, lectures as (month, day, reported
# participants), and the activities and people served inside the span, counted by hand.
SPANS = {
    # 31 March – 30 April: April is whole, 31 March an edge of one day; 30 March is outside.
    "an edge of one day before the first whole month": (
        ((3, 31), (4, 30)),
        [(3, 31, 7), (4, 20, 5), (3, 30, 100)],
        (2, 12),
    ),
    # 2 March – 29 April: neither month is whole; 1 March and 30 April are outside.
    "from a second to a penultimate day": (
        ((3, 2), (4, 29)),
        [(3, 1, 100), (3, 2, 1), (3, 31, 2), (4, 10, 4), (4, 30, 1000)],
        (3, 7),
    ),
    # 10 February – 1 April (2022 is not a leap year): March whole, 10–28 February and 1 April
    # edges; 20 April and 10 May are outside.
    "from mid-February to the first of April": (
        ((2, 10), (4, 1)),
        [(2, 20, 1), (3, 1, 2), (4, 1, 4), (4, 20, 100), (5, 10, 1000)],
        (3, 7),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(SPANS))
def test_a_span_counts_its_own_days_from_cells_and_tallies(jiangshan, name):
    (start, end), lectures, expected = SPANS[name]
    for month, day, reported in lectures:
        ActivityFactory(
            organizer=jiangshan.association,
            kind=LECTURE,
            starts_at=moment(month, day),
            reported_participants=reported,
        )
    span = ind.Period(datetime.date(2022, *start), datetime.date(2022, *end))

    figures = ind.activity_figures(ind.Ledger(), span)

    assert (figures.activities, figures.people_served) == expected
    assert activities_by_region(span) == {jiangshan.association.home_region_id: expected[0]}


def categories() -> list[tuple]:
    """The whole ledger's sums per category: (month, kind, category, activities, check-ins,
    reported people, hours × 100)."""
    return list(
        LedgerCategoryMonth.objects.order_by("month", "kind", "category").values_list(
            "month", "kind", "category", "activities", "checkins", "reported_people", "hours_hundredths"
        )
    )


@pytest.mark.django_db
@pytest.mark.parametrize("through", ["portal", "admin"])
def test_a_change_of_category_moves_the_organisers_activities(district_user, jiangshan, through):
    from organizations import actions as organization_actions
    from organizations.models import Organization
    from tests.factories import OrganizationFactory

    Category = Organization.Category
    association = OrganizationFactory(
        name="姜山镇生产科普协会",
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
        category=Category.PRODUCTION,
        home_region=jiangshan.association.home_region,
        parent=jiangshan.association,
    )
    # The association's two lectures in March (2 check-ins; 15 reported) and one in April; the
    # town association's lecture in March (no category), which the change must leave alone.
    first = ActivityFactory(organizer=association, kind=LECTURE, starts_at=moment(3, 5))
    AttendanceFactory(activity=first)
    AttendanceFactory(activity=first)
    ActivityFactory(organizer=association, kind=LECTURE, starts_at=moment(3, 9), reported_participants=15)
    ActivityFactory(organizer=association, kind=LECTURE, starts_at=moment(4, 1))
    ActivityFactory(organizer=jiangshan.association, kind=LECTURE, starts_at=moment(3, 20))
    production, health = str(Category.PRODUCTION), str(Category.LIFE_HEALTH)
    assert categories() == [
        (MARCH, LECTURE, "", 1, 0, 0, 0),
        (MARCH, LECTURE, production, 2, 2, 15, 0),
        (APRIL, LECTURE, production, 1, 0, 0, 0),
    ]
    if through == "portal":
        organization_actions.organization_update(
            actor=district_user, organization=association, data={"category": Category.LIFE_HEALTH}
        )
    else:
        association.category = Category.LIFE_HEALTH
        organization_actions.admin_record_save(actor=district_user, obj=association, fields=["category"])
    assert categories() == [
        (MARCH, LECTURE, "", 1, 0, 0, 0),
        (MARCH, LECTURE, health, 2, 2, 15, 0),
        (APRIL, LECTURE, health, 1, 0, 0, 0),
    ]
    assert_exact()
    # The district's figures by category read the moved sums.
    q1 = ind.Period.quarter(2022, 1)
    by_category = ind.activity_breakdown(ind.Ledger(), q1, "category")
    assert [(row["key"], row["activities"], row["people_served"]) for row in by_category] == [
        ("", 1, 0),
        (health, 2, 17),
    ]
    # A later check-in at the association's lecture adds to its new category.
    AttendanceFactory(activity=first)
    assert categories()[1] == (MARCH, LECTURE, health, 2, 3, 15, 0)
    assert_exact()
