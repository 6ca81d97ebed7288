"""A rollout page's query count does not grow with the data: measured at two sizes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rollout.models import RectificationEvidence, Stage
from rollout.plan.actions import tasks
from tests import factories as f
from tests.rollout import factories as rf

pytestmark = pytest.mark.django_db


def grow(town, n: int, today: datetime.date) -> None:
    """Add n of everything the rollout pages list, for the town."""
    stage = Stage.objects.get(code="3a")
    for i in range(n):
        task = rf.TaskFactory(
            organization=town.association,
            due_date=today + datetime.timedelta(days=(i % 5) - 2),
            status="in_progress" if i % 2 else "not_started",
        )
        task.updates.create(old_status="not_started", new_status=task.status, note="进展")
        inspection = rf.InspectionFactory(organization=town.association, supervisor=None)
        item = rf.RectificationFactory(
            inspection=inspection, deadline=today + datetime.timedelta(days=(i % 3) - 1)
        )
        RectificationEvidence.objects.create(
            rectification=item, file=rf.png(), original_name="照片.png", size=72
        )
        item.updates.create(old_status="open", new_status="in_progress", note="整改中")
        pilot_org = f.OrganizationFactory(parent=town.association, home_region=town.association.home_region)
        rf.PilotFactory(organization=pilot_org, stage=stage)
        rf.MilestoneFactory(due_date=datetime.date(2022, 6, 1) + datetime.timedelta(days=i))
        rf.SteeringMemberFactory()
        leader = f.PersonFactory()
        f.LeaderRoleFactory(person=leader)
        rf.ShowcaseItemFactory(status="published", published_on=today, kind="leader", person=leader)
        rf.ShowcaseItemFactory(
            status="published", published_on=today, kind="organization", organization=pilot_org
        )
        rf.IncentiveFactory(person=leader)
        f.SeatFactory(
            organization=town.association,
            term_start=datetime.date(2022, 1, 1),
            term_end=today + datetime.timedelta(days=10 + i),
        )


@pytest.fixture
def objects(plan, jiangshan, today):
    task = rf.TaskFactory(organization=jiangshan.association, title="固定任务", due_date=today)
    item = rf.RectificationFactory(
        inspection=rf.InspectionFactory(organization=jiangshan.association), deadline=today
    )
    pilot = rf.PilotFactory(organization=jiangshan.association)
    return {"task": task, "item": item, "pilot": pilot}


def pages(objects) -> list[str]:
    return [
        reverse("rollout:overview"),
        reverse("rollout:task_list"),
        reverse("rollout:task_detail", args=[objects["task"].pk]),
        reverse("rollout:rectification_list"),
        reverse("rollout:rectification_detail", args=[objects["item"].pk]),
        reverse("rollout:supervision"),
        reverse("rollout:inspection_list"),
        reverse("rollout:inspection_detail", args=[objects["item"].inspection_id]),
        reverse("rollout:pilot_detail", args=[objects["pilot"].pk]),
        reverse("rollout:steering_group"),
        reverse("rollout:showcase_manage"),
        reverse("rollout:showcase_public"),
        reverse("rollout:incentive_list"),
        reverse("rollout:term_list"),
    ]


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("persona", ["district_user", "supervisor_user"])
def test_query_counts_do_not_grow_with_the_data(client, request, jiangshan, objects, persona, today):
    client.force_login(request.getfixturevalue(persona))
    grow(jiangshan, 3, today)
    small = {url: count_queries(client, url) for url in pages(objects)}
    grow(jiangshan, 25, today)
    large = {url: count_queries(client, url) for url in pages(objects)}
    assert large == small


def test_the_admins_pages_do_not_grow_either(client, jiangshan_admin, jiangshan, objects, today):
    client.force_login(jiangshan_admin)
    urls = [
        reverse("rollout:task_list"),
        reverse("rollout:task_detail", args=[objects["task"].pk]),
        reverse("rollout:rectification_list"),
        reverse("rollout:rectification_detail", args=[objects["item"].pk]),
    ]
    grow(jiangshan, 3, today)
    small = {url: count_queries(client, url) for url in urls}
    grow(jiangshan, 25, today)
    for _ in range(10):
        tasks.task_record_progress(actor=jiangshan_admin, task=objects["task"], note="又一条进展")
    large = {url: count_queries(client, url) for url in urls}
    assert large == small
