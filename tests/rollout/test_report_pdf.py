"""The PDF read back with pypdf: the same document as the DOCX (版头 with the year of issue,
headings 一、（一）1., annex, signature, 版记), A4 portrait pages with the annex on a landscape
page of its own, page numbers "— n —", the charts as images, and short names kept whole."""

import datetime
import io
import re
import zoneinfo

import pytest
import time_machine
from django.template.loader import render_to_string
from pypdf import PdfReader

from organizations.scoping import Scope
from rollout.reports import build_report, render
from rollout.reports.model import Column, Section
from rollout.reports.pdf import _table
from tests.rollout import reports_world
from tests.rollout.reports_world import Q4, TODAY

pytestmark = pytest.mark.django_db

ISSUED = datetime.datetime(2023, 1, 5, 10, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
A4 = (595, 842)


def pdf_of(kind: str) -> PdfReader:
    with time_machine.travel(ISSUED, tick=False):
        report = build_report(kind, Q4, scope=Scope(read_all=True), today=TODAY)
    return PdfReader(io.BytesIO(render(report, "pdf")))


def chart_images(reader) -> set[bytes]:
    return {image.data for page in reader.pages for image in page.images}


def size(page) -> tuple[int, int]:
    return round(float(page.mediabox.width)), round(float(page.mediabox.height))


def lines(page) -> list[str]:
    return [line.strip() for line in page.extract_text().splitlines() if line.strip()]


@pytest.fixture
def reader(jiangshan, wuxiang):
    reports_world.build(jiangshan, wuxiang)
    return pdf_of("supervision")


def test_the_pdf_opens_with_the_same_head_as_the_docx(reader):
    first = lines(reader.pages[0])
    assert first[:2] == ["鄞州区科协“三长带三会”专项指导组办公室", "鄞科协督〔2023〕　号"]
    assert "各镇（街道）科协，各相关单位：" in first
    text = "\n".join(line for page in reader.pages for line in lines(page))
    for heading in (
        "一、基本情况",
        "（一）总体情况",
        "二、存在的问题",
        "1.本期无活动（24项）",
        "四、下一步工作要求",
    ):
        assert heading in text.splitlines(), heading
    assert "附件：1.分单位情况" in text and "图1　各单位活动场次" in text


def test_portrait_pages_and_a_landscape_annex_numbered_at_the_outer_edge(reader):
    sizes = [size(page) for page in reader.pages]
    annex = next(i for i, page in enumerate(reader.pages) if lines(page)[0] == "附件1")
    assert sizes[annex] == A4[::-1]
    assert all(s == A4 for i, s in enumerate(sizes) if i != annex)
    for number, page in enumerate(reader.pages, start=1):
        assert lines(page)[-1] == f"— {number} —"


def test_the_imprint_closes_the_document(reader):
    last = lines(reader.pages[-1])
    assert last[:2] == [
        "抄送：区科协领导班子成员，专项指导组各成员。",
        "鄞州区科协“三长带三会”专项指导组办公室 2023年1月5日印发",
    ]


def test_short_names_are_never_broken_and_charts_are_images(reader):
    annex = next(page for page in reader.pages if lines(page)[0] == "附件1")
    annex_lines = lines(annex)
    # 五乡农技协会 (six characters) and 镇（街）科协 stay on one line each.
    assert any(line.startswith("五乡农技协会") for line in annex_lines)
    assert sum("镇（街）科协" in line for line in annex_lines) == 2
    # A bracketed part stays whole: 基层科普协会 / （三会）, never （三 / 会）.
    assert not [line for line in annex_lines if re.search(r"（[^）]*$", line)]
    assert len(chart_images(reader)) == 1


def test_the_coverage_pdf_has_both_chart_images(jiangshan, wuxiang):
    reports_world.build(jiangshan, wuxiang)
    reader = pdf_of("coverage")
    assert len(chart_images(reader)) == 2
    text = " ".join(line for page in reader.pages for line in lines(page))
    assert "图1　各项条件达标率" in text and "图2　覆盖率趋势" in text


def test_a_long_table_is_one_table_with_one_header_and_its_rows_in_groups():
    section = Section("towns", "问题清单", [Column("town", "镇（街道）"), Column("detail", "说明")])
    section.rows = [{"town": f"测试镇{n:02d}", "detail": "本期无活动"} for n in range(45)]
    html = render_to_string("rollout/reports/_pdf_table.html", {"table": _table(section), "annex": False})
    assert html.count("<table") == 1 and html.count("<thead>") == 1
    assert html.count("<tbody>") == 3  # 20 + 20 + 5 rows
    assert re.findall(r"测试镇(\d\d)", html) == [f"{n:02d}" for n in range(45)]
    empty = Section("none", "逾期推进任务", [Column("task", "任务")])
    html = render_to_string("rollout/reports/_pdf_table.html", {"table": _table(empty), "annex": False})
    assert html.count("<tbody>") == 1 and "无</td>" in html
