"""A finished quarter reads the same whenever it is reported.

The 2022Q4 reports and dashboard of the hand-counted district (tests/district.py) are built,
then the present changes — on 2026-11-29, through the portal's own actions: the open
rectification item is closed, the overdue task is done and the done one cancelled, an
association is dissolved, the preparing one starts running and a new one is founded, seats and
a leader role end and a 三长 takes a new seat — and the same quarter is built again: every
figure is as it was. The current quarter, built on the same day, does see the changes.
"""

import datetime

import pytest
import time_machine
from django.utils import timezone

from organizations import actions as org_actions
from organizations.models import LeaderRole, Organization, Seat
from organizations.scoping import scope_for
from rollout import indicators as ind
from rollout.dashboards.blocks import district_dashboard
from rollout.indicators import Period
from rollout.models import Rectification, RectificationUpdate, Task
from rollout.plan.actions.tasks import task_record_progress
from rollout.reports import build_report
from tests.district import Q4, TODAY, build_district

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
THIS_QUARTER = Period.quarter(2026, 4)


@pytest.fixture
def district(db, coverage_source):
    built = build_district()
    built.ready = coverage_source
    return built


def laid_out(report) -> dict:
    """Every figure of a report: its sections' rows and notes, charts and opening paragraphs."""
    return {
        "sections": {section.key: (section.rows, section.note) for section in report.sections},
        "charts": [(chart.title, chart.labels, chart.values) for chart in report.charts],
        "paragraphs": report.paragraphs,
        "reference_day": report.reference_day,
    }


def everything(district, period: Period) -> dict:
    district.ready()
    reports = {
        (kind, user.username): laid_out(build_report(kind, period, scope=scope_for(user), today=TODAY))
        for kind in ("supervision", "coverage")
        for user in (district.district_staff, district.jiangshan_admin, district.wuxiang_admin)
    }
    dashboard = district_dashboard(user=district.district_staff, period=period, on=TODAY)
    return {"reports": reports, "dashboard": dashboard}


def change_the_present(district) -> None:
    staff = district.district_staff
    orgs = district.orgs
    with time_machine.travel(NOW, tick=False):
        # The open item is closed (销号) and its history says so today.
        item = district.rectification
        Rectification.objects.filter(pk=item.pk).update(status=Rectification.Status.CLOSED, closed_on=TODAY)
        RectificationUpdate.objects.create(
            rectification=item, actor=staff, old_status=item.status, new_status=Rectification.Status.CLOSED
        )
        # The overdue task is done at last; the task done in 2022 is cancelled.
        task_record_progress(actor=staff, task=district.overdue_task, status=Task.Status.DONE, note="已完成")
        task_record_progress(actor=staff, task=district.done_task, status=Task.Status.CANCELLED, note="撤销")
        # An association is dissolved, the preparing one starts running, a new one is founded.
        org_actions.organization_update(
            actor=staff,
            organization=orgs["姜山科普教育协会"],
            data={"status": "dissolved", "dissolved_on": TODAY},
        )
        org_actions.organization_update(
            actor=staff, organization=orgs["云龙科普教育协会"], data={"status": "active", "founded_on": TODAY}
        )
        org_actions.organization_create(
            actor=staff,
            data={
                "code": "WX-XJ",
                "name": "五乡新健康协会",
                "kind": Organization.Kind.GRASSROOTS_ASSOCIATION,
                "category": Organization.Category.LIFE_HEALTH,
                "home_region": district.towns["五乡镇"],
                "parent": orgs["五乡镇科协"],
                "status": "active",
                "founded_on": TODAY,
            },
        )
        # Seats end, a leader role ends, a 三长 takes a new seat in 云龙镇科协.
        for seat in Seat.objects.filter(organization=orgs["姜山镇科协"]):
            org_actions.seat_update(actor=staff, seat=seat, data={"term_end": TODAY})
        role = LeaderRole.objects.get(person=district.people["冯志刚"])
        org_actions.leader_role_end(actor=staff, role=role, ended_on=TODAY)
        org_actions.seat_create(
            actor=staff,
            organization=orgs["云龙镇科协"],
            person=district.people["蒋卫东"],
            position=Seat.Position.STANDING_MEMBER,
            term_start=TODAY,
        )


