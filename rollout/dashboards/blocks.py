"""Reads behind the dashboards: the district's, a town's and a leader's own page.

Every figure comes from ``rollout.indicators``, applied to querysets that start from
``organizations.scoping.scoped``, so a dashboard never shows more than the lists it links to.
Each builder issues a fixed number of queries, whatever the number of towns, organisations or
activities. Each figure carries the address of the filtered list behind it.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from organizations.models import Organization, Region, Seat, VolunteerTeam
from organizations.scoping import Scope, scope_for, scoped
from rollout import indicators
from rollout.indicators import CONDITION_LABELS, CONDITIONS, Period
from rollout.models import Phase, Rectification, Task
from sanhui.clock import today
from sanhui.collation import pinyin
from sanhui.formats import HOURS, RATE, display
from services.models import Activity, ActivityKind, Stream, VolunteerService

TREND_QUARTERS = 4
# Town tiles on the district dashboard: every town while they fit on a page, else those with the
# fewest conditions met (a province has 1,400; the report lists them all).
TILE_LIMIT = 100


# --------------------------------------------------------------------------- periods


def period_from(params, on: datetime.date | None = None) -> tuple[Period, str]:
    """The period asked for in GET ``period`` (or ``start`` and ``end``), else the current
    quarter; the second value is a message for the page when the input could not be read."""
    on = on or today()
    default = Period.containing(on)
    text = (params.get("period") or "").strip()
    start, end = (params.get("start") or "").strip(), (params.get("end") or "").strip()
    if start and end:
        text = f"{start}..{end}"
    if not text:
        return default, ""
    try:
        period = Period.parse(text)
    except ValueError:
        return default, _(
            "无法识别的统计期间“%(text)s”：请使用 2022Q4、2022 或 2022-01-01..2022-06-30 的格式。"
        ) % {"text": text[:40]}
    if period.start.year < 2000 or period.end.year > 2100:
        return default, _("统计期间须在 2000 年至 2100 年之间。")
    return period, ""


def period_label(period: Period) -> str:
    if period.is_quarter:
        return _("%(year)s年第%(quarter)s季度") % {"year": period.start.year, "quarter": period.label[-1]}
    if period.label.isdigit():
        return _("%(year)s年") % {"year": period.label}
    return _("%(start)s 至 %(end)s") % {"start": period.start.isoformat(), "end": period.end.isoformat()}


def quick_periods(on: datetime.date | None = None) -> list[tuple[str, str]]:
    """Shortcuts shown beside the selector: this quarter and the four before it, this year and
    the year before, all counted back from ``on``."""
    on = on or today()
    current = Period.containing(on)
    shortcuts = [(current.code, _("本季度"))]
    quarter = current
    for _step in range(4):
        quarter = Period.containing(quarter.start - datetime.timedelta(days=1))
        shortcuts.append((quarter.code, period_label(quarter)))
    shortcuts += [(str(on.year), _("本年")), (str(on.year - 1), _("%(year)s年") % {"year": on.year - 1})]
    return shortcuts


def months_of(period: Period) -> list[datetime.date]:
    """First days of the months the period touches, at most 36 (a longer custom range is cut)."""
    months = []
    day = period.start.replace(day=1)
    while day <= period.end and len(months) < 36:
        months.append(day)
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


# --------------------------------------------------------------------------- links


def list_url(name: str, **params) -> str:
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def activity_url(period: Period | None = None, **params) -> str:
    """The activity list behind a figure: the activities that took place, in the figure's month
    or else in the whole period, with the figure's other filters."""
    params.setdefault("status", "took_place")
    if period is not None and "month" not in params:
        params.setdefault("date_from", period.start.isoformat())
        params.setdefault("date_to", period.end.isoformat())
    return list_url("services:activity_list", **params)


def _month_key(value) -> str:
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return value.strftime("%Y-%m")


# --------------------------------------------------------------------------- shared blocks


def ledger_of(user, region: Region | None = None) -> QuerySet[Activity] | indicators.Ledger:
    """The activities a dashboard counts for ``user``: for a reader of the whole district, the
    ledger's month cells (of ``region``, when given), which cost the same at any size; for anyone
    else, the activities they may read (a few organisations' worth)."""
    if scope_for(user).read_all:
        return indicators.Ledger(region=region)
    activities = scoped(user, Activity)
    return activities if region is None else activities.in_region(region)


