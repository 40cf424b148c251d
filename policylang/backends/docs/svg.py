"""A small step chart of a schedule: a parameter's value over dates, as inline SVG.

The chart is drawn in Python (no JavaScript), with coordinates rounded to one
decimal, so the same schedule always gives the same bytes.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Optional, Sequence

from markupsafe import Markup, escape

WIDTH = 560
HEIGHT = 200
LEFT = 70  # room for value labels on the axis
RIGHT = 20
TOP = 24
BOTTOM = 44  # room for date labels


def _fmt(x: float) -> str:
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def step_chart(points: Sequence[tuple[_dt.date, Decimal, str]], base: Optional[tuple[Decimal, str]] = None,
               title: str = "") -> Optional[Markup]:
    """points: (start date, numeric value, value as shown), sorted by date.
    base: the value before the first date (the parameter's own value), if known.
    Returns None when there is nothing numeric to draw."""
    if not points:
        return None
    dates = [p[0] for p in points]
    first, last = dates[0].toordinal(), dates[-1].toordinal()
    span = max(last - first, 180)
    lead = span // 4 if base is not None else 0  # room on the left for the value before the first date
    tail = span // 4
    x_min, x_max = first - lead, last + tail
    values = [p[1] for p in points] + ([base[0]] if base is not None else [])
    v_low = min(min(values), Decimal(0))
    v_high = max(values)
    if v_high == v_low:
        v_high = v_low + 1
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x_of(day: int) -> float:
        return LEFT + plot_w * (day - x_min) / (x_max - x_min)

    def y_of(value: Decimal) -> float:
        return TOP + plot_h * float((v_high - value) / (v_high - v_low))

    parts: list[str] = []
    label = escape(title)
    parts.append(f'<svg class="step-chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
                 f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}">')
    parts.append(f"<title>{label}</title>")
    axis_y = _fmt(TOP + plot_h)
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{axis_y}" x2="{WIDTH - RIGHT}" y2="{axis_y}"/>')
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{axis_y}"/>')

    # The step line: the base value (if any), then each entry from its start date on.
    path: list[str] = []
    if base is not None:
        path.append(f"M{_fmt(x_of(x_min))} {_fmt(y_of(base[0]))}")
        path.append(f"H{_fmt(x_of(first))}")
        path.append(f"V{_fmt(y_of(points[0][1]))}")
    else:
        path.append(f"M{_fmt(x_of(first))} {_fmt(y_of(points[0][1]))}")
    for (start, value, _), nxt in zip(points, list(points[1:]) + [None]):
        if nxt is None:
            path.append(f"H{_fmt(x_of(x_max))}")
        else:
            path.append(f"H{_fmt(x_of(nxt[0].toordinal()))}")
            path.append(f"V{_fmt(y_of(nxt[1]))}")
    parts.append(f'<path class="step" d="{" ".join(path)}"/>')

    # Value labels on each step, date labels under the axis.
    labelled: list[tuple[Decimal, str]] = ([base] if base is not None else []) + [(v, s) for _, v, s in points]
    seen_values: set[Decimal] = set()
    for value, shown in labelled:
        if value in seen_values:
            continue
        seen_values.add(value)
        y = _fmt(y_of(value))
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}"/>')
        parts.append(f'<text class="value" x="{LEFT - 6}" y="{y}" text-anchor="end" dominant-baseline="middle">'
                     f"{escape(shown)}</text>")
    for i, (start, value, shown) in enumerate(points):
        x = _fmt(x_of(start.toordinal()))
        parts.append(f'<circle class="point" cx="{x}" cy="{_fmt(y_of(value))}" r="3.5"><title>'
                     f"{escape(start.isoformat())}: {escape(shown)}</title></circle>")
        # Alternate the rows of date labels so that close dates do not overlap.
        dy = 16 if i % 2 == 0 else 32
        parts.append(f'<text class="date" x="{x}" y="{_fmt(TOP + plot_h + dy)}" text-anchor="middle">'
                     f"{escape(start.isoformat())}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))
