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
from django.utils import timezone

from rollout.indicators.flags import task_done_on, tasks_on
from rollout.models import Task, TaskUpdate
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
