"""Reading an uploaded spreadsheet: from the file a town secretary sends to its header row and
data rows, or a refusal that says in Chinese what to do instead.

This module owns what the portal accepts as a file and where it finds the table in it:

- Formats, by the file's extension: XLSX (also as saved by WPS, and an XLSX that WPS named
  ``.xls``), and CSV or tab-separated text (``.csv``, ``.txt``) in UTF-8 with or without BOM,
  GB18030 (which covers GBK and GB2312) or, as Excel's "Unicode 文本" saves it, UTF-16 with a
  BOM. An old binary Excel 97-2003 file is refused with the way to save it as XLSX; a file whose
  content does not match its extension is refused, never a server error.
- Limits: the file's size, the number of data rows (reading stops as soon as it is passed), and
  for XLSX, which is a zip archive, what the archive says it unpacks to, checked from its
  central directory before anything is unpacked (a "zip bomb" of a few hundred KB can expand to
  gigabytes). Python's ``zipfile`` never returns more than an entry's declared size, so the
  directory's figures bound what is read.
- The table: the first visible sheet with a header row (the active sheet first); the header row
  is the first of the first 20 rows in which at least two cells name a column of the import
  (title rows and blank rows above it are passed over); below it, blank rows and repeated
  header rows (a printout's header on every page) are skipped, and 1,000 blank rows in a row end
  the table (Excel reports formatting down to row 1,048,576).

Cells come back as read (str, int, float, datetime, date, time or None), except the single
quote the portal's own files put in front of text that begins like a formula
(``sanhui.spreadsheets.restored``), so that the rejected rows of an import, or an export, come
back as they were written. Cleaning them is
``cleaning``'s job, and matching the header to columns is ``cleaning.match_headers``.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _

from organizations.imports.cleaning import Column, header_key, match_headers, text
from sanhui.spreadsheets import restored

MIB = 1024 * 1024
# Rows searched for the header: a title, a note and a blank row or two may sit above it.
HEADER_SEARCH_ROWS = 20
# Blank rows in a row that end a table: formatting applied to whole columns makes Excel and
# openpyxl report rows down to 1,048,576, and a stray note far below is not a member.
MAX_BLANK_RUN = 1000
# An XLSX's sheets are XML, which deflate compresses 5 to 20 times; a hundred times or more is
# a file built to expand, not a roster.
MAX_COMPRESSION_RATIO = 100
# A workbook has a few dozen parts (sheets, styles, relationships); thousands are not a roster.
MAX_ZIP_ENTRIES = 1000

XLSX_EXTENSIONS = (".xlsx", ".xlsm")
OLD_EXCEL_EXTENSIONS = (".xls", ".et")  # Excel 97-2003 and WPS's own format
TEXT_EXTENSIONS = (".csv", ".txt")
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003, and encrypted XLSX
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
DELIMITERS = (",", "\t", ";")


class FileRefused(Exception):
    """The file as a whole cannot be imported; str(error) is the user-facing Chinese message."""


@dataclass
class Table:
    """The table found in a file. Every row has exactly as many cells as the header (shorter
    rows are padded with None; cells right of the header are dropped)."""

    header: list[str]
    header_row: int
    rows: list[tuple[int, list[Any]]]
    sheet_name: str = ""
    skipped_header_rows: list[int] = field(default_factory=list)


def read_table(
    file,
    *,
    file_name: str,
    columns: Sequence[Column],
    max_rows: int,
    max_bytes: int,
    max_uncompressed_bytes: int | None = None,
) -> Table:
    """The table of ``file`` (a seekable binary file), its format decided by ``file_name``'s
    extension; ``columns`` are those of the import, to find the header row by. Raises
    ``FileRefused`` with a Chinese message for a file that cannot be imported as a whole."""
    if max_uncompressed_bytes is None:
        max_uncompressed_bytes = settings.SANHUI_IMPORT_MAX_UNCOMPRESSED_MB * MIB
    extension = PurePath(file_name or "").suffix.lower()
    size = _size(file)
    if size == 0:
        raise FileRefused(_("文件是空的，请检查后重新上传。"))
    if size > max_bytes:
        raise FileRefused(
            _("文件超过 %(mb)s MB，无法导入：请删去多余的工作表、图片和空白行，或分成几个文件分别导入。")
            % {"mb": _megabytes(max_bytes)}
        )
    head = _head(file)
    reading = _Reading(columns=columns, max_rows=max_rows)
    if extension in OLD_EXCEL_EXTENSIONS and not head.startswith(ZIP_SIGNATURES):
        raise FileRefused(_old_excel_message())
    if extension in XLSX_EXTENSIONS + OLD_EXCEL_EXTENSIONS:
        if head.startswith(OLE2_SIGNATURE):
            raise FileRefused(
                _("无法读取这个文件：它是旧版 Excel 97-2003 文件，或设置了打开密码。") + _old_excel_message()
            )
        return reading.xlsx(file, max_uncompressed_bytes)
    if extension in TEXT_EXTENSIONS:
        return reading.csv(file, head)
    raise FileRefused(_("只能导入 Excel 工作簿（.xlsx）或 CSV 文件（.csv），请使用下载的模板。"))


def _old_excel_message() -> str:
    return _(
        "请在 Excel 或 WPS 中打开它，选择“文件 → 另存为”，"
        "保存类型选“Excel 工作簿(*.xlsx)”，再上传新保存的文件。"
    )


def _megabytes(size: int) -> str:
    return str(size // MIB) if size % MIB == 0 else f"{size / MIB:.1f}"


def _size(file) -> int:
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


def _head(file) -> bytes:
    file.seek(0)
    head = file.read(len(OLE2_SIGNATURE))
    file.seek(0)
    return head


def _damaged() -> FileRefused:
    return FileRefused(
        _("文件已损坏或格式不对，无法读取：请在 Excel 或 WPS 中打开并另存为 .xlsx 后重新上传。")
    )


def check_archive(members: Iterable[zipfile.ZipInfo], *, max_uncompressed_bytes: int) -> None:
    """Refuse a zip archive whose central directory says it holds too many entries, unpacks to
    more than ``max_uncompressed_bytes`` or is compressed more than ``MAX_COMPRESSION_RATIO``
    times: nothing is unpacked to find out."""
    members = list(members)
    too_big = _("文件解压后过大，不像是正常的表格，无法导入：请把数据复制到下载的模板中再上传。")
    if len(members) > MAX_ZIP_ENTRIES:
        raise FileRefused(too_big)
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    if unpacked > max_uncompressed_bytes or unpacked > MAX_COMPRESSION_RATIO * max(packed, 1):
        raise FileRefused(too_big)


@dataclass
class _Reading:
    columns: Sequence[Column]
    max_rows: int

    def xlsx(self, file, max_uncompressed_bytes: int) -> Table:
        try:
            with zipfile.ZipFile(file) as archive:
                check_archive(archive.infolist(), max_uncompressed_bytes=max_uncompressed_bytes)
                names = set(archive.namelist())
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
            raise FileRefused(
                _("文件不是有效的 Excel 工作簿（.xlsx）：请在 Excel 或 WPS 中打开并另存为 .xlsx 后重新上传。")
            ) from None
        if "xl/workbook.xml" not in names:
            raise FileRefused(
                _(
                    "这个压缩文件里没有 Excel 工作表，不是有效的 .xlsx 文件："
                    "请上传 Excel 或 WPS 保存的工作簿。"
                )
            )
        file.seek(0)
        # openpyxl reports a damaged part with whatever its parser raised (KeyError, ValueError,
        # a zip or XML error…): any of them means the same to the user, who gets one message.
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # unsupported extensions, missing styles
                workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        except Exception:
            raise _damaged() from None
        try:
            for sheet in _visible_sheets(workbook):
                sheet.reset_dimensions()  # some writers record a wrong used range
                table = self.table(enumerate(sheet.iter_rows(values_only=True), start=1), sheet.title)
                if table is not None:
                    return table
        except FileRefused:
            raise
        except Exception:
            raise _damaged() from None
        finally:
            workbook.close()
        raise self.no_header()

    def csv(self, file, head: bytes) -> Table:
        file.seek(0)
        content = file.read()
        if head.startswith((*ZIP_SIGNATURES, OLE2_SIGNATURE)):
            raise FileRefused(
                _(
                    "这是一个 Excel 文件，扩展名却是 .csv："
                    "请把扩展名改为 .xlsx，或在 Excel/WPS 中另存为 CSV 后上传。"
                )
            )
        decoded = _decode(content)
        candidates = dict.fromkeys((_sniff(decoded), *DELIMITERS))
        try:
            for delimiter in candidates:
                reader = csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter)
                table = self.table(enumerate(reader, start=1), "")
                if table is not None:
                    return table
        except csv.Error:
            raise FileRefused(
                _("CSV 文件格式有误，无法读取：请在 Excel 或 WPS 中打开并另存为 .xlsx 后重新上传。")
            ) from None
        raise self.no_header()

    def no_header(self) -> FileRefused:
        expected = [column.label for column in self.columns if column.required] or [
            column.label for column in self.columns
        ]
        return FileRefused(
            _(
                "在文件前 %(rows)s 行中没有找到表头。表头应包含这些列：%(headers)s。"
                "请使用下载的模板，或把表头改成模板中的名称。"
            )
            % {"rows": HEADER_SEARCH_ROWS, "headers": "、".join(expected)}
        )

    def table(self, rows: Iterator[tuple[int, Sequence[Any]]], sheet_name: str) -> Table | None:
        """The table of ``rows`` (numbered from 1), or None when none of the first
        ``HEADER_SEARCH_ROWS`` is a header row."""
        needed = max(1, min(2, len(self.columns)))
        for number, row in rows:
            if number > HEADER_SEARCH_ROWS:
                return None
            if len(match_headers(row, self.columns).index_by_key) >= needed:
                header = [text(cell) for cell in row]
                while header and not header[-1]:
                    header.pop()
                table = Table(header=header, header_row=number, rows=[], sheet_name=sheet_name)
                self.fill(table, rows)
                return table
        return None

    def fill(self, table: Table, rows: Iterator[tuple[int, Sequence[Any]]]) -> None:
        width = len(table.header)
        keys = [header_key(cell) for cell in table.header]
        blank_run = 0
        for number, row in rows:
            cells = [restored(cell) for cell in row[:width]]
            cells.extend([None] * (width - len(cells)))
            if all(_blank(cell) for cell in cells):
                blank_run += 1
                if blank_run >= MAX_BLANK_RUN:
                    return
                continue
            blank_run = 0
            if all(header_key(cell) == key for cell, key in zip(cells, keys, strict=True)):
                table.skipped_header_rows.append(number)
                continue
            if len(table.rows) >= self.max_rows:
                raise FileRefused(
                    _(
                        "文件的数据超过 %(limit)s 行，无法一次导入："
                        "请把它分成几个文件，每个不超过 %(limit)s 行，分别导入。"
                    )
                    % {"limit": f"{self.max_rows:,}"}
                )
            table.rows.append((number, cells))


def _visible_sheets(workbook) -> list:
    """The worksheets a user sees, the active one first."""
    sheets = list(workbook.worksheets)
    active = workbook.active
    if active in sheets:
        sheets.remove(active)
        sheets.insert(0, active)
    return [sheet for sheet in sheets if sheet.sheet_state == "visible"]


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not text(cell))


def _decode(content: bytes) -> str:
    if content.startswith(UTF16_BOMS):
        try:
            decoded = content.decode("utf-16")
        except UnicodeDecodeError:
            decoded = "\x00"
        if "\x00" not in decoded:
            return decoded
    elif b"\x00" not in content:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise FileRefused(
            _("无法识别文件的文字编码：请在 Excel 或 WPS 中另存为“CSV UTF-8(逗号分隔)”或 .xlsx 后重新上传。")
        )
    # NUL bytes: a binary file (an image, a database export) given a text file's name.
    raise FileRefused(
        _("文件内容不是文本，不是有效的 CSV 文件：请上传 Excel 工作簿（.xlsx）或用 Excel/WPS 另存的 CSV。")
    )


def _sniff(decoded: str) -> str:
    sample = "\n".join(decoded.splitlines()[:HEADER_SEARCH_ROWS])
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return ","
