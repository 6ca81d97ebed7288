""" "Overdue" is decided on the Asia/Shanghai calendar: a due date before today there, and the
item not done, cancelled or closed. At 2024-06-30 16:30 UTC it is already 07-01 in Shanghai."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rollout.models import Rectification, Task
from rollout.plan import selectors
from tests.rollout import factories as rf

pytestmark = pytest.mark.django_db

DUE = datetime.date(2024, 6, 30)
# 23:30 on 06-30 in Shanghai: the due day itself, not yet overdue.
BEFORE_MIDNIGHT = datetime.datetime(2024, 6, 30, 15, 30, tzinfo=datetime.UTC)
# 00:30 on 07-01 in Shanghai, while it is still 06-30 in UTC.
AFTER_MIDNIGHT = datetime.datetime(2024, 6, 30, 16, 30, tzinfo=datetime.UTC)


@pytest.fixture
def at(monkeypatch):
    def set_now(instant: datetime.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: instant)

    return set_now


@pytest.fixture
def items(plan, jiangshan):
    return {
        "task": rf.TaskFactory(organization=jiangshan.association, title="六月底到期", due_date=DUE),
        "done": rf.TaskFactory(
            organization=jiangshan.association, title="已完成", due_date=DUE, status="done", completed_on=DUE
        ),
        "cancelled": rf.TaskFactory(
            organization=jiangshan.association, title="已取消", due_date=DUE, status="cancelled"
        ),
        "rectification": rf.RectificationFactory(
            inspection=rf.InspectionFactory(organization=jiangshan.association),
            title="六月底整改",
            deadline=DUE,
        ),
        "closed": rf.RectificationFactory(
            inspection=rf.InspectionFactory(organization=jiangshan.association),
            title="已销号",
            deadline=DUE,
            status="closed",
            closed_on=DUE,
        ),
    }


def overdue_tasks() -> set[str]:
    return set(Task.objects.overdue().values_list("title", flat=True))


def overdue_rectifications() -> set[str]:
    return set(Rectification.objects.overdue().values_list("title", flat=True))


def test_nothing_is_overdue_on_the_due_day_itself(at, items):
    at(BEFORE_MIDNIGHT)
    assert timezone.localdate() == DUE
    assert overdue_tasks() == set() and overdue_rectifications() == set()
    assert not items["task"].is_overdue() and not items["rectification"].is_overdue()


def test_after_midnight_in_shanghai_open_items_are_overdue(at, items):
    at(AFTER_MIDNIGHT)
    assert AFTER_MIDNIGHT.date() == DUE  # still 06-30 in UTC
    assert overdue_tasks() == {"六月底到期"}
    assert overdue_rectifications() == {"六月底整改"}
    assert items["task"].is_overdue() and items["task"].days_overdue() == 1
    assert not items["done"].is_overdue() and not items["cancelled"].is_overdue()
    assert items["rectification"].is_overdue() and not items["closed"].is_overdue()


def test_the_annotated_flag_agrees_with_the_model(at, items, district_user):
    at(AFTER_MIDNIGHT)
    flags = dict(selectors.task_list(user=district_user).values_list("title", "overdue"))
    assert flags == {"六月底到期": True, "已完成": False, "已取消": False}
    flags = dict(selectors.rectification_list(user=district_user).values_list("title", "overdue"))
    assert flags == {"六月底整改": True, "已销号": False}


def test_lists_put_overdue_items_first(at, plan, jiangshan, district_user):
    at(AFTER_MIDNIGHT)
    rf.TaskFactory(
        organization=jiangshan.association, title="下周到期", due_date=DUE + datetime.timedelta(days=7)
    )
    rf.TaskFactory(
        organization=jiangshan.association, title="早已逾期", due_date=DUE - datetime.timedelta(days=30)
    )
    rf.TaskFactory(organization=jiangshan.association, title="昨天到期", due_date=DUE)
    rf.TaskFactory(
        organization=jiangshan.association,
        title="更早完成",
        due_date=DUE - datetime.timedelta(days=60),
        status="done",
        completed_on=DUE,
    )
    titles = list(selectors.task_list(user=district_user).values_list("title", flat=True))
    assert titles == ["早已逾期", "昨天到期", "下周到期", "更早完成"]


def test_the_pages_highlight_overdue_items(at, items, client, district_user):
    at(AFTER_MIDNIGHT)
    client.force_login(district_user)
    body = client.get(reverse("rollout:task_list")).content.decode()
    row = body[body.index(f'data-task="{items["task"].pk}"') - 80 :][:200]
    assert "table-danger" in row
    assert "逾期 1 天" in body
    body = client.get(reverse("rollout:supervision")).content.decode()
    assert "table-danger" in body and "六月底整改" in body and "已销号</a>" not in body


def test_the_overview_counts_overdue_tasks_on_the_shanghai_date(at, items, client, district_user):
    at(BEFORE_MIDNIGHT)
    client.force_login(district_user)
    before = client.get(reverse("rollout:overview")).context["totals"]["overdue"]
    at(AFTER_MIDNIGHT)
    # An hour later the idle session has ended: sign in again.
    client.force_login(district_user)
    after = client.get(reverse("rollout:overview")).context["totals"]["overdue"]
    assert (before, after) == (0, 1)
