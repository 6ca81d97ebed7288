"""The exports of the list pages (organizations.exports): every registered list, as XLSX and
CSV, is safe to open (no cell is a formula), has its page's rows in its page's order for the
user who asks, masks phone and ID numbers unless a manager gives a reason (on the record), and
costs the same number of queries for 30 rows as for 90.

The records are built here and the files opened back with openpyxl and csv; the expected cells
are written out by hand.
"""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from organizations.exports import registry
from organizations.models import AuditEntry, LeaderRole, Organization, Seat
from rollout.models import Phase, Stage
from rollout.reference import load_plan
from tests import factories as f
from tests.rollout import factories as rf
from tests.services.factories import ActivityFactory, AttendanceFactory, VolunteerServiceFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
LINK = '=HYPERLINK("http://x")'
NOV_2022 = datetime.datetime(2022, 11, 1, 9, tzinfo=SHANGHAI)


# --------------------------------------------------------------------------- helpers


def body_of(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def export(client, key: str, query: str = "", fmt: str = "xlsx"):
    url = reverse("organizations:list_export", args=[key])
    return client.get(f"{url}?{query}{'&' if query else ''}format={fmt}")


def xlsx_sheet(body: bytes):
    return load_workbook(io.BytesIO(body)).active


def xlsx_rows(body: bytes) -> list[tuple]:
    return list(xlsx_sheet(body).iter_rows(values_only=True))


def csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel and WPS then read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def assert_no_formula(body: bytes) -> dict[str, str]:
    """Every cell of the workbook: none a formula, no text beginning like one. Returns each
    text cell's value and its data type."""
    texts = {}
    for row in xlsx_sheet(body).iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert not cell.value.startswith(DANGEROUS), (cell.coordinate, cell.value)
                texts[cell.value] = cell.data_type
    return texts


# --------------------------------------------------------------------------- a record per list


@pytest.fixture
def payloads(jiangshan, district_user):
    """Records of 姜山镇 whose text begins like a formula: an association "@SUM(A1)", a person
    named =HYPERLINK(…) working at "-2", a team "+1", an activity "+1" with a check-in by
    =HYPERLINK(…), a task "=1+2", an inspection numbered "-3" and a rectification item "@x" for
    "=cmd"; the person served the team an hour at the activity. Returns the activity, the person
    and the team."""
    load_plan(Phase, Stage)
    association = f.OrganizationFactory(
        code="GA-AT",
        name="@SUM(A1)",
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
        category=Organization.Category.PRODUCTION,
        home_region=jiangshan.association.home_region,
        parent=jiangshan.association,
    )
    person = f.PersonFactory(name=LINK, employer="-2", phone="13812345678")
    f.MembershipFactory(person=person, organization=association)
    f.LeaderRoleFactory(person=person, kind=LeaderRole.Kind.SCHOOL_PRINCIPAL, institution="+学校")
    f.SeatFactory(organization=association, person=person, position=Seat.Position.CHAIR)
    team = f.VolunteerTeamFactory(organization=association, name="+1", leader=person, service_area="-科普")
    f.TeamMembershipFactory(team=team, person=person)
    activity = ActivityFactory(title="+1", organizer=association, venue="=A1", leaders=[person])
    AttendanceFactory(activity=activity, name=LINK, phone="13812345678")
    VolunteerServiceFactory(activity=activity, person=person, team=team, hours=1)
    rf.TaskFactory(title="=1+2", organization=association)
    inspection = rf.InspectionFactory(organization=association, reference="-3")
    rf.RectificationFactory(inspection=inspection, title="@x", owner_name="=cmd")
    return SimpleNamespace(activity=activity, person=person, team=team)


def _year(w) -> int:
    return timezone.localtime(w.activity.starts_at).year


# For each list: its query for the payload world, and the cells (neutralised) it must hold.
PAYLOAD_CELLS: dict[str, tuple[Callable, set[str]]] = {
    "people": (lambda w: "", {"'" + LINK, "'-2"}),
    "leaders": (lambda w: "", {"'" + LINK, "'-2"}),
    "seats": (lambda w: "", {"'@SUM(A1)", "'" + LINK}),
    "teams": (lambda w: "", {"'+1", "'@SUM(A1)", "'" + LINK, "'-科普"}),
    "organizations": (lambda w: "q=SUM", {"'@SUM(A1)"}),
    "activities": (lambda w: "", {"'+1", "'@SUM(A1)", "'=A1", "'" + LINK}),
    "checkins": (lambda w: f"activity={w.activity.pk}", {"'" + LINK}),
    "team_hours": (lambda w: f"year={_year(w)}", {"'+1", "'@SUM(A1)"}),
    "volunteer_record": (
        lambda w: f"person={w.person.pk}&year={_year(w)}",
        {"'" + LINK, "'+1", "'@SUM(A1)"},
    ),
    "team_volunteers": (lambda w: f"team={w.team.pk}&year={_year(w)}", {"'" + LINK}),
    "tasks": (lambda w: "", {"'=1+2", "'@SUM(A1)"}),
    "inspections": (lambda w: "", {"'@SUM(A1)", "'-3"}),
    "rectifications": (lambda w: "", {"'@x", "'=cmd", "'@SUM(A1)"}),
}
KEYS = [spec.key for spec in registry.registered()]


def test_every_registered_list_is_checked_here():
    assert sorted(KEYS) == sorted(PAYLOAD_CELLS)


@pytest.mark.parametrize("key", KEYS)
def test_no_cell_of_any_export_is_a_formula(client, district_user, payloads, key):
    query, expected = PAYLOAD_CELLS[key]
    client.force_login(district_user)
    workbook = body_of(export(client, key, query(payloads), "xlsx"))
    texts = assert_no_formula(workbook)
    assert expected <= set(texts)
    assert {texts[value] for value in expected} == {"s"}
    rows = csv_rows(body_of(export(client, key, query(payloads), "csv")))
    cells = {cell for row in rows for cell in row}
    assert not {cell for cell in cells if cell.startswith(DANGEROUS)}
    assert expected <= cells
    assert rows[0] == [str(column.header) for column in registry.get(key).columns]


# --------------------------------------------------------------------------- the file


def test_the_workbook_has_a_frozen_bold_header_numbers_and_dates(client, district_user, jiangshan):
    client.force_login(district_user)
    sheet = xlsx_sheet(body_of(export(client, "organizations", "q=姜山镇科协")))
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "名称" and sheet["A1"].font.b
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "名称", "组织代码", "组织类型", "三会类别", "所在区域", "上级组织", "状态", "成立日期",
        "会员", "在任职务", "志愿服务队",
    ]  # fmt: skip
    row = sheet[2]
    assert row[0].value == "姜山镇科协"
    # 姜山会员 and 姜山院长 are members and hold the two seats; one team.
    assert [row[8].value, row[9].value, row[10].value] == [2, 2, 1]
    assert {row[8].data_type, row[9].data_type, row[10].data_type} == {"n"}


