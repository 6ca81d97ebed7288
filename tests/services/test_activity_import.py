"""The activity import (服务活动台账): a ledger of twelve activities with three bad ones, the same
file again, a changed count, dates written every way, a closed quarter, another organisation as
the target and the same ledger as a GB18030 CSV.

The world: 姜山镇科协 (TA-JS, home region 姜山镇) with the village 张村 below 姜山镇 and its
team 姜山镇科技志愿服务队, whose volunteers are 姜山会员 and 李红 (13900001111). The clock is
pinned to 5 January 2023, 10:00 in Asia/Shanghai. Files are built here (openpyxl, csv) and read
back by the import; every figure expected is counted by hand from the rows below.
"""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organizations.imports import actions
from organizations.imports.models import ImportBatch, ImportRow
from organizations.models import AuditEntry, Organization, Region
from rollout.reports.closing import actions as closing
from services.models import Activity, VolunteerService
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ACTIVITIES = ImportBatch.Kind.ACTIVITIES

HEADER = [
    "活动名称",
    "活动类型",
    "开始时间",
    "结束时间",
    "活动区域",
    "场所类型",
    "活动地点",
    "计划参与人数",
    "实际参与人数",
    "状态",
    "活动内容",
    "志愿者及服务时长",
]

# Spreadsheet rows 2–10 are good, 11–13 bad (an unknown type, an end before the start, a
# volunteer who is not in the team).
# fmt: off
LEDGER = [
    ["健康讲座", "科普宣讲", "2022-10-10 09:00", "2022-10-10 11:00", "姜山镇", "党群服务中心", "镇党群服务中心", 50, 48, "已举办", "高血压防治", "姜山会员 2；李红 1.5"],  # noqa: E501
    ["农技培训", "技术讲座培训", "2022-10-12 14:00", "", "张村", "村（社区）", "张村文化礼堂", 30, 28, "已举办", "", "李红(3)"],  # noqa: E501
    ["秋季义诊", "义诊", "2022-10-15", "", "姜山镇", "医院", "", "", 120, "", "", "姜山会员 4"],
    ["科普展览", "专题展览", "2022-10-20 09:30", "2022-10-20 16:00", "姜山镇", "", "", "", 200, "已举办", "", "13900001111 2.5"],  # noqa: E501
    ["院士报告", "专家报告会", "2022-11-01 14:00", "", "张村", "", "", "", 60, "", "", "姜山会员 1、李红 1"],
    ["科技咨询日", "科技咨询", "2022-11-05", "", "姜山镇", "", "", "", 35, "已举办", "", ""],
    ["果园技术指导", "技术指导", "2022-11-10 08:30", "2022-11-10 11:30", "张村", "村", "", "", 12, "", "", "李红 2小时"],  # noqa: E501
    ["科普日活动", "主题日活动", "2022-12-01", "", "姜山镇", "", "", "", 80, "", "", "姜山会员 0.5"],
    ["防诈科普视频", "线上科普作品", "2022-12-10 20:00", "", "姜山镇", "线上", "", "", 500, "", "", ""],
    ["周末讲座", "讲座", "2022-12-11", "", "姜山镇", "", "", "", 40, "", "", ""],
    ["时间倒置", "科普宣讲", "2022-12-12 15:00", "2022-12-12 10:00", "姜山镇", "", "", "", 20, "", "", ""],
    ["陌生志愿者", "科普宣讲", "2022-12-15", "", "姜山镇", "", "", "", 20, "", "", "王五 2"],
]
# fmt: on

# title → reported participants, as written above.
REPORTED = {
    "健康讲座": 48,
    "农技培训": 28,
    "秋季义诊": 120,
    "科普展览": 200,
    "院士报告": 60,
    "科技咨询日": 35,
    "果园技术指导": 12,
    "科普日活动": 80,
    "防诈科普视频": 500,
}
# (title, volunteer) → hours, as written above.
HOURS = {
    ("健康讲座", "姜山会员"): Decimal("2.00"),
    ("健康讲座", "李红"): Decimal("1.50"),
    ("农技培训", "李红"): Decimal("3.00"),
    ("秋季义诊", "姜山会员"): Decimal("4.00"),
    ("科普展览", "李红"): Decimal("2.50"),
    ("院士报告", "姜山会员"): Decimal("1.00"),
    ("院士报告", "李红"): Decimal("1.00"),
    ("果园技术指导", "李红"): Decimal("2.00"),
    ("科普日活动", "姜山会员"): Decimal("0.50"),
}


