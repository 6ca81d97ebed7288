"""The report's main table as CSV, UTF-8 with a byte-order mark so that Excel and WPS open the
Chinese headers correctly: the town × condition matrix of the coverage report, the
per-organisation table of the supervision report."""

from __future__ import annotations

import csv
import io

from .model import Report


def render_csv(report: Report) -> bytes:
    section = report.section(report.csv_section)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.label for column in section.columns])
    for row in section.rows:
        writer.writerow([section.cell(row, column) for column in section.columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
