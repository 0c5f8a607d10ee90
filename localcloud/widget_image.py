"""GetMetricWidgetImage's picture: a metric widget (the MetricWidget JSON CloudWatch takes, the
`properties` of a dashboard's metric widget plus `width` and `height`) drawn as a PNG from the
datapoints put in the embedded cloud.

What is drawn: the title, one line per metric (its statistic per period over the widget's time
range; a lone datapoint is a dot), the horizontal annotations as dashed lines, the value axis'
bounds and the range's first and last times, and a legend. What is not: other views than a time
series (they are drawn as one), stacked areas, the right axis and metric math.
"""

from __future__ import annotations

import datetime
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from localcloud import alarm_evaluation, alarm_state
from localcloud.alarm_evaluation import period_start
from localcloud.png_canvas import BLACK, GREY, Canvas, Colour

# CloudWatch's default palette, in the order it gives the metrics of a widget.
PALETTE: tuple[Colour, ...] = (
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
)  # fmt: skip
ANNOTATION: Colour = (214, 39, 40)
DEFAULT_WIDTH, DEFAULT_HEIGHT = 600, 400  # GetMetricWidgetImage's defaults
MAX_SIDE = 2000  # CloudWatch's largest width and height
_DURATION = re.compile(r"^-P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
LEFT, RIGHT, TOP = 64, 16, 28


class WidgetError(ValueError):
    """The MetricWidget cannot be drawn: the message names the field and what it takes."""


@dataclass(frozen=True)
class Series:
    label: str
    colour: Colour
    points: list[tuple[datetime.datetime, float]]


def _moment(value: Any, now: datetime.datetime, field: str) -> datetime.datetime:
    if not isinstance(value, str):
        raise WidgetError(
            f"MetricWidget.{field} must be a string (ISO 8601 or -PT3H), not {value!r}"
        )
    relative = _DURATION.match(value)
    if relative and any(relative.groups()):
        weeks, days, hours, minutes, seconds = (int(g or 0) for g in relative.groups())
        return now - datetime.timedelta(
            weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds
        )
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise WidgetError(
            f"MetricWidget.{field} {value!r} is neither an ISO 8601 time nor a duration such "
            "as -PT3H"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _rows(widget: dict[str, Any]) -> list[tuple[list[str], dict[str, Any]]]:
    """The metrics' rows with CloudWatch's "." shorthand (the previous row's item) expanded."""
    metrics = widget.get("metrics")
    if not isinstance(metrics, list) or not metrics:
        raise WidgetError("MetricWidget.metrics must be a non-empty list of metric arrays")
    rows: list[tuple[list[str], dict[str, Any]]] = []
    previous: list[str] = []
    for index, row in enumerate(metrics):
        if not isinstance(row, list):
            raise WidgetError(f"MetricWidget.metrics[{index}] must be an array")
        options = row[-1] if row and isinstance(row[-1], dict) else {}
        items = [str(item) for item in (row[:-1] if options else row)]
        items = [
            previous[i] if item == "." and i < len(previous) else item
            for i, item in enumerate(items)
        ]
        if len(items) < 2 or len(items) % 2:
            raise WidgetError(
                f"MetricWidget.metrics[{index}] must be [namespace, metric name, dimension "
                "name, value, ..., {options}]"
            )
        rows.append((items, options))
        previous = items
    return rows


def series(
    backend: Any, widget: dict[str, Any], now: datetime.datetime
) -> tuple[list[Series], datetime.datetime, datetime.datetime]:
    """Each metric's statistic per period between the widget's start and end."""
    start = _moment(widget.get("start", "-PT3H"), now, "start")
    end = _moment(widget["end"], now, "end") if "end" in widget else now
    if end <= start:
        raise WidgetError(
            f"MetricWidget.start ({start.isoformat()}) must be before its end ({end.isoformat()})"
        )
    found = []
    for index, (items, options) in enumerate(_rows(widget)):
        namespace, name = items[0], items[1]
        dimensions = frozenset(zip(items[2::2], items[3::2], strict=True))
        stat = str(options.get("stat", widget.get("stat", "Average")))
        period = int(options.get("period", widget.get("period", 300)))
        periods: dict[datetime.datetime, list[alarm_evaluation.Sample]] = {}
        for sample in alarm_state.metric_samples(backend, namespace, name, dimensions):
            if start <= sample.timestamp <= end:
                periods.setdefault(period_start(sample.timestamp, period), []).append(sample)
        points = []
        for moment in sorted(periods):
            value = alarm_evaluation.statistic(stat, periods[moment])
            if value is not None:
                points.append((moment, value))
        label = str(options.get("label") or f"{name} {stat}")
        colour = _colour(options.get("color")) or PALETTE[index % len(PALETTE)]
        found.append(Series(label, colour, points))
    return found, start, end


def _colour(value: Any) -> Colour | None:
    if isinstance(value, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)
    return None


def _number(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value / 1000:.3g}k"
    return f"{value:.3g}"


def _side(widget: dict[str, Any], field: str, default: int) -> int:
    value = widget.get(field, default)
    if not isinstance(value, int) or not 1 <= value <= MAX_SIDE:
        raise WidgetError(f"MetricWidget.{field} must be a whole number of pixels, 1 to {MAX_SIDE}")
    return value


def draw(backend: Any, widget: dict[str, Any], now: datetime.datetime) -> bytes:
    """The widget's PNG."""
    width = _side(widget, "width", DEFAULT_WIDTH)
    height = _side(widget, "height", DEFAULT_HEIGHT)
    lines, start, end = series(backend, widget, now)
    horizontal = (widget.get("annotations") or {}).get("horizontal") or []
    marks = [(float(a["value"]), str(a.get("label", ""))) for a in horizontal if "value" in a]
    canvas = Canvas(width, height)
    canvas.text(8, 8, str(widget.get("title", "")), BLACK, 2)
    legend_rows = _legend_rows(lines, width)
    bottom = height - 24 - 14 * len(legend_rows)
    plot_w, plot_h = width - LEFT - RIGHT, bottom - TOP
    if plot_w < 10 or plot_h < 10:
        return canvas.png()  # too small for a plot: the title alone
    values = [v for s in lines for _, v in s.points] + [v for v, _ in marks]
    low, high = min([0.0, *values]), max([0.0, *values])
    high = high * 1.1 if high > low else low + 1.0
    span, seconds = high - low, (end - start).total_seconds()

    def x_of(moment: datetime.datetime) -> int:
        return LEFT + round(plot_w * (moment - start).total_seconds() / seconds)

    def y_of(value: float) -> int:
        return bottom - round(plot_h * (value - low) / span)

    canvas.line(LEFT, TOP, LEFT, bottom, GREY)
    canvas.line(LEFT, bottom, LEFT + plot_w, bottom, GREY)
    for value in (low, (low + high) / 2, high):
        text = _number(value)
        canvas.text(LEFT - 6 - 8 * len(text), y_of(value) - 5, text, GREY, 2)
    canvas.text(LEFT, bottom + 6, start.strftime("%H:%M"), GREY, 2)
    last = end.strftime("%H:%M UTC")
    canvas.text(LEFT + plot_w - 8 * len(last), bottom + 6, last, GREY, 2)
    for value, label in marks:
        canvas.line(LEFT, y_of(value), LEFT + plot_w, y_of(value), ANNOTATION, dash=4)
        canvas.text(LEFT + 4, y_of(value) - 12, label, ANNOTATION, 2)
    for line in lines:
        placed = [(x_of(m), y_of(v)) for m, v in line.points]
        for (x0, y0), (x1, y1) in itertools.pairwise(placed):
            canvas.line(x0, y0, x1, y1, line.colour)
        for x, y in placed:
            canvas.rect(x - 2, y - 2, 5, 5, line.colour)
    for row, entries in enumerate(legend_rows):
        x, y = LEFT, bottom + 24 + 14 * row
        for line in entries:
            canvas.rect(x, y, 10, 10, line.colour)
            x = canvas.text(x + 14, y, line.label, BLACK, 2) + 12
    return canvas.png()


def _legend_rows(lines: Sequence[Series], width: int) -> list[list[Series]]:
    rows: list[list[Series]] = [[]]
    used = LEFT
    for line in lines:
        needed = 14 + 8 * len(line.label) + 12
        if rows[-1] and used + needed > width:
            rows.append([])
            used = LEFT
        rows[-1].append(line)
        used += needed
    return rows if rows[0] else []


def parse(text: str | None) -> dict[str, Any]:
    if not text:
        raise WidgetError("MetricWidget is required: the widget's JSON")
    try:
        widget = json.loads(text)
    except json.JSONDecodeError as error:
        raise WidgetError(f"MetricWidget is not valid JSON: {error}") from None
    if not isinstance(widget, dict):
        raise WidgetError("MetricWidget must be a JSON object")
    return widget
