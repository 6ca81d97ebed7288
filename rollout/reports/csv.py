"""The report as CSV: a ZIP of one file per section (the report's information first), or the one
section asked for as a plain CSV file. Each file is UTF-8 with a byte-order mark so that Excel
and WPS open the Chinese headers correctly; figures are written as every format shows them
(hours with two decimals, rates as percentages). Text that begins like a formula is neutralised
by ``sanhui.spreadsheets``; figures, negative ones too, are written as they are.

Each file in the ZIP is named by its section's title in reading order (``02_分单位情况.csv``)
and carries the section's key as its ZIP comment, by which the download of one section finds it.
"""

from __future__ import annotations

import csv
import io
import zipfile

from django.utils.translation import gettext as _

from sanhui.spreadsheets import csv_row, is_number, neutralise

from .model import NUMERIC, Report, Section

INFO_KEY = "info"


def _encode(rows) -> bytes:
    """Rows whose cells are already safe (see ``_text_row``) as a CSV file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _text_row(section: Section, row: dict) -> list[str]:
    """A record's cells as text; a figure (a number, even a negative one) is written as it is,
    any other text neutralised so that a spreadsheet never reads it as a formula."""
    cells = []
    for column in section.columns:
        value, type_ = row.get(column.key), section.type_of(row, column)
        text = section.cell(row, column)
        cells.append(text if type_ in NUMERIC or is_number(value) else neutralise(text))
    return cells


def section_csv(section: Section) -> bytes:
    """One section as a CSV file: its header row, then a row a record."""
    header = csv_row(column.label for column in section.columns)
    return _encode([header, *(_text_row(section, row) for row in section.rows)])


def _info(report: Report) -> bytes:
    period = report.period
    rows = [
        [_("项目"), _("内容")],
        [_("报表"), report.title],
        [_("统计期间"), f"{period.start.isoformat()} — {period.end.isoformat()}（{period.code}）"],
        [_("统计范围"), report.scope_label],
        [_("生成时间"), report.generated_at.strftime("%Y-%m-%d %H:%M")],
        *([_("概述"), paragraph] for paragraph in report.paragraphs),
    ]
    return _encode(csv_row(row) for row in rows)


def member_name(index: int, title: str) -> str:
    return f"{index:02d}_{title}.csv"


def render_csv(report: Report, section: str | None = None) -> bytes:
    """The ZIP of every section, or the CSV of the section whose key is ``section``."""
    if section is not None:
        return section_csv(report.section(section))
    buffer = io.BytesIO()
    files = [(INFO_KEY, _("报表信息"), _info(report))]
    files += [(item.key, item.title, section_csv(item)) for item in report.sections]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (key, title, data) in enumerate(files):
            info = zipfile.ZipInfo(member_name(index, title), date_time=report.generated_at.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.comment = key.encode("ascii")
            archive.writestr(info, data)
    return buffer.getvalue()
