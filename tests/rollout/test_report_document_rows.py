"""A table of the printed notice (DOCX and PDF) holds at most ``DOCUMENT_ROWS`` rows and says
how many there are and where the rest is; the XLSX keeps every row. On the district of
tests/district.py (2022Q4: 22 towns without activity) with the limit lowered to 2."""

import io

import openpyxl
import pytest
from docx import Document
from pypdf import PdfReader

from organizations.scoping import scope_for
from rollout.reports import build_report, document
from rollout.reports.document import outline
from rollout.reports.docx import render_docx
from rollout.reports.pdf import render_pdf
from rollout.reports.xlsx import render_xlsx
from tests.district import Q4, TODAY, build_district

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(monkeypatch):
    monkeypatch.setattr(document, "DOCUMENT_ROWS", 2)
    district = build_district()
    return build_report("supervision", Q4, scope=scope_for(district.district_staff), today=TODAY)


def test_a_long_table_is_cut_in_the_document_with_a_note(report):
    organizations = len(report.section("organizations").rows)
    assert organizations > 2

    body, annexes = outline(report)

    texts = [block.text for block in body]
    assert f"详见附件1（列出前 2 行，共 {organizations} 行；全部内容见本通报的 XLSX 或 CSV 文件）。" in texts
    assert [len(annex.rows) for annex in annexes] == [2]
    start = texts.index("1.本期无活动（22项）")
    assert body[start + 1].kind == "table" and len(body[start + 1].section.rows) == 2
    assert (body[start + 2].kind, body[start + 2].text) == (
        "note",
        "表中列出前 2 行，共 22 行；全部内容见本通报的 XLSX 或 CSV 文件。",
    )
    # The report itself is whole: only its printed form is cut.
    assert len(report.section("red_flags").rows) >= 22


def test_the_files_hold_the_cut_tables_and_the_xlsx_every_row(report):
    pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(report))).pages)
    assert "共 22 行" in pdf.replace("\n", "")
    docx = "\n".join(paragraph.text for paragraph in Document(io.BytesIO(render_docx(report))).paragraphs)
    assert "表中列出前 2 行，共 22 行；全部内容见本通报的 XLSX 或 CSV 文件。" in docx

    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)), read_only=True)
    sheets = {sheet.title: sheet for sheet in workbook.worksheets}
    rows = list(sheets["分单位情况"].iter_rows(min_row=2, values_only=True))
    names = [row[0] for row in rows if row and row[0] is not None]
    # Every organisation, then the section's note.
    assert names[:-1] == [row["organization"] for row in report.section("organizations").rows]
    assert names[-1] == report.section("organizations").note
