"""The report as a Word document laid out as an official notice (督查通报) following GB/T
9704-2012 (党政机关公文格式), for staff to finish in Word or WPS (document number, wording of
the requirements, seal).

- Page: A4; 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm (so 26 mm right, 35 mm bottom); 22
  lines of 28 characters (a line and character grid in every section).
- 版头: 发文机关标志 in red 小标宋 35 mm below the top of the 版心, 发文字号 (〔year of issue〕)
  two lines below it, a red rule 4 mm under the 发文字号 as wide as the 版心.
- 主体: title in 2号小标宋 two lines under the rule, 主送机关 flush left one line under it,
  body in 3号仿宋; headings 一、（一）1.（1） are Word's Heading 1–4 styles restyled (黑体,
  楷体, 仿宋 bold, 仿宋), never direct formatting, so that Word's navigation pane and outline
  work; tables with column widths shared by content; the charts as PNG images; 附件说明,
  issuing body and date.
- Annexes (tables too wide for a portrait page) each in a landscape section of their own.
- 版记 at the foot of the last page: 抄送, then 印发机关 and 印发日期 in 4号仿宋 between a thick,
  a thin and a thick rule.
- Page numbers "— 1 —" in 4号 宋体, 7 mm below the 版心, odd pages right and even pages left,
  one character in from the edge (a PAGE field in different odd and even footers).
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

from .charts import png
from .document import Block, column_widths, outline
from .model import ADDRESSEES, COPIED_TO, ISSUING_BODY, NUMERIC, Report, Section

FANGSONG, HEITI, KAITI, SONGTI, XIAOBIAOSONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体", "方正小标宋简体"
BLACK, RED = RGBColor(0, 0, 0), RGBColor(0xFF, 0x00, 0x00)
SIZE_2, SIZE_3, SIZE_4, SIZE_XIAO4, SIZE_5 = 22, 16, 14, 12, 10.5  # 2号, 3号, 4号, 小四, 五号
# 22 lines fill the 225 mm type area: 637.8 pt / 22, a little less so that the 22nd line fits.
LINE = Pt(28.95)
CHAR = Pt(SIZE_3)  # 一字: the width of one 3号 character
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TOP, LEFT, TEXT_WIDTH, TEXT_HEIGHT = Mm(37), Mm(28), Mm(156), Mm(225)
# Body tables in 小四 (12 pt) and annex tables in 五号 (10.5 pt): a table of up to seven columns
# reads beside 16 pt text at 小四 and keeps its names on one line; the annexes hold up to
# thirteen columns on the 225 mm landscape type area, where 五号 keeps names whole.
TABLE_SIZE, ANNEX_TABLE_SIZE = SIZE_XIAO4, SIZE_5
# Word's default left and right cell margins (0.19 cm each) and a point of slack, so that a cell
# sized for n characters holds them on one line.
CELL_PADDING = Pt(11.8)
HEADING_FONTS = {1: (HEITI, False), 2: (KAITI, False), 3: (FANGSONG, True), 4: (FANGSONG, False)}


# --------------------------------------------------------------------------- styles


def set_font(element, name: str, size: float | None = None, *, bold=None, color=None) -> None:
    """Font of a run or a style (``element`` has ``.font``), East Asian face included, with the
    theme fonts of Word's template removed so that the named face wins."""
    font = element.font
    font.name = name
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color
    fonts = element._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _paragraph_format(style, *, indent: bool, line=LINE) -> None:
    fmt = style.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if line is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, line
    fmt.first_line_indent = CHAR * 2 if indent else Pt(0)


def _styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    set_font(normal, FANGSONG, SIZE_3, color=BLACK)
    _paragraph_format(normal, indent=True)
    for level, (face, bold) in HEADING_FONTS.items():
        style = styles[f"Heading {level}"]
        set_font(style, face, SIZE_3, bold=bold, color=BLACK)
        style.font.italic = False
        _paragraph_format(style, indent=True)
        style.paragraph_format.keep_with_next = True
    for name, size in (("Report Table", TABLE_SIZE), ("Report Annex Table", ANNEX_TABLE_SIZE)):
        style = styles.add_style(name, 1)
        style.base_style = normal
        set_font(style, FANGSONG, size)
        _paragraph_format(style, indent=False, line=None)
    caption = styles["Caption"]
    set_font(caption, FANGSONG, SIZE_4, bold=False, color=BLACK)
    _paragraph_format(caption, indent=False, line=None)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = styles["Footer"]
    set_font(footer, SONGTI, SIZE_4)
    _paragraph_format(footer, indent=False, line=None)


# --------------------------------------------------------------------------- page set-up


def _grid(section) -> None:
    """22 lines of 28 characters: Word's document grid (as its page set-up dialog writes it)."""
    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(LINE.pt * 20)))
    # Character pitch = 3号 + charSpace / 4096 pt, so that 28 characters fill 156 mm.
    grid.set(qn("w:charSpace"), str(round((TEXT_WIDTH.pt / 28 - SIZE_3) * 4096)))
    sect.append(grid)