def _streams_by_month(activities, period: Period, months: list[str], region_id: int | None):
    """Each stream's activities, people served and hours by month, with the list behind each
    month; and each month's hours of both streams as the pages print hours (the chart's
    tooltip)."""
    cells: dict[tuple[str, str], dict] = {}
    for row in indicators.activity_breakdown(activities, period, "month,stream"):
        month, stream = row["key"]
        cells[(_month_key(month), stream)] = row

    def cell(month: str, stream: str, key: str):
        row = cells.get((month, stream))
        return row[key] if row else 0

    streams = [
        {
            "key": stream,
            "label": str(label),
            "activities": [cell(month, stream, "activities") for month in months],
            "people_served": [cell(month, stream, "people_served") for month in months],
            "volunteer_hours": [round(cell(month, stream, "volunteer_hours"), 2) for month in months],
            "urls": [activity_url(stream=stream, month=month, region=region_id) for month in months],
        }
        for stream, label in Stream.choices
    ]
    hours_text = [
        display(sum(cell(month, stream, "volunteer_hours") for stream in Stream.values), HOURS)
        for month in months
    ]
    return streams, hours_text


def activity_block(
    activities: QuerySet[Activity] | indicators.Ledger, period: Period, *, region: Region | None = None
) -> dict:
    """Activities, people served and volunteer hours: totals, by month and stream, by organiser
    category and by type, each with the list behind it."""
    region_id = region.pk if region else None
    figures = indicators.activity_figures(activities, period)
    months = [day.strftime("%Y-%m") for day in months_of(period)]
    streams, hours_text = _streams_by_month(activities, period, months, region_id)
    categories = dict(Organization.Category.choices)
    by_category = [
        {
            "key": row["key"] or "",
            "label": str(categories.get(row["key"], _("其他主办组织"))),
            "activities": row["activities"],
            "people_served": row["people_served"],
            "volunteer_hours": round(row["volunteer_hours"], 2),
            "url": activity_url(period, organizer_category=row["key"] or "", region=region_id),
        }
        for row in indicators.activity_breakdown(activities, period, "category")
    ]
    by_category.sort(key=lambda row: (row["key"] == "", row["key"]))
    # The pie's shares, by the one formatter (the chart's own rounding would differ from the pages').
    category_total = sum(row["activities"] for row in by_category)
    for row in by_category:
        row["share_text"] = percent(row["activities"] / category_total if category_total else None)
    kinds = dict(ActivityKind.choices)
    by_kind = sorted(
        (
            {
                "key": row["key"],
                "label": str(kinds.get(row["key"], row["key"])),
                "activities": row["activities"],
                "people_served": row["people_served"],
                "volunteer_hours": round(row["volunteer_hours"], 2),
                "volunteer_hours_text": display(row["volunteer_hours"], HOURS),
                "url": activity_url(period, kind=row["key"], region=region_id),
            }
            for row in indicators.activity_breakdown(activities, period, "kind")
        ),
        key=lambda row: -row["activities"],
    )
    return {
        "activities": figures.activities,
        "people_served": figures.people_served,
        "people_served_reported": figures.people_served_reported,
        "reported_activities": figures.reported_activities,
        "volunteer_hours": round(figures.volunteer_hours, 2),
        "url": activity_url(period, region=region_id),
        "months": months,
        "month_urls": [activity_url(month=month, region=region_id) for month in months],
        "hours_text": hours_text,
        "streams": streams,
        "by_category": by_category,
        "by_kind": by_kind,
    }


def seat_block(seats: QuerySet[Seat], on: datetime.date, *, every: bool = False, **list_params) -> dict:
    """Seats current on ``on`` and the share held by 三长: of ``seats``, or, with ``every`` (a
    reader of the whole district), of every organisation's (``indicators.district_seat_share``)."""
    share = indicators.district_seat_share(on) if every else indicators.seat_share(seats, on)
    return {
        "led": share.led,
        "total": share.total,
        "share": share.share,
        "share_text": percent(share.share),
        "url": list_url("organizations:seat_list", state="current", holder="leader", **list_params),
        "all_url": list_url("organizations:seat_list", state="current", **list_params),
    }


def rollout_block(
    tasks: QuerySet[Task], rectifications: QuerySet[Rectification], on: datetime.date, **params
) -> dict:
    """Tasks by phase (done of all, overdue) and open rectification items, as they stood on
    ``on`` (the period's reference day)."""
    rows = {
        row["phase_id"]: row
        for row in indicators.tasks_on(tasks, on)
        .order_by()
        .values("phase_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=indicators.task_done_on(on)),
            overdue=Count("pk", filter=indicators.task_overdue_on(on)),
        )
    }
    phases = []
    for phase in Phase.objects.order_by("number"):
        row = rows.get(phase.pk, {"total": 0, "done": 0, "overdue": 0})
        phases.append(
            {
                "name": str(phase),
                "total": row["total"],
                "done": row["done"],
                "overdue": row["overdue"],
                "url": list_url("rollout:task_list", phase=phase.pk, **params),
                "overdue_url": list_url("rollout:task_list", phase=phase.pk, state="overdue", **params),
            }
        )
    open_then = indicators.rectification_open_on(on)
    counts = indicators.rectifications_on(rectifications, on).aggregate(
        open=Count("pk", filter=open_then),
        overdue=Count("pk", filter=open_then & Q(deadline__lt=on)),
    )
    return {
        "phases": phases,
        "tasks_total": sum(phase["total"] for phase in phases),
        "tasks_done": sum(phase["done"] for phase in phases),
        "tasks_overdue": sum(phase["overdue"] for phase in phases),
        "overdue_url": list_url("rollout:task_list", state="overdue", **params),
        "rectifications_open": counts["open"],
        "rectifications_overdue": counts["overdue"],
        "rectifications_url": list_url("rollout:rectification_list", state="open", **params),
        "rectifications_overdue_url": list_url("rollout:rectification_list", state="overdue", **params),
    }


