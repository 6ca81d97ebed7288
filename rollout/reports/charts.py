"""Small SVG charts drawn on the server for the PDF report: no plotting library, no browser.

WeasyPrint renders inline SVG with the page's fonts, so the Chinese labels come out in the same
embedded Noto CJK font as the text."""

from __future__ import annotations

from xml.sax.saxutils import escape

from .model import Chart

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 28, 64
COLOR = "#2f6db5"


def _label(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value:g}"


def _scale_max(chart: Chart) -> float:
    if chart.percent:
        return 1.0
    top = max(chart.values, default=0) or 1
    return float(top)


def _frame(chart: Chart, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(chart.title)}">'
        f'<text x="{WIDTH / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">'
        f"{escape(chart.title)}</text>"
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" '
        f'y2="{HEIGHT - BOTTOM}" stroke="#555"/>'
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#555"/>'
        + "".join(body)
        + "</svg>"
    )


def _axis(chart: Chart, top: float) -> list[str]:
    plot = HEIGHT - TOP - BOTTOM
    parts = []
    for step in range(5):
        value = top * step / 4
        y = HEIGHT - BOTTOM - plot * step / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="9">'
            f"{_label(value, chart.percent)}</text>"
        )
    return parts


def _x_label(x: float, text: str) -> str:
    text = text if len(text) <= 8 else text[:7] + "…"
    y = HEIGHT - BOTTOM + 12
    return (
        f'<text x="{x:.1f}" y="{y}" font-size="9" text-anchor="end" '
        f'transform="rotate(-30 {x:.1f} {y})">{escape(text)}</text>'
    )


def bar_chart(chart: Chart) -> str:
    top = _scale_max(chart)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(chart.values), 1)
    slot = plot_w / count
    parts = _axis(chart, top)
    for index, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        height = plot_h * (value / top if top else 0)
        x = LEFT + slot * index + slot * 0.15
        y = HEIGHT - BOTTOM - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}" fill="{COLOR}"/>'
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 3:.1f}" font-size="9" text-anchor="middle">'
            f"{_label(value, chart.percent)}</text>"
        )
        parts.append(_x_label(x + slot * 0.5, label))
    return _frame(chart, parts)


def line_chart(chart: Chart) -> str:
    top = _scale_max(chart)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(chart.values)
    step = plot_w / max(count - 1, 1)
    points = []
    parts = _axis(chart, top)
    for index, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        x = LEFT + 12 + (step - 24 / max(count - 1, 1)) * index if count > 1 else LEFT + plot_w / 2
        y = HEIGHT - BOTTOM - plot_h * (value / top if top else 0)
        points.append(f"{x:.1f},{y:.1f}")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{COLOR}"/>'
            f'<text x="{x:.1f}" y="{y - 6:.1f}" font-size="9" text-anchor="middle">'
            f"{_label(value, chart.percent)}</text>"
        )
        parts.append(_x_label(x + 8, label))
    if points:
        parts.insert(
            0, f'<polyline points="{" ".join(points)}" fill="none" stroke="{COLOR}" stroke-width="2"/>'
        )
    return _frame(chart, parts)


def svg(chart: Chart) -> str:
    return line_chart(chart) if chart.kind == "line" else bar_chart(chart)
