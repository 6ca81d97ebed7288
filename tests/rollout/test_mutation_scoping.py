"""Who reads and changes which rollout record: the whole table, persona by persona.

The world: the plan's phases and stages (reference data), one pilot, one steering member, one
milestone and one incentive; for each of 姜山镇 and 五乡镇 one task (with its history row), one
inspection with one rectification item (with its history row and one evidence file); one
published and one nominated showcase item; one term reminder for 姜山镇科协; and report runs
requested by the 姜山镇 admin, a second 姜山镇 admin, the 五乡镇 admin, the admin of an
association below 姜山镇科协, district staff and the scheduler (nobody).
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from organizations.models import Organization, RoleAssignment
from organizations.scoping import SCOPE_CACHE_ATTR, scoped
from rollout import scoping as rollout_scoping
from rollout.models import (
    Incentive,
    Inspection,
    Milestone,
    Phase,
    Pilot,
    Rectification,
    RectificationEvidence,
    RectificationUpdate,
    ReportRun,
    ShowcaseItem,
    Stage,
    SteeringMember,
    Task,
    TaskUpdate,
    TermReminder,
)
from rollout.reports.actions import SYSTEM_SCOPE
from tests import factories as f
from tests.rollout import factories as rf

pytestmark = pytest.mark.django_db

PLAN_MODELS = (Phase, Stage, Milestone, Pilot, SteeringMember, Incentive)


@pytest.fixture
def world(
    plan, jiangshan, wuxiang, jiangshan_task, wuxiang_task, jiangshan_rectification, wuxiang_rectification
):
    rf.PilotFactory(organization=jiangshan.association)
    rf.SteeringMemberFactory()
    rf.MilestoneFactory()
    rf.IncentiveFactory(person=jiangshan.leader)
    for rectification, name in (
        (jiangshan_rectification, "姜山佐证.pdf"),
        (wuxiang_rectification, "五乡佐证.pdf"),
    ):
        RectificationEvidence.objects.create(
            rectification=rectification, file=rf.pdf(name), original_name=name
        )
    rf.ShowcaseItemFactory(
        title="已发布典型", status=ShowcaseItem.Status.PUBLISHED, published_on=datetime.date(2022, 12, 1)
    )
    rf.ShowcaseItemFactory(title="推荐中典型", status=ShowcaseItem.Status.NOMINATED)
    TermReminder.objects.create(
        seat=jiangshan.seat, term_end=jiangshan.seat.term_end, organization=jiangshan.association
    )


@pytest.fixture
def users(
    world, jiangshan, wuxiang, district_user, supervisor_user, jiangshan_admin, wuxiang_admin, leader_user
):
    second_js_admin = f.UserFactory(username="jiangshan-2")
    f.assign(second_js_admin, RoleAssignment.Role.ORG_ADMIN, organization=jiangshan.association)
    below = f.OrganizationFactory(
        code="GA-JS",
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
        category="production",
        parent=jiangshan.association,
    )
    below_admin = f.UserFactory(username="below-jiangshan")
    f.assign(below_admin, RoleAssignment.Role.ORG_ADMIN, organization=below)
    requesters = {
        "run-js": jiangshan_admin,
        "run-js-2": second_js_admin,
        "run-wx": wuxiang_admin,
        "run-below": below_admin,
        "run-district": district_user,
        "run-scheduled": None,
    }
    for params_hash, requester in requesters.items():
        ReportRun.objects.create(kind="coverage", params_hash=params_hash, requested_by=requester)
    system = f.UserFactory(username="system")
    setattr(system, SCOPE_CACHE_ATTR, SYSTEM_SCOPE)  # the scope scheduled report runs use
    return {
        "district": district_user,
        "supervisor": supervisor_user,
        "jiangshan": jiangshan_admin,
        "wuxiang": wuxiang_admin,
        "below": below_admin,
        "leader": leader_user,
        "nobody": f.UserFactory(username="nobody"),
        "anonymous": AnonymousUser(),
        "system": system,
    }


LABELS = {
    Task: "title",
    TaskUpdate: "task__title",
    Inspection: "findings",
    Rectification: "title",
    RectificationUpdate: "rectification__title",
    RectificationEvidence: "original_name",
    ShowcaseItem: "title",
    ReportRun: "params_hash",
    TermReminder: "organization__name",
}

TASKS = {"姜山推进任务", "五乡推进任务"}
INSPECTIONS = {"姜山督查发现", "五乡督查发现"}
ITEMS = {"姜山整改事项", "五乡整改事项"}
EVIDENCE = {"姜山佐证.pdf", "五乡佐证.pdf"}
SHOWCASE = {"已发布典型", "推荐中典型"}
RUNS = {"run-js", "run-js-2", "run-wx", "run-below", "run-district", "run-scheduled"}
NONE = set()

# model → persona → (what they read, what they change)
EXPECTED = {
    Task: {
        "district": (TASKS, TASKS),
        "supervisor": (TASKS, NONE),
        "system": (TASKS, NONE),
        "jiangshan": ({"姜山推进任务"}, {"姜山推进任务"}),
        "wuxiang": ({"五乡推进任务"}, {"五乡推进任务"}),
        "below": (NONE, NONE),
        "leader": (NONE, NONE),
    },
    TaskUpdate: {
        "district": (TASKS, NONE),
        "supervisor": (TASKS, NONE),
        "system": (TASKS, NONE),
        "jiangshan": ({"姜山推进任务"}, NONE),
        "below": (NONE, NONE),
        "leader": (NONE, NONE),
    },
    Inspection: {
        "district": (INSPECTIONS, INSPECTIONS),
        "supervisor": (INSPECTIONS, INSPECTIONS),
        "system": (INSPECTIONS, NONE),
        "jiangshan": (NONE, NONE),
        "leader": (NONE, NONE),
    },
    Rectification: {
        "district": (ITEMS, ITEMS),
        "supervisor": (ITEMS, ITEMS),
        "system": (ITEMS, NONE),
        "jiangshan": ({"姜山整改事项"}, {"姜山整改事项"}),
        "wuxiang": ({"五乡整改事项"}, {"五乡整改事项"}),
        "below": (NONE, NONE),
        "leader": (NONE, NONE),
    },
    RectificationUpdate: {
        "district": (ITEMS, NONE),
        "supervisor": (ITEMS, NONE),
        "system": (ITEMS, NONE),
        "jiangshan": ({"姜山整改事项"}, NONE),
        "below": (NONE, NONE),
        "leader": (NONE, NONE),
    },
    RectificationEvidence: {
        "district": (EVIDENCE, NONE),
        "supervisor": (EVIDENCE, NONE),
        "system": (EVIDENCE, NONE),
        "wuxiang": ({"五乡佐证.pdf"}, NONE),
        "below": (NONE, NONE),
        "leader": (NONE, NONE),
    },
    ShowcaseItem: {
        "district": (SHOWCASE, SHOWCASE),
        "supervisor": (SHOWCASE, NONE),
        "system": (SHOWCASE, NONE),
        "jiangshan": ({"已发布典型"}, NONE),
        "leader": ({"已发布典型"}, NONE),
        "nobody": ({"已发布典型"}, NONE),
        "anonymous": ({"已发布典型"}, NONE),
    },
    # Reminders sent: read with the plan, written by the scheduled job only.
    TermReminder: {
        "district": ({"姜山镇科协"}, NONE),
        "supervisor": ({"姜山镇科协"}, NONE),
        "system": ({"姜山镇科协"}, NONE),
        "jiangshan": (NONE, NONE),
        "leader": (NONE, NONE),
    },
    # Runs are read (and re-run) alike: the rule has no separate answer for changing them.
    ReportRun: {
        "district": (RUNS, RUNS),
        "supervisor": (RUNS, RUNS),
        "system": (RUNS, RUNS),
        "jiangshan": ({"run-js", "run-js-2"}, {"run-js", "run-js-2"}),
        "wuxiang": ({"run-wx"}, {"run-wx"}),
        "below": ({"run-below"}, {"run-below"}),
        "leader": (NONE, NONE),
        "nobody": (NONE, NONE),
    },
}

# Plan records: all or nothing. persona → (reads all, changes all)
PLAN_EXPECTED = {
    "district": (True, True),
    "supervisor": (True, False),
    "system": (True, False),
    "jiangshan": (False, False),
    "leader": (False, False),
    "anonymous": (False, False),
}


def visible(user, model, *, write: bool) -> set[str]:
    return set(scoped(user, model, write=write).values_list(LABELS[model], flat=True))


def check_every_rule(users) -> None:
    for model, personas in EXPECTED.items():
        for persona, (reads, changes) in personas.items():
            assert visible(users[persona], model, write=False) == reads, (model, persona, "read")
            assert visible(users[persona], model, write=True) == changes, (model, persona, "write")
    for model in PLAN_MODELS:
        total = model.objects.count()
        assert total > 0, model
        for persona, (reads_all, changes_all) in PLAN_EXPECTED.items():
            assert scoped(users[persona], model).count() == (total if reads_all else 0), (model, persona)
            assert scoped(users[persona], model, write=True).count() == (total if changes_all else 0), (
                model,
                persona,
            )


def test_each_persona_reads_and_changes_what_the_rules_say(users):
    check_every_rule(users)


def test_registering_the_rules_again_changes_no_answer(users):
    rollout_scoping.register_rules()
    check_every_rule(users)
