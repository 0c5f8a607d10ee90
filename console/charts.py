"""Metrics' datapoints as a small SVG line chart (time across, value up): one line per series,
a legend under the plot when there are several, and dashed horizontal lines for thresholds."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from console.page import esc

W, H, PAD = 360, 140, 34
LEGEND_ROW = 14
PALETTE = ("#0073bb", "#ec7211", "#1d8102", "#d13212", "#8d6605", "#6b40b2", "#007e8a")
Points = Sequence[tuple[datetime.datetime, float]]


def line_chart(title: str, points: Points) -> str:
    """One metric's chart; without points it says so instead of drawing an empty frame."""
    return chart(title, [("", points)])


def chart(
    title: str,
    series: Sequence[tuple[str, Points]],
    thresholds: Sequence[tuple[str, float]] = (),
) -> str:
    """The SVG element: each (label, points) a line; each (label, value) a dashed line.
    `data-points` counts the datapoints drawn, `data-series` the lines."""
    count = sum(len(points) for _, points in series)
    labelled = [label for label, _ in series if label]
    height = H + (LEGEND_ROW * len(labelled) + 6 if labelled else 0)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-points="{count}" '
        f'data-series="{len(series)}" width="{W}" height="{height}" '
        f'viewBox="0 0 {W} {height}" font-size="11"><text x="6" y="14">{esc(title)}</text>'
    )
    if not count:
        return head + f'<text x="{PAD}" y="{H / 2:.0f}" fill="#687078">no datapoints</text></svg>'
    everything = sorted(p for _, points in series for p in points)
    t0, t1 = everything[0][0].timestamp(), everything[-1][0].timestamp()
    values = [v for _, v in everything] + [v for _, v in thresholds]
    low, high = min(0.0, min(values)), max(values)
    span_t, span_v = (t1 - t0) or 1.0, (high - low) or 1.0
    axis = H - PAD + 10

    def x_of(t: datetime.datetime) -> float:
        return PAD + (t.timestamp() - t0) / span_t * (W - 2 * PAD)

    def y_of(v: float) -> float:
        return axis - (v - low) / span_v * (H - 2 * PAD)

    parts = [
        head,
        f'<line x1="{PAD}" y1="{axis}" x2="{W - PAD}" y2="{axis}" stroke="#aab7b8"/>',
        f'<text x="2" y="{PAD:.0f}">{esc(f"{high:.3g}")}</text>',
        f'<text x="2" y="{axis}">{esc(f"{low:.3g}")}</text>',
        f'<text x="{PAD}" y="{H - 4}">{esc(everything[0][0].strftime("%H:%M:%S"))}</text>',
        f'<text x="{W - PAD}" y="{H - 4}" text-anchor="end">'
        f"{esc(everything[-1][0].strftime('%H:%M:%S'))}</text>",
    ]
    for label, value in thresholds:
        y = y_of(value)
        parts.append(
            f'<g class="threshold"><line x1="{PAD}" y1="{y:.1f}" x2="{W - PAD}" y2="{y:.1f}" '
            f'stroke="#d13212" stroke-dasharray="4 3"/><text x="{W - PAD}" y="{y - 3:.1f}" '
            f'text-anchor="end" fill="#d13212" font-size="10">{esc(label)}</text></g>'
        )
    row = 0
    for index, (label, points) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        ordered = sorted(points)
        line = " ".join(f"{x_of(t):.1f},{y_of(v):.1f}" for t, v in ordered)
        dots = "".join(f'<circle r="2" cx="{x_of(t):.1f}" cy="{y_of(v):.1f}"/>' for t, v in ordered)
        parts.append(
            f'<g class="series" data-label="{esc(label)}" data-points="{len(ordered)}">'
            f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>'
            f'<g fill="{colour}">{dots}</g></g>'
        )
        if label:
            y = H + LEGEND_ROW * (row + 1)
            parts.append(
                f'<rect x="{PAD}" y="{y - 8}" width="10" height="3" fill="{colour}"/>'
                f'<text x="{PAD + 14}" y="{y}">{esc(label)}</text>'
            )
            row += 1
    parts.append("</svg>")
    return "".join(parts)
