"""Server-rendered SVG charts: readable without JavaScript, with a title, a
description for screen readers, a value written above every bar, and the
same numbers in a data table beside the chart.

Each bar carries `data-group`, `data-series` and `data-value`, so a test
can read the chart back and compare it with the table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 340
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 48, 40
INK = "#1a1a1a"
GRID = "#767676"
LEGEND_STEP = 220


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str  # at least 3:1 against white (WCAG 1.4.11)


def axis(value: int, ticks: int = 4) -> tuple[int, int]:
    """(top, step) of the value axis: a step of 1, 2 or 5 times a power of
    ten, and the smallest top that is a whole number of steps and at least
    `value`."""
    if value <= 0:
        return ticks, 1
    rough = value / ticks
    power = 10 ** int(math.floor(math.log10(rough))) if rough >= 1 else 1
    step = next(s * power for s in (1, 2, 5, 10) if s * power >= rough)
    return step * math.ceil(value / step), step


def bar_chart(*, chart_id: str, title: str, description: str, groups: list[str],
              series: list[Series], values: list[list[int]]) -> SafeString:
    """A grouped bar chart: `values[g][s]` is series `s` in group `g`."""
    top, step = axis(max((v for row in values for v in row), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" font-family="sans-serif">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]
    # legend
    x = LEFT
    for item in series:
        parts.append(f'<rect x="{x}" y="12" width="14" height="14" fill="{item.colour}"/>')
        parts.append(f'<text x="{x + 20}" y="24" font-size="13" fill="{INK}">{escape(item.label)}</text>')
        x += LEGEND_STEP
    # axis and grid
    for tick in range(top // step + 1):
        value = tick * step
        y = base - plot_h * value / top
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" '
                     f'stroke-width="{1 if tick == 0 else 0.5}"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end" fill="{INK}">'
                     f'{escape(number_format(value, force_grouping=True))}</text>')
    group_w = plot_w / max(len(groups), 1)
    bar_w = min(28.0, (group_w - 12) / max(len(series), 1))
    for g, label in enumerate(groups):
        gx = LEFT + g * group_w + (group_w - bar_w * len(series)) / 2
        for s, item in enumerate(series):
            value = values[g][s]
            h = plot_h * value / top
            bx = gx + s * bar_w
            parts.append(
                f'<rect x="{bx:.1f}" y="{base - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                f'fill="{item.colour}" data-group="{escape(label)}" data-series="{escape(item.key)}" '
                f'data-value="{value}"/>')
            parts.append(
                f'<text x="{bx + (bar_w - 2) / 2:.1f}" y="{base - h - 4:.1f}" font-size="11" text-anchor="middle" '
                f'fill="{INK}" data-group="{escape(label)}" data-series="{escape(item.key)}">'
                f'{escape(number_format(value, force_grouping=True))}</text>')
        parts.append(f'<text x="{LEFT + g * group_w + group_w / 2:.1f}" y="{base + 20}" font-size="13" '
                     f'text-anchor="middle" fill="{INK}" class="chart__group">{escape(label)}</text>')
    parts.append("</svg>")
    # every value above is escaped
    return mark_safe("".join(parts))
