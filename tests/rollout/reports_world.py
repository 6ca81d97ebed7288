"""A hand-built world for the report tests, on top of the 姜山镇/五乡镇 towns of tests/conftest.py.

In 2022Q4 姜山镇 is fully covered (its association has a 三长 seat, three grassroots
associations, two held activities: one with check-ins and volunteer hours, one with only a
reported count); 五乡镇 has no grassroots associations and no activity, an overdue task and an
open rectification item, and a grassroots association whose seats hold no 三长."""

from __future__ import annotations

import datetime

from django.utils import timezone

from organizations.models import Organization
from rollout.indicators import Period
from rollout.models import Task
from services.models import Activity
from tests import factories as f
from tests.rollout import factories as rf
from tests.services.factories import ActivityFactory, AttendanceFactory, VolunteerServiceFactory

Q4 = Period.quarter(2022, 4)
TODAY = datetime.date(2026, 11, 29)


def in_q4(day: int, month: int = 11) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2022, month, day, 9))


def build(jiangshan, wuxiang) -> dict:
    js, wx = jiangshan.association, wuxiang.association
    grassroots = {}
    for category in Organization.Category.values:
        grassroots[category] = f.OrganizationFactory(
            code=f"GA-JS-{category}",
            name=f"姜山{category}协会",
            kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
            category=category,
            home_region=js.home_region,
            parent=js,
        )
    wx_grassroots = f.OrganizationFactory(
        code="GA-WX-production",
        name="五乡农技协会",
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
        category="production",
        home_region=f.region("云龙镇"),  # based elsewhere, so 五乡镇 still misses its three
        parent=wx,
    )
    f.SeatFactory(organization=wx_grassroots)  # a seat without any 三长

    checked = ActivityFactory(organizer=js, region=js.home_region, starts_at=in_q4(10), title="姜山义诊")
    for _ in range(3):
        AttendanceFactory(activity=checked)
    VolunteerServiceFactory(activity=checked, hours=2.5)
    VolunteerServiceFactory(activity=checked, hours=1.5)
    reported = ActivityFactory(
        organizer=grassroots["production"],
        region=js.home_region,
        starts_at=in_q4(5, 12),
        reported_participants=40,
        title="姜山农技讲座",
    )
    # Outside the period, and not yet held: neither counts.
    ActivityFactory(organizer=js, region=js.home_region, starts_at=in_q4(20, 9))
    ActivityFactory(
        organizer=wx, region=wx.home_region, starts_at=in_q4(1, 12), status=Activity.Status.PLANNED
    )

    overdue = rf.TaskFactory(
        organization=wx,
        title="五乡组建三会",
        due_date=datetime.date(2022, 11, 30),
        status=Task.Status.IN_PROGRESS,
    )
    due_done = rf.TaskFactory(
        organization=js,
        title="姜山完成换届",
        due_date=datetime.date(2022, 12, 15),
        status=Task.Status.DONE,
        completed_on=datetime.date(2022, 12, 10),
    )
    inspection = rf.InspectionFactory(
        organization=wx, inspected_on=datetime.date(2022, 12, 1), findings="五乡进度滞后"
    )
    open_item = rf.RectificationFactory(
        inspection=inspection, title="五乡补齐三会", deadline=datetime.date(2022, 12, 31)
    )
    return {
        "grassroots": grassroots,
        "wx_grassroots": wx_grassroots,
        "checked": checked,
        "reported": reported,
        "overdue": overdue,
        "due_done": due_done,
        "inspection": inspection,
        "open_item": open_item,
    }