def coverage_tiles(rows: list[indicators.TownCoverage], period: Period) -> list[dict]:
    """A tile per town. The labels and the lists' addresses are made once and the town's id put
    in: the district's dashboard shows up to ``TILE_LIMIT`` tiles."""
    labels = {condition: str(CONDITION_LABELS[condition]) for condition in CONDITIONS}
    organisations = reverse("organizations:organization_list")
    activities, _mark, after_region = activity_url(period).partition("?")
    return [
        {
            "id": row.region.pk,
            "name": row.region.name,
            "met": row.met_count,
            "covered": row.covered,
            "conditions": [
                {"key": condition, "label": labels[condition], "met": row.met(condition)}
                for condition in CONDITIONS
            ],
            "failing": [labels[condition] for condition in row.failing],
            "activities": row.activities,
            "url": f"{organisations}?{urlencode({'region': row.region.pk})}",
            "activities_url": f"{activities}?{urlencode({'region': row.region.pk})}&{after_region}",
        }
        for row in rows
    ]


def percent(rate: float | None) -> str:
    """A rate as the page shows it; a dash where there is nothing to divide by."""
    return display(rate, RATE)


def summary_block(summary: indicators.CoverageSummary) -> dict:
    return {
        "coverage_text": percent(summary.coverage_rate),
        "organisation_text": percent(summary.organisation_rate),
        "work_text": percent(summary.work_rate),
        "towns": summary.towns,
        "covered": summary.covered,
        "coverage_rate": summary.coverage_rate,
        "organisation_rate": summary.organisation_rate,
        "work_rate": summary.work_rate,
        "conditions": [
            {
                "key": condition,
                "label": str(CONDITION_LABELS[condition]),
                "count": getattr(summary, condition),
                "rate": summary.rate_of(condition),
                "rate_text": percent(summary.rate_of(condition)),
            }
            for condition in CONDITIONS
        ],
    }


