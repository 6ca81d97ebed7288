"""Volunteer records per volunteer and per team, progress towards the national thresholds,
and the XLSX export for the national science-volunteer platform."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from organizations.models import AuditEntry
from services import selectors
from tests import factories as f
from tests.services.factories import ActivityFactory, VolunteerServiceFactory, at

pytestmark = pytest.mark.django_db


def serve(person, team, organizer, *, count, hours, year=2022):
    for n in range(count):
        activity = ActivityFactory(
            organizer=organizer, starts_at=at(0).replace(year=year, month=3 + n % 9, day=1 + n)
        )
        VolunteerServiceFactory(activity=activity, person=person, team=team, hours=hours)


def test_a_volunteer_reaches_the_threshold_at_ten_activities_and_twenty_hours(district_user, jiangshan):
    serve(jiangshan.member, jiangshan.team, jiangshan.association, count=9, hours=Decimal("2.5"))
    summary = selectors.volunteer_year_summary(user=district_user, person=jiangshan.member, year=2022)
    assert (summary["activities"], summary["hours"], summary["recognised"]) == (9, Decimal("22.50"), False)
    assert summary["progress"] == {"activities": 90, "hours": 100}
    serve(jiangshan.member, jiangshan.team, jiangshan.association, count=1, hours=Decimal("0.5"))
    summary = selectors.volunteer_year_summary(user=district_user, person=jiangshan.member, year=2022)
    assert summary["recognised"]
    other_year = selectors.volunteer_year_summary(user=district_user, person=jiangshan.member, year=2023)
    assert other_year["activities"] == 0


def test_pending_check_outs_do_not_count(district_user, js_activity, jiangshan):
    VolunteerServiceFactory(
        activity=js_activity, person=jiangshan.member, team=jiangshan.team, hours=None, checked_out_at=None
    )
    summary = selectors.volunteer_year_summary(
        user=district_user, person=jiangshan.member, year=js_activity.starts_at.year
    )
    assert summary["activities"] == 0 and summary["hours"] == 0


def test_hours_count_only_at_activities_that_took_place(district_user, jiangshan):
    """The same rule as the programme's indicators: planned or cancelled activities add nothing."""
    serve(jiangshan.member, jiangshan.team, jiangshan.association, count=2, hours=Decimal("1.5"))
    for status in ("planned", "cancelled"):
        activity = ActivityFactory(
            organizer=jiangshan.association,
            starts_at=at(0).replace(year=2022, month=6, day=15),
            status=status,
        )
        VolunteerServiceFactory(activity=activity, person=jiangshan.member, team=jiangshan.team, hours=4)
    summary = selectors.volunteer_year_summary(user=district_user, person=jiangshan.member, year=2022)
    assert (summary["activities"], summary["hours"]) == (2, Decimal("3.00"))
    team = selectors.team_year_summary(team=jiangshan.team, year=2022)
    assert (team["activities"], team["hours"]) == (2, Decimal("3.00"))


def test_team_totals(jiangshan):
    second = f.PersonFactory(name="第二位志愿者")
    f.TeamMembershipFactory(team=jiangshan.team, person=second)
    serve(jiangshan.member, jiangshan.team, jiangshan.association, count=3, hours=2)
    serve(second, jiangshan.team, jiangshan.association, count=2, hours=Decimal("1.25"))
    summary = selectors.team_year_summary(team=jiangshan.team, year=2022)
    assert (summary["volunteers"], summary["activities"], summary["hours"]) == (2, 5, Decimal("8.50"))
    assert summary["progress"]["volunteers"] == 10
    assert [row["person__name"] for row in summary["rows"]] == [jiangshan.member.name, "第二位志愿者"]
    assert summary["rows"][0]["masked_phone"].count("*") == 4


def test_the_pages_show_progress(client, jiangshan_admin, jiangshan):
    serve(jiangshan.member, jiangshan.team, jiangshan.association, count=2, hours=3)
    client.force_login(jiangshan_admin)
    team_page = client.get(
        reverse("services:team_record", args=[jiangshan.team.pk]), {"year": 2022}
    ).content.decode()
    assert (
        "2022年度服务队认定进度" in team_page and "6.00 / 100" in team_page
    )  # hours, as every page and report prints them
    person_page = client.get(
        reverse("services:volunteer_record", args=[jiangshan.member.pk]), {"year": 2022}
    ).content.decode()
    assert "2 / 10" in person_page and "6.00 / 20" in person_page


def test_the_export_is_a_workbook_for_the_national_platform(client, jiangshan_admin, jiangshan):
    serve(jiangshan.member, jiangshan.team, jiangshan.association, count=2, hours=Decimal("2.25"))
    serve(jiangshan.member, jiangshan.team, jiangshan.association, count=1, hours=1, year=2021)
    client.force_login(jiangshan_admin)
    url = reverse("services:team_export", args=[jiangshan.team.pk])
    response = client.post(url, {"year": 2022, "reason": "向全国科技志愿服务平台补录时长"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == (
        "序号",
        "姓名",
        "手机号码",
        "服务日期",
        "服务开始时间",
        "服务结束时间",
        "服务时长（小时）",
    )
    assert "活动名称" in rows[0] and "服务队" in rows[0]
    assert sheet.freeze_panes == "A2"
    assert len(rows) == 3
    assert rows[1][1] == jiangshan.member.name and rows[1][2] == jiangshan.member.phone
    assert rows[1][6] == 2.25
    assert rows[1][3].startswith("2022-")
    entry = AuditEntry.objects.get(action="volunteer_records_export")
    assert entry.actor == jiangshan_admin and entry.changes["rows"] == 2 and "补录" in entry.summary


def test_the_export_needs_a_reason_and_the_admin_role(
    client, jiangshan_admin, leader_user, supervisor_user, wuxiang_admin, jiangshan
):
    url = reverse("services:team_export", args=[jiangshan.team.pk])
    client.force_login(jiangshan_admin)
    response = client.post(url, {"year": 2022, "reason": "导"})
    assert response.status_code == 200 and "请具体说明导出用途" in response.content.decode()
    assert not AuditEntry.objects.filter(action="volunteer_records_export").exists()
    for user, status in ((leader_user, 403), (supervisor_user, 403), (wuxiang_admin, 404)):
        client.force_login(user)
        assert client.post(url, {"year": 2022, "reason": "查看一下记录"}).status_code == status
    assert not AuditEntry.objects.filter(action="volunteer_records_export").exists()