def shanghai(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(shanghai(2023, 1, 5, 10), tick=False):
        yield


@pytest.fixture
def town(jiangshan):
    """姜山镇科协 with the village 张村 and a second volunteer, 李红."""
    Region.objects.create(name="张村", kind=Region.Kind.VILLAGE, parent=f.region("姜山镇"))
    volunteer = f.PersonFactory(name="李红", phone="13900001111")
    f.TeamMembershipFactory(team=jiangshan.team, person=volunteer)
    return jiangshan


def xlsx_file(
    rows: list[list], header: list[str] = HEADER, name: str = "活动台账.xlsx"
) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile(name, output.getvalue())


def csv_file(rows: list[list], encoding: str, name: str = "活动台账.csv") -> SimpleUploadedFile:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, output.getvalue().encode(encoding))


def upload(actor, organization, file) -> ImportBatch:
    return actions.import_upload(
        actor=actor, organization=organization, kind=ACTIVITIES, upload=file, background=False
    )


def counts(batch: ImportBatch) -> tuple[int, int, int, int]:
    return batch.new_count, batch.update_count, batch.duplicate_count, batch.error_count


def errors_of(batch: ImportBatch) -> dict[int, dict]:
    return {row.number: row.errors for row in batch.rows.filter(outcome=ImportRow.Outcome.ERROR)}


def imported(organization) -> dict[str, Activity]:
    return {
        a.title: a for a in Activity.objects.filter(organizer=organization, source_key__startswith="import:")
    }


def hours_by_title() -> dict[tuple[str, str], Decimal]:
    return {
        (service.activity.title, service.person.name): service.hours
        for service in VolunteerService.objects.select_related("activity", "person")
    }


def test_a_ledger_of_twelve_with_three_bad_rows(town, jiangshan_admin):
    batch = upload(jiangshan_admin, town.association, xlsx_file(LEDGER))

    assert batch.status == ImportBatch.Status.CHECKED
    assert counts(batch) == (9, 0, 0, 3)
    errors = errors_of(batch)
    assert set(errors) == {11, 12, 13}
    assert list(errors[11]) == ["活动类型"] and "医疗义诊" in errors[11]["活动类型"][0]
    assert errors[12] == {"结束时间": ["结束时间不能早于开始时间。"]}
    assert list(errors[13]) == ["志愿者及服务时长"] and "王五" in errors[13]["志愿者及服务时长"][0]
    # The dry run wrote nothing of the ledger.
    assert not Activity.objects.exists() and not VolunteerService.objects.exists()
    assert not AuditEntry.objects.filter(action="activity_create").exists()

    batch = actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)

    assert batch.status == ImportBatch.Status.COMMITTED
    activities = imported(town.association)
    assert {title: a.reported_participants for title, a in activities.items()} == REPORTED
    assert hours_by_title() == HOURS
    assert VolunteerService.objects.filter(source=VolunteerService.Source.ENTERED).count() == 9
    assert AuditEntry.objects.filter(action="activity_create").count() == 9
    assert AuditEntry.objects.filter(action="volunteer_hours_change").count() == 9
    assert AuditEntry.objects.filter(action="import_commit", object_id=str(batch.pk)).count() == 1
    # What the file left out: the end is 2 h after the start, a date alone is at 9:00, the
    # status follows the start (all before 5 January 2023: held), the kind a short name.
    clinic = activities["秋季义诊"]
    assert (clinic.starts_at, clinic.ends_at) == (shanghai(2022, 10, 15, 9), shanghai(2022, 10, 15, 11))
    assert clinic.kind == "free_clinic" and clinic.venue_kind == "hospital"
    assert all(a.status == Activity.Status.HELD for a in activities.values())
    assert activities["农技培训"].region.name == "张村"
    assert activities["果园技术指导"].kind == "field_guidance"
    assert list(activities["健康讲座"].teams.all()) == [town.team]


