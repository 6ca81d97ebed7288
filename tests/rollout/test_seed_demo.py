"""The demo rollout of ``manage.py seed_demo``: the plan as the work plan describes it, and
safe to run again (nothing new the second time, also on a later day)."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from organizations.demo import build_demo as build_organizations
from organizations.models import Organization
from rollout.demo import build_demo
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
)

pytestmark = pytest.mark.django_db

PASSWORD = "x-demo-pass-1"
MODELS = (
    Phase,
    Stage,
    Milestone,
    Task,
    TaskUpdate,
    Pilot,
    SteeringMember,
    Inspection,
    Rectification,
    RectificationUpdate,
    RectificationEvidence,
    ShowcaseItem,
    Incentive,
)


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(today):
    build_organizations(password=PASSWORD)
    return build_demo()


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in MODELS}


def test_a_second_run_creates_nothing(demo):
    before = counts()
    assert before["Task"] > 40 and before["Inspection"] >= 8
    rows = build_demo()
    assert counts() == before
    assert all(created == 0 for _label, _count, _unit, created in rows)
    labels = ["推进阶段", "里程碑", "推进任务", "试点单位", "专项指导组成员", "督查记录", "整改事项", "典型"]
    assert [label for label, *_ in rows] == [*labels, "激励记录"]


def test_a_run_on_a_later_day_moves_the_current_work_along(demo, today):
    before = counts()
    later = today + datetime.timedelta(days=40)
    build_demo(today=later)
    assert counts() == before
    report = Task.objects.get(organization__name="姜山镇科协", title="报送本年度“三长带三会”工作总结")
    assert report.due_date == later - datetime.timedelta(days=7)
    assert Inspection.objects.filter(inspected_on=later - datetime.timedelta(days=35)).exists()


def test_the_command_runs_it_after_the_organisations_and_twice_is_harmless():
    out = io.StringIO()
    call_command("seed_demo", password=PASSWORD, stdout=out)
    before = counts()
    call_command("seed_demo", password=PASSWORD, stdout=out)
    assert counts() == before
    assert "推进任务" in out.getvalue() and "督查记录" in out.getvalue()


def test_the_plan_and_its_pilots(demo):
    assert Phase.objects.count() == 4 and Stage.objects.count() == 3
    pilots = Pilot.objects.select_related("organization__home_region", "stage")
    assert sorted(p.organization.home_region.name for p in pilots) == sorted(
        ["姜山镇", "五乡镇", "云龙镇", "下应街道"]
    )
    for pilot in pilots:
        assert pilot.stage.code == "3a"
        assert pilot.organization.kind == Organization.Kind.TOWN_ASSOCIATION
        assert pilot.findings and pilot.measures
        assert Task.objects.filter(organization=pilot.organization, stage__code="3a").count() == 3
    # Every town not piloting has its full-coverage task, due by the end of stage 3c (the end
    # of the programme year, 31 December 2022 in the plan; the demo's programme year ends with
    # the current quarter).
    coverage = Task.objects.filter(stage__code="3c", title__contains="全覆盖")
    assert coverage.count() == 21
    full_coverage = Stage.objects.get(code="3c").end_date
    assert full_coverage == Phase.objects.get(number=3).end_date
    assert set(coverage.values_list("due_date", flat=True)) == {full_coverage}
    assert {"done", "in_progress", "not_started"} <= set(coverage.values_list("status", flat=True))
    assert set(Task.objects.values_list("phase__number", flat=True)) == {1, 2, 3, 4}
    assert Milestone.objects.filter(title="鄞州区科协第十一次代表大会").exists()


def test_the_lists_always_have_something_overdue_and_something_coming(demo, today):
    assert Task.objects.overdue(today).filter(organization__name="姜山镇科协").exists()
    assert Task.objects.open().filter(due_date__gte=today).exists()
    assert Rectification.objects.overdue(today).filter(organization__name="姜山镇科协").exists()
    assert Rectification.objects.open().filter(deadline__gte=today, organization__name="五乡镇科协").exists()
    # Each task's history starts with its creation and ends with its current status.
    for task in Task.objects.prefetch_related("updates"):
        entries = sorted(task.updates.all(), key=lambda u: (u.created_at, u.pk))
        assert entries[0].old_status == "" and entries[-1].new_status == task.status, task.title


def test_closed_items_carry_evidence_on_disk(demo, settings):
    closed = Rectification.objects.filter(status="closed")
    assert closed.count() >= 3
    for item in closed:
        evidence = item.evidence.get()
        assert Path(evidence.file.path).read_bytes().startswith(b"\x89PNG")
        assert Path(evidence.file.path).is_relative_to(Path(settings.MEDIA_ROOT))
        assert item.closed_on and item.closure_note


def test_the_steering_group_showcase_and_incentives(demo):
    roles = set(SteeringMember.objects.values_list("role", flat=True))
    assert roles == {"leader", "deputy", "office_director", "member"}
    assert SteeringMember.objects.get(role="office_director").user.username == "supervisor"
    published = ShowcaseItem.objects.published()
    assert set(published.values_list("kind", flat=True)) == {"practice", "organization", "leader"}
    assert set(ShowcaseItem.objects.values_list("status", flat=True)) >= {
        "nominated",
        "approved",
        "published",
    }
    # The 姜山镇 hospital director (the "leader" login) is among the exemplary leaders.
    assert published.filter(kind="leader", person__role_assignments__user__username="leader").exists()
    assert set(Incentive.objects.values_list("kind", flat=True)) == {"talent", "award", "funding"}
    assert all(i.amount > 0 for i in Incentive.objects.filter(kind="funding"))