def test_dates_and_hours_stay_dates_and_numbers(client, district_user, jiangshan):
    load_plan(Phase, Stage)
    rf.TaskFactory(title="姜山任务", organization=jiangshan.association, due_date=datetime.date(2030, 6, 30))
    team = jiangshan.team
    activity = ActivityFactory(
        title="姜山讲座",
        organizer=jiangshan.association,
        starts_at=datetime.datetime(2022, 11, 1, 9, 30, tzinfo=SHANGHAI),
    )
    VolunteerServiceFactory(activity=activity, person=jiangshan.member, team=team, hours=Decimal("2.5"))
    client.force_login(district_user)
    tasks = xlsx_sheet(body_of(export(client, "tasks")))
    assert tasks["D2"].value == datetime.datetime(2030, 6, 30) and tasks["D2"].is_date
    activities = xlsx_sheet(body_of(export(client, "activities")))
    # The portal's day and hour (Asia/Shanghai), whatever the server's zone.
    assert activities["A2"].value == datetime.datetime(2022, 11, 1, 9, 30) and activities["A2"].is_date
    hours = xlsx_rows(body_of(export(client, "team_hours", "year=2022")))
    assert hours[1][:5] == ("姜山镇科技志愿服务队", "姜山镇科协", 1, 1, 2.5)
    csv_hours = csv_rows(body_of(export(client, "team_hours", "year=2022", "csv")))
    assert csv_hours[1][:5] == ["姜山镇科技志愿服务队", "姜山镇科协", "1", "1", "2.5"]
    assert csv_rows(body_of(export(client, "activities", "", "csv")))[1][0] == "2022-11-01 09:30"


# --------------------------------------------------------------------------- as shown


def _names_on_page(client, url_name: str, query: str) -> list[str]:
    response = client.get(f"{reverse(url_name)}?{query}")
    return [getattr(record, "name", None) or record.title for record in response.context["page"]]


