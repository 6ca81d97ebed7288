"""Reads of the rollout that views, tasks and (later) the dashboards share.

Every list starts from ``organizations.scoping.scoped``; figures are computed in the database
(aggregates and subqueries), never by walking rows one query at a time.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from organizations.models import LeaderRole, Organization, RoleAssignment, Seat
from organizations.scoping import scoped
from rollout.models import (
    Incentive,
    Inspection,
    Milestone,
    Phase,
    Pilot,
    Rectification,
    RectificationEvidence,
    RectificationUpdate,
    ShowcaseItem,
    Stage,
    SteeringMember,
    Task,
    TaskUpdate,
    TermReminder,
)
from sanhui.clock import today
from sanhui.collation import pinyin

# How many tasks of each phase the rollout page shows; the task list has them all.
TASKS_PER_PHASE = 12


def _count(queryset: QuerySet, outer: str = "pk", field_name: str = "organization_id") -> Coalesce:
    """A correlated COUNT(*) of ``queryset`` rows whose ``field_name`` matches the outer row."""
    counted = (
        queryset.filter(**{field_name: OuterRef(outer)})
        .order_by()
        .values(field_name)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# --------------------------------------------------------------------------- timeline


@dataclass
class TimelineBar:
    label: str
    start: datetime.date
    end: datetime.date
    left: str
    width: str
    current: bool
    level: int  # 0 a phase, 1 a stage
    obj: object = None


@dataclass
class TimelineMark:
    label: str
    day: datetime.date
    left: str
    achieved: bool
    overdue: bool


@dataclass
class TimelineTick:
    label: str
    left: str


@dataclass
class Timeline:
    start: datetime.date
    end: datetime.date
    today: datetime.date
    bars: list[TimelineBar] = field(default_factory=list)
    marks: list[TimelineMark] = field(default_factory=list)
    ticks: list[TimelineTick] = field(default_factory=list)
    # Where today falls: "before", "within" or "after" the plan's dates.
    today_position: str = "within"
    # Where the "today" label hangs from its line, so that it stays inside the timeline: "end"
    # (to the left of the line) in the last fifth, "start" (to the right) in the first fifth.
    today_anchor: str = "middle"
    today_left: str = "0"


def _months(start: datetime.date, end: datetime.date):
    day = start.replace(day=1)
    while day <= end:
        yield day
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def build_timeline(phases: list[Phase], on: datetime.date | None = None) -> Timeline | None:
    """Bars for the phases and their stages, marks for milestones and a line for today,
    positioned in percent of the span from the first start to the last end."""
    on = on or today()
    if not phases:
        return None
    start = min(phase.start_date for phase in phases)
    end = max(phase.end_date for phase in phases)
    span = max((end - start).days + 1, 1)

    def pos(day: datetime.date) -> float:
        return min(max((day - start).days / span * 100, 0.0), 100.0)

    def pct(value: float) -> str:
        # Plain dot decimals: these go into CSS whatever the page's language.
        return f"{value:.3f}"

    timeline = Timeline(start=start, end=end, today=on)
    for phase in phases:
        left = pos(phase.start_date)
        width = max(pos(phase.end_date + datetime.timedelta(days=1)) - left, 0.5)
        timeline.bars.append(
            TimelineBar(
                str(phase),
                phase.start_date,
                phase.end_date,
                pct(left),
                pct(width),
                phase.is_current(on),
                0,
                phase,
            )
        )
        for stage in phase.stages.all():
            left = pos(stage.start_date)
            width = max(pos(stage.end_date + datetime.timedelta(days=1)) - left, 0.5)
            timeline.bars.append(
                TimelineBar(
                    str(stage),
                    stage.start_date,
                    stage.end_date,
                    pct(left),
                    pct(width),
                    stage.is_current(on),
                    1,
                    stage,
                )
            )
        for milestone in phase.milestones.all():
            timeline.marks.append(
                TimelineMark(
                    milestone.title,
                    milestone.due_date,
                    pct(pos(milestone.due_date)),
                    milestone.achieved_on is not None,
                    milestone.is_overdue(on),
                )
            )
    timeline.marks.sort(key=lambda mark: mark.day)
    months = list(_months(start, end))
    step = 1 if len(months) <= 12 else 3 if len(months) <= 36 else 12
    for month in months[::step]:
        timeline.ticks.append(TimelineTick(f"{month:%Y-%m}", pct(pos(max(month, start)))))
    if on < start:
        timeline.today_position, timeline.today_left = "before", pct(0)
    elif on > end:
        timeline.today_position, timeline.today_left = "after", pct(100)
    else:
        left = pos(on) + 0.5 / span * 100
        timeline.today_left = pct(left)
        timeline.today_anchor = "end" if left > 80 else "start" if left < 20 else "middle"
    return timeline


# --------------------------------------------------------------------------- the plan


def phases_with_plan(*, user) -> list[Phase]:
    return list(
        scoped(user, Phase).prefetch_related(
            Prefetch("stages", queryset=Stage.objects.order_by("code")),
            Prefetch(
                "milestones", queryset=Milestone.objects.select_related("stage").order_by("due_date", "pk")
            ),
        )
    )


def task_list(*, user, on: datetime.date | None = None) -> QuerySet[Task]:
    """Tasks the user may see, overdue first, with the flags ``overdue`` and ``closed``."""
    return scoped(user, Task).select_related("phase", "stage", "organization").overdue_first(on)


def task_counts_by_phase(*, user, on: datetime.date | None = None) -> dict[int, dict[str, int]]:
    on = on or today()
    rows = (
        scoped(user, Task)
        .order_by()
        .values("phase_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=Task.Status.DONE)),
            cancelled=Count("pk", filter=Q(status=Task.Status.CANCELLED)),
            overdue=Count("pk", filter=Q(due_date__lt=on) & ~Q(status__in=Task.CLOSED_STATUSES)),
        )
    )
    return {row["phase_id"]: row for row in rows}


def tasks_by_phase(
    *, user, on: datetime.date | None = None, per_phase: int = TASKS_PER_PHASE
) -> dict[int, list[Task]]:
    """For each phase, its first ``per_phase`` tasks, overdue first then by due date: one query
    whatever the number of tasks (a window function numbers the rows within each phase)."""
    on = on or today()
    ordered = (
        task_list(user=user, on=on)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("phase_id")],
                order_by=[F("closed").asc(), F("overdue").desc(), F("due_date").asc(), F("pk").asc()],
            )
        )
        .filter(position__lte=per_phase)
        .order_by("phase_id", "position")
    )
    grouped: dict[int, list[Task]] = defaultdict(list)
    for task in ordered:
        grouped[task.phase_id].append(task)
    return grouped


def pilot_list(*, user, on: datetime.date | None = None) -> QuerySet[Pilot]:
    on = on or today()
    tasks = Task.objects.exclude(status__in=Task.CLOSED_STATUSES)
    return (
        scoped(user, Pilot)
        .select_related("organization", "organization__home_region", "stage")
        .annotate(
            open_tasks=_count(tasks, outer="organization_id"),
            overdue_tasks=_count(tasks.filter(due_date__lt=on), outer="organization_id"),
            open_rectifications=_count(Rectification.objects.open(), outer="organization_id"),
        )
        .order_by("stage__code", "organization__home_region__sort_order", "pk")
    )


def steering_group(*, user) -> QuerySet[SteeringMember]:
    rank = Case(
        *(When(role=role, then=index) for index, role in enumerate(SteeringMember.RANK)),
        default=len(SteeringMember.RANK),
        output_field=IntegerField(),
    )
    return (
        scoped(user, SteeringMember)
        .select_related("user")
        .alias(rank=rank)
        .order_by(F("ended_on").asc(nulls_first=True), "rank", "started_on", pinyin("name"))
    )


# --------------------------------------------------------------------------- inspections and rectifications


def inspection_list(*, user, on: datetime.date | None = None) -> QuerySet[Inspection]:
    on = on or today()
    items = Rectification.objects.all()
    return (
        scoped(user, Inspection)
        .select_related("organization", "organization__home_region", "supervisor")
        .annotate(
            rectification_count=_count(items, field_name="inspection_id"),
            open_count=_count(items.open(), field_name="inspection_id"),
            overdue_count=_count(items.overdue(on), field_name="inspection_id"),
        )
        .order_by("-inspected_on", "-pk")
    )


def rectification_list(*, user, on: datetime.date | None = None) -> QuerySet[Rectification]:
    """Rectification items the user may see: open ones first, overdue first, then by deadline."""
    return (
        scoped(user, Rectification)
        .select_related("organization", "inspection", "inspection__organization")
        .annotate(evidence_count=_count(RectificationEvidence.objects.all(), field_name="rectification_id"))
        .overdue_first(on)
    )


def rectification_counts(*, user, on: datetime.date | None = None) -> dict[str, int]:
    on = on or today()
    return scoped(user, Rectification).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=~Q(status=Rectification.Status.CLOSED)),
        overdue=Count("pk", filter=~Q(status=Rectification.Status.CLOSED) & Q(deadline__lt=on)),
        closed=Count("pk", filter=Q(status=Rectification.Status.CLOSED)),
    )


def task_history(task: Task) -> QuerySet[TaskUpdate]:
    return task.updates.select_related("actor").order_by("-created_at", "-pk")


def rectification_history(rectification: Rectification) -> QuerySet[RectificationUpdate]:
    return rectification.updates.select_related("actor").order_by("-created_at", "-pk")


# --------------------------------------------------------------------------- showcase and incentives


def showcase_list(*, user) -> QuerySet[ShowcaseItem]:
    return scoped(user, ShowcaseItem).select_related("organization", "organization__home_region", "person")


def published_showcase(*, user) -> dict[str, list[ShowcaseItem]]:
    """Published items by kind, for the public page; leaders come with their open 三长 roles."""
    items = (
        scoped(user, ShowcaseItem)
        .published()
        .select_related("organization", "organization__home_region", "person")
        .prefetch_related(
            Prefetch(
                "person__leader_roles", queryset=LeaderRole.objects.open_on(), to_attr="open_leader_roles"
            )
        )
        .order_by("-published_on", "title")
    )
    grouped: dict[str, list[ShowcaseItem]] = {kind: [] for kind in ShowcaseItem.Kind.values}
    for item in items:
        grouped[item.kind].append(item)
    return grouped


def incentive_list(*, user) -> QuerySet[Incentive]:
    return scoped(user, Incentive).select_related("person", "organization")


def incentive_totals(queryset: QuerySet[Incentive]) -> dict[str, object]:
    return queryset.aggregate(
        total=Count("pk"),
        talent=Count("pk", filter=Q(kind=Incentive.Kind.TALENT)),
        award=Count("pk", filter=Q(kind=Incentive.Kind.AWARD)),
        funding=Count("pk", filter=Q(kind=Incentive.Kind.FUNDING)),
        amount=Sum("amount"),
        people=Count("person", distinct=True),
    )


# --------------------------------------------------------------------------- term reminders


def seats_due_reminder(*, organization_id: int, on: datetime.date, days: int) -> QuerySet[Seat]:
    """Current seats of the organisation whose term ends within ``days`` and that were not yet
    reminded for that term end."""
    reminded = TermReminder.objects.filter(seat_id=OuterRef("pk"), term_end=OuterRef("term_end"))
    return (
        Seat.objects.ending_within(days, on)
        .filter(organization_id=organization_id)
        .exclude(Exists(reminded))
        .select_related("person", "organization")
        .order_by("term_end", "position", "pk")
    )


def organizations_due_term_reminder(*, on: datetime.date, days: int) -> list[int]:
    """Organisations (not dissolved) with at least one seat due a reminder."""
    reminded = TermReminder.objects.filter(seat_id=OuterRef("pk"), term_end=OuterRef("term_end"))
    return sorted(
        set(
            Seat.objects.ending_within(days, on)
            .exclude(organization__status=Organization.Status.DISSOLVED)
            .exclude(Exists(reminded))
            .values_list("organization_id", flat=True)
        )
    )


def _ancestor_ids(parents: dict[int, int | None], organization_id: int) -> list[int]:
    chain: list[int] = []
    current: int | None = organization_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def _admin_emails_by_organization() -> dict[int, set[str]]:
    rows = (
        RoleAssignment.objects.filter(
            role=RoleAssignment.Role.ORG_ADMIN, user__is_active=True, organization__isnull=False
        )
        .exclude(user__email="")
        .values_list("organization_id", "user__email")
    )
    found: dict[int, set[str]] = defaultdict(set)
    for organization_id, email in rows:
        found[organization_id].add(email)
    return found


def term_reminder_recipients(organization: Organization) -> list[str]:
    """E-mail addresses of the active users who administer the organisation: admins assigned
    to it or to any organisation above it (whose scope covers it, as a town association's admin
    covers the grassroots associations under it)."""
    chain = [organization.pk]
    parent_id = organization.parent_id
    while parent_id is not None and parent_id not in chain:
        chain.append(parent_id)
        parent_id = Organization.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    emails = (
        get_user_model()
        .objects.filter(
            is_active=True,
            role_assignments__role=RoleAssignment.Role.ORG_ADMIN,
            role_assignments__organization_id__in=chain,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted(set(emails))


@dataclass
class TermRow:
    seat: Seat
    reminded_at: datetime.datetime | None
    has_recipients: bool
    days_left: int


def term_overview(*, user, on: datetime.date | None = None, days: int) -> list[TermRow]:
    """Seats (visible to the user) whose term ends within ``days``, with when their
    organisation was reminded and whether anyone can be reminded at all: a fixed number of
    queries whatever the number of seats."""
    on = on or today()
    last_reminder = TermReminder.objects.filter(
        seat_id=OuterRef("pk"), term_end=OuterRef("term_end")
    ).order_by("-sent_at")
    seats = list(
        scoped(user, Seat)
        .ending_within(days, on)
        .exclude(organization__status=Organization.Status.DISSOLVED)
        .select_related("person", "organization")
        .annotate(reminded_at=Subquery(last_reminder.values("sent_at")[:1]))
        .order_by("term_end", pinyin("organization__name"), "pk")
    )
    if not seats:
        return []
    parents = dict(Organization.objects.values_list("pk", "parent_id"))
    emails = _admin_emails_by_organization()
    return [
        TermRow(
            seat=seat,
            reminded_at=seat.reminded_at,
            has_recipients=any(emails.get(org_id) for org_id in _ancestor_ids(parents, seat.organization_id)),
            days_left=(seat.term_end - on).days,
        )
        for seat in seats
    ]
