"""Incidents per month by severity as an inline SVG, drawn at build time.

No JavaScript and no network: the chart is plain SVG in the page, coloured by the
site's CSS (classes per severity rank), so it follows Material's light and dark
palettes and prints.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from pmkb.times import MONTH_NAMES

_WIDTH = 760
_HEIGHT = 240
_LEFT = 36  # room for the y-axis labels
_RIGHT = 8
_TOP = 12
_BOTTOM = 28  # room for the x-axis labels


def _ticks(maximum: int) -> list[int]:
    """Whole-number gridlines, at most about five, on a 1-2-5 step."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    top = step * math.ceil(maximum / step)
    return list(range(0, top + 1, step))


def _label(month: str, position: int, count: int) -> str:
    year, number = month[:4], int(month[5:])
    if count <= 14:
        return MONTH_NAMES[number - 1][:3] + (f" {year}" if number == 1 or position == 0 or count <= 6 else "")
    # Years only; the first, partial year too unless its label would run into January's.
    return year if number == 1 or (position == 0 and number <= 10) else ""


def incidents_chart(months: Sequence[tuple[str, dict[str, int]]], severities: Sequence[str]) -> Markup:
    """Stacked bars, one per month (oldest left), most severe at the bottom of each bar."""
    if not months:
        return Markup("")
    levels = list(severities) + sorted({level for _, counts in months for level in counts} - set(severities))
    rank = {level: min(position, 4) for position, level in enumerate(levels)}
    totals = [sum(counts.values()) for _, counts in months]
    # A floor of two keeps a month with one incident from looking like a full-height alarm.
    ticks = _ticks(max(2, max(totals)))
    plot_width = _WIDTH - _LEFT - _RIGHT
    plot_height = _HEIGHT - _TOP - _BOTTOM
    scale = plot_height / ticks[-1]
    slot = plot_width / len(months)
    bar = max(1.0, slot * 0.72)
    first, last = months[0][0], months[-1][0]
    total = sum(totals)
    summary = f"Incidents per month from {first} to {last}: {total} in all."
    parts: list[str] = [
        f'<svg class="pmkb-chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-labelledby="pmkb-chart-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="pmkb-chart-title">{escape(summary)}</title>',
    ]
    for tick in ticks:
        y = _TOP + plot_height - tick * scale
        parts.append(f'<line class="pmkb-chart-grid" x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="pmkb-chart-axis" x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    for position, ((month, counts), month_total) in enumerate(zip(months, totals, strict=False)):
        x = _LEFT + position * slot + (slot - bar) / 2
        y = _TOP + plot_height
        breakdown = ", ".join(f"{level} {counts[level]}" for level in levels if counts.get(level))
        tooltip = f"{month}: {month_total} incident{'s' * (month_total != 1)}" + (
            f" ({breakdown})" if breakdown else ""
        )
        parts.append(f"<g><title>{escape(tooltip)}</title>")
        for level in levels:
            count = counts.get(level, 0)
            if not count:
                continue
            height = count * scale
            y -= height
            parts.append(
                f'<rect class="pmkb-fill-{rank[level]}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}"/>'
            )
        if not month_total:
            # An empty month still answers hover, so gaps read as "none" rather than missing data.
            parts.append(
                f'<rect class="pmkb-chart-empty" x="{x:.1f}" y="{_TOP}" width="{bar:.1f}" height="{plot_height}"/>'
            )
        parts.append("</g>")
        label = _label(month, position, len(months))
        if label:
            parts.append(
                f'<text class="pmkb-chart-axis" x="{_LEFT + position * slot + slot / 2:.1f}" '
                f'y="{_HEIGHT - 8}" text-anchor="middle">{escape(label)}</text>'
            )
    parts.append(
        f'<line class="pmkb-chart-baseline" x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" '
        f'y1="{_TOP + plot_height}" y2="{_TOP + plot_height}"/>'
    )
    parts.append("</svg>")
    legend = "".join(
        f'<li><span class="pmkb-swatch pmkb-bg-{rank[level]}"></span>{escape(level)} '
        f'<span class="pmkb-muted">{sum(counts.get(level, 0) for _, counts in months)}</span></li>'
        for level in levels
    )
    return Markup("".join(parts) + f'<ul class="pmkb-legend">{legend}</ul>')
