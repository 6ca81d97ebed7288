"""CSV reports: a ZIP of one UTF-8-with-BOM file per section (the report's information first),
one section alone as a plain CSV file, and the download of a stored run as either, with the
right media type and extension."""

import csv
import io
import zipfile
from urllib.parse import quote

import pytest
from django.urls import reverse

from organizations.scoping import Scope
from rollout.reports import actions, build_report, render
from tests.rollout import reports_world
from tests.rollout.reports_world import Q4, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(jiangshan, wuxiang):
    return reports_world.build(jiangshan, wuxiang)


def rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_zip_holds_every_section_in_reading_order(world):
    report = build_report("supervision", Q4, scope=Scope(read_all=True), today=TODAY)
    with zipfile.ZipFile(io.BytesIO(render(report, "csv"))) as archive:
        assert archive.namelist() == [
            "00_报表信息.csv",
            "01_总体情况.csv",
            "02_分单位情况.csv",
            "03_问题清单.csv",
            "04_逾期推进任务.csv",
            "05_本期督查.csv",
            "06_未销号整改事项.csv",
        ]
        assert [info.comment for info in archive.infolist()][1:3] == [b"summary", b"organizations"]
        summary = {row[0]: row[1:] for row in rows(archive.read("01_总体情况.csv"))}
        flags = rows(archive.read("03_问题清单.csv"))
    # Hours to two decimals and rates as percentages, as every format shows them.
    assert summary["志愿服务时长（小时）"][0] == "4.00"
    assert summary["三长/泛三长席位占比"][0] == "40.0%"
    assert summary["服务人次"][0] == "43"
    assert flags[[row[1] for row in flags].index("五乡镇科协")][:2] == ["任务逾期", "五乡镇科协"]


def test_one_section_alone_is_a_plain_csv_file(world):
    report = build_report("supervision", Q4, scope=Scope(read_all=True), today=TODAY)
    table = rows(render(report, "csv", section="organizations"))
    assert table[0][:3] == ["单位", "类型", "活动场次"]
    jiangshan = next(row for row in table if row[0] == "姜山镇科协")
    assert jiangshan[2:6] == ["1", "3", "无", "4.00"]


def test_a_stored_csv_run_downloads_as_a_zip_or_as_one_section(client, world, district_user):
    run = actions.report_request(actor=district_user, kind="supervision", period="2022Q4", fmt="csv")
    actions.report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.file.name.endswith(".zip")
    client.force_login(district_user)
    url = reverse("reports:download", args=[run.pk])
    whole = client.get(url)
    assert whole["Content-Type"] == "application/zip"
    assert quote("季度督查报告_2022Q4.zip") in whole["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(whole.streaming_content))) as archive:
        assert "02_分单位情况.csv" in archive.namelist()
    one = client.get(url, {"section": "organizations"})
    assert one["Content-Type"] == "text/csv; charset=utf-8"
    assert quote("季度督查报告_2022Q4_分单位情况.csv") in one["Content-Disposition"]
    assert rows(one.content)[0][0] == "单位"
    assert client.get(url, {"section": "nope"}).status_code == 404
