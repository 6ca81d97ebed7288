"""Writing a list export as CSV or XLSX, in constant memory.

Rows are read in chunks (``iterator(chunk_size=…)``, with the spec's related rows loaded per
chunk), so that neither the queries nor the memory grow with the list. CSV is streamed line by
line, UTF-8 with a BOM so that Excel and WPS read it; XLSX is written by openpyxl's write-only
workbook to a temporary file, which is then streamed. Every cell goes through
``sanhui.spreadsheets`` (the formula guard); numbers stay numbers and dates dates, and phone
and ID numbers are masked unless the export is of full numbers (authorised and audited by the
caller).
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import IO

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from organizations.validators import MASKS
from sanhui.spreadsheets import XLSX_CONTENT_TYPE, csv_row, xlsx_cell, xlsx_row

from .registry import ListExport

CHUNK_SIZE = 2000
PROGRESS_EVERY = 1000
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

Progress = Callable[[int], None]


def _plain(value):
    """A value as a cell holds it: lazy text as text, times in the portal's zone without it
    (spreadsheets know no time zones), everything else unchanged."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, second=0, microsecond=0)
    return value


def row_values(spec: ListExport, obj, *, full: bool) -> list:
    """One row of the export: each column's value, personal numbers masked unless ``full``."""
    values = []
    for column in spec.columns:
        value = _plain(column.value(obj))
        if column.personal and not full:
            value = MASKS[column.personal](value or "")
        values.append(value)
    return values


def rows(
    spec: ListExport, queryset: QuerySet, *, full: bool, progress: Progress | None = None
) -> Iterator[list]:
    """The export's rows, read in chunks; ``progress(n)`` is told how many are done every
    ``PROGRESS_EVERY`` rows."""
    for done, obj in enumerate(queryset.iterator(chunk_size=CHUNK_SIZE), start=1):
        yield row_values(spec, obj, full=full)
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)


# --------------------------------------------------------------------------- CSV


def _csv_text(value) -> object:
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(spec: ListExport, data: Iterable[list]) -> Iterator[str]:
    """The CSV text, a BOM then one line at a time, every cell through the formula guard."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(csv_row(spec.headers))
    for values in data:
        yield writer.writerow(csv_row(_csv_text(value) for value in values))


def write_csv(spec: ListExport, data: Iterable[list], handle: IO[bytes]) -> None:
    for line in csv_lines(spec, data):
        handle.write(line.encode("utf-8"))


def csv_response(spec: ListExport, data: Iterable[list], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(spec, data), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------- XLSX


def _xlsx_value(sheet, value):
    if isinstance(value, datetime.datetime | datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT if isinstance(value, datetime.datetime) else DATE_FORMAT
        return cell
    return value


def write_xlsx(spec: ListExport, data: Iterable[list], handle: IO[bytes]) -> None:
    """The workbook: one sheet, the header row bold and frozen, the columns as wide as the spec
    says; text cells are string cells through the formula guard."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(spec.title)[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for title in spec.headers:
        cell = xlsx_cell(sheet, title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for values in data:
        sheet.append([_xlsx_value(sheet, cell) for cell in xlsx_row(sheet, values)])
    workbook.save(handle)


def xlsx_response(spec: ListExport, data: Iterable[list], filename: str) -> FileResponse:
    """The workbook written to a temporary file (deleted when the response closes it), streamed."""
    # The response closes the file when it has been sent, which deletes it.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    write_xlsx(spec, data, handle)
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response


WRITERS = {"csv": write_csv, "xlsx": write_xlsx}