def test_the_same_file_again_creates_nothing_and_a_changed_count_updates_one(town, jiangshan_admin):
    first = upload(jiangshan_admin, town.association, xlsx_file(LEDGER))
    actions.import_commit(actor=jiangshan_admin, batch=first, background=False)

    again = upload(jiangshan_admin, town.association, xlsx_file(LEDGER))

    assert counts(again) == (0, 0, 9, 3)

    changed = [list(row) for row in LEDGER]
    changed[0][8] = 52  # 健康讲座: 48 → 52 participants
    batch = upload(jiangshan_admin, town.association, xlsx_file(changed, name="活动台账（更正）.xlsx"))

    assert counts(batch) == (0, 1, 8, 3)
    assert batch.rows.get(outcome=ImportRow.Outcome.UPDATE).number == 2
    batch = actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Activity.objects.count() == 9
    assert Activity.objects.get(title="健康讲座").reported_participants == 52
    assert AuditEntry.objects.filter(action="activity_update").count() == 1


def test_changed_hours_are_corrected_and_new_volunteers_entered(town, jiangshan_admin):
    first = upload(jiangshan_admin, town.association, xlsx_file(LEDGER[:1]))
    actions.import_commit(actor=jiangshan_admin, batch=first, background=False)
    row = list(LEDGER[0])
    row[11] = "姜山会员 3；李红 1.5"

    batch = upload(jiangshan_admin, town.association, xlsx_file([row]))

    assert counts(batch) == (0, 1, 0, 0)
    actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)
    assert hours_by_title() == {
        ("健康讲座", "姜山会员"): Decimal("3.00"),
        ("健康讲座", "李红"): Decimal("1.50"),
    }
    service = VolunteerService.objects.get(person__name="姜山会员")
    assert service.source == VolunteerService.Source.CORRECTED
    assert [(c.old_hours, c.new_hours, c.reason) for c in service.changes.all()] == [
        (None, Decimal("2.00"), "批量导入"),
        (Decimal("2.00"), Decimal("3.00"), "批量导入"),
    ]


def test_the_same_activity_twice_in_one_file_is_a_duplicate_of_the_first(town, jiangshan_admin):
    batch = upload(jiangshan_admin, town.association, xlsx_file([LEDGER[0], LEDGER[0]]))

    assert counts(batch) == (1, 0, 1, 0)
    assert batch.rows.get(number=3).note == "与第 2 行重复"


def test_dates_written_every_way(town, jiangshan_admin):
    def row(title, start):
        return [title, "科普宣讲", start, "", "姜山镇", "", "", "", 10, "", "", ""]

    rows = [
        row("点号日期", "2022.3.5"),
        row("斜杠日期", "2022/3/6 14:30"),
        row("中文日期", "2022年3月7日"),
        row("序列号日期", 44628),  # Excel's serial of 2022-03-08
        row("序列号时刻", 44629.625),  # 2022-03-09 15:00
        row("日期单元格", datetime.datetime(2022, 3, 10, 16, 0)),
    ]
    batch = upload(jiangshan_admin, town.association, xlsx_file(rows))

    assert counts(batch) == (6, 0, 0, 0)
    actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)
    starts = dict(Activity.objects.values_list("title", "starts_at"))
    assert starts == {
        "点号日期": shanghai(2022, 3, 5, 9),
        "斜杠日期": shanghai(2022, 3, 6, 14, 30),
        "中文日期": shanghai(2022, 3, 7, 9),
        "序列号日期": shanghai(2022, 3, 8, 9),
        "序列号时刻": shanghai(2022, 3, 9, 15),
        "日期单元格": shanghai(2022, 3, 10, 16),
    }