@pytest.mark.parametrize(
    ("key", "url_name", "query", "expected"),
    [
        (
            "people",
            "organizations:person_list",
            "sort=-name",
            ["赵六", "王五", "李四", "姜山院长", "姜山会员"],
        ),
        ("people", "organizations:person_list", "sort=name&profession=medical", ["李四", "赵六"]),
        ("activities", "services:activity_list", "sort=title", ["丙讲座", "甲讲座", "乙讲座"]),
        ("activities", "services:activity_list", "sort=-date&status=held", ["丙讲座", "甲讲座"]),
    ],
)
def test_the_export_is_the_list_as_shown(client, jiangshan_admin, jiangshan, key, url_name, query, expected):
    for name, profession in (("李四", "medical"), ("王五", "other"), ("赵六", "medical")):
        person = f.PersonFactory(name=name, profession=profession)
        f.MembershipFactory(person=person, organization=jiangshan.association)
    for title, day, status in (("乙讲座", 1, "planned"), ("甲讲座", 2, "held"), ("丙讲座", 3, "held")):
        ActivityFactory(
            title=title,
            organizer=jiangshan.association,
            status=status,
            starts_at=datetime.datetime(2022, 11, day, 9, tzinfo=SHANGHAI),
        )
    client.force_login(jiangshan_admin)
    assert _names_on_page(client, url_name, query) == expected
    column = 0 if key == "people" else 2  # 姓名 / 活动名称
    assert [row[column] for row in xlsx_rows(body_of(export(client, key, query)))[1:]] == expected
    assert [row[column] for row in csv_rows(body_of(export(client, key, query, "csv")))[1:]] == expected


# --------------------------------------------------------------------------- personal numbers


def test_numbers_are_masked_by_default(client, jiangshan_admin, jiangshan):
    jiangshan.member.phone = "13812345678"
    jiangshan.member.save()
    client.force_login(jiangshan_admin)
    rows = xlsx_rows(body_of(export(client, "people")))
    member = next(row for row in rows if row[0] == "姜山会员")
    assert member[2] == "138****5678"
    assert not AuditEntry.objects.filter(action="people_export_full").exists()


def test_full_numbers_need_a_reason_and_leave_one_audit_entry(client, jiangshan_admin, jiangshan):
    jiangshan.member.phone = "13812345678"
    jiangshan.member.save()
    client.force_login(jiangshan_admin)
    url = reverse("organizations:list_export", args=["people"])
    page = client.get(f"{url}?full=1&sort=-name").content.decode()
    assert 'name="full"' in page and 'name="reason"' in page
    refused = client.post(url, {"query": "sort=-name", "format": "xlsx", "full": "on", "reason": ""})
    assert "请写明导出完整个人信息的用途" in refused.content.decode()
    assert not AuditEntry.objects.filter(action="people_export_full").exists()
    response = client.post(
        url, {"query": "sort=-name", "format": "csv", "full": "on", "reason": "向区科协报送名单"}
    )
    rows = csv_rows(body_of(response))
    assert [rows[2][0], rows[2][2]] == ["姜山会员", "13812345678"]
    entry = AuditEntry.objects.get(action="people_export_full")
    assert entry.actor == jiangshan_admin and entry.summary == "向区科协报送名单"
    assert entry.object_type == "organizations.person"
    assert entry.changes == {"list": "people", "count": 2, "filters": "sort=-name"}


def test_readers_get_no_form_and_a_full_export_is_refused(client, supervisor_user, jiangshan):
    client.force_login(supervisor_user)
    url = reverse("organizations:list_export", args=["people"])
    page = client.get(url).content.decode()
    assert 'name="format"' in page and 'name="full"' not in page
    assert client.get(f"{url}?full=1").status_code == 403
    response = client.post(url, {"query": "", "format": "csv", "full": "on", "reason": "想要完整号码"})
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="people_export_full").exists()
    # The masked export remains theirs.
    assert csv_rows(body_of(client.post(url, {"query": "", "format": "csv"})))[0][0] == "姓名"


