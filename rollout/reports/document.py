"""A report as a document: the outline the DOCX and the PDF both lay out (chapters 一、 with
sections （一）, red flags told group by group under 1. 2. …, wide tables sent to annexes, the
charts), so that the two files are the same document, and the widths of table columns fitted to
what they hold, in characters, so that a short name is never broken across lines.

Shared by the DOCX and PDF renderers, and like them not part of the figures: it only arranges
what the report's sections hold. Imports the report model only.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .model import Chart, Report, Section

NUMERALS = "一二三四五六七八九十"

# --------------------------------------------------------------------------- column widths


def column_widths(section: Section, total: float) -> list[float]:
    """``total`` shared among the section's columns in proportion to what they hold, measured in
    CJK characters (a Latin letter or digit counts half), so that a short name never breaks."""
    return fit_widths(
        [column.label for column in section.columns], list(zip(*section.text_rows(), strict=False)), total
    )


def text_width(text: str) -> float:
    """Width of ``text`` in CJK characters: a full-width character is one, anything else half."""
    return sum(1.0 if ord(char) >= 0x2E80 else 0.55 for char in text)


# A cell never gets less room than this many characters, unless its longest text is shorter;
# and no column asks for more than the cap, so that one long remark cannot starve the others.
KEEP_WHOLE, CAP = 6.0, 18.0


def line_count(text: str, width: float) -> int:
    """Lines ``text`` takes in ``width`` characters, broken between any two characters except
    before a closing bracket or a comma and after an opening bracket, as Chinese type is set."""
    lines, start, last_break = 1, 0, 0
    for index, char in enumerate(text):
        if index > start and char not in "）、，。/" and text[index - 1] != "（":
            last_break = index
        if text_width(text[start : index + 1]) > width and last_break > start:
            lines, start = lines + 1, last_break
    return lines


def header_width(label: str, *, natural: bool = True) -> float:
    """Room for a header over at most two lines; with ``natural``, broken where the label breaks
    naturally when it can: before an opening bracket or after a slash or an enumeration comma
    (志愿服务时长 / （小时）)."""
    parts = [part for part in re.split(r"(?=（)|(?<=[/、）])", label) if part]
    longest = max((text_width(part) for part in parts), default=0.0)
    natural = longest if natural and len(parts) > 1 and longest <= KEEP_WHOLE else 0
    width = max(math.ceil(text_width(label) / 2), natural, 2)
    while line_count(label, width) > 2:
        width += 1
    return float(width)


def fit_widths(labels: list[str], columns: list[tuple[str, ...]], total: float) -> list[float]:
    """Column widths, in characters, summing to ``total`` characters: each column needs its
    longest cell (or its header over two lines), capped at ``CAP``; a column squeezed below its
    longest text or its header (up to ``KEEP_WHOLE``) is held there and the others share what
    remains by need."""
    needs, floors = [], []
    for index, label in enumerate(labels):
        cells = columns[index] if index < len(columns) else ()
        longest = max((text_width(text) for text in cells), default=0.0)
        needs.append(min(max(longest, header_width(label)), CAP))
        floors.append(min(max(longest, header_width(label, natural=False)), KEEP_WHOLE, needs[-1]))
    if sum(floors) >= total:
        return [floor * total / sum(floors) for floor in floors]
    widths = [need * total / sum(needs) for need in needs]
    pinned: set[int] = set()
    while short := {i for i, width in enumerate(widths) if i not in pinned and width < floors[i]}:
        pinned |= short
        rest = total - sum(floors[i] for i in pinned)
        free = sum(need for i, need in enumerate(needs) if i not in pinned)
        widths = [floors[i] if i in pinned else needs[i] * rest / free for i in range(len(needs))]
    return widths


# --------------------------------------------------------------------------- the document

# The chapters (一、二、…) of each kind of report as a document: a title and the sections it
# holds, each a sub-heading （一）（二）…; a section not named here gets a chapter of its own
# after these. The charts close the first chapter. A wide section is only named in its chapter
# and laid out as an annex.
CHAPTERS = {
    "supervision": (
        (gettext_lazy("基本情况"), ("summary", "organizations")),
        (gettext_lazy("存在的问题"), ("red_flags", "overdue_tasks", "rectifications")),
        (gettext_lazy("督查开展情况"), ("inspections",)),
    ),
    "coverage": (
        (gettext_lazy("总体情况"), ("summary", "trend")),
        (gettext_lazy("镇（街道）覆盖情况"), ("matrix",)),
    ),
}
# Sections whose rows are told group by group, under headings 1. 2. …, by the named column.
GROUPED = {"red_flags": "flag"}


@dataclass(frozen=True)
class Block:
    """One element of the document's body, in reading order."""

    kind: str  # "heading", "paragraph", "table", "chart" or "note"
    text: str = ""
    level: int = 0  # headings: 1 一、 2 （一） 3 1. 4 （1）
    section: Section | None = None
    chart: Chart | None = None
    number: int = 0  # charts: 图 n


