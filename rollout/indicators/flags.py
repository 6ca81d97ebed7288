"""The programme's records as they stood on a day, and the red flags of a period.

A rollout task's or a rectification item's status on a day is the one its dated history (the
``TaskUpdate`` and ``RectificationUpdate`` entries) gave it by the end of that day. A task is
**overdue** on a day when it was due before that day and was neither done nor cancelled then;
an item is **open** on a day when its inspection had raised it by then and it was not closed
then. So a task finished, cancelled or reopened, or an item closed, after a quarter's end leaves
that quarter's figures as they were, whenever the quarter is reported.

The **red flags** of a period (DESIGN.md): the towns with no activity in it, the tasks overdue
on its reference day, and the associations (town associations and the 三会) active on that day
with no 三长/泛三长 among the seats current then — including an association with no seats at
all.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from organizations.models import LeaderRole, Organization, seat_current_on
from rollout.models import Rectification, RectificationUpdate, Task, TaskUpdate

from .coverage import TownCoverage

# The kinds whose leadership bodies the "no 三长 in the leadership" flag looks at.
ASSOCIATION_KINDS = (Organization.Kind.TOWN_ASSOCIATION, Organization.Kind.GRASSROOTS_ASSOCIATION)


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first instant after ``day`` in the portal's time zone (Asia/Shanghai)."""
    following = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(following, timezone.get_default_timezone())


OPEN_TASK = (Task.Status.NOT_STARTED, Task.Status.IN_PROGRESS)
OPEN_RECTIFICATION = (Rectification.Status.OPEN, Rectification.Status.IN_PROGRESS)


def tasks_on(tasks: QuerySet[Task], on: datetime.date) -> QuerySet[Task]:
    """``tasks`` with ``status_on``: the status each had at the end of ``on`` by its dated
    history (the latest entry that set a status by then), blank when no entry is dated by
    then. ``task_overdue_on`` and ``task_done_on`` filter such a queryset."""
    history = (
        TaskUpdate.objects.filter(task=OuterRef("pk"), created_at__lt=_end_of(on))
        .exclude(new_status="")
        .order_by("-created_at", "-pk")
        .values("new_status")[:1]
    )
    return tasks.alias(status_on=Coalesce(Subquery(history), Value("")))


def status_then(model) -> Case:
    """For a queryset from ``tasks_on`` or ``rectifications_on`` of records still open on the
    day: the status each had then, by its history; a record with none dated by then is shown
    with its status today if that is still an open one, or as in progress."""
    open_statuses = (
        OPEN_TASK if model is Task else (Rectification.Status.OPEN, Rectification.Status.IN_PROGRESS)
    )
    return Case(
        When(~Q(status_on=""), then=F("status_on")),
        When(status__in=open_statuses, then=F("status")),
        default=Value(model.Status.IN_PROGRESS),
        output_field=CharField(),
    )


def task_overdue_on(on: datetime.date) -> Q:
    """Of ``tasks_on(…, on)``: overdue on ``on`` — due before it and, by its history, neither
    done nor cancelled at its end. A task with no history dated by then is judged by its
    completion day (a cancelled one never counts)."""
    dated = ~Q(status_on="")
    undated_open = Q(status__in=OPEN_TASK) | Q(status=Task.Status.DONE, completed_on__gt=on)
    return Q(due_date__lt=on) & ((dated & Q(status_on__in=OPEN_TASK)) | (~dated & undated_open))


def task_done_on(on: datetime.date) -> Q:
    """Of ``tasks_on(…, on)``: done at the end of ``on``."""
    return Q(status_on=Task.Status.DONE) | (
        Q(status_on="") & Q(status=Task.Status.DONE, completed_on__lte=on)
    )


def rectifications_on(rectifications: QuerySet[Rectification], on: datetime.date) -> QuerySet[Rectification]:
    """``rectifications`` with ``status_on``, as ``tasks_on`` does for tasks."""
    history = (
        RectificationUpdate.objects.filter(rectification=OuterRef("pk"), created_at__lt=_end_of(on))
        .exclude(new_status="")
        .order_by("-created_at", "-pk")
        .values("new_status")[:1]
    )
    return rectifications.alias(status_on=Coalesce(Subquery(history), Value("")))


def rectification_open_on(on: datetime.date) -> Q:
    """Of ``rectifications_on(…, on)``: open on ``on`` — raised by an inspection on or before it
    and, by its history, not closed at its end (with no history dated by then: not closed by
    its closing day)."""
    closed = Rectification.Status.CLOSED
    dated = ~Q(status_on="")
    undated_open = Q(closed_on__isnull=True) | Q(closed_on__gt=on)
    return Q(inspection__inspected_on__lte=on) & ((dated & ~Q(status_on=closed)) | (~dated & undated_open))


def leaderless_associations(
    organizations: QuerySet[Organization], on: datetime.date
) -> QuerySet[Organization]:
    """The associations of ``organizations`` active on ``on`` whose seats current that day hold
    no 三长/泛三长 (no seats at all included), each annotated with ``seat_count``; by code."""
    current = seat_current_on(on, "seats__")
    led = current & Q(seats__person_id__in=LeaderRole.objects.open_on(on).values("person_id"))
    return (
        organizations.active_on(on)
        .filter(kind__in=ASSOCIATION_KINDS)
        .annotate(seat_count=Count("seats", filter=current), leader_seat_count=Count("seats", filter=led))
        .filter(leader_seat_count=0)
        .order_by("code", "pk")
    )


@dataclass(frozen=True)
class RedFlags:
    """The red flags of one period and scope."""

    idle_towns: list[TownCoverage]  # towns with no activity in the period
    overdue_tasks: list[Task]  # with their organisation; by due date
    leaderless: list[Organization]  # annotated with ``seat_count``; by code


def red_flags(
    coverage: list[TownCoverage],
    tasks: QuerySet[Task],
    organizations: QuerySet[Organization],
    on: datetime.date,
) -> RedFlags:
    """The red flags given the period's town coverage, and the tasks and organisations in scope,
    judged on the period's reference day ``on``."""
    return RedFlags(
        idle_towns=[row for row in coverage if not row.working],
        overdue_tasks=list(
            tasks_on(tasks, on)
            .filter(task_overdue_on(on))
            .annotate(status_then=status_then(Task))
            .select_related("organization")
            .order_by("due_date", "pk")
        ),
        leaderless=list(leaderless_associations(organizations, on)),
    )