def period_block(period: Period) -> dict:
    return {
        "code": period.code,
        "label": period_label(period),
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


# --------------------------------------------------------------------------- district


def district_dashboard(*, user, period: Period, on: datetime.date | None = None) -> dict:
    """The whole district: coverage of every town, activities, seats, rollout progress."""
    on = on or today()
    reference = period.reference_day(on)
    # The period and the quarters of its trend in one pass over the towns' spans and sums.
    trend_periods = indicators.trend_periods(period, TREND_QUARTERS)
    overview = indicators.coverage_overview(period, trend_periods, limit=TILE_LIMIT, today=on)
    trend = [
        {
            "period": p.code,
            "label": period_label(p),
            "rate": overview.summaries[p].coverage_rate,
            "rate_text": percent(overview.summaries[p].coverage_rate),
            "covered": overview.summaries[p].covered,
        }
        for p in trend_periods
    ]
    return {
        "period": period_block(period),
        "summary": summary_block(overview.summaries[period]),
        "towns": coverage_tiles(overview.shown, period),
        "towns_total": overview.towns,
        "trend": trend,
        "activity": activity_block(ledger_of(user), period),
        "seats": seat_block(scoped(user, Seat), reference, every=scope_for(user).read_all),
        "rollout": rollout_block(scoped(user, Task), scoped(user, Rectification), reference),
    }


# --------------------------------------------------------------------------- towns


def towns_queryset(scope: Scope) -> QuerySet[Region]:
    """The towns a town dashboard may show: every town for readers of the whole district, the
    towns of their own organisations for an organisation admin — the towns in scope among the
    regions on the paths of their organisations' home regions, not a map of every region."""
    towns = indicators.towns_in_scope()
    if scope.read_all:
        return towns
    if not scope.admin_org_ids:
        return towns.none()
    paths = Region.objects.filter(home_organizations__in=scope.assigned_org_ids).values_list(
        "path", flat=True
    )
    above = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    return towns.filter(pk__in=above)


def town_dashboard(*, user, town: Region, period: Period, on: datetime.date | None = None) -> dict:
    """One town: its four conditions, and the user's activities, seats and rollout items there."""
    on = on or today()
    reference = period.reference_day(on)
    known = indicators.town_coverages(
        [period, *indicators.trend_periods(period, TREND_QUARTERS)], towns=[town], today=on
    )
    rows = known[period]
    row = rows[0]
    in_town = Q(organization__home_region__path__startswith=town.path)
    association = row.association_id
    condition_urls = {
        "organised": list_url(
            "organizations:organization_list", region=town.pk, kind=Organization.Kind.TOWN_ASSOCIATION
        ),
        "led": list_url("organizations:seat_list", organization=association, state="current", holder="leader")
        if association
        else list_url("organizations:seat_list", state="current", holder="leader"),
        "three_associations": list_url(
            "organizations:organization_list", region=town.pk, kind=Organization.Kind.GRASSROOTS_ASSOCIATION
        ),
        "working": activity_url(period, region=town.pk),
    }
    tile = coverage_tiles(rows, period)[0]
    for condition in tile["conditions"]:
        condition["url"] = condition_urls[condition["key"]]
    tile["missing_categories"] = [
        str(Organization.Category(category).label) for category in row.missing_categories
    ]
    trend = [
        {
            "period": p.code,
            "label": period_label(p),
            "covered": s.covered == 1,
            "rate": s.coverage_rate,
            "rate_text": percent(s.coverage_rate),
        }
        for p, s in indicators.coverage_trend(period, TREND_QUARTERS, towns=[town], today=on, known=known)
    ]
    return {
        "period": period_block(period),
        "town": tile,
        "trend": trend,
        "activity": activity_block(ledger_of(user, town), period, region=town),
        "seats": seat_block(
            scoped(user, Seat).filter(in_town), reference, organization=association if association else ""
        ),
        "rollout": rollout_block(
            scoped(user, Task).filter(in_town),
            scoped(user, Rectification).filter(in_town),
            reference,
        ),
    }


# --------------------------------------------------------------------------- a leader's own page


def leader_dashboard(*, scope: Scope, period: Period, on: datetime.date | None = None) -> dict:
    """A leader's own record: seats held now, teams, activities led and hours served."""
    on = on or today()
    people = scope.person_ids
    led = Activity.objects.filter(
        pk__in=Activity.leaders.through.objects.filter(person_id__in=people).values("activity_id")
    )
    figures = indicators.activity_figures(led, period)
    months = [day.strftime("%Y-%m") for day in months_of(period)]
    by_month = {_month_key(row["key"]): row for row in indicators.activity_breakdown(led, period, "month")}
    services = VolunteerService.objects.filter(person_id__in=people)
    seats = (
        Seat.objects.filter(person_id__in=people)
        .current(on)
        .select_related("organization", "person")
        .order_by(pinyin("organization__name"), "organization", "pk")
    )
    teams = (
        scope.teams(VolunteerTeam.objects.all())
        .filter(Q(leader_id__in=people) | Q(memberships__person_id__in=people))
        .distinct()
        .select_related("organization", "leader")
        .order_by(pinyin("name"), "pk")
    )
    recent = (
        indicators.held_in(led, period)
        .select_related("organizer", "region")
        .order_by("-starts_at", "-pk")[:10]
    )
    person_id = min(people) if people else None
    return {
        "period": period_block(period),
        "activities": figures.activities,
        "people_served": figures.people_served,
        "reported_activities": figures.reported_activities,
        "volunteer_hours": round(indicators.volunteer_hours(services, period), 2),
        "led_hours": round(figures.volunteer_hours, 2),
        "months": months,
        "by_month": [by_month[month]["activities"] if month in by_month else 0 for month in months],
        "served_by_month": [by_month[month]["people_served"] if month in by_month else 0 for month in months],
        "activities_url": reverse("services:my_activities"),
        "hours_url": reverse("services:volunteer_record", args=[person_id]) if person_id else "",
        "seats": [
            {
                "organization": seat.organization.name,
                "position": str(seat.get_position_display()),
                "term_end": seat.term_end.isoformat() if seat.term_end else "",
                "url": reverse("organizations:seat_detail", args=[seat.pk]),
            }
            for seat in seats
        ],
        "teams": [
            {
                "name": team.name,
                "organization": team.organization.name,
                "leads": team.leader_id in people,
                "url": reverse("services:team_record", args=[team.pk]),
            }
            for team in teams
        ],
        "recent": [
            {
                "title": activity.title,
                "day": activity.starts_at.date().isoformat(),
                "organizer": activity.organizer.name,
                "region": activity.region.name if activity.region_id else "",
                "url": activity.get_absolute_url(),
            }
            for activity in recent
        ],
    }