def heading_text(level: int, index: int, title: str) -> str:
    """A heading numbered as GB/T 9704-2012 orders them: 一、 （一） 1. （1）."""
    numeral = NUMERALS[index] if index < len(NUMERALS) else str(index + 1)
    if level == 1:
        return f"{numeral}、{title}"
    if level == 2:
        return f"（{numeral}）{title}"
    if level == 3:
        return f"{index + 1}.{title}"
    return f"（{index + 1}）{title}"


def _chapters(report: Report) -> list[tuple[str, list[Section]]]:
    by_key = {section.key: section for section in report.sections}
    chapters, placed = [], set()
    for title, keys in CHAPTERS.get(report.kind, ()):
        sections = [by_key[key] for key in keys if key in by_key]
        placed.update(section.key for section in sections)
        if sections:
            chapters.append((str(title), sections))
    chapters += [(section.title, [section]) for section in report.sections if section.key not in placed]
    return chapters


# A table of the document holds at most this many rows. A report over a province (21,000
# organisations, 1,400 towns) would otherwise print hundreds of pages that no one reads, and a
# PDF costs about half a millisecond a cell to lay out; the XLSX and CSV of the same report hold
# every row, and the document says where the rest is.
DOCUMENT_ROWS = 200


def _bounded(section: Section) -> tuple[Section, int]:
    """The section as the document prints it (its first ``DOCUMENT_ROWS`` rows), and how many
    rows it has when some were left out (else 0)."""
    total = len(section.rows)
    if total <= DOCUMENT_ROWS:
        return section, 0
    return dataclasses.replace(section, rows=section.rows[:DOCUMENT_ROWS]), total


def _cut_note(total: int) -> str:
    return _("表中列出前 %(shown)s 行，共 %(total)s 行；全部内容见本通报的 XLSX 或 CSV 文件。") % {
        "shown": f"{DOCUMENT_ROWS:,}",
        "total": f"{total:,}",
    }


def _grouped(section: Section, column_key: str) -> list[Block]:
    """Rows told group by group: a heading 1. 2. … a group, then the group's own table."""
    columns = [column for column in section.columns if column.key != column_key]
    groups: dict[str, list[dict]] = {}
    for row in section.rows:
        groups.setdefault(str(row.get(column_key)), []).append(row)
    blocks = []
    for index, (name, rows) in enumerate(groups.items()):
        title = _("%(name)s（%(n)s项）") % {"name": name, "n": len(rows)}
        blocks.append(Block("heading", heading_text(3, index, title), level=3))
        shown, total = _bounded(Section(section.key, name, columns, rows))
        blocks.append(Block("table", section=shown))
        if total:
            blocks.append(Block("note", _cut_note(total)))
    return blocks


def _section_blocks(section: Section, annexes: list[Section]) -> list[Block]:
    if section.key in GROUPED and section.rows and not section.wide:
        return _grouped(section, GROUPED[section.key])
    shown, total = _bounded(section)
    if section.wide:
        annexes.append(shown)
        if total:
            note = _(
                "详见附件%(n)s（列出前 %(shown)s 行，共 %(total)s 行；全部内容见本通报的 XLSX 或 CSV 文件）。"
            ) % {"n": len(annexes), "shown": f"{DOCUMENT_ROWS:,}", "total": f"{total:,}"}
        else:
            note = _("详见附件%(n)s。") % {"n": len(annexes)}
        return [Block("paragraph", note)]
    blocks = [Block("table", section=shown)]
    if section.note:
        blocks.append(Block("note", section.note))
    if total:
        blocks.append(Block("note", _cut_note(total)))
    return blocks


def outline(report: Report) -> tuple[list[Block], list[Section]]:
    """The body of the document, block by block, and its annexes: what the DOCX and the PDF
    both lay out between the addressees and the signature."""
    body = [Block("paragraph", paragraph) for paragraph in report.paragraphs]
    body.append(Block("paragraph", _("现将%(scope)s有关情况通报如下：") % {"scope": report.scope_label}))
    annexes: list[Section] = []
    chapters = _chapters(report)
    for index, (title, sections) in enumerate(chapters):
        body.append(Block("heading", heading_text(1, index, title), level=1))
        for sub, section in enumerate(sections):
            # A chapter that is one section of the same name needs no sub-heading.
            if len(sections) > 1 or section.title != title:
                body.append(Block("heading", heading_text(2, sub, section.title), level=2))
            body += _section_blocks(section, annexes)
        if index == 0:
            body += [Block("chart", chart=chart, number=n) for n, chart in enumerate(report.charts, start=1)]
    body.append(Block("heading", heading_text(1, len(chapters), _("下一步工作要求")), level=1))
    body.append(Block("paragraph", _("（请填写整改要求和下一步工作安排。）")))
    return body, annexes
