"""The report's charts as PNG images, drawn on the server with Pillow (already pinned for
WeasyPrint): the same picture goes into the DOCX and the PDF, so the two documents show the
same chart. No plotting library, no browser.

Labels are never rotated and never cut: a bar chart lays its bars horizontally with the whole
label to the left of each bar (wrapped onto more lines when it is long), and a line chart wraps
a label that is wider than its slot. Text is drawn in Noto Sans CJK SC, from Debian's
fonts-noto-cjk package that the PDF already needs.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import math
import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .model import RATE, Chart, display

DPI = 200
WIDTH_MM = 156  # the width of the type area (版心)
COLOR, AXIS, GRID, INK = (47, 109, 181), (85, 85, 85), (221, 221, 221), (0, 0, 0)
FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian, Ubuntu
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora, Arch
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",  # macOS, for development
)
FONT_NAME = "Noto Sans CJK SC"


def px(points: float) -> int:
    return round(points * DPI / 72)


def mm(millimetres: float) -> int:
    return round(millimetres * DPI / 25.4)


@functools.cache
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The CJK font at ``size`` pixels: the Simplified Chinese face of a font collection."""
    for path in FONT_FILES:
        if not Path(path).exists():
            continue
        for index in range(12):
            try:
                face = ImageFont.truetype(path, size, index=index)
            except OSError:
                break
            if face.getname()[0] == FONT_NAME or not path.endswith("NotoSansCJK-Regular.ttc"):
                return face
    return ImageFont.load_default(size)


def value_label(value: float, percent: bool) -> str:
    return display(value, RATE) if percent else f"{value:g}"


def text_size(text: str, face) -> tuple[int, int]:
    left, top, right, bottom = face.getbbox(text or " ")
    return right - left, bottom - top


def wrap(text: str, face, width: int) -> list[str]:
    """``text`` broken into lines no wider than ``width`` pixels, character by character (Chinese
    has no spaces to break at); a single character wider than ``width`` gets a line of its own."""
    lines, line = [], ""
    for char in text:
        if line and text_size(line + char, face)[0] > width:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line or not lines else lines


def _scale_max(chart: Chart) -> float:
    """The top of the value axis: 100% for rates, else the largest value rounded up to a
    multiple of four, so that the four grid steps fall on whole numbers."""
    if chart.percent:
        return 1.0
    return float(max(4, math.ceil(max(chart.values, default=0) / 4) * 4))


def tick_label(value: float, percent: bool) -> str:
    return f"{value * 100:.0f}%" if percent else f"{value:g}"


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(DPI, DPI), optimize=True)
    return buffer.getvalue()


def bar_png(chart: Chart) -> bytes:
    """Horizontal bars, one a label, the label whole on the left, the value at the bar's end."""
    face, small = font(px(10)), font(px(8.5))
    width, pad = mm(WIDTH_MM), px(4)
    label_width = min(max((text_size(label, face)[0] for label in chart.labels), default=0), width * 2 // 5)
    lines = [wrap(label, face, label_width) for label in chart.labels]
    line_height = px(13)
    rows = [max(len(label_lines), 1) * line_height + px(6) for label_lines in lines]
    value_width = max((text_size(value_label(v, chart.percent), small)[0] for v in chart.values), default=0)
    left, right = pad + label_width + px(6), width - pad - value_width - px(6)
    top, axis_height = pad, px(16)
    height = top + sum(rows) + axis_height + pad
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    scale = _scale_max(chart)
    bottom = top + sum(rows)
    for step in range(5):
        x = left + (right - left) * step / 4
        draw.line([(x, top), (x, bottom)], fill=GRID, width=1)
        tick = tick_label(scale * step / 4, chart.percent)
        draw.text((x, bottom + px(3)), tick, font=small, fill=AXIS, anchor="ma")
    y = top
    for label_lines, row, value in zip(lines, rows, chart.values, strict=True):
        text_top = y + (row - len(label_lines) * line_height) / 2
        for number, line in enumerate(label_lines):
            draw.text((left - px(6), text_top + number * line_height), line, font=face, fill=INK, anchor="ra")
        bar_end = left + (right - left) * (value / scale if scale else 0)
        middle = y + row / 2
        draw.rectangle([(left, middle - px(4.5)), (max(bar_end, left + 1), middle + px(4.5))], fill=COLOR)
        draw.text(
            (bar_end + px(3), middle), value_label(value, chart.percent), font=small, fill=INK, anchor="lm"
        )
        y += row
    draw.line([(left, top), (left, bottom)], fill=AXIS, width=2)
    return _png(image)


def line_png(chart: Chart) -> bytes:
    """A line over the periods, each point labelled with its value, the periods below."""
    face, small = font(px(10)), font(px(8.5))
    width, height, pad = mm(WIDTH_MM), mm(62), px(4)
    scale = _scale_max(chart)
    axis_width = max(text_size(tick_label(scale * s / 4, chart.percent), small)[0] for s in range(5))
    count = max(len(chart.values), 1)
    left, right = pad + axis_width + px(6), width - pad
    slot = (right - left) / count
    lines = [wrap(label, face, int(slot) - px(4)) for label in chart.labels]
    line_height = px(13)
    bottom = height - pad - max((len(label_lines) for label_lines in lines), default=1) * line_height - px(4)
    top = pad + px(14)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for step in range(5):
        y = bottom - (bottom - top) * step / 4
        draw.line([(left, y), (right, y)], fill=GRID, width=1)
        draw.text(
            (left - px(4), y), tick_label(scale * step / 4, chart.percent), font=small, fill=AXIS, anchor="rm"
        )
    draw.line([(left, bottom), (right, bottom)], fill=AXIS, width=2)
    points = [
        (left + slot * (index + 0.5), bottom - (bottom - top) * (value / scale if scale else 0))
        for index, value in enumerate(chart.values)
    ]
    if len(points) > 1:
        draw.line(points, fill=COLOR, width=px(1.5), joint="curve")
    for (x, y), value, label_lines in zip(points, chart.values, lines, strict=True):
        draw.ellipse([(x - px(2.5), y - px(2.5)), (x + px(2.5), y + px(2.5))], fill=COLOR)
        draw.text((x, y - px(4)), value_label(value, chart.percent), font=small, fill=INK, anchor="md")
        for number, line in enumerate(label_lines):
            draw.text((x, bottom + px(4) + number * line_height), line, font=face, fill=INK, anchor="ma")
    return _png(image)


def printable(text: str) -> str:
    """``text`` with its control characters (a tab or a line break typed into a name) as spaces:
    the text shaper fails on them, and a label is one line of its own making."""
    return "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)


def png(chart: Chart) -> bytes:
    """``chart`` as a PNG image 156 mm wide at 200 dpi."""
    chart = dataclasses.replace(chart, labels=[printable(label) for label in chart.labels])
    return line_png(chart) if chart.kind == "line" else bar_png(chart)
