"""Every CSV and XLSX file the portal hands out is safe to open in Excel or WPS: a cell of text
that begins with = + - @, a tab or a carriage return (a formula, or the start of one, to a
spreadsheet) comes out with a single quote in front, and in XLSX as a string cell; figures stay
numbers, negative ones too.

The export URLs are found from the URL patterns (by name, or by a view that writes CSV or XLSX);
one that this file does not download fails ``test_every_export_url_is_checked_here``.
"""

from __future__ import annotations

import csv
import datetime
import inspect
import io
import re
import zipfile
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from organizations.imports import actions as import_actions
from organizations.imports.engine import importers
from organizations.imports.models import ImportBatch
from organizations.models import LeaderRole, Organization
from rollout.indicators import Period
from rollout.models import IssuedReport, Phase, ReportRun, Stage
from rollout.reference import load_plan
from rollout.reports import actions as report_actions
from rollout.reports.closing import actions as closing_actions
from rollout.reports.csv import render_csv, section_csv
from rollout.reports.model import HOURS, INT, Column, Report, Section
from rollout.reports.xlsx import render_xlsx
from sanhui.spreadsheets import csv_row, neutralise
from tests import factories as f
from tests.services.factories import ActivityFactory, AttendanceFactory, VolunteerServiceFactory
from tests.urlwalk import project_urls

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PAYLOADS = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"]
NEUTRALISED = {"'" + payload for payload in PAYLOADS}
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")

# Every export of the portal, as "namespace:name" of its URL pattern.
# The list pages' exports (organizations:list_export and the background ones) are checked,
# list by list, in tests/test_list_exports.py and tests/test_list_exports_background.py.
EXPORTS = {
    "organizations:list_export",
    "organizations:export_list",
    "organizations:export_detail",
    "organizations:export_download",
    "services:team_export",
    "reports:download",
    "reports:issued_download",
    "organizations:import_template",
    "organizations:import_rejected",
}
# What a view that writes a spreadsheet or CSV file says in its source.
EXPORT_MARKERS = (
    "text/csv",
    "spreadsheetml",
    "csv.writer",
    "Workbook",
    "workbook",
    "CONTENT_TYPES",
    "CSV_CONTENT",
    # A view that serves a file built by a function of another module (template_xlsx,
    # rejected_rows_xlsx …) or through a helper that makes any bytes an attachment.
    "_xlsx(",
    "_csv(",
    "_attachment(",
)


def export_urls() -> set[str]:
    found = set()
    for name, view in project_urls():
        source = inspect.getsource(inspect.unwrap(view))
        if re.search(r"export|download", name) or any(marker in source for marker in EXPORT_MARKERS):
            found.add(name)
    return found


def test_every_export_url_is_checked_here():
    assert export_urls() == EXPORTS


# --------------------------------------------------------------------------- the helper


@pytest.mark.parametrize("payload", PAYLOADS, ids=repr)
def test_text_that_starts_like_a_formula_gets_a_quote(payload):
    assert neutralise(payload) == "'" + payload


@pytest.mark.parametrize(
    "value", ["姜山镇科协", "a=b", " =1", "", "2022-11-10", "'=1", None, -2, -2.5, Decimal("-1")]
)
def test_anything_else_is_left_as_it_is(value):
    assert neutralise(value) == value


def test_a_csv_row_keeps_numbers_and_quotes_text():
    assert csv_row(["-2", -2, "x"]) == ["'-2", -2, "x"]


def _handmade_report() -> Report:
    section = Section(
        "organizations",
        "分单位情况",
        [
            Column("name", "单位"),
            Column("change", "增减", INT),
            Column("hours", "时长", HOURS),
            Column("free", "备注"),
        ],
        rows=[
            {"name": "-2", "change": -2, "hours": -1.5, "free": -3},
            {"name": "=1+1", "change": 4, "hours": 2.25, "free": "@SUM(A1)"},
        ],
        note="+备注",
    )
    return Report(
        kind="supervision",
        title="=标题",
        period=Period.quarter(2022, 4),
        scope_label="+全区",
        generated_at=datetime.datetime(2023, 1, 5, 10, tzinfo=SHANGHAI),
        reference_day=datetime.date(2022, 12, 31),
        sections=[section],
        csv_section="organizations",
        paragraphs=["-概述"],
    )