def _page(section, *, landscape: bool = False) -> None:
    """A4 with the type area of GB/T 9704; a landscape page keeps the same 版心 turned, its
    head at the binding edge as the standard's 横排表格 asks."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    if landscape:
        section.page_width, section.page_height = PAGE_HEIGHT, PAGE_WIDTH
        section.top_margin, section.bottom_margin = LEFT, PAGE_WIDTH - LEFT - TEXT_WIDTH
        section.left_margin, section.right_margin = TOP, PAGE_HEIGHT - TOP - TEXT_HEIGHT
    else:
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin, section.bottom_margin = TOP, PAGE_HEIGHT - TOP - TEXT_HEIGHT
        section.left_margin, section.right_margin = LEFT, PAGE_WIDTH - LEFT - TEXT_WIDTH
    # The page number's dash line sits 7 mm below the type area: the footer's 4号 line ends
    # one line height lower.
    section.footer_distance = section.bottom_margin - Mm(7) - Pt(SIZE_4)
    section.header_distance = Mm(15)
    _grid(section)


def _page_number(paragraph) -> None:
    """ "— n —" with n a PAGE field, half-width 4号 宋体 (the Footer style)."""
    paragraph.add_run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
        else:
            run.text = text
    paragraph.add_run(" —")


def _footers(document, section) -> None:
    document.settings.odd_and_even_pages_header_footer = True
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.style = document.styles["Footer"]
        paragraph.alignment = align
        # 单页码居右空一字，双页码居左空一字.
        paragraph.paragraph_format.right_indent = Pt(SIZE_4) if align == WD_ALIGN_PARAGRAPH.RIGHT else Pt(0)
        paragraph.paragraph_format.left_indent = Pt(SIZE_4) if align == WD_ALIGN_PARAGRAPH.LEFT else Pt(0)
        _page_number(paragraph)


def _bottom_aligned(section) -> None:
    """The last page's text sits on the foot of the 版心, where the 版记 belongs."""
    sect = section._sectPr
    align = OxmlElement("w:vAlign")
    align.set(qn("w:val"), "bottom")
    later = [sect.find(qn(tag)) for tag in ("w:noEndnote", "w:titlePg", "w:textDirection", "w:docGrid")]
    following = next((element for element in later if element is not None), None)
    if following is not None:
        following.addprevious(align)
    else:
        sect.append(align)


# --------------------------------------------------------------------------- 版头 and 主体


def _line(document, text: str = "", *, style=None, align=None, indent: bool | None = None):
    paragraph = document.add_paragraph(text, style=style)
    if align is not None:
        paragraph.alignment = align
    if indent is False or (indent is None and align is not None):
        paragraph.paragraph_format.first_line_indent = Pt(0)
    return paragraph


def _rule(paragraph, *, edge: str, size: int, color: str = "000000", space: int = 0) -> None:
    """A rule along one edge of a paragraph; ``size`` in eighths of a point."""
    properties = paragraph._p.get_or_add_pPr()
    borders = properties.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        # pBdr comes before shd, tabs, spacing and indentation in a paragraph's properties.
        following = next(
            (properties.find(qn(tag)) for tag in ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")
             if properties.find(qn(tag)) is not None),
            None,
        )  # fmt: skip
        if following is not None:
            following.addprevious(borders)
        else:
            properties.append(borders)
    line = OxmlElement(f"w:{edge}")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", str(space)), ("w:color", color)):
        line.set(qn(key), value)
    borders.append(line)


def _head(document, report: Report) -> None:
    """版头: the issuing body in red, the document number, the red rule; then the title and
    the addressees."""
    mark = _line(document, align=WD_ALIGN_PARAGRAPH.CENTER)
    set_font(mark.add_run(ISSUING_BODY), XIAOBIAOSONG, SIZE_2, color=RED)
    fmt = mark.paragraph_format
    fmt.space_before, fmt.line_spacing_rule, fmt.line_spacing = Mm(35), WD_LINE_SPACING.SINGLE, 1.0
    number = _line(document, report.document_number(), align=WD_ALIGN_PARAGRAPH.CENTER)
    number.paragraph_format.space_before = LINE * 2
    # The red rule 4 mm (11 pt) below the number, across the type area.
    _rule(number, edge="bottom", size=18, color="FF0000", space=11)
    title = _line(document, align=WD_ALIGN_PARAGRAPH.CENTER)
    set_font(title.add_run(report.title), XIAOBIAOSONG, SIZE_2)
    fmt = title.paragraph_format
    fmt.space_before, fmt.line_spacing = LINE * 2, Pt(36)
    _line(document, indent=False)
    _line(document, str(ADDRESSEES), indent=False)