def test_a_finished_quarter_reads_the_same_after_the_present_has_changed(district):
    before = everything(district, Q4)
    change_the_present(district)
    after = everything(district, Q4)
    assert after["reports"] == before["reports"]
    assert after["dashboard"] == before["dashboard"]


def test_the_figures_that_the_changes_touch_are_those_counted_by_hand(district):
    """The figures of 2022Q4 after the changes, as tests/district.py counts them."""
    change_the_present(district)
    report = build_report("supervision", Q4, scope=scope_for(district.district_staff), today=TODAY)
    summary = {row["indicator"]: row["value"] for row in report.section("summary").rows}
    assert (summary["逾期推进任务"], summary["未销号整改事项"], summary["本期到期推进任务"]) == (1, 1, 2)
    assert [row["title"] for row in report.section("rectifications").rows] == ["云龙组建生态服务类协会"]
    assert [row["task"] for row in report.section("overdue_tasks").rows] == ["五乡重建生活健康类协会"]
    rows = {row["organization"]: row for row in report.section("organizations").rows}
    assert (rows["姜山镇科协"]["seats"], rows["姜山镇科协"]["leader_seats"]) == (2, 1)
    assert (rows["五乡农技协会"]["seats"], rows["五乡农技协会"]["leader_seats"]) == (1, 1)
    assert "五乡新健康协会" not in rows and "云龙科普教育协会" not in rows
    district.ready()
    coverage = {
        row.region.name: row for row in ind.town_coverage(Q4, towns=district.towns.values(), today=TODAY)
    }
    assert [coverage[town].covered for town in ("姜山镇", "五乡镇", "云龙镇")] == [True, False, False]
    assert coverage["云龙镇"].missing_categories == ["ecology"]
    dashboard = district_dashboard(user=district.district_staff, period=Q4, on=TODAY)
    # The dashboard and the report agree: one task overdue at the quarter's end, one item open.
    assert (dashboard["rollout"]["tasks_overdue"], dashboard["rollout"]["tasks_done"]) == (1, 1)
    assert dashboard["rollout"]["rectifications_open"] == 1


def test_the_current_quarter_sees_the_changes(district):
    change_the_present(district)
    with time_machine.travel(NOW, tick=False):
        assert timezone.localdate() == TODAY
        report = build_report("supervision", THIS_QUARTER, scope=scope_for(district.district_staff))
    summary = {row["indicator"]: row["value"] for row in report.section("summary").rows}
    assert summary["未销号整改事项"] == 0
    assert summary["逾期推进任务"] == 0  # done, and the other cancelled
    rows = {row["organization"]: row for row in report.section("organizations").rows}
    assert (rows["姜山镇科协"]["seats"], rows["姜山镇科协"]["leader_seats"]) == (2, 1)  # ending today
    assert "五乡新健康协会" in rows and "云龙科普教育协会" in rows
    assert (rows["五乡农技协会"]["seats"], rows["五乡农技协会"]["leader_seats"]) == (1, 1)  # ends today
    district.ready()
    coverage = {
        row.region.name: row
        for row in ind.town_coverage(THIS_QUARTER, towns=district.towns.values(), today=TODAY)
    }
    # 五乡镇 has a life_health association again and 云龙镇 its ecology one; 姜山镇 lost its
    # ecology association today.
    assert coverage["五乡镇"].three_associations and coverage["云龙镇"].three_associations
    assert coverage["姜山镇"].missing_categories == ["ecology"]
    assert coverage["云龙镇"].led  # 蒋卫东, a 三长, sits in 云龙镇科协 from today
