"""The rejected rows of a batch as an XLSX file to fix and import again: the file's own columns,
in its order and with its headers, then 错误原因 (ignored when the file comes back, as any column
an import does not know). Every cell is text (phones and ID numbers keep their digits), written
through ``sanhui.spreadsheets`` so that no cell is read as a formula."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from sanhui.spreadsheets import xlsx_cell

from .engine import importer_for
from .models import ImportBatch, ImportRow


def reason_text(errors: dict[str, list[str]]) -> str:
    parts = []
    for label, texts in errors.items():
        joined = "；".join(texts)
        parts.append(f"{label}：{joined}" if label else joined)
    return "；".join(parts)


def rejected_rows_xlsx(batch: ImportBatch) -> bytes:
    header = [label for label in batch.details.get("header", []) if label]
    if not header:
        header = [str(column.label) for column in importer_for(batch.kind).columns]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("未通过的行"))
    titles = []
    for label in [*header, _("错误原因")]:
        # The file's own headers are the user's text too: guarded like every other cell.
        cell = xlsx_cell(sheet, str(label))
        cell.font = Font(bold=True)
        titles.append(cell)
    sheet.append(titles)
    rows = batch.rows.filter(outcome=ImportRow.Outcome.ERROR).order_by("number")
    for row in rows.iterator(chunk_size=500):
        values = [row.raw.get(label, "") for label in header] + [reason_text(row.errors)]
        cells = []
        for value in values:
            cell = xlsx_cell(sheet, str(value))
            cell.number_format = "@"
            cells.append(cell)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