def test_rows_in_a_closed_quarter_are_errors_with_the_locks_message(town, jiangshan_admin, district_user):
    closing.quarter_close(actor=district_user, quarter="2022Q4")
    rows = [
        ["十一月讲座", "科普宣讲", "2022-11-10", "", "姜山镇", "", "", "", 30, "", "", "姜山会员 2"],
        ["元旦讲座", "科普宣讲", "2023-01-02", "", "姜山镇", "", "", "", 25, "", "", "姜山会员 1"],
    ]

    batch = upload(jiangshan_admin, town.association, xlsx_file(rows))

    assert counts(batch) == (1, 0, 0, 1)
    [message] = errors_of(batch)[2][""]
    assert message.startswith("2022Q4 已关闭")
    actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)
    assert list(Activity.objects.values_list("title", flat=True)) == ["元旦讲座"]
    assert list(VolunteerService.objects.values_list("activity__title", "hours")) == [
        ("元旦讲座", Decimal("1.00"))
    ]


def test_a_held_activity_that_has_not_started_is_refused(town, jiangshan_admin):
    rows = [
        ["春节讲座", "科普宣讲", "2023-01-20", "", "姜山镇", "", "", "", 30, "已举办", "", ""],
        ["春季讲座", "科普宣讲", "2023-03-20", "", "姜山镇", "", "", "", 30, "", "", ""],
    ]

    batch = upload(jiangshan_admin, town.association, xlsx_file(rows))

    assert counts(batch) == (1, 0, 0, 1)
    assert errors_of(batch) == {2: {"开始时间": ["尚未开始的活动不能登记为“已举办”。"]}}
    assert batch.rows.get(number=3).note == "将登记为计划中的活动"


def test_an_activity_from_the_day_its_organiser_was_dissolved_is_refused(town, wuxiang, district_user):
    town.association.status = town.association.Status.DISSOLVED
    town.association.dissolved_on = datetime.date(2022, 12, 1)
    town.association.save()
    rows = [["年末讲座", "科普宣讲", "2022-12-01", "", "姜山镇", "", "", "", 30, "", "", ""]]

    batch = upload(district_user, town.association, xlsx_file(rows))

    assert counts(batch) == (0, 0, 0, 1)
    assert "已于 2022-12-01 撤销" in errors_of(batch)[2]["开始时间"][0]


def test_another_organisation_is_refused_and_its_admin_cannot_see_the_batch(
    client, town, wuxiang, jiangshan_admin, wuxiang_admin
):
    with pytest.raises(PermissionDenied):
        upload(jiangshan_admin, wuxiang.association, xlsx_file(LEDGER))
    batch = upload(jiangshan_admin, town.association, xlsx_file(LEDGER))

    client.force_login(wuxiang_admin)
    assert client.get(reverse("organizations:import_detail", args=[batch.pk])).status_code == 404
    assert client.post(reverse("organizations:import_commit", args=[batch.pk])).status_code == 404
    client.force_login(jiangshan_admin)
    page = client.get(reverse("organizations:import_detail", args=[batch.pk]))
    assert page.status_code == 200 and "王五" in page.content.decode()


def test_a_volunteer_of_another_organisation_is_unknown(town, wuxiang, jiangshan_admin):
    rows = [["健康讲座", "科普宣讲", "2022-10-10", "", "姜山镇", "", "", "", 5, "", "", "五乡会员 2"]]

    batch = upload(jiangshan_admin, town.association, xlsx_file(rows))

    assert counts(batch) == (0, 0, 0, 1)
    assert "“五乡会员”不是本组织服务队的志愿者" in errors_of(batch)[2]["志愿者及服务时长"][0]


def test_a_gb18030_csv_imports_the_same_as_the_xlsx(town, jiangshan_admin):
    batch = upload(jiangshan_admin, town.association, csv_file(LEDGER, "gb18030"))

    assert counts(batch) == (9, 0, 0, 3)
    assert set(errors_of(batch)) == {11, 12, 13}
    actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)
    assert {t: a.reported_participants for t, a in imported(town.association).items()} == REPORTED
    assert hours_by_title() == HOURS
    # The XLSX of the same ledger adds nothing.
    assert counts(upload(jiangshan_admin, town.association, xlsx_file(LEDGER))) == (0, 0, 9, 3)