def test_the_report_workbook_keeps_figures_as_numbers():
    workbook = load_workbook(io.BytesIO(render_xlsx(_handmade_report())))
    info, sheet = workbook.worksheets
    assert [(cell.value, cell.data_type) for cell in info["B"]] == [
        ("'=标题", "s"),
        ("2022-10-01 — 2022-12-31（2022Q4）", "s"),
        ("'+全区", "s"),
        ("2023-01-05 10:00", "s"),
        ("'-概述", "s"),
    ]
    rows = [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows(min_row=2, max_row=3)]
    assert rows == [
        [("'-2", "s"), (-2, "n"), (-1.5, "n"), (-3, "n")],
        [("'=1+1", "s"), (4, "n"), (2.25, "n"), ("'@SUM(A1)", "s")],
    ]
    assert sheet.cell(5, 1).value == "'+备注"


def test_the_report_csv_keeps_figures_as_they_are():
    report = _handmade_report()
    rows = list(csv.reader(io.StringIO(section_csv(report.sections[0]).decode("utf-8-sig"))))
    assert rows == [
        ["单位", "增减", "时长", "备注"],
        ["'-2", "-2", "-1.50", "-3"],
        ["'=1+1", "4", "2.25", "'@SUM(A1)"],
    ]
    with zipfile.ZipFile(io.BytesIO(render_csv(report))) as archive:
        info = archive.read(archive.infolist()[0]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(info)))[1:3] == [
        ["报表", "'=标题"],
        ["统计期间", "2022-10-01 — 2022-12-31（2022Q4）"],
    ]


# --------------------------------------------------------------------------- every export URL


@pytest.fixture
def payload_world(jiangshan, district_user):
    """For each payload: a grassroots association, a person (member, volunteer and for the
    first a 三长), an activity in 2022Q4 with a checked-in participant and an hour served, all
    named with it; one volunteer team named with the first payload."""
    load_plan(Phase, Stage)
    team = f.VolunteerTeamFactory(
        organization=jiangshan.association, name=PAYLOADS[0], leader=jiangshan.leader
    )
    for index, payload in enumerate(PAYLOADS):
        organization = f.OrganizationFactory(
            code=f"GA-PAYLOAD-{index}",
            name=payload,
            kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
            category=Organization.Category.values[index % 3],
            home_region=jiangshan.association.home_region,
            parent=jiangshan.association,
        )
        person = f.PersonFactory(name=payload, employer=payload)
        f.MembershipFactory(person=person, organization=jiangshan.association)
        f.TeamMembershipFactory(team=team, person=person)
        if index == 0:
            f.LeaderRoleFactory(person=person, kind=LeaderRole.Kind.SCHOOL_PRINCIPAL, institution=payload)
        activity = ActivityFactory(
            title=payload,
            organizer=organization,
            region=jiangshan.association.home_region,
            starts_at=datetime.datetime(2022, 11, 1 + index, 9, tzinfo=SHANGHAI),
        )
        AttendanceFactory(activity=activity)
        VolunteerServiceFactory(activity=activity, person=person, team=team, hours=1)
    return team


def _csv_cells(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _assert_safe_csv(rows: list[list[str]]) -> set[str]:
    cells = {cell for row in rows for cell in row}
    unsafe = {cell for cell in cells if cell.startswith(DANGEROUS)}
    assert not unsafe
    return cells


def _assert_safe_xlsx(body: bytes) -> set[str]:
    texts = set()
    for sheet in load_workbook(io.BytesIO(body)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(DANGEROUS), (sheet.title, cell.coordinate, cell.value)
                    assert cell.data_type == "s"
                    texts.add(cell.value)
    return texts


def _body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["people", "leaders"])
def test_the_people_export(client, district_user, payload_world, key):
    client.force_login(district_user)
    response = client.post(reverse("organizations:list_export", args=[key]), {"query": "", "format": "csv"})
    cells = _assert_safe_csv(_csv_cells(_body(response)))
    expected = NEUTRALISED if key == "people" else {"'" + PAYLOADS[0]}
    assert expected <= cells


@pytest.mark.django_db
def test_the_volunteer_records_workbook(client, district_user, payload_world):
    client.force_login(district_user)
    response = client.post(
        reverse("services:team_export", args=[payload_world.pk]),
        {"year": 2022, "reason": "向平台补录服务时长"},
    )
    body = _body(response)
    _assert_safe_xlsx(body)
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(min_row=2, values_only=True))
    assert {row[1] for row in rows} == NEUTRALISED  # 姓名
    assert {row[7] for row in rows} == NEUTRALISED  # 活动名称
    assert {row[9] for row in rows} == {"'" + PAYLOADS[0]}  # 服务队
    assert {row[10] for row in rows} == NEUTRALISED  # 组织单位
    assert {row[6] for row in rows} == {1}  # hours stay a number


