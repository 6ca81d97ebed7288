"""Reads of the service ledger that views, exports, other apps and reports share."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncDate
from django.utils import timezone

from organizations.audit.selectors import entries_about
from organizations.models import AuditEntry, Membership, Organization, Person, Seat, VolunteerTeam
from organizations.scoping import scope_for, scoped
from organizations.validators import mask_phone
from sanhui.clock import today
from sanhui.collation import pinyin

from .models import HOURS_FIELD, Activity, Attendance, Evidence, VolunteerService, hours_total

# National recognition thresholds for science and technology volunteers (DESIGN.md): a
# volunteer with at least 10 activities and 20 hours in a year; a team with at least 20
# volunteers, 50 activities and 100 hours.
VOLUNTEER_THRESHOLDS = {"activities": 10, "hours": Decimal(20)}
TEAM_THRESHOLDS = {"volunteers": 20, "activities": 50, "hours": Decimal(100)}


def checkin_count() -> Coalesce:
    """Attendees who checked in by QR code: the activity's tally (``services.tallies``, kept
    exact by every check-in), read through a one-to-one join — no subquery per row, and a list
    sorted by it reads the tally's index."""
    return Coalesce(F("tally__checkins"), Value(0))


def activity_list(*, user) -> QuerySet[Activity]:
    """Activities the user may see, with what a list row shows, in a fixed number of queries.
    The check-in count is not among them: a page counts its own rows'
    (``attach_checkin_counts``); a list that needs it for every row (sorted by it, exported)
    annotates ``checkin_count()``."""
    return (
        scoped(user, Activity)
        .select_related("organizer", "region")
        .prefetch_related(
            Prefetch("leaders", queryset=Person.objects.only("pk", "name").order_by(pinyin("name")))
        )
    )


def attach_checkin_counts(activities) -> None:
    """Set ``checkin_count`` on each of ``activities`` (one page of a list) from one grouped
    query over those activities' check-ins only."""
    ids = [activity.pk for activity in activities]
    counts = (
        dict(
            Attendance.objects.filter(activity_id__in=ids)
            .order_by()
            .values_list("activity_id")
            .annotate(n=Count("*"))
        )
        if ids
        else {}
    )
    for activity in activities:
        activity.checkin_count = counts.get(activity.pk, 0)


def leader_organization_ids(person_ids) -> QuerySet:
    """Organisations a leader belongs to now: current memberships and current seats."""
    on = today()
    memberships = Membership.objects.current(on).filter(person_id__in=person_ids).values("organization_id")
    seats = Seat.objects.current(on).filter(person_id__in=person_ids).values("organization_id")
    return Organization.objects.filter(Q(pk__in=memberships) | Q(pk__in=seats)).values("pk")


def organizer_choices(*, user) -> QuerySet[Organization]:
    """Organisations the user may log an activity for: those they administer, and for a leader
    the organisations they belong to (membership or seat)."""
    scope = scope_for(user)
    orgs = Organization.objects.exclude(status=Organization.Status.DISSOLVED)
    if scope.write_all:
        return orgs.by_kind()
    condition = Q(pk__in=scope.admin_org_ids)
    if scope.person_ids:
        condition |= Q(pk__in=leader_organization_ids(scope.person_ids))
    return orgs.filter(condition).by_kind()


def eligible_teams(activity: Activity) -> QuerySet[VolunteerTeam]:
    """Teams whose volunteers may check in at the activity: those of the organiser and the
    co-organisers, and any team named on the activity."""
    organizations = [activity.organizer_id, *activity.co_organizers.values_list("pk", flat=True)]
    return VolunteerTeam.objects.filter(
        Q(organization_id__in=organizations) | Q(pk__in=activity.teams.values("pk"))
    )


