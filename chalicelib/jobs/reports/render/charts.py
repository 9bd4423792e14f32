"""Charts as PNG pictures drawn with Pillow (already needed by the PDF library): bars, stacked bars, lines.

Small on purpose: a title, a legend, a value axis (0-100 for percentages), category labels; no plotting
library (matplotlib and numpy would add tens of megabytes to the report functions).
"""
from __future__ import annotations

import functools
import io
import math

from PIL import Image, ImageDraw, ImageFont

from chalicelib.domain.reports import Chart
from chalicelib.jobs.reports.render.fonts import font_file

__all__ = ["WIDTH", "HEIGHT", "chart_png"]

WIDTH, HEIGHT = 1600, 800
_COLOURS = ("#2e7d32", "#1565c0", "#f9a825", "#c62828", "#757575", "#6a1b9a", "#00838f")
_LEFT, _RIGHT, _TOP, _BOTTOM = 110, 40, 130, 110
_AXIS, _GRID, _TEXT = "#424242", "#e0e0e0", "#212121"


@functools.lru_cache(maxsize=32)
def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_file(bold=bold)), size)


def _top_value(chart: Chart) -> float:
    if chart.unit == "%":
        return 100.0
    values = [v for s in chart.series for v in s.values if v is not None]
    if chart.stacked:
        values = [sum(v or 0 for v in column) for column in zip(*(s.values for s in chart.series))]
    top = max(values, default=1.0) or 1.0
    step = 10 ** math.floor(math.log10(top))
    return math.ceil(top / step) * step


def _fitted(draw: ImageDraw.ImageDraw, text: str, width: float) -> tuple[str, ImageFont.FreeTypeFont]:
    """`text` in the largest font (22 down to 12 px) that fits `width`, shortened with … if none does."""
    for size in range(22, 11, -2):
        font = _font(size)
        if draw.textlength(text, font=font) <= width:
            return text, font
    while len(text) > 1 and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…", font


def chart_png(chart: Chart) -> bytes:
    """The chart as a PNG picture, WIDTH x HEIGHT pixels."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.text((_LEFT, 24), chart.title, font=_font(34, bold=True), fill=_TEXT)
    x = _LEFT
    for i, series in enumerate(chart.series):
        colour = _COLOURS[i % len(_COLOURS)]
        draw.rectangle((x, 84, x + 26, 106), fill=colour)
        draw.text((x + 34, 80), series.name, font=_font(24), fill=_TEXT)
        x += 34 + int(draw.textlength(series.name, font=_font(24))) + 40
    left, right, top, bottom = _LEFT, WIDTH - _RIGHT, _TOP, HEIGHT - _BOTTOM
    highest = _top_value(chart)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * min(value, highest) / highest

    for step in range(6):
        value = highest * step / 5
        y = y_of(value)
        draw.line((left, y, right, y), fill=_GRID if step else _AXIS, width=2)
        label = f"{value:g}{chart.unit}"
        draw.text((left - 12 - draw.textlength(label, font=_font(22)), y - 13), label, font=_font(22), fill=_TEXT)
    count = max(len(chart.categories), 1)
    slot = (right - left) / count
    for c, category in enumerate(chart.categories):
        text, font = _fitted(draw, category, slot - 6)
        centre = left + slot * (c + 0.5)
        draw.text((centre - draw.textlength(text, font=font) / 2, bottom + 14), text, font=font, fill=_TEXT)
        if not chart.lines:
            _bars(draw, chart, c, left + slot * c, slot, y_of)
    if chart.lines:
        _lines(draw, chart, left, slot, y_of)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _bars(draw: ImageDraw.ImageDraw, chart: Chart, c: int, start: float, slot: float, y_of: object) -> None:
    base = y_of(0)  # type: ignore[operator]
    if chart.stacked:
        width, level = slot * 0.6, 0.0
        for i, series in enumerate(chart.series):
            value = series.values[c] or 0.0
            if value > 0:
                draw.rectangle((start + slot * 0.2, y_of(level + value), start + slot * 0.2 + width,  # type: ignore[operator]
                                y_of(level)), fill=_COLOURS[i % len(_COLOURS)])  # type: ignore[operator]
            level += value
        return
    width = slot * 0.8 / max(len(chart.series), 1)
    for i, series in enumerate(chart.series):
        value = series.values[c]
        if value:
            x = start + slot * 0.1 + width * i
            draw.rectangle((x, y_of(value), x + width - 2, base), fill=_COLOURS[i % len(_COLOURS)])  # type: ignore[operator]


def _lines(draw: ImageDraw.ImageDraw, chart: Chart, left: float, slot: float, y_of: object) -> None:
    for i, series in enumerate(chart.series):
        colour = _COLOURS[i % len(_COLOURS)]
        points = [(left + slot * (c + 0.5), y_of(v)) if v is not None else None  # type: ignore[operator]
                  for c, v in enumerate(series.values)]
        for a, b in zip(points, points[1:]):
            if a is not None and b is not None:
                draw.line((*a, *b), fill=colour, width=5)
        for point in points:
            if point is not None:
                draw.ellipse((point[0] - 9, point[1] - 9, point[0] + 9, point[1] + 9), fill=colour)
