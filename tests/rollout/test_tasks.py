"""Tasks of the plan: who creates and changes them, who reports progress, and the history
every status change and progress note leaves."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from rollout.models import Stage, Task, TaskUpdate
from rollout.plan.actions import tasks
from tests import factories as f
from tests.rollout import factories as rf

pytestmark = pytest.mark.django_db


def history(task: Task) -> list[tuple[str, str, str, str | None]]:
    return [
        (u.old_status, u.new_status, u.note, u.actor.username if u.actor else None)
        for u in task.updates.order_by("created_at", "pk")
    ]


def test_district_staff_create_a_task_and_its_history_starts(district_user, plan, jiangshan):
    task = tasks.task_create(
        actor=district_user,
        phase=plan[3],
        stage=Stage.objects.get(code="3c"),
        title="  实现三会服务全覆盖 ",
        organization=jiangshan.association,
        due_date=datetime.date(2022, 12, 31),
    )
    assert task.title == "实现三会服务全覆盖"
    assert task.status == Task.Status.NOT_STARTED and task.created_by == district_user
    assert history(task) == [("", "not_started", "", "district")]


@pytest.mark.parametrize("persona", ["supervisor_user", "jiangshan_admin", "leader_user"])
def test_only_district_staff_create_tasks(request, persona, plan, jiangshan):
    with pytest.raises(PermissionDenied):
        tasks.task_create(
            actor=request.getfixturevalue(persona),
            phase=plan[3],
            title="不应创建",
            organization=jiangshan.association,
            due_date=datetime.date(2022, 12, 31),
        )
    assert not Task.objects.filter(title="不应创建").exists()


def test_task_create_refuses_a_stage_of_another_phase_and_duplicates(district_user, plan, jiangshan):
    with pytest.raises(ValidationError) as excinfo:
        tasks.task_create(
            actor=district_user,
            phase=plan[1],
            stage=Stage.objects.get(code="3a"),
            title="错配子阶段",
            organization=jiangshan.association,
            due_date=datetime.date(2022, 2, 1),
        )
    assert "所选子阶段不属于该阶段" in str(excinfo.value.message_dict["stage"])
    tasks.task_create(
        actor=district_user,
        phase=plan[3],
        title="同名任务",
        organization=jiangshan.association,
        due_date=datetime.date(2022, 12, 31),
    )
    with pytest.raises(ValidationError) as excinfo:
        tasks.task_create(
            actor=district_user,
            phase=plan[3],
            title="同名任务",
            organization=jiangshan.association,
            due_date=datetime.date(2022, 12, 1),
        )
    assert "已有同名任务" in str(excinfo.value.message_dict["title"])


def test_a_dissolved_organisation_gets_no_new_tasks(district_user, plan):
    dissolved = f.OrganizationFactory(status="dissolved")
    with pytest.raises(ValidationError) as excinfo:
        tasks.task_create(
            actor=district_user,
            phase=plan[3],
            title="任务",
            organization=dissolved,
            due_date=datetime.date(2022, 1, 1),
        )
    assert "已撤销" in str(excinfo.value.message_dict["organization"])


def test_the_admin_moves_their_task_along_and_each_step_is_recorded(jiangshan_admin, jiangshan_task, today):
    tasks.task_record_progress(
        actor=jiangshan_admin, task=jiangshan_task, status="in_progress", note="已启动"
    )
    tasks.task_record_progress(actor=jiangshan_admin, task=jiangshan_task, note="完成一半")
    tasks.task_record_progress(actor=jiangshan_admin, task=jiangshan_task, status="done", note="全部完成")
    jiangshan_task.refresh_from_db()
    assert jiangshan_task.status == "done" and jiangshan_task.completed_on == today
    assert history(jiangshan_task) == [
        ("", "not_started", "", None),
        ("not_started", "in_progress", "已启动", "jiangshan"),
        ("in_progress", "in_progress", "完成一半", "jiangshan"),
        ("in_progress", "done", "全部完成", "jiangshan"),
    ]
    # Reopening a done task clears its completion date.
    tasks.task_record_progress(
        actor=jiangshan_admin, task=jiangshan_task, status="in_progress", note="补充材料"
    )
    jiangshan_task.refresh_from_db()
    assert jiangshan_task.completed_on is None


def test_progress_needs_a_change_or_a_note(jiangshan_admin, jiangshan_task):
    with pytest.raises(ValidationError) as excinfo:
        tasks.task_record_progress(
            actor=jiangshan_admin, task=jiangshan_task, status="not_started", note="  "
        )
    assert "请填写进展说明" in str(excinfo.value.message_dict["note"])
    assert jiangshan_task.updates.count() == 1


def test_only_district_staff_cancel_or_revive_a_task(jiangshan_admin, district_user, jiangshan_task):
    with pytest.raises(ValidationError) as excinfo:
        tasks.task_record_progress(actor=jiangshan_admin, task=jiangshan_task, status="cancelled")
    assert "只有区科协可以取消任务" in str(excinfo.value.message_dict["status"])
    tasks.task_record_progress(
        actor=district_user, task=jiangshan_task, status="cancelled", note="并入其他任务"
    )
    with pytest.raises(ValidationError):
        tasks.task_record_progress(actor=jiangshan_admin, task=jiangshan_task, status="in_progress")
    # A note on a cancelled task is still welcome.
    tasks.task_record_progress(actor=jiangshan_admin, task=jiangshan_task, note="知悉")
    jiangshan_task.refresh_from_db()
    assert jiangshan_task.status == "cancelled"


@pytest.mark.parametrize("persona", ["wuxiang_admin", "supervisor_user", "leader_user"])
def test_others_cannot_report_on_a_towns_task(request, persona, jiangshan_task):
    with pytest.raises(PermissionDenied):
        tasks.task_record_progress(actor=request.getfixturevalue(persona), task=jiangshan_task, note="越权")
    assert jiangshan_task.updates.count() == 1


def test_district_staff_edit_a_task_and_a_status_change_enters_the_history(
    district_user, jiangshan_task, wuxiang
):
    tasks.task_update(
        actor=district_user,
        task=jiangshan_task,
        data={
            "title": "改名后的任务",
            "organization": wuxiang.association,
            "due_date": datetime.date(2031, 1, 1),
            "status": "in_progress",
            "note": "改由五乡镇负责",
        },
    )
    jiangshan_task.refresh_from_db()
    assert jiangshan_task.organization == wuxiang.association
    assert history(jiangshan_task)[-1] == ("not_started", "in_progress", "改由五乡镇负责", "district")
    from organizations.models import AuditEntry

    entry = AuditEntry.objects.get(action="task_update", object_id=str(jiangshan_task.pk))
    assert entry.changes["title"] == ["姜山推进任务", "改名后的任务"]


def test_an_admin_cannot_edit_the_task_itself(jiangshan_admin, jiangshan_task):
    with pytest.raises(PermissionDenied):
        tasks.task_update(
            actor=jiangshan_admin, task=jiangshan_task, data={"due_date": datetime.date(2040, 1, 1)}
        )


# --------------------------------------------------------------------------- pages


def test_the_progress_form_records_an_update(client, jiangshan_admin, jiangshan_task):
    client.force_login(jiangshan_admin)
    url = reverse("rollout:task_progress", args=[jiangshan_task.pk])
    response = client.post(url, {"status": "in_progress", "note": "已召开推进会"})
    assert response.status_code == 302 and response.url == jiangshan_task.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "已召开推进会" in page and "已记录任务进展" in page


def test_a_bad_progress_report_shows_the_message_and_writes_nothing(client, jiangshan_admin, jiangshan_task):
    client.force_login(jiangshan_admin)
    url = reverse("rollout:task_progress", args=[jiangshan_task.pk])
    response = client.post(url, {"status": "not_started", "note": ""})
    assert response.status_code == 200
    assert "请填写进展说明，或更改任务状态" in response.content.decode()
    response = client.post(url, {"status": "cancelled", "note": "想取消"})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert jiangshan_task.updates.count() == 1


def test_the_admin_form_offers_no_cancel_but_district_staff_may(
    client, jiangshan_admin, district_user, jiangshan_task
):
    url = jiangshan_task.get_absolute_url()
    client.force_login(jiangshan_admin)
    assert 'value="cancelled"' not in client.get(url).content.decode()
    client.force_login(district_user)
    assert 'value="cancelled"' in client.get(url).content.decode()


def test_add_and_edit_pages(client, district_user, plan, jiangshan):
    client.force_login(district_user)
    response = client.post(
        reverse("rollout:task_add"),
        {
            "phase": plan[3].pk,
            "stage": Stage.objects.get(code="3b").pk,
            "title": "梳理试点经验",
            "organization": jiangshan.association.pk,
            "due_date": "2022-09-30",
            "description": "形成典型案例",
        },
    )
    task = Task.objects.get(title="梳理试点经验")
    assert response.status_code == 302 and response.url == task.get_absolute_url()
    response = client.post(
        reverse("rollout:task_edit", args=[task.pk]),
        {
            "phase": plan[3].pk,
            "stage": "",
            "title": "梳理试点经验",
            "organization": jiangshan.association.pk,
            "due_date": "2022-10-31",
            "status": "done",
            "note": "已形成案例",
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.due_date == datetime.date(2022, 10, 31) and task.status == "done"


def test_the_add_page_puts_action_errors_on_the_form(client, district_user, plan, jiangshan):
    client.force_login(district_user)
    response = client.post(
        reverse("rollout:task_add"),
        {
            "phase": plan[1].pk,
            "stage": Stage.objects.get(code="3a").pk,
            "title": "错配",
            "organization": jiangshan.association.pk,
            "due_date": "2022-02-01",
        },
    )
    assert response.status_code == 200
    assert "所选子阶段不属于该阶段" in response.content.decode()
    assert not Task.objects.filter(title="错配").exists()


def test_the_task_page_shows_the_history(client, district_user, jiangshan_admin, jiangshan_task):
    tasks.task_record_progress(
        actor=jiangshan_admin, task=jiangshan_task, status="in_progress", note="第一步"
    )
    client.force_login(district_user)
    body = client.get(jiangshan_task.get_absolute_url()).content.decode()
    assert "第一步" in body and "未开始" in body and "进行中" in body
    assert TaskUpdate.objects.filter(task=jiangshan_task).count() == 2


def test_the_list_filters_by_phase_state_and_search(client, district_user, plan, jiangshan, today):
    rf.TaskFactory(
        organization=jiangshan.association, title="逾期的任务", due_date=today - datetime.timedelta(days=1)
    )
    rf.TaskFactory(
        organization=jiangshan.association, title="以后的任务", due_date=today + datetime.timedelta(days=9)
    )
    rf.TaskFactory(
        phase=plan[1],
        organization=jiangshan.association,
        title="第一阶段的任务",
        status="done",
        completed_on=today,
        due_date=today - datetime.timedelta(days=5),
    )
    client.force_login(district_user)
    url = reverse("rollout:task_list")
    overdue = client.get(url, {"state": "overdue"}).content.decode()
    assert "逾期的任务" in overdue and "以后的任务" not in overdue and "第一阶段的任务" not in overdue
    first = client.get(url, {"phase": plan[1].pk}).content.decode()
    assert "第一阶段的任务" in first and "逾期的任务" not in first
    assert "以后的任务" in client.get(url, {"q": "以后"}).content.decode()
    closed = client.get(url, {"state": "closed"}).content.decode()
    assert "第一阶段的任务" in closed and "以后的任务" not in closed
