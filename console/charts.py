"""A metric's datapoints as a small SVG line chart (time across, value up)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from console.page import esc

W, H, PAD = 360, 140, 34


def line_chart(title: str, points: Sequence[tuple[datetime.datetime, float]]) -> str:
    """An SVG element; a chart without points says so instead of drawing an empty frame."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-points="{len(points)}" '
        f'width="{W}" height="{H}" font-size="11"><text x="6" y="14">{esc(title)}</text>'
    )
    if not points:
        return head + f'<text x="{PAD}" y="{H / 2:.0f}" fill="#687078">no datapoints</text></svg>'
    ordered = sorted(points)
    t0, t1 = ordered[0][0].timestamp(), ordered[-1][0].timestamp()
    low = min(0.0, min(v for _, v in ordered))
    high = max(v for _, v in ordered)
    span_t, span_v = (t1 - t0) or 1.0, (high - low) or 1.0

    def xy(t: datetime.datetime, v: float) -> str:
        x = PAD + (t.timestamp() - t0) / span_t * (W - 2 * PAD)
        y = H - PAD + 10 - (v - low) / span_v * (H - 2 * PAD)
        return f"{x:.1f},{y:.1f}"

    line = " ".join(xy(t, v) for t, v in ordered)
    dots = "".join(
        '<circle r="2" cx="{}" cy="{}"/>'.format(*xy(t, v).split(",")) for t, v in ordered
    )
    axis = H - PAD + 10
    return (
        head
        + f'<line x1="{PAD}" y1="{axis}" x2="{W - PAD}" y2="{axis}" stroke="#aab7b8"/>'
        + f'<text x="2" y="{PAD:.0f}">{esc(f"{high:.3g}")}</text>'
        + f'<text x="2" y="{axis}">{esc(f"{low:.3g}")}</text>'
        + f'<text x="{PAD}" y="{H - 4}">{esc(ordered[0][0].strftime("%H:%M:%S"))}</text>'
        + f'<text x="{W - PAD}" y="{H - 4}" text-anchor="end">'
        + f"{esc(ordered[-1][0].strftime('%H:%M:%S'))}</text>"
        + f'<polyline points="{line}" fill="none" stroke="#0073bb" stroke-width="2"/>'
        + f'<g fill="#0073bb">{dots}</g></svg>'
    )
