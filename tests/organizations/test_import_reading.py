"""Reading uploaded spreadsheets: every file here is built by the test (openpyxl, csv, zipfile)
the way Excel, WPS or a careless rename would leave it, and read back through ``read_table``."""

from __future__ import annotations

import csv
import datetime
import io
import random
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext_lazy

from organizations.imports import reading
from organizations.imports.cleaning import Column, match_headers
from organizations.imports.reading import FileRefused, read_table

MB = 1024 * 1024
COLUMNS = [
    Column("name", "姓名", synonyms=("名字",), required=True),
    Column("phone", "手机号码", synonyms=("手机", "联系电话"), required=True),
    Column("id_number", "身份证号码", synonyms=("身份证",)),
    Column("joined", "入会日期"),
]
HEADER = ["姓名", "手机号码", "身份证号码", "入会日期"]


def read(
    content: bytes, name: str = "members.xlsx", *, columns=COLUMNS, max_rows=100, max_bytes=10 * MB, **kw
):
    return read_table(
        io.BytesIO(content), file_name=name, columns=columns, max_rows=max_rows, max_bytes=max_bytes, **kw
    )


def refused(content: bytes, name: str = "members.xlsx", **kw) -> str:
    with pytest.raises(FileRefused) as caught:
        read(content, name, **kw)
    return str(caught.value)


def xlsx(*rows, title: str = "会员", prepare=None) -> bytes:
    """A workbook of one sheet holding ``rows`` from A1 down; ``prepare(workbook)`` may change it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    if prepare:
        prepare(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(*rows, delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def replace_in_part(content: bytes, part: str, old: bytes, new: bytes) -> bytes:
    """``content`` (an XLSX) with ``old`` replaced by ``new`` in one of its parts."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                assert old in data
                data = data.replace(old, new)
            target.writestr(item.filename, data)
    return buffer.getvalue()


# --------------------------------------------------------------------------- XLSX


def test_an_xlsx_gives_its_header_and_rows_with_cells_as_read():
    content = xlsx(
        HEADER,
        ["张三", 13812345678, "330212198001011238", datetime.datetime(2022, 3, 5)],
        ["李四", "１３８ １２３４ ５６７９", None, 44625],
        ["王五", 13812345670.0, "", 1.5],
    )
    table = read(content)
    assert table.header == HEADER
    assert table.header_row == 1
    assert table.sheet_name == "会员"
    assert table.skipped_header_rows == []
    assert table.rows == [
        (2, ["张三", 13812345678, "330212198001011238", datetime.datetime(2022, 3, 5)]),
        # Strings are not normalised here: that is the parsers' job.
        (3, ["李四", "１３８ １２３４ ５６７９", None, 44625]),
        (4, ["王五", 13812345670, None, 1.5]),
    ]


def test_a_django_upload_is_read_too():
    upload = SimpleUploadedFile("members.xlsx", xlsx(HEADER, ["张三", "13812345678", "", ""]))
    table = read_table(upload, file_name=upload.name, columns=COLUMNS, max_rows=10, max_bytes=MB)
    assert table.rows == [(2, ["张三", "13812345678", None, None])]


def test_a_merged_title_row_and_blank_rows_above_the_header_are_passed_over():
    def merge_title(workbook):
        workbook.active.merge_cells("A1:D1")

    content = xlsx(
        ["姜山镇科协会员名单（2022年）"],
        [],
        ["填表人：王五", None, "日期：2022-03-05"],
        ["序号", "*姓名", "手机 号码（必填）", "身份证"],
        [1, "张三", "13812345678", None],
        prepare=merge_title,
    )
    table = read(content)
    assert table.header_row == 4
    assert table.header == ["序号", "*姓名", "手机 号码（必填）", "身份证"]
    assert table.rows == [(5, [1, "张三", "13812345678", None])]
    assert match_headers(table.header, COLUMNS).index_by_key == {"name": 1, "phone": 2, "id_number": 3}