def test_lists_without_numbers_offer_no_full_export(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    url = reverse("organizations:list_export", args=["teams"])
    assert 'name="full"' not in client.get(url).content.decode()
    assert client.get(f"{url}?full=1").status_code == 403


def test_the_check_in_export_masks_phones(client, jiangshan_admin, jiangshan):
    activity = ActivityFactory(organizer=jiangshan.association)
    AttendanceFactory(activity=activity, name="参加者甲", phone="13712345678")
    client.force_login(jiangshan_admin)
    rows = xlsx_rows(body_of(export(client, "checkins", f"activity={activity.pk}")))
    assert rows[1][:2] == ("参加者甲", "137****5678")


# --------------------------------------------------------------------------- scope


def test_an_admin_exports_only_their_own_people(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    rows = csv_rows(body_of(export(client, "people", "", "csv")))
    assert sorted(row[0] for row in rows[1:]) == ["姜山会员", "姜山院长"]


def test_another_towns_check_ins_are_not_found(client, wuxiang_admin, jiangshan, wuxiang):
    activity = ActivityFactory(organizer=jiangshan.association)
    client.force_login(wuxiang_admin)
    assert export(client, "checkins", f"activity={activity.pk}").status_code == 404
    assert export(client, "checkins", "activity=x").status_code == 404
    assert export(client, "checkins").status_code == 404


def test_another_towns_records_are_not_found(client, wuxiang_admin, jiangshan, wuxiang):
    client.force_login(wuxiang_admin)
    assert export(client, "team_volunteers", f"team={jiangshan.team.pk}").status_code == 404
    assert export(client, "volunteer_record", f"person={jiangshan.member.pk}").status_code == 404
    assert export(client, "team_volunteers", f"team={wuxiang.team.pk}").status_code == 200


def test_a_list_the_user_may_not_read_is_refused(client, leader_user, jiangshan_admin):
    client.force_login(leader_user)
    assert export(client, "tasks").status_code == 403
    client.force_login(jiangshan_admin)
    assert export(client, "inspections").status_code == 403
    assert export(client, "no-such-list").status_code == 404


def test_anonymous_users_are_sent_to_login(client):
    response = export(client, "people")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --------------------------------------------------------------------------- query counts


def _build(key: str, n: int, town, activity_holder: list) -> str:
    """``n`` rows of the list ``key`` in 姜山镇; the export's query."""
    association = town.association
    if key in ("people", "leaders", "seats"):
        for _index in range(n):
            person = f.PersonFactory()
            f.MembershipFactory(person=person, organization=association)
            f.LeaderRoleFactory(person=person)
            f.SeatFactory(organization=association, person=person)
    elif key in ("teams", "team_hours"):
        for _index in range(n):
            team = f.VolunteerTeamFactory(organization=association, leader=town.leader)
            f.TeamMembershipFactory(team=team)
    elif key == "organizations":
        f.OrganizationFactory.create_batch(n, home_region=association.home_region, parent=association)
    elif key in ("activities", "checkins"):
        activity = ActivityFactory(organizer=association, leaders=[town.leader])
        activity_holder.append(activity)
        for _index in range(n):
            ActivityFactory(organizer=association, leaders=[town.leader])
            AttendanceFactory(activity=activity)
        return f"activity={activity.pk}" if key == "checkins" else ""
    elif key == "volunteer_record":
        for _index in range(n):
            VolunteerServiceFactory(
                activity=ActivityFactory(organizer=association, starts_at=NOV_2022),
                person=town.member,
                team=town.team,
            )
        return f"person={town.member.pk}&year=2022"
    elif key == "team_volunteers":
        activity = ActivityFactory(organizer=association, starts_at=NOV_2022)
        VolunteerServiceFactory.create_batch(n, activity=activity, team=town.team)
        return f"team={town.team.pk}&year=2022"
    elif key == "tasks":
        rf.TaskFactory.create_batch(n, organization=association)
    elif key in ("inspections", "rectifications"):
        for _index in range(n):
            rf.RectificationFactory(inspection=rf.InspectionFactory(organization=association))
    return ""


def _queries(client, key: str, query: str, fmt: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        body_of(export(client, key, query, fmt))
    return len(captured)


@pytest.mark.parametrize("key", KEYS)
def test_the_query_count_does_not_grow_with_the_rows(client, district_user, jiangshan, key):
    load_plan(Phase, Stage)
    client.force_login(district_user)
    held: list = []
    query = _build(key, 30, jiangshan, held)
    _queries(client, key, query, "xlsx")  # the scope and the session, cached from here on
    small = (_queries(client, key, query, "xlsx"), _queries(client, key, query, "csv"))
    if key == "checkins":
        for _index in range(60):
            AttendanceFactory(activity=held[0])
    else:
        _build(key, 60, jiangshan, held)
    large = (_queries(client, key, query, "xlsx"), _queries(client, key, query, "csv"))
    assert small == large


# --------------------------------------------------------------------------- the button


def test_the_list_page_offers_its_export_with_its_query(client, jiangshan_admin, supervisor_user, jiangshan):
    export_url = reverse("organizations:list_export", args=["people"])
    client.force_login(jiangshan_admin)
    page = client.get(reverse("organizations:person_list") + "?sort=-name&cursor=x").content.decode()
    assert f'href="{export_url}?sort=-name&amp;format=xlsx"' in page
    assert f'href="{export_url}?sort=-name&amp;format=csv"' in page
    assert f'href="{export_url}?sort=-name&amp;full=1"' in page
    client.force_login(supervisor_user)
    page = client.get(reverse("organizations:person_list") + "?sort=-name").content.decode()
    assert f'href="{export_url}?sort=-name&amp;format=csv"' in page and "full=1" not in page


def test_the_check_in_page_names_its_activity_in_the_export(client, jiangshan_admin, jiangshan):
    activity = ActivityFactory(organizer=jiangshan.association)
    client.force_login(jiangshan_admin)
    page = client.get(reverse("services:attendee_list", args=[activity.pk]) + "?sort=name").content.decode()
    export_url = reverse("organizations:list_export", args=["checkins"])
    assert f'href="{export_url}?sort=name&amp;activity={activity.pk}&amp;format=xlsx"' in page
