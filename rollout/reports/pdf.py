"""The report as an A4 PDF that is the same document as the DOCX: the same 版头 (issuing body
in red, 发文字号 with the year of issue, red rule), title, addressees, the same outline of
headings 一、（一）1.（1）, tables, PNG charts and annexes (``document.outline``), the signature
and the 版记, on the type area of GB/T 9704-2012. A Django template rendered by WeasyPrint, in
the official faces where the machine has them and the Noto CJK fonts of Debian's
fonts-noto-cjk package otherwise (embedded, subset, in the file).

Annex tables too wide for a portrait page go on landscape pages of their own (a named page);
column widths are shared by content as in the DOCX, and a short cell (up to six characters) is
never broken across lines.
"""

from __future__ import annotations

import base64
import re

from django.template.loader import render_to_string

from .charts import png
from .document import KEEP_WHOLE, Block, column_widths, outline, text_width
from .model import ADDRESSEES, COPIED_TO, ISSUING_BODY, NUMERIC, Report, Section

# The type area's width in points, portrait and turned; table text in 小四 and, in annexes, 五号
# (the template's sizes); 1.5 mm of padding either side of a cell, the borders and a point of
# slack, so that a cell sized for n characters holds them on one line.
TEXT_WIDTH, ANNEX_WIDTH, TABLE_SIZE, ANNEX_SIZE, PADDING = 442.2, 637.8, 12.0, 10.5, 10.0


# A bracketed part of a longer cell (基层科普协会（三会）) is kept on one line.
BRACKETED = re.compile(r"(（[^）]{1,6}）)")

# A table's rows go in groups of this many (one ``tbody`` each). WeasyPrint lays a table out
# page by page, and on each page it walks every row of the group the page resumes in: one
# group of all the rows made an annex of 1,400 towns quadratic. The groups change nothing on
# the page (one table, one header repeated on each page, rows never split).
ROWS_PER_GROUP = 20


def _percentages(section: Section, width: float, size: float) -> list[float]:
    count = len(section.columns)
    characters = column_widths(section, (width - PADDING * count) / size)
    return [(share * size + PADDING) / width * 100 for share in characters]


def _table(section: Section, *, annex: bool = False) -> dict:
    wide = annex and section.wide
    widths = _percentages(section, ANNEX_WIDTH if wide else TEXT_WIDTH, ANNEX_SIZE if wide else TABLE_SIZE)
    rows = [
        [
            {
                "text": text,
                "number": section.type_of(data, column) in NUMERIC,
                "whole": text_width(text) <= KEEP_WHOLE,
                "parts": [(part, part.startswith("（")) for part in BRACKETED.split(text) if part],
            }
            for column, text in zip(section.columns, texts, strict=True)
        ]
        for data, texts in zip(section.rows, section.text_rows(), strict=True)
    ]
    return {
        "section": section,
        "columns": [
            {"label": column.label, "width": f"{width:.2f}%"}
            for column, width in zip(section.columns, widths, strict=True)
        ],
        "rows": rows,
        "row_groups": [rows[start : start + ROWS_PER_GROUP] for start in range(0, len(rows), ROWS_PER_GROUP)],
    }


def _block(block: Block) -> dict:
    item = {"kind": block.kind, "text": block.text, "level": block.level, "number": block.number}
    if block.kind == "table":
        item["table"] = _table(block.section)
    elif block.kind == "chart":
        item["title"] = block.chart.title
        item["image"] = "data:image/png;base64," + base64.b64encode(png(block.chart)).decode("ascii")
    return item


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML  # imported late: Pango is loaded only where PDFs are built

    blocks, annexes = outline(report)
    context = {
        "report": report,
        "issuing_body": ISSUING_BODY,
        "document_number": report.document_number(),
        "addressees": ADDRESSEES,
        "copied_to": COPIED_TO,
        "issue_date": report.issue_date(),
        "blocks": [_block(block) for block in blocks],
        "annexes": [
            {"number": n, "wide": s.wide, **_table(s, annex=True)} for n, s in enumerate(annexes, start=1)
        ],
    }
    html = render_to_string("rollout/reports/pdf.html", context)
    return HTML(string=html).write_pdf()