def test_one_matching_cell_is_not_a_header_row_but_two_are():
    content = xlsx(["姓名：张三"], ["姓名", "备注"], ["名字", "联系电话"], ["张三", "13812345678"])
    table = read(content)
    assert table.header_row == 3
    assert table.rows == [(4, ["张三", "13812345678"])]


def test_with_a_single_column_one_matching_cell_is_the_header():
    table = read(xlsx(["说明"], ["姓名"], ["张三"]), columns=[COLUMNS[0]])
    assert (table.header_row, table.rows) == (2, [(3, ["张三"])])


def test_the_chinese_header_matches_whatever_the_readers_language():
    columns = [Column("name", gettext_lazy("姓名")), Column("gender", gettext_lazy("性别"))]
    with translation.override("en"):
        assert read(xlsx(["姓名", "性别"], ["张三", "男"]), columns=columns).header_row == 1
        assert read(xlsx(["Name", "Gender"], ["张三", "男"]), columns=columns).header_row == 1


def test_no_header_in_the_first_20_rows_is_refused_naming_the_expected_headers():
    rows = [[f"说明第{n}行"] for n in range(1, 21)]
    message = refused(xlsx(*rows, HEADER, ["张三", "13812345678"]))
    assert "没有找到表头" in message
    assert "姓名" in message and "手机号码" in message
    assert "身份证号码" not in message  # only the required columns are named


def test_repeated_header_rows_are_skipped_and_recorded():
    content = xlsx(
        HEADER,
        ["张三", "13812345678"],
        HEADER,
        ["李四", "13812345679"],
        ["姓名 ", "手机号码*", "身份证号码", "入会日期"],  # the same header, written a little differently
        ["王五", "13812345670"],
    )
    table = read(content)
    assert table.skipped_header_rows == [3, 5]
    assert [number for number, _cells in table.rows] == [2, 4, 6]


def test_blank_rows_are_skipped_and_rows_are_as_wide_as_the_header():
    content = xlsx(
        HEADER,
        ["张三", "13812345678"],
        [],
        [None, "  ", "\u3000", None],
        ["李四", "13812345679", "", "", "备注：右边没有表头的格子"],
    )
    table = read(content)
    assert table.rows == [(2, ["张三", "13812345678", None, None]), (5, ["李四", "13812345679", None, None])]


def test_formatting_down_to_the_last_excel_row_neither_counts_nor_slows_reading():
    def format_whole_columns(workbook):
        sheet = workbook.active
        sheet.cell(row=1_048_576, column=4).number_format = "@"
        sheet.cell(row=3000, column=1).value = None
        sheet.cell(row=3000, column=1).number_format = "@"

    content = xlsx(HEADER, ["张三", "13812345678"], ["李四", "13812345679"], prepare=format_whole_columns)
    assert b"1048576" in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    started = time.perf_counter()
    table = read(content, max_rows=2)
    assert time.perf_counter() - started < 5
    assert [number for number, _cells in table.rows] == [2, 3]


def test_1000_blank_rows_in_a_row_end_the_table():
    def note_far_below(workbook):
        workbook.active.cell(row=4 + 1000, column=1).value = "以下空白"  # after rows 4…1003, blank

    table = read(xlsx(HEADER, ["张三", "13812345678"], ["李四", "13812345679"], prepare=note_far_below))
    assert [number for number, _cells in table.rows] == [2, 3]

    def note_just_above(workbook):
        workbook.active.cell(row=4 + 999, column=1).value = "王五"  # after 999 blank rows

    table = read(xlsx(HEADER, ["张三", "13812345678"], ["李四", "13812345679"], prepare=note_just_above))
    assert [number for number, _cells in table.rows] == [2, 3, 1003]


