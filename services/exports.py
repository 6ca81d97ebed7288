"""The volunteer-records workbook for the national science-volunteer platform.

One sheet, one row per volunteer per activity with hours, Chinese headers in the order the
platform's bulk import of service hours (中国志愿服务网 / 科技志愿服务平台 补录服务时长) asks for;
frozen header row. Built with openpyxl's write-only mode, which keeps memory flat however many
rows a team has. Text cells go through ``sanhui.spreadsheets``, so that a name beginning with
``=`` is shown as text, never run as a formula.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from sanhui.spreadsheets import xlsx_row

from .models import VolunteerService

# (header, width). The headers stay in Chinese whatever the viewer's language: the platform's
# import matches them literally.
COLUMNS = (
    ("序号", 6),
    ("姓名", 10),
    ("手机号码", 14),
    ("服务日期", 12),
    ("服务开始时间", 18),
    ("服务结束时间", 18),
    ("服务时长（小时）", 14),
    ("活动名称", 36),
    ("服务地点", 28),
    ("服务队", 28),
    ("组织单位", 24),
)


def _row(index: int, service: VolunteerService) -> list:
    activity = service.activity
    start = timezone.localtime(service.checked_in_at or activity.starts_at)
    end = timezone.localtime(service.checked_out_at or activity.ends_at)
    place = "".join(part for part in (str(activity.region), activity.venue) if part)
    return [
        index,
        service.person.name,
        service.person.phone,
        start.strftime("%Y-%m-%d"),
        start.strftime("%Y-%m-%d %H:%M"),
        end.strftime("%Y-%m-%d %H:%M"),
        float(service.hours),
        activity.title,
        place,
        service.team.name if service.team else "",
        activity.organizer.name,
    ]


def volunteer_records_workbook(rows: Iterable[VolunteerService], *, sheet_title: str):
    """Write the workbook to a temporary file and return it, positioned at the start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    for letter_index, (_header, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + letter_index)].width = width
    sheet.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    header = []
    for title, _width in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill = bold, fill
        header.append(cell)
    sheet.append(header)
    for index, service in enumerate(rows, start=1):
        sheet.append(xlsx_row(sheet, _row(index, service)))
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return handle