def activity_detail_context(*, user, activity: Activity) -> dict:
    scope = scope_for(user)
    attendances = activity.attendances.all()
    services = (
        activity.volunteer_services.select_related("person", "team")
        .order_by(pinyin("person__name"))
        .prefetch_related("changes")
    )
    totals = activity.volunteer_services.aggregate(
        hours_total=hours_total(),
        volunteers=Count("pk"),
        open=Count("pk", filter=Q(checked_out_at__isnull=True, hours__isnull=True)),
    )
    return {
        "co_organizers": activity.co_organizers.order_by(pinyin("name")),
        "leaders": activity.leaders.order_by(pinyin("name")),
        "teams": activity.teams.select_related("organization").order_by(pinyin("name")),
        "checkin_count": attendances.count(),
        "recent_attendances": attendances.order_by("-checked_in_at", "-pk")[:10],
        "services": services,
        "service_totals": totals,
        "transitions": activity.transitions.select_related("actor").order_by("created_at", "pk"),
        "evidence": activity.evidence.order_by("uploaded_at", "pk"),
        "is_admin": scope.write_all or activity.organizer_id in scope.admin_org_ids,
    }


# --------------------------------------------------------------------------- calendar


@dataclass
class CalendarDay:
    date: datetime.date
    in_month: bool
    activities: list[Activity] = field(default_factory=list)
    more: int = 0  # activities of the day beyond those shown


def activity_history(*, user, activity: Activity) -> QuerySet[AuditEntry]:
    """The activity's audit entries, with those of its evidence (deleted pieces included: their
    entries name the activity) and of its volunteers' hours, for the 变更记录 page."""
    evidence = Evidence._meta.label_lower
    return entries_about(
        activity,
        children=[
            scoped(user, Evidence).filter(activity=activity),
            scoped(user, VolunteerService).filter(activity=activity),
        ],
        also=Q(object_type=evidence, changes__activity__1=activity.pk)
        | Q(object_type=evidence, changes__activity__0=activity.pk),
    )


# A calendar day shows at most this many activities, then "还有 n 项" (a link to the day's page):
# the month's page weighs the same whether a day holds three activities or three hundred.
CALENDAR_DAY_LIMIT = 3


def calendar_activities(*, user) -> QuerySet[Activity]:
    """Activities the user may see, with what the calendar and its day pages show of each (the
    organiser and the region); none of the list's per-row counts and leaders."""
    return scoped(user, Activity).select_related("organizer", "region")


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the portal's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def activities_on(activities: QuerySet[Activity], day: datetime.date) -> QuerySet[Activity]:
    """Those of ``activities`` that start on ``day`` (the portal's day, not UTC's), in start
    order: the rows of a calendar day's page."""
    start, end = _day_start(day), _day_start(day + datetime.timedelta(days=1))
    return activities.filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at", "pk")


def _day_index(days: list[datetime.date]) -> Case:
    """The position in ``days`` (consecutive, in order) of the day an activity starts on, in
    the portal's time zone: plain comparisons with each day's end, the same SQL on every
    database, instead of a time-zone conversion of every row of the month (which SQLite makes
    by calling back into Python, row by row)."""
    return Case(
        *(
            When(starts_at__lt=_day_start(day + datetime.timedelta(days=1)), then=Value(index))
            for index, day in enumerate(days)
        ),
        default=Value(None),
        output_field=IntegerField(),
    )