def test_formulas_give_their_values_not_their_text():
    content = xlsx(HEADER, ["张三", "13812345678", None, 987654])
    # Excel keeps a formula with the value it last computed; openpyxl would write the formula only.
    content = replace_in_part(
        content, "xl/worksheets/sheet1.xml", b"<v>987654</v>", b"<f>DATE(2022,3,5)</f><v>44625</v>"
    )
    assert read(content).rows == [(2, ["张三", "13812345678", None, 44625])]


def test_the_active_sheet_is_read_first_and_hidden_sheets_never():
    def sheets(workbook):
        hidden = workbook.create_sheet("旧名单")
        hidden.append(HEADER)
        hidden.append(["旧人", "13800000000"])
        hidden.sheet_state = "hidden"
        second = workbook.create_sheet("二月")
        second.append(HEADER)
        second.append(["李四", "13812345679"])
        workbook.active = 2

    table = read(xlsx(HEADER, ["张三", "13812345678"], title="一月", prepare=sheets))
    assert table.sheet_name == "二月"
    assert table.rows == [(2, ["李四", "13812345679", None, None])]


def test_a_sheet_without_a_header_is_passed_over_for_the_next_visible_one():
    def add_roster(workbook):
        workbook.create_sheet("名单").append(HEADER)
        workbook["名单"].append(["张三", "13812345678"])

    table = read(xlsx(["填表说明：手机号码请填11位"], title="说明", prepare=add_roster))
    assert table.sheet_name == "名单"
    assert table.rows == [(2, ["张三", "13812345678", None, None])]


def test_a_wrong_used_range_recorded_by_the_writer_is_ignored():
    # Some writers (older WPS versions among them) record the used range as "A1" whatever the
    # sheet holds; openpyxl's read-only mode would then read one cell.
    content = xlsx(HEADER, ["张三", "13812345678", "330212198001011238", "2022-03-05"])
    content = replace_in_part(
        content, "xl/worksheets/sheet1.xml", b'<dimension ref="A1:D2"/>', b'<dimension ref="A1"/>'
    )
    assert read(content).rows == [(2, ["张三", "13812345678", "330212198001011238", "2022-03-05"])]


def test_a_macro_enabled_workbook_is_read():
    assert read(xlsx(HEADER, ["张三", "13812345678"]), "会员.XLSM").rows == [
        (2, ["张三", "13812345678", None, None])
    ]


def test_an_xlsx_that_wps_named_xls_is_read():
    assert read(xlsx(HEADER, ["张三", "13812345678"]), "members.xls").rows == [
        (2, ["张三", "13812345678", None, None])
    ]


OLE2_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1016  # an Excel 97-2003 (BIFF) file


def test_an_old_binary_xls_is_refused_asking_to_save_as_xlsx():
    message = refused(OLE2_FILE, "members.xls")
    assert "另存为" in message and "Excel 工作簿(*.xlsx)" in message


def test_an_old_binary_file_named_xlsx_is_refused_the_same_way():
    assert "Excel 工作簿(*.xlsx)" in refused(OLE2_FILE, "members.xlsx")


def test_an_xlsx_that_is_not_a_zip_is_refused():
    assert "不是有效的 Excel 工作簿" in refused("姓名,手机号码\n张三,13812345678\n".encode(), "members.xlsx")


def test_a_zip_without_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert "没有 Excel 工作表" in refused(buffer.getvalue(), "members.xlsx")


def test_a_damaged_xlsx_is_refused_without_a_traceback():
    content = replace_in_part(
        xlsx(HEADER, ["张三", "13812345678"]), "xl/workbook.xml", b"<sheets>", b"<sheets><<"
    )
    assert "已损坏" in refused(content)
    broken_sheet = replace_in_part(
        xlsx(HEADER, ["张三", "1"]), "xl/worksheets/sheet1.xml", b"</sheetData>", b""
    )
    assert "已损坏" in refused(broken_sheet)


def test_an_unknown_extension_is_refused():
    assert ".xlsx" in refused(xlsx(HEADER), "members.numbers")
    assert ".xlsx" in refused(xlsx(HEADER), "members")


