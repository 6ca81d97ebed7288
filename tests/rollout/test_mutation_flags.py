"""``task_done_on`` for tasks with no history dated by the day asked about.

A task's status on a past day comes from its dated history (``TaskUpdate``); a task whose
history was all written after that day (a record imported later, or entered late) falls back to
its status today and its completion day. Three tasks of 姜山镇科协, each with its history
written on 2026-11-29 (today) and asked about on 2022-12-31::

    t1  done, completed 2022-11-30   → done on 2022-12-31 (completed by then)
    t2  done, completed 2023-01-05   → not done (completed after)
    t3  not started                  → not done

and t4, whose history says 进行中 on 2022-12-20 and 已完成 on 2026-11-29 with a completion day
backdated to 2022-12-10: its dated history rules, so it is not done on 2022-12-31.
"""

import datetime

import pytest
import time_machine
from django.db.models import F
from django.utils import timezone

from rollout.indicators.flags import (
    rectification_open_on,
    rectifications_on,
    task_done_on,
    task_overdue_on,
    tasks_on,
)
from rollout.models import Rectification, RectificationUpdate, Task, TaskUpdate
from tests.rollout import factories as rf
from tests.rollout.factories import TaskFactory

pytestmark = pytest.mark.django_db

ON = datetime.date(2022, 12, 31)