def month_calendar(activities: QuerySet[Activity], year: int, month: int) -> list[list[CalendarDay]]:
    """Weeks (Monday first) of the month with each day's first activities and how many more
    there are, from three queries whatever the size of the ledger: the number of activities per
    day (grouped in the database), the ids of the first ``CALENDAR_DAY_LIMIT`` of each day, and
    those activities — never every activity of the month."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    dates = [day for week in weeks for day in week]
    days = [CalendarDay(day, day.month == month) for day in dates]
    for index, n in _counts_per_day(activities, dates):
        days[index].more = n
    first = _first_of_each_day(activities, dates)
    shown = activities.filter(pk__in=first).annotate(day_index=_day_index(dates))
    for activity in shown.order_by("starts_at", "pk"):
        day = days[activity.day_index]
        day.activities.append(activity)
        day.more -= 1
    return [days[start : start + 7] for start in range(0, len(days), 7)]


def _within(activities: QuerySet[Activity], first: datetime.date, last: datetime.date) -> QuerySet[Activity]:
    return activities.filter(
        starts_at__gte=_day_start(first), starts_at__lt=_day_start(last + datetime.timedelta(days=1))
    )


def _counts_per_day(activities: QuerySet[Activity], dates: list[datetime.date]) -> list[tuple[int, int]]:
    """(position in ``dates``, activities starting that day) for the days with any."""
    shown = _within(activities, dates[0], dates[-1]).order_by()
    if connection.vendor == "postgresql":
        # The day in the portal's time zone, converted by the database from the index alone;
        # SQLite would call back into Python for each row, so it compares with each day's end.
        position = {day: index for index, day in enumerate(dates)}
        rows = shown.annotate(day=TruncDate("starts_at")).values_list("day").annotate(n=Count("*"))
        return [(position[day], n) for day, n in rows]
    rows = shown.annotate(day_index=_day_index(dates)).values_list("day_index").annotate(n=Count("pk"))
    return list(rows)


def _first_of_each_day(activities: QuerySet[Activity], dates: list[datetime.date]) -> QuerySet | list:
    """The ids of each day's first ``CALENDAR_DAY_LIMIT`` activities, by start. Where the
    database takes a LIMIT in each part of a UNION (PostgreSQL), one short index scan per day;
    elsewhere the rows of the weeks numbered per day (ROW_NUMBER()), on their ids alone."""
    order = ("starts_at", "pk")
    if connection.features.supports_slicing_ordering_in_compound:
        parts = [
            _within(activities, day, day).order_by(*order).values_list("pk", flat=True)[:CALENDAR_DAY_LIMIT]
            for day in dates
        ]
        return list(parts[0].union(*parts[1:], all=True))
    in_day = Window(RowNumber(), partition_by=[F("day_index")], order_by=[F(name).asc() for name in order])
    return (
        _within(activities, dates[0], dates[-1])
        .annotate(day_index=_day_index(dates))
        .annotate(nth=in_day)
        .filter(nth__lte=CALENDAR_DAY_LIMIT)
        .values("pk")
    )


# --------------------------------------------------------------------------- volunteers


def _progress(value, threshold) -> int:
    return min(int(value * 100 / threshold), 100) if threshold else 100


def volunteer_year_summary(*, user, person: Person, year: int) -> dict:
    """A volunteer's activities and hours in a year, against the national thresholds."""
    services = scoped(user, VolunteerService).filter(person=person).in_year(year)
    totals = services.counted().aggregate(hours=hours_total(), activities=Count("activity", distinct=True))
    return {
        "services": services.select_related("activity", "activity__organizer", "team").order_by(
            "activity__starts_at", "pk"
        ),
        "hours": totals["hours"],
        "activities": totals["activities"],
        "thresholds": VOLUNTEER_THRESHOLDS,
        "progress": {
            "activities": _progress(totals["activities"], VOLUNTEER_THRESHOLDS["activities"]),
            "hours": _progress(totals["hours"], VOLUNTEER_THRESHOLDS["hours"]),
        },
        "recognised": totals["activities"] >= VOLUNTEER_THRESHOLDS["activities"]
        and totals["hours"] >= VOLUNTEER_THRESHOLDS["hours"],
    }


def volunteer_years(person: Person) -> list[int]:
    years = {
        timezone.localtime(d).year
        for d in person.volunteer_services.values_list("activity__starts_at", flat=True)
    }
    years.add(today().year)
    return sorted(years, reverse=True)


def team_year_summary(*, team: VolunteerTeam, year: int) -> dict:
    """A team's volunteers, activities and hours in a year, with per-volunteer totals."""
    services = VolunteerService.objects.filter(team=team).in_year(year).counted()
    totals = services.aggregate(
        hours=hours_total(),
        activities=Count("activity", distinct=True),
        volunteers=Count("person", distinct=True),
    )
    rows = []
    for row in team_volunteer_totals(team=team, year=year):
        row["recognised"] = volunteer_recognised(row)
        row["hours_progress"] = _progress(row["total_hours"], VOLUNTEER_THRESHOLDS["hours"])
        row["masked_phone"] = mask_phone(row.pop("person__phone"))
        rows.append(row)
    return {
        **totals,
        "rows": rows,
        "thresholds": TEAM_THRESHOLDS,
        "progress": {key: _progress(totals[key], TEAM_THRESHOLDS[key]) for key in TEAM_THRESHOLDS},
        "recognised": all(totals[key] >= TEAM_THRESHOLDS[key] for key in TEAM_THRESHOLDS),
        "member_count": team.memberships.filter(left_on__isnull=True).count(),
    }