def test_an_empty_file_is_refused():
    assert "空" in refused(b"", "members.csv")


# --------------------------------------------------------------------------- limits


def test_a_file_over_the_size_limit_is_refused():
    content = xlsx(HEADER, ["张三", "13812345678"])
    message = refused(content, max_bytes=len(content) - 1)
    assert "文件超过" in message and "MB" in message
    assert "文件超过 10 MB" in refused(b"x" * (10 * MB + 1), "members.csv", max_bytes=10 * MB)


def test_more_rows_than_the_limit_are_refused_naming_the_limit():
    rows = [[f"会员{n}", f"138{n:08d}"] for n in range(6)]
    assert len(read(xlsx(HEADER, *rows), max_rows=6).rows) == 6
    message = refused(xlsx(HEADER, *rows), max_rows=5)
    assert "超过 5 行" in message and "分成几个文件" in message
    message = refused(csv_text(HEADER, *rows).encode(), "members.csv", max_rows=5)
    assert "超过 5 行" in message


def test_blank_and_repeated_header_rows_do_not_count_against_the_row_limit():
    content = xlsx(HEADER, ["张三", "13812345678"], [], HEADER, [None, None], ["李四", "13812345679"])
    assert len(read(content, max_rows=2).rows) == 2


def test_reading_stops_as_soon_as_the_row_limit_is_passed():
    rows = [[f"会员{n}", f"138{n:08d}"] for n in range(30)]
    content = xlsx(HEADER, *rows)
    # Damage the sheet after its 10th row: read to the end, it could not be parsed.
    cut = replace_in_part(content, "xl/worksheets/sheet1.xml", b'<row r="12"', b'<row r="12"><<<')
    assert "已损坏" in refused(cut, max_rows=100)
    assert "超过 5 行" in refused(cut, max_rows=5)


# --------------------------------------------------------------------------- zip bombs