def test_the_activity_list_offers_the_import_to_those_who_manage_the_organiser(
    client, town, jiangshan_admin, leader_user
):
    client.force_login(jiangshan_admin)
    page = client.get(reverse("services:activity_list")).content.decode()
    assert reverse("organizations:import_new") + "?kind=activities" in page
    client.force_login(leader_user)
    page = client.get(reverse("services:activity_list")).content.decode()
    assert "?kind=activities" not in page


def test_the_import_page_and_template_serve_activities(client, town, jiangshan_admin):
    client.force_login(jiangshan_admin)
    assert client.get(reverse("organizations:import_new") + "?kind=activities").status_code == 200
    response = client.get(reverse("organizations:import_template", args=["activities"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["活动名称*", "活动类型*", "开始时间*", "结束时间", "活动区域*"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("张三 2；李四 1.5", [["张三", "2.00"], ["李四", "1.50"]]),
        ("张三(2) 李四(1.5)", [["张三", "2.00"], ["李四", "1.50"]]),
        ("张三（2）、李四（1.5）", [["张三", "2.00"], ["李四", "1.50"]]),
        ("张三:2,李四 90分钟\n王五 1小时", [["张三", "2.00"], ["李四", "1.50"], ["王五", "1.00"]]),
        ("张三 2 李四 1.5", [["张三", "2.00"], ["李四", "1.50"]]),
        ("13900001111 2.5；", [["13900001111", "2.50"]]),
        ("", []),
    ],
)
def test_the_volunteers_cell_is_read_every_way_it_is_written(cell, expected):
    from services.imports import volunteers

    assert volunteers(cell) == expected


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("张三", "“张三”没有写服务时长"),
        ("13900001111", "“13900001111”没有写服务时长"),
        ("张三 30", "张三：服务时长应大于0小时、不超过24小时。"),
        ("张三 0", "张三：服务时长应大于0小时"),
        ("张三 2；张三 1", "“张三”填写了两次。"),
    ],
)
def test_a_volunteers_cell_that_cannot_be_read_says_which_entry(cell, fragment):
    from django.core.exceptions import ValidationError

    from services.imports import volunteers

    with pytest.raises(ValidationError) as refused:
        volunteers(cell)
    assert any(fragment in message for message in refused.value.messages)


def test_a_region_is_found_near_the_organiser_first_and_an_ambiguous_one_is_refused(town, jiangshan_admin):
    # A 张村 under 五乡镇 too: the one below 姜山镇 is meant. Two 李村 elsewhere: neither is.
    Region.objects.create(name="张村", kind=Region.Kind.VILLAGE, parent=f.region("五乡镇"))
    Region.objects.create(name="李村", kind=Region.Kind.VILLAGE, parent=f.region("五乡镇"))
    Region.objects.create(name="李村", kind=Region.Kind.VILLAGE, parent=f.region("云龙镇"))
    rows = [
        ["村里讲座", "科普宣讲", "2022-10-10", "", "张村", "", "", "", 5, "", "", ""],
        ["邻村讲座", "科普宣讲", "2022-10-11", "", "李村", "", "", "", 5, "", "", ""],
        ["五乡讲座", "科普宣讲", "2022-10-12", "", "五乡镇", "", "", "", 5, "", "", ""],
        ["无名讲座", "科普宣讲", "2022-10-13", "", "无名村", "", "", "", 5, "", "", ""],
    ]

    batch = upload(jiangshan_admin, town.association, xlsx_file(rows))

    assert counts(batch) == (2, 0, 0, 2)
    errors = errors_of(batch)
    assert "有多个名为“李村”的区域（五乡镇李村、云龙镇李村）" in errors[3]["活动区域"][0]
    assert "未找到名为“无名村”的区域" in errors[5]["活动区域"][0]
    actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)
    regions = dict(Activity.objects.values_list("title", "region__parent__name"))
    assert regions == {"村里讲座": "姜山镇", "五乡讲座": "鄞州区"}