def _report_run(user, fmt: str) -> ReportRun:
    run = report_actions.report_request(actor=user, kind="supervision", period="2022Q4", fmt=fmt)
    report_actions.report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    return run


@pytest.mark.django_db
def test_the_report_workbook(client, district_user, payload_world):
    run = _report_run(district_user, "xlsx")
    client.force_login(district_user)
    texts = _assert_safe_xlsx(_body(client.get(reverse("reports:download", args=[run.pk]))))
    assert texts >= NEUTRALISED


@pytest.mark.django_db
def test_the_report_csv_files(client, district_user, payload_world):
    run = _report_run(district_user, "csv")
    client.force_login(district_user)
    body = _body(client.get(reverse("reports:download", args=[run.pk])))
    cells = set()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for member in archive.infolist():
            cells |= _assert_safe_csv(_csv_cells(archive.read(member)))
    assert cells >= NEUTRALISED
    one = _body(client.get(reverse("reports:download", args=[run.pk]), {"section": "organizations"}))
    assert _assert_safe_csv(_csv_cells(one)) >= NEUTRALISED


@pytest.mark.django_db
def test_the_issued_notice_workbook(client, district_user, payload_world, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime.datetime(2023, 1, 5, 10, tzinfo=SHANGHAI), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            closing = closing_actions.quarter_close(actor=district_user, quarter="2022Q4")
        workbook = IssuedReport.objects.get(closing=closing).files.get(format="xlsx")
        client.force_login(district_user)
        texts = _assert_safe_xlsx(_body(client.get(reverse("reports:issued_download", args=[workbook.pk]))))
    assert texts >= NEUTRALISED


# --------------------------------------------------------------------------- the import files


@pytest.mark.django_db
def test_the_rejected_rows_of_an_import(client, jiangshan, jiangshan_admin, settings, tmp_path):
    """The file's own headers and cells come back in the rejected-rows file: each that starts
    like a formula with its quote, as a string cell."""
    settings.MEDIA_ROOT = tmp_path
    header = ["姓名", "手机号码", "=cmd", "+加", "-减", "@at"]
    row = ['=HYPERLINK("http://x")', "123", "=1+1", "+86", "-2", "@SUM(A1)"]
    output = io.StringIO()
    csv.writer(output).writerows([header, row])
    batch = import_actions.import_upload(
        actor=jiangshan_admin,
        organization=jiangshan.association,
        kind=ImportBatch.Kind.PEOPLE,
        upload=SimpleUploadedFile("公式.csv", ("\ufeff" + output.getvalue()).encode("utf-8")),
        background=False,
    )
    assert (batch.status, batch.error_count) == (ImportBatch.Status.CHECKED, 1)
    client.force_login(jiangshan_admin)
    body = _body(client.get(reverse("organizations:import_rejected", args=[batch.pk])))
    _assert_safe_xlsx(body)
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    rows = [[(cell.value, cell.data_type) for cell in line] for line in sheet.iter_rows()]
    assert rows[0] == [
        ("姓名", "s"),
        ("手机号码", "s"),
        ("'=cmd", "s"),
        ("'+加", "s"),
        ("'-减", "s"),
        ("'@at", "s"),
        ("错误原因", "s"),
    ]
    assert rows[1][:6] == [
        ('\'=HYPERLINK("http://x")', "s"),
        ("123", "s"),
        ("'=1+1", "s"),
        ("'+86", "s"),
        ("'-2", "s"),
        ("'@SUM(A1)", "s"),
    ]
    assert rows[1][6][0].startswith("手机号码：")
    assert len(rows) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["people", "leaders", "activities"])
def test_the_import_templates(client, jiangshan_admin, kind):
    assert kind in {importer.kind for importer in importers()}
    client.force_login(jiangshan_admin)
    url = reverse("organizations:import_template", args=[kind])
    texts = _assert_safe_xlsx(_body(client.get(url)))
    cells = _assert_safe_csv(_csv_cells(_body(client.get(url, {"format": "csv"}))))
    assert "姓名*" in texts | cells or "活动名称*" in texts | cells