def bomb(megabytes: int, *, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A zip of a workbook's parts whose sheet is ``megabytes`` MB of spaces, written in 1 MB
    chunks so that neither the archive nor the test ever holds it whole."""
    buffer = io.BytesIO()
    chunk = b" " * MB
    # The fastest deflate still packs spaces over 200 times.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open(name, "w", force_zip64=True) as sheet:
            for _ in range(megabytes):
                sheet.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    content = bomb(300)
    assert len(content) < 2 * MB  # 300 MB of spaces deflate to about 300 KB

    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened a zip bomb")

    monkeypatch.setattr(reading.openpyxl, "load_workbook", never)
    started = time.perf_counter()
    message = refused(content)
    assert time.perf_counter() - started < 2
    assert "解压后过大" in message


def test_a_compression_ratio_over_100_is_refused_even_when_small():
    content = bomb(5)  # 5 MB unpacked: under the 200 MB limit, but compressed ~1000 times
    assert "解压后过大" in refused(content)


def test_an_archive_unpacking_past_the_limit_is_refused(settings):
    # Incompressible content: the ratio is about 1, only the total size is too large.
    noise = random.Random(12).randbytes(2 * MB)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/media/image1.png", noise)
    settings.SANHUI_IMPORT_MAX_UNCOMPRESSED_MB = 1
    assert "解压后过大" in refused(buffer.getvalue())
    assert "解压后过大" in refused(buffer.getvalue(), max_uncompressed_bytes=MB)


def test_an_archive_of_too_many_entries_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for n in range(1001):
            archive.writestr(f"xl/media/{n}.bin", str(n))
    assert "解压后过大" in refused(buffer.getvalue())


def test_a_normal_workbook_passes_the_archive_checks():
    rows = [[f"会员{n}", f"138{n:08d}", "", "2022-03-05"] for n in range(2000)]
    content = xlsx(HEADER, *rows)
    members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    reading.check_archive(members, max_uncompressed_bytes=200 * MB)
    assert len(read(content, max_rows=2000).rows) == 2000


# --------------------------------------------------------------------------- CSV


def test_a_utf8_csv_with_a_bom_as_excel_saves_it():
    content = csv_text(HEADER, ["张三", "13812345678", "11010519491231002x", "2022.3.5"]).encode("utf-8-sig")
    table = read(content, "members.csv")
    assert table.header == HEADER
    assert table.rows == [(2, ["张三", "13812345678", "11010519491231002x", "2022.3.5"])]
    assert table.sheet_name == ""


def test_a_utf8_csv_without_a_bom():
    content = csv_text(HEADER, ["张三", "13812345678", "", ""]).encode()
    assert read(content, "members.csv").rows == [(2, ["张三", "13812345678", "", ""])]


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "gb2312"])
def test_a_csv_in_gb18030_or_gbk(encoding):
    content = csv_text(["姓名", "联系电话", "备注"], ["张三", "13812345678", "镇科协会员"]).encode(encoding)
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    assert read(content, "members.csv").rows == [(2, ["张三", "13812345678", "镇科协会员"])]


def test_a_gb18030_csv_with_characters_outside_gbk():
    content = csv_text(HEADER, ["𠀾𪚥", "13812345678", "", ""]).encode("gb18030")
    assert read(content, "members.csv").rows[0][1][0] == "𠀾𪚥"


def test_a_csv_in_no_known_encoding_is_refused():
    assert "编码" in refused("姓名,手机号码\n".encode() + b"\x81\x20\xff\xfe\x80\n", "members.csv")


def test_a_csv_with_nul_bytes_is_refused():
    assert "不是文本" in refused(b"\xe5\xa7\x93\xe5\x90\x8d,\x00\x00\x01\x02,\n", "members.csv")


def test_an_excel_file_named_csv_is_refused_saying_so():
    assert "扩展名" in refused(xlsx(HEADER), "members.csv")


@pytest.mark.parametrize(
    ("delimiter", "name"), [(";", "members.csv"), ("\t", "members.txt"), (",", "members.txt")]
)
def test_the_delimiter_is_sniffed(delimiter, name):
    content = csv_text(HEADER, ["张三", "13812345678", "", "2022/3/5"], delimiter=delimiter).encode()
    assert read(content, name).rows == [(2, ["张三", "13812345678", "", "2022/3/5"])]


def test_a_title_line_above_the_header_does_not_fool_the_delimiter():
    content = "姜山镇科协会员名单（2022年，共2人）\r\n\r\n" + csv_text(
        HEADER, ["张三", "13812345678", "", ""], delimiter=";"
    )
    table = read(content.encode(), "members.csv")
    assert table.header_row == 3
    assert table.rows == [(4, ["张三", "13812345678", "", ""])]


def test_excels_unicode_text_is_read():
    # Excel's "Unicode 文本(*.txt)": UTF-16 with a BOM, tab-separated.
    content = csv_text(HEADER, ["张三", "13812345678", "", ""], delimiter="\t").encode("utf-16")
    assert read(content, "members.txt").rows == [(2, ["张三", "13812345678", "", ""])]


def test_csv_blank_rows_repeated_headers_and_a_quoted_line_break():
    content = csv_text(
        ["会员名单"],
        HEADER,
        ["张三", "138 1234 5678", "", ""],
        [],
        [" ", "", "", ""],
        HEADER,
        ["李四\n（兼）", "13812345679"],
    ).encode()
    table = read(content, "members.csv")
    assert table.header_row == 2
    assert table.skipped_header_rows == [6]
    assert table.rows == [
        (3, ["张三", "138 1234 5678", "", ""]),
        (7, ["李四\n（兼）", "13812345679", None, None]),
    ]


def test_a_csv_without_a_header_is_refused():
    assert "没有找到表头" in refused(csv_text(["a", "b"], ["1", "2"]).encode(), "members.csv")