def _table(document, section: Section, *, size: float, width) -> None:
    style = "Report Annex Table" if size == ANNEX_TABLE_SIZE else "Report Table"
    table = document.add_table(rows=1, cols=len(section.columns))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    count = len(section.columns)
    characters = (width - CELL_PADDING * count) / Pt(size)
    widths = [Emu(round(Pt(size) * share) + CELL_PADDING) for share in column_widths(section, characters)]
    header = table.rows[0]
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(flag)
    for cell, column in zip(header.cells, section.columns, strict=True):
        paragraph = cell.paragraphs[0]
        paragraph.style = document.styles[style]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(paragraph.add_run(column.label), HEITI)
    rows = section.text_rows()
    if not rows:
        merged = table.add_row().cells
        merged[0].merge(merged[-1]).paragraphs[0].text = _("无")
        merged[0].paragraphs[0].style = document.styles[style]
    for values, data in zip(rows, section.rows, strict=True):
        for cell, column, text in zip(table.add_row().cells, section.columns, values, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph.style = document.styles[style]
            paragraph.add_run(text)
            if section.type_of(data, column) in NUMERIC:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in table.rows:
        for cell, cell_width in zip(row.cells, widths, strict=False):
            cell.width = cell_width
    for column, column_width in zip(table.columns, widths, strict=True):
        column.width = column_width


def _chart(document, block: Block) -> None:
    picture = _line(document, align=WD_ALIGN_PARAGRAPH.CENTER)
    picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    picture.paragraph_format.keep_with_next = True
    picture.add_run().add_picture(io.BytesIO(png(block.chart)), width=TEXT_WIDTH)
    caption = _("图%(n)s　%(title)s") % {"n": block.number, "title": block.chart.title}
    document.add_paragraph(caption, style=document.styles["Caption"])


def _body(document, blocks: list[Block]) -> None:
    for block in blocks:
        if block.kind == "heading":
            document.add_paragraph(block.text, style=document.styles[f"Heading {block.level}"])
        elif block.kind == "table":
            _table(document, block.section, size=TABLE_SIZE, width=TEXT_WIDTH)
        elif block.kind == "note":
            _line(document, block.text, style=document.styles["Report Table"])
        elif block.kind == "chart":
            _chart(document, block)
        else:
            document.add_paragraph(block.text)


def _close(document, report: Report, annexes: list[Section]) -> None:
    """附件说明 under the body, then the issuing body and the date, 成文日期 four characters in
    from the right and the issuing body above it (room for the seal)."""
    if annexes:
        _line(document)
        for number, section in enumerate(annexes, start=1):
            text = (_("附件：") if number == 1 else "") + f"{number}.{section.title}"
            paragraph = _line(document, text, indent=False)
            paragraph.paragraph_format.left_indent = CHAR * (2 if number == 1 else 5)
    _line(document)
    _line(document)
    signature = _line(document, ISSUING_BODY, align=WD_ALIGN_PARAGRAPH.RIGHT)
    signature.paragraph_format.right_indent = CHAR * 2
    date = _line(document, report.issue_date(), align=WD_ALIGN_PARAGRAPH.RIGHT)
    date.paragraph_format.right_indent = CHAR * 4


def _annex(document, number: int, section: Section) -> None:
    """An annex on pages of its own: 附件n in 3号黑体 top left, its title in 2号小标宋 on the
    third line, its table; landscape when the table is wide."""
    new = document.add_section(WD_SECTION.NEW_PAGE)
    _page(new, landscape=section.wide)
    label = _line(document, indent=False)
    set_font(label.add_run(_("附件%(n)s") % {"n": number}), HEITI)
    title = _line(document, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.space_before = LINE
    set_font(title.add_run(section.title), XIAOBIAOSONG, SIZE_2)
    _line(document, indent=False)
    width = TEXT_HEIGHT if section.wide else TEXT_WIDTH
    size = ANNEX_TABLE_SIZE if section.wide else TABLE_SIZE
    _table(document, section, size=size, width=width)
    if section.note:
        _line(document, section.note, style=document.styles["Report Annex Table"])


def _imprint(document, report: Report) -> None:
    """版记 on the foot of the last page: 抄送 and 印发机关/印发日期 in 4号仿宋, between a thick
    rule (0.35 mm), a thin one (0.25 mm) and a thick one, each as wide as the 版心."""
    new = document.add_section(WD_SECTION.NEW_PAGE)
    _page(new)
    _bottom_aligned(new)
    copied = _line(document, indent=False)
    set_font(copied.add_run(_("　抄送：%(to)s") % {"to": COPIED_TO}), FANGSONG, SIZE_4)
    _rule(copied, edge="top", size=8, space=1)
    _rule(copied, edge="bottom", size=6, space=1)
    printed = _line(document, indent=False)
    printed.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH - Pt(SIZE_4), alignment=2)
    line = _("　%(body)s\t%(date)s印发") % {"body": ISSUING_BODY, "date": report.issue_date()}
    set_font(printed.add_run(line), FANGSONG, SIZE_4)
    _rule(printed, edge="bottom", size=8, space=1)


def render_docx(report: Report) -> bytes:
    document = Document()
    _styles(document)
    first = document.sections[0]
    _page(first)
    _footers(document, first)
    document.core_properties.title = report.title
    document.core_properties.author = ISSUING_BODY
    blocks, annexes = outline(report)
    _head(document, report)
    _body(document, blocks)
    _close(document, report, annexes)
    for number, section in enumerate(annexes, start=1):
        _annex(document, number, section)
    _imprint(document, report)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
