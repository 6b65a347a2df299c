"""Inline SVG charts for the monthly analysis: drawn on the server, no script needed.

Every chart comes with a table of the same numbers on the page, so colour is
never the only carrier of meaning and the printed page reads in black and white.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

PALETTE = (
    "#1f5f99",
    "#d9822b",
    "#2e8b57",
    "#b03a48",
    "#6a4c93",
    "#8c6d1f",
    "#0e7c86",
    "#c05299",
    "#4d7c0f",
    "#7f5539",
    "#3f51b5",
    "#5c5c5c",
)
FONT = "font-family=\"'Noto Sans CJK SC','Noto Sans SC',sans-serif\""


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: int = 12,
    anchor: str = "start",
    weight: str = "normal",
    fill: str = "#222",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}" {FONT}>{escape(text)}</text>'
    )


def _svg(width: int, height: int, body: list[str], title: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def stacked_bars(
    title: str,
    months: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    width: int = 760,
    height: int = 320,
) -> Markup:
    """Columns per month, stacked by series (category), with a legend on the right."""
    left, right, top, bottom = 44, 190, 16, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for _, values in series) for i in range(len(months))]
    peak = max(totals, default=0) or 1
    step = plot_w / max(len(months), 1)
    bar_w = step * 0.7
    body = [f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafafa"/>']

    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        body.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#ccc" stroke-width="1"/>'
        )
        value = float(peak * frac)
        label = f"{value:.0f}" if value.is_integer() else f"{value:.1f}"
        body.append(_text(left - 6, y + 4, label, size=11, anchor="end"))

    for i, month in enumerate(months):
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h
        for s, (name, values) in enumerate(series):
            h = plot_h * values[i] / peak
            if h <= 0:
                continue
            y -= h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(name)} {escape(month)}: '
                f"{values[i]}</title></rect>"
            )
        body.append(_text(x + bar_w / 2, top + plot_h + 16, month[2:], size=11, anchor="middle"))
        body.append(
            _text(
                x + bar_w / 2,
                top + plot_h - plot_h * totals[i] / peak - 3,
                str(totals[i]),
                size=10,
                anchor="middle",
            )
        )

    for s, (name, _) in enumerate(series):
        y = top + 4 + s * 20
        colour = PALETTE[s % len(PALETTE)]
        body.append(
            f'<rect x="{width - right + 14}" y="{y}" width="12" height="12" fill="{colour}"/>'
        )
        body.append(_text(width - right + 32, y + 11, name, size=12))
    return _svg(width, height, body, title)


def lines(
    title: str,
    months: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    percent: bool = True,
    width: int = 760,
    height: int = 240,
) -> Markup:
    """One line per series over the months; values are 0..1 when `percent`."""
    left, right, top, bottom = 44, 190, 16, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vals in series for v in vals if v is not None]
    peak = 1.0 if percent else (max(values, default=0) or 1)
    step = plot_w / max(len(months) - 1, 1)
    body = [f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafafa"/>']

    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        label = f"{frac * 100:.0f}%" if percent else f"{peak * frac:.0f}"
        body.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#ccc" stroke-width="1"/>'
        )
        body.append(_text(left - 6, y + 4, label, size=11, anchor="end"))

    for i, month in enumerate(months):
        body.append(_text(left + i * step, top + plot_h + 16, month[2:], size=11, anchor="middle"))

    dashes = (
        "",
        ' stroke-dasharray="6 4"',
        ' stroke-dasharray="2 3"',
        ' stroke-dasharray="8 3 2 3"',
    )
    for s, (name, vals) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points = [
            (left + i * step, top + plot_h * (1 - v / peak))
            for i, v in enumerate(vals)
            if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" '
                f'stroke-width="2.5"{dashes[s % len(dashes)]}/>'
            )
        for x, y in points:
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
        y = top + 4 + s * 20
        body.append(
            f'<line x1="{width - right + 12}" x2="{width - right + 30}" y1="{y + 6}" '
            f'y2="{y + 6}" stroke="{colour}" stroke-width="3"{dashes[s % len(dashes)]}/>'
        )
        body.append(_text(width - right + 36, y + 11, name, size=12))
    return _svg(width, height, body, title)


def diverging_bars(
    title: str,
    rows: Sequence[tuple[str, float]],
    *,
    width: int = 760,
    row_h: int = 24,
    empty: str = "—",
) -> Markup:
    """Horizontal bars left (negative) or right (positive) of a centre line, in points of share."""
    label_w, pad = 200, 60
    if not rows:
        return _svg(width, 40, [_text(width / 2, 25, empty, size=14, anchor="middle")], title)
    height = row_h * len(rows) + 24
    centre = label_w + (width - label_w) / 2
    half = (width - label_w) / 2 - pad
    peak = max((abs(v) for _, v in rows), default=0) or 1
    body = [
        f'<line x1="{centre:.1f}" x2="{centre:.1f}" y1="4" y2="{height - 16}" '
        'stroke="#444" stroke-width="1"/>'
    ]
    for i, (name, value) in enumerate(rows):
        y = 6 + i * row_h
        w = half * abs(value) / peak
        x = centre if value >= 0 else centre - w
        colour = "#2e8b57" if value >= 0 else "#b03a48"
        body.append(_text(label_w - 8, y + row_h * 0.65, name, size=12, anchor="end"))
        body.append(
            f'<rect x="{x:.1f}" y="{y + 3}" width="{max(w, 1):.1f}" '
            f'height="{row_h - 8}" fill="{colour}"/>'
        )
        sign = "+" if value > 0 else ("−" if value < 0 else "±")
        label_x = x + w + 4 if value >= 0 else x - 4
        body.append(
            _text(
                label_x,
                y + row_h * 0.65,
                f"{sign}{abs(value) * 100:.1f}",
                size=11,
                anchor="start" if value >= 0 else "end",
            )
        )
    return _svg(width, height, body, title)
