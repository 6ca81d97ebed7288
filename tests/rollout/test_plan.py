"""The plan itself: phases and stages with editable dates, milestones, pilots and the steering
group, all managed by district staff; and the rollout page that shows them."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from organizations.models import RoleAssignment
from organizations.scoping import scope_for
from rollout.models import Milestone, Phase, Pilot, Stage, SteeringMember
from rollout.plan import selectors
from rollout.plan.actions import phases, pilots, steering
from rollout.reference import load_plan
from tests import factories as f
from tests.rollout import factories as rf

pytestmark = pytest.mark.django_db

D = datetime.date


def test_the_plan_follows_the_work_plan(plan):
    assert [(p.number, p.name) for p in Phase.objects.all()] == [
        (1, "调研准备"),
        (2, "动员部署"),
        (3, "具体实施"),
        (4, "梳理总结"),
    ]
    stages = Stage.objects.select_related("phase")
    assert [(s.code, s.name, s.phase.number) for s in stages] == [
        ("3a", "局部推进", 3),
        ("3b", "深入推进", 3),
        ("3c", "全面覆盖", 3),
    ]
    full = Stage.objects.get(code="3c")
    assert full.end_date == D(2022, 12, 31) and "覆盖所有镇（街）" in full.target
    assert "姜山镇科协、五乡镇科协、云龙镇科协、下应街道科协" in Stage.objects.get(code="3a").summary
    assert "第十一次代表大会" in plan[4].summary


def test_reloading_the_plan_keeps_staff_edits(plan):
    Phase.objects.filter(number=1).update(end_date=D(2022, 2, 28))
    assert load_plan(Phase, Stage) == 0
    assert Phase.objects.get(number=1).end_date == D(2022, 2, 28)


def test_district_staff_move_a_phase(district_user, plan):
    phases.phase_update(
        actor=district_user,
        phase=plan[1],
        name="调研准备",
        summary="",
        start_date=D(2022, 1, 4),
        end_date=D(2022, 2, 20),
    )
    assert Phase.objects.get(number=1).start_date == D(2022, 1, 4)


def test_a_phase_must_still_hold_its_stages(district_user, plan):
    with pytest.raises(ValidationError) as excinfo:
        phases.phase_update(
            actor=district_user,
            phase=plan[3],
            name="具体实施",
            summary="",
            start_date=D(2022, 4, 1),
            end_date=D(2022, 12, 31),
        )
    assert "局部推进" in str(excinfo.value)
    with pytest.raises(ValidationError) as excinfo:
        phases.phase_update(
            actor=district_user,
            phase=plan[2],
            name="动员部署",
            summary="",
            start_date=D(2022, 3, 1),
            end_date=D(2022, 2, 1),
        )
    assert "结束日期不能早于开始日期" in str(excinfo.value)


def test_a_stage_stays_inside_its_phase(district_user, plan):
    stage = Stage.objects.get(code="3c")
    with pytest.raises(ValidationError) as excinfo:
        phases.stage_update(
            actor=district_user,
            stage=stage,
            name="全面覆盖",
            summary="",
            target="",
            start_date=D(2022, 10, 1),
            end_date=D(2023, 3, 31),
        )
    assert "子阶段须在“具体实施”的时间范围" in str(excinfo.value)


@pytest.mark.parametrize("persona", ["supervisor_user", "jiangshan_admin"])
def test_only_district_staff_change_the_plan(request, persona, plan, jiangshan):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        phases.phase_update(
            actor=actor,
            phase=plan[1],
            name="改",
            summary="",
            start_date=D(2022, 1, 1),
            end_date=D(2022, 2, 1),
        )
    with pytest.raises(PermissionDenied):
        phases.milestone_create(actor=actor, phase=plan[1], title="里程碑", due_date=D(2022, 2, 1))
    with pytest.raises(PermissionDenied):
        pilots.pilot_create(
            actor=actor, organization=jiangshan.association, stage=Stage.objects.get(code="3a")
        )
    with pytest.raises(PermissionDenied):
        steering.steering_member_create(actor=actor, role="member", name="某人")


def test_the_phase_edit_page_shows_errors_on_the_form(client, district_user, plan):
    client.force_login(district_user)
    url = reverse("rollout:phase_edit", args=[plan[3].pk])
    response = client.post(url, {"name": "具体实施", "start_date": "2022-05-01", "end_date": "2022-12-31"})
    assert response.status_code == 200 and "请先调整子阶段" in response.content.decode()
    response = client.post(url, {"name": "具体实施", "start_date": "2022-03-01", "end_date": "2022-12-31"})
    assert response.status_code == 302
    assert Phase.objects.get(number=3).start_date == D(2022, 3, 1)


def test_milestones(district_user, plan, today):
    milestone = phases.milestone_create(
        actor=district_user, phase=plan[4], title="第十一次代表大会", due_date=D(2022, 12, 16)
    )
    assert milestone.is_overdue(D(2022, 12, 17)) and not milestone.is_overdue(D(2022, 12, 16))
    with pytest.raises(ValidationError) as excinfo:
        phases.milestone_update(
            actor=district_user, milestone=milestone, data={"achieved_on": today + datetime.timedelta(days=1)}
        )
    assert "达成日期不能晚于今天" in str(excinfo.value)
    with pytest.raises(ValidationError):
        phases.milestone_create(
            actor=district_user, phase=plan[4], title="第十一次代表大会", due_date=D(2022, 12, 1)
        )
    with pytest.raises(ValidationError) as excinfo:
        phases.milestone_create(
            actor=district_user,
            phase=plan[4],
            stage=Stage.objects.get(code="3a"),
            title="错配",
            due_date=D(2022, 12, 1),
        )
    assert "所选子阶段不属于该阶段" in str(excinfo.value)
    phases.milestone_update(actor=district_user, milestone=milestone, data={"achieved_on": D(2022, 12, 16)})
    assert not Milestone.objects.get(pk=milestone.pk).is_overdue(today)


def test_a_pilot_is_registered_once_per_stage(district_user, plan, jiangshan):
    stage = Stage.objects.get(code="3a")
    pilot = pilots.pilot_create(
        actor=district_user, organization=jiangshan.association, stage=stage, findings="问题", measures="对策"
    )
    with pytest.raises(ValidationError) as excinfo:
        pilots.pilot_create(actor=district_user, organization=jiangshan.association, stage=stage)
    assert "该单位已是本阶段的试点" in str(excinfo.value)
    pilots.pilot_update(actor=district_user, pilot=pilot, data={"findings": "新的问题"})
    assert Pilot.objects.get().findings == "新的问题"


def test_the_steering_group_has_one_leader_and_one_office_director(district_user):
    steering.steering_member_create(
        actor=district_user, role="leader", name="陈组长", started_on=D(2022, 3, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        steering.steering_member_create(actor=district_user, role="leader", name="王组长")
    assert "组长目前由陈组长担任" in str(excinfo.value)
    first = SteeringMember.objects.get(name="陈组长")
    steering.steering_member_update(actor=district_user, member=first, data={"ended_on": D(2024, 1, 1)})
    steering.steering_member_create(actor=district_user, role="leader", name="王组长")
    # Deputies and members may be several.
    for name in ("副组长甲", "副组长乙"):
        steering.steering_member_create(actor=district_user, role="deputy", name=name)
    with pytest.raises(ValidationError) as excinfo:
        steering.steering_member_update(actor=district_user, member=first, data={"ended_on": D(2022, 1, 1)})
    assert "离任日期不能早于任职日期" in str(excinfo.value)


def test_linking_a_login_makes_it_a_supervisor(district_user):
    user = f.UserFactory(username="office")
    steering.steering_member_create(
        actor=district_user, role="office_director", name="张主任", user=user, grant_supervisor_role=True
    )
    assert RoleAssignment.objects.filter(user=user, role="supervisor").exists()
    assert scope_for(user).is_supervisor
    # District staff keep their role; no second one is added.
    steering.steering_member_create(
        actor=district_user, role="member", name="科普科", user=district_user, grant_supervisor_role=True
    )
    assert list(RoleAssignment.objects.filter(user=district_user).values_list("role", flat=True)) == [
        "district_staff"
    ]


def test_the_timeline_marks_today(plan):
    phases = list(Phase.objects.prefetch_related("stages", "milestones"))
    timeline = selectors.build_timeline(phases, D(2022, 7, 2))
    assert timeline.today_position == "within"
    assert 49 < float(timeline.today_left) < 51  # 2 July is half way through 2022
    current = [bar.label for bar in timeline.bars if bar.current]
    assert current == ["3. 具体实施", "3b 深入推进"]
    assert [tick.label for tick in timeline.ticks][:2] == ["2022-01", "2022-02"]
    assert selectors.build_timeline(phases, D(2026, 1, 1)).today_position == "after"
    assert selectors.build_timeline(phases, D(2021, 1, 1)).today_position == "before"


def test_the_rollout_page(client, district_user, plan, jiangshan, today):
    rf.PilotFactory(organization=jiangshan.association, findings="三长时间难以保证")
    rf.TaskFactory(
        organization=jiangshan.association,
        title="逾期的姜山任务",
        due_date=today - datetime.timedelta(days=3),
    )
    rf.MilestoneFactory(phase=plan[4], title="第十一次代表大会", due_date=D(2022, 12, 16))
    client.force_login(district_user)
    response = client.get(reverse("rollout:overview"))
    body = response.content.decode()
    assert 'id="timeline-today"' in body and today.strftime("%Y-%m-%d") in body
    assert "三长时间难以保证" in body and "第十一次代表大会" in body
    row = re.search(r'<tr class="([^"]*)" data-task="\d+">\s*<td><a [^>]*>逾期的姜山任务', body)
    assert row and "table-danger" in row.group(1)
    assert response.context["totals"]["overdue"] == 1
    pilot = response.context["pilots"][0]
    assert (pilot.open_tasks, pilot.overdue_tasks) == (1, 1)


def test_the_rollout_page_keeps_a_phase_short_and_links_to_the_rest(client, district_user, plan, jiangshan):
    for number in range(selectors.TASKS_PER_PHASE + 3):
        rf.TaskFactory(
            organization=jiangshan.association,
            title=f"任务{number:02d}",
            due_date=D(2030, 1, 1) + datetime.timedelta(days=number),
        )
    client.force_login(district_user)
    response = client.get(reverse("rollout:overview"))
    section = next(s for s in response.context["sections"] if s["phase"].number == 3)
    assert [t.title for t in section["tasks"]] == [f"任务{n:02d}" for n in range(selectors.TASKS_PER_PHASE)]
    assert f"?phase={plan[3].pk}" in response.content.decode()


def test_the_steering_group_page(client, supervisor_user):
    rf.SteeringMemberFactory(role="leader", name="陈组长")
    rf.SteeringMemberFactory(role="member", name="离任成员", started_on=D(2022, 1, 1), ended_on=D(2023, 1, 1))
    client.force_login(supervisor_user)
    response = client.get(reverse("rollout:steering_group"))
    assert [m.name for m in response.context["current"]] == ["陈组长"]
    assert [m.name for m in response.context["former"]] == ["离任成员"]
    assert reverse("rollout:steering_member_add") not in response.content.decode()