@time_machine.travel(datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_tasks_without_dated_history_are_done_by_their_completion_day(jiangshan):
    org = jiangshan.association
    t1 = TaskFactory(organization=org, status=Task.Status.DONE, completed_on=datetime.date(2022, 11, 30))
    t2 = TaskFactory(organization=org, status=Task.Status.DONE, completed_on=datetime.date(2023, 1, 5))
    t3 = TaskFactory(organization=org, status=Task.Status.NOT_STARTED)
    t4 = TaskFactory(organization=org, status=Task.Status.DONE, completed_on=datetime.date(2022, 12, 10))
    TaskUpdate.objects.filter(task=t4).delete()
    TaskUpdate.objects.create(
        task=t4,
        old_status=Task.Status.NOT_STARTED,
        new_status=Task.Status.IN_PROGRESS,
        created_at=timezone.make_aware(datetime.datetime(2022, 12, 20, 9, 0)),
    )
    TaskUpdate.objects.create(task=t4, old_status=Task.Status.IN_PROGRESS, new_status=Task.Status.DONE)

    done = set(tasks_on(Task.objects.all(), ON).filter(task_done_on(ON)).values_list("pk", flat=True))

    assert done == {t1.pk}
    assert {t2.pk, t3.pk, t4.pk}.isdisjoint(done)


@time_machine.travel(datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_the_status_then_of_tasks_open_on_the_day(jiangshan):
    """``status_then`` on 2022-12-31: by the dated history where there is one; else the status
    today if it is an open one (未开始 stays 未开始), else 进行中 (a task done since)."""
    from rollout.indicators.flags import status_then

    org = jiangshan.association
    waiting = TaskFactory(organization=org, status=Task.Status.NOT_STARTED)
    done_since = TaskFactory(
        organization=org, status=Task.Status.DONE, completed_on=datetime.date(2023, 1, 5)
    )
    dated = TaskFactory(organization=org, status=Task.Status.DONE, completed_on=datetime.date(2023, 2, 1))
    TaskUpdate.objects.create(
        task=dated,
        old_status=Task.Status.NOT_STARTED,
        new_status=Task.Status.IN_PROGRESS,
        created_at=timezone.make_aware(datetime.datetime(2022, 12, 1, 9, 0)),
    )

    then = dict(tasks_on(Task.objects.all(), ON).annotate(then=status_then(Task)).values_list("pk", "then"))

    assert then == {
        waiting.pk: Task.Status.NOT_STARTED,
        done_since.pk: Task.Status.IN_PROGRESS,
        dated.pk: Task.Status.IN_PROGRESS,
    }


# --------------------------------------------------------------------------- dated history: edges


def _update(model, record, status, when, **extra):
    field = "task" if model is TaskUpdate else "rectification"
    return model.objects.create(**{field: record}, new_status=status, created_at=when, **extra)


def _shanghai(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args), timezone.get_default_timezone())


@time_machine.travel(datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_the_latest_entry_dated_by_the_end_of_the_day_rules(jiangshan):
    """On 2022-12-31 a task is what its history said by 24:00 Shanghai time that day:
    - ``late``: 已完成 at 2023-01-01 07:00 (the next day, though still 2022-12-31 in UTC) — not done;
    - ``backdated``: 已完成 dated 12-20 entered before 进行中 dated 12-10 — done (by date, not by id);
    - ``same_moment``: 进行中 then 已完成 with the very same time — the later entry, done;
    - ``note_only``: 已完成 on 12-01, then a note without a status on 12-20 — done."""
    org = jiangshan.association
    late, backdated, same_moment, note_only = (TaskFactory(organization=org) for _ in range(4))
    TaskUpdate.objects.all().delete()
    _update(TaskUpdate, late, Task.Status.DONE, _shanghai(2023, 1, 1, 7, 0))
    _update(TaskUpdate, backdated, Task.Status.DONE, _shanghai(2022, 12, 20, 9, 0))
    _update(TaskUpdate, backdated, Task.Status.IN_PROGRESS, _shanghai(2022, 12, 10, 9, 0))
    _update(TaskUpdate, same_moment, Task.Status.IN_PROGRESS, _shanghai(2022, 12, 15, 9, 0))
    _update(TaskUpdate, same_moment, Task.Status.DONE, _shanghai(2022, 12, 15, 9, 0))
    _update(TaskUpdate, note_only, Task.Status.DONE, _shanghai(2022, 12, 1, 9, 0))
    _update(TaskUpdate, note_only, "", _shanghai(2022, 12, 20, 9, 0), note="材料已归档")

    for zone in ("Asia/Shanghai", "UTC"):  # the portal's day, whatever time zone is active
        with timezone.override(zone):
            then = dict(
                tasks_on(Task.objects.all(), ON).annotate(then=F("status_on")).values_list("pk", "then")
            )
        assert then == {
            late.pk: "",
            backdated.pk: Task.Status.DONE,
            same_moment.pk: Task.Status.DONE,
            note_only.pk: Task.Status.DONE,
        }, zone


@time_machine.travel(datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_a_task_due_before_the_day_is_overdue_unless_done_or_cancelled_then(jiangshan):
    """Tasks due 2022-12-01 with no history dated by 2022-12-31, judged on that day:
    not started → overdue; done on 2023-01-05 → overdue (done after the day); done on 12-20 →
    not overdue; cancelled (no completion day) → not overdue."""
    org = jiangshan.association
    due = datetime.date(2022, 12, 1)
    waiting = TaskFactory(organization=org, due_date=due)
    done_after = TaskFactory(
        organization=org, due_date=due, status=Task.Status.DONE, completed_on=datetime.date(2023, 1, 5)
    )
    done_before = TaskFactory(
        organization=org, due_date=due, status=Task.Status.DONE, completed_on=datetime.date(2022, 12, 20)
    )
    cancelled = TaskFactory(organization=org, due_date=due, status=Task.Status.CANCELLED)
    overdue = set(tasks_on(Task.objects.all(), ON).filter(task_overdue_on(ON)).values_list("pk", flat=True))
    assert overdue == {waiting.pk, done_after.pk}
    assert {done_before.pk, cancelled.pk}.isdisjoint(overdue)


@time_machine.travel(datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_a_rectification_item_is_open_by_its_own_history(jiangshan, wuxiang):
    """Items of inspections on 2022-12-01, asked about on 2022-12-31 (history written today
    unless dated):
    - ``closed_then``: 已销号 dated 12-20 — closed;
    - ``closed_late``: 已销号 dated 2023-01-01 07:00 — open;
    - ``undated_open``: open today, no history by then — open;
    - ``undated_closed_after``: closed today, closing day 2023-01-10 — open then;
    - ``undated_closed_before``: closed today, closing day 12-15 — closed then;
    - ``backdated``: 已销号 dated 12-20 entered before 整改中 dated 12-10 — closed;
    - ``note_after``: 已销号 on 12-01, a note without a status on 12-20 — closed;
    - ``later``: raised by an inspection of 2023-01-05 — not yet raised;
    - ``other``: 五乡's item 已销号 dated 12-20 must not close 姜山's items (each its own history)."""
    first = rf.InspectionFactory(organization=jiangshan.association, inspected_on=datetime.date(2022, 12, 1))
    later = rf.InspectionFactory(organization=jiangshan.association, inspected_on=datetime.date(2023, 1, 5))
    items = {
        name: rf.RectificationFactory(inspection=first, **extra)
        for name, extra in {
            "closed_then": {},
            "closed_late": {},
            "undated_open": {},
            "backdated": {},
            "note_after": {},
            "undated_closed_after": {
                "status": Rectification.Status.CLOSED,
                "closed_on": datetime.date(2023, 1, 10),
            },
            "undated_closed_before": {
                "status": Rectification.Status.CLOSED,
                "closed_on": datetime.date(2022, 12, 15),
            },
        }.items()
    }
    items["later"] = rf.RectificationFactory(inspection=later)
    other = rf.RectificationFactory(
        inspection=rf.InspectionFactory(
            organization=wuxiang.association, inspected_on=datetime.date(2022, 12, 1)
        )
    )
    RectificationUpdate.objects.all().delete()
    closed = Rectification.Status.CLOSED
    _update(RectificationUpdate, items["closed_then"], closed, _shanghai(2022, 12, 20, 9, 0))
    _update(RectificationUpdate, items["closed_late"], closed, _shanghai(2023, 1, 1, 7, 0))
    _update(RectificationUpdate, other, closed, _shanghai(2022, 12, 20, 9, 0))
    # Entered in this order: 已销号 dated 12-20, then 整改中 dated 12-10 — closed by date, not by id.
    _update(RectificationUpdate, items["backdated"], closed, _shanghai(2022, 12, 20, 9, 0))
    _update(
        RectificationUpdate,
        items["backdated"],
        Rectification.Status.IN_PROGRESS,
        _shanghai(2022, 12, 10, 9, 0),
    )
    # 已销号 on 12-01, then a note without a status on 12-20: still closed.
    _update(RectificationUpdate, items["note_after"], closed, _shanghai(2022, 12, 1, 9, 0))
    _update(RectificationUpdate, items["note_after"], "", _shanghai(2022, 12, 20, 9, 0), note="回访")

    open_then = set(
        rectifications_on(Rectification.objects.all(), ON)
        .filter(rectification_open_on(ON))
        .values_list("pk", flat=True)
    )
    names = {pk: name for name, item in items.items() for pk in [item.pk]}
    assert {names.get(pk, "other") for pk in open_then} == {
        "closed_late",
        "undated_open",
        "undated_closed_after",
    }