def test_an_activity_logged_by_hand_is_the_same_activity(town, jiangshan_admin):
    from tests.services.factories import ActivityFactory

    planned = ActivityFactory(
        title="健康讲座",
        organizer=town.association,
        starts_at=shanghai(2022, 10, 10, 9),
        status=Activity.Status.PLANNED,
    )
    rows = [
        ["健康讲座", "科普宣讲", "2022-10-10 09:00", "", "姜山镇", "", "", "", 48, "已举办", "", "姜山会员 2"]
    ]

    batch = upload(jiangshan_admin, town.association, xlsx_file(rows))

    assert counts(batch) == (0, 1, 0, 0)
    assert batch.rows.get().note == "将更新：实际参与人数；将标记为已举办；将录入或更正 1 名志愿者的服务时长"
    actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)
    planned.refresh_from_db()
    assert (Activity.objects.count(), planned.status, planned.reported_participants) == (1, "held", 48)
    assert hours_by_title() == {("健康讲座", "姜山会员"): Decimal("2.00")}
    assert counts(upload(jiangshan_admin, town.association, xlsx_file(rows))) == (0, 0, 1, 0)


def test_the_batch_page_after_an_activity_import_links_to_the_organisers_activities(
    client, town, jiangshan_admin
):
    batch = upload(jiangshan_admin, town.association, xlsx_file(LEDGER[:1]))
    batch = actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)
    assert batch.status == ImportBatch.Status.COMMITTED
    client.force_login(jiangshan_admin)

    page = client.get(batch.get_absolute_url()).content.decode()

    expected = reverse("services:activity_list") + f"?organization={town.association.pk}"
    assert f'id="import-records" href="{expected}"' in page
    assert f"查看{town.association.name}的服务活动" in page
    assert reverse("organizations:person_list") not in page.split('id="import-done"')[1].split("</div>")[0]


def test_each_activity_goes_to_the_organiser_its_row_names(town, wuxiang, jiangshan_admin):
    f.OrganizationFactory(  # 姜山镇健康科普协会, GA-JS-L
        code="GA-JS-L",
        name="姜山镇健康科普协会",
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
        category=Organization.Category.LIFE_HEALTH,
        parent=town.association,
        home_region=town.association.home_region,
        founded_on=datetime.date(2022, 3, 1),
    )
    header = [*HEADER, "主办单位"]  # a synonym of 主办组织
    blank = [""] * 7  # 场所类型 … 志愿者及服务时长
    rows = [
        ["健康讲座", "科普宣讲", "2022-10-10 09:00", "", "姜山镇", *blank, ""],  # the batch's
        ["健康讲座", "科普宣讲", "2022-10-10 09:00", "", "姜山镇", *blank, "姜山镇健康科普协会"],  # by name
        ["义诊", "义诊", "2022-10-15", "", "姜山镇", *blank, "ga-js-l"],  # by code
        ["五乡讲座", "科普宣讲", "2022-10-16", "", "五乡镇", *blank, "五乡镇科协"],  # another town's
        ["义诊", "义诊", "2022-10-15", "", "姜山镇", *blank, "GA-JS-L"],  # row 4 again
        ["健康讲座", "科普宣讲", "2022-10-10 09:00", "", "姜山镇", *blank, "GA-JS-L"],  # row 3 by code
    ]

    batch = upload(jiangshan_admin, town.association, xlsx_file(rows, header))

    assert sorted(batch.rows.values_list("number", "outcome")) == [
        (2, "new"),
        (3, "new"),
        (4, "new"),
        (5, "error"),
        (6, "duplicate"),
        (7, "new"),  # a name and a code are told apart in the file…
    ]
    assert errors_of(batch)[5]["主办组织"] == ["“五乡镇科协”不是“姜山镇科协”或其下属组织的名称或编号。"]

    batch = actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)

    assert batch.rows.get(number=7).outcome == "duplicate"  # …and the commit finds row 3's
    assert (batch.new_count, batch.duplicate_count) == (3, 2)
    organised = sorted(
        Activity.objects.filter(source_key__startswith="import:").values_list("title", "organizer__code")
    )
    assert organised == [("义诊", "GA-JS-L"), ("健康讲座", "GA-JS-L"), ("健康讲座", "TA-JS")]
    assert not Activity.objects.filter(organizer=wuxiang.association).exists()