def team_volunteer_totals(*, team: VolunteerTeam, year: int) -> QuerySet:
    """Per volunteer of ``team`` in ``year`` (a row of values: person_id, person__name,
    person__phone, total_hours, activities), most hours first: the team record's list."""
    return (
        VolunteerService.objects.filter(team=team)
        .in_year(year)
        .counted()
        .values("person_id", "person__name", "person__phone")
        .annotate(total_hours=hours_total(), activities=Count("activity", distinct=True))
        .order_by("-total_hours", pinyin("person__name"))
    )


def volunteer_recognised(row: dict) -> bool:
    """Whether a volunteer's year (a row of ``team_volunteer_totals``) meets the national
    thresholds."""
    return (
        row["activities"] >= VOLUNTEER_THRESHOLDS["activities"]
        and row["total_hours"] >= VOLUNTEER_THRESHOLDS["hours"]
    )


def team_service_rows(*, team: VolunteerTeam, year: int) -> QuerySet[VolunteerService]:
    """The rows of the national-platform export: one per volunteer per activity with hours."""
    return (
        VolunteerService.objects.filter(team=team)
        .in_year(year)
        .counted()
        .select_related("person", "activity", "activity__region", "team")
        .order_by("activity__starts_at", pinyin("person__name"), "pk")
    )


def next_activity(*, user) -> Activity | None:
    """The leader's next activity: the first, by start, of those they lead or logged that has
    not ended and is not cancelled (one still under way comes first, its code still needed)."""
    scope = scope_for(user)
    mine = Q(leaders__in=scope.person_ids) | Q(created_by=user)
    return (
        scoped(user, Activity)
        .filter(mine, ends_at__gte=timezone.now(), status__in=(Activity.Status.PLANNED, Activity.Status.HELD))
        .select_related("organizer", "region")
        .distinct()
        .order_by("starts_at", "pk")
        .first()
    )


def leader_record(*, user) -> dict:
    """A leader's own page: the activities they led and their own volunteer service."""
    scope = scope_for(user)
    led = (
        activity_list(user=user)
        .filter(leaders__in=scope.person_ids)
        .annotate(checkin_count=checkin_count())
        .distinct()
        .order_by("-starts_at", "-pk")
    )
    services = (
        VolunteerService.objects.filter(person_id__in=scope.person_ids)
        .select_related("activity", "team", "person")
        .order_by("-activity__starts_at", "-pk")
    )
    year = today().year
    year_totals = (
        services.in_year(year)
        .counted()
        .aggregate(hours=hours_total(), activities=Count("activity", distinct=True))
    )
    status_counts = dict(
        scoped(user, Activity)
        .filter(leaders__in=scope.person_ids)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk", distinct=True))
    )
    return {
        "led": led,
        "services": services[:100],
        "year": year,
        "year_totals": year_totals,
        "status_counts": status_counts,
        "people": Person.objects.filter(pk__in=scope.person_ids).order_by(pinyin("name")),
    }


def activity_by_checkin_token(token: str) -> Activity | None:
    """The activity a public check-in link points at. Deliberately unscoped: the random token
    is what admits the (anonymous) caller; a wrong token finds nothing."""
    if not token or len(token) > 32:
        return None
    return Activity.objects.select_related("organizer", "region").filter(checkin_token=token).first()


def team_hours_list(*, user, year: int) -> QuerySet[VolunteerTeam]:
    """The teams the user may see with their volunteers, activities and hours in ``year``, read
    from the teams' years (``TeamYear``, kept by ``services.tallies``): one join, whatever the
    number of services."""
    in_year = FilteredRelation("years", condition=Q(years__year=year))
    return (
        scoped(user, VolunteerTeam)
        # The page's organisations are read for its rows only: joined into the sort, all of
        # them would be read before the LIMIT.
        .prefetch_related("organization")
        .annotate(that_year=in_year)
        .annotate(
            # Sorted by the integer hundredths: the decimal hours give the same order, slower.
            year_hundredths=Coalesce(F("that_year__hours_hundredths"), Value(0)),
            year_hours=ExpressionWrapper(
                F("year_hundredths") * Value(Decimal("0.01")), output_field=HOURS_FIELD
            ),
            year_activities=Coalesce(F("that_year__activities"), Value(0)),
            year_volunteers=Coalesce(F("that_year__volunteers"), Value(0)),
        )
        .order_by("-year_hundredths", pinyin("name"))
    )
