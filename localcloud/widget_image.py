"""GetMetricWidgetImage's picture: a metric widget (the MetricWidget JSON CloudWatch takes, the
`properties` of a dashboard's metric widget plus `width` and `height`) read here into what is
drawn (each metric's statistic per period over the widget's time range, the annotations, the
value axis) and drawn as a PNG by `widget_drawing.render` with matplotlib.

What is drawn: the title, one line per metric (a lone datapoint is a dot), the horizontal
annotations as dashed lines (shaded on their `fill` side), the value axis with its `yAxis.left`
label and limits, the times, a legend (unless `legend.position` is hidden), "No data
available." when no metric has a datapoint, and the `singleValue` view as each metric's newest
value. What is not: other views (drawn as a time series), stacked areas, the right axis and
metric math.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from typing import Any

from localcloud import alarm_evaluation, alarm_state
from localcloud.alarm_evaluation import period_start

Colour = str  # "#rrggbb", as the widget JSON gives colours and matplotlib takes them

# CloudWatch's default palette, in the order it gives the metrics of a widget.
PALETTE: tuple[Colour, ...] = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
ANNOTATION: Colour = "#d62728"
DEFAULT_WIDTH, DEFAULT_HEIGHT = 600, 400  # GetMetricWidgetImage's defaults
MAX_SIDE = 2000  # CloudWatch's largest width and height
_DURATION = re.compile(r"^-P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


class WidgetError(ValueError):
    """The MetricWidget cannot be drawn: the message names the field and what it takes."""


@dataclass(frozen=True)
class Series:
    label: str
    colour: Colour
    points: list[tuple[datetime.datetime, float]]


@dataclass(frozen=True)
class Annotation:
    """A horizontal annotation: an alarm's threshold, drawn as a dashed line across the plot."""

    value: float
    label: str
    colour: Colour
    fill: str | None  # "above" or "below": the side shaded, as CloudWatch shades it


@dataclass(frozen=True)
class Picture:
    """What a widget image shows, in pixels and values, ready to draw."""

    width: int
    height: int
    title: str
    view: str
    lines: list[Series]
    start: datetime.datetime
    end: datetime.datetime
    marks: list[Annotation]
    axis: dict[str, Any]  # yAxis.left: label, min, max
    legend: bool


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
        return value.lower()
    return None


def number(value: float, _position: object = None) -> str:
    """An axis or single-value label of three significant digits: 1.5k, 1M, not 1e+03k."""
    text, unit = f"{value:.3g}", ""
    for size, name in ((1e3, "k"), (1e6, "M"), (1e9, "G")):
        # 999,999 rounds to 1,000k at three digits: it is shown as 1M.
        if abs(value) >= size * 0.9995:
            text, unit = f"{value / size:.3g}", name
    return text + unit


def _side(widget: dict[str, Any], field: str, default: int) -> int:
    value = widget.get(field, default)
    if not isinstance(value, int) or not 1 <= value <= MAX_SIDE:
        raise WidgetError(f"MetricWidget.{field} must be a whole number of pixels, 1 to {MAX_SIDE}")
    return value


def _object(parent: dict[str, Any], field: str, path: str) -> dict[str, Any]:
    value = parent.get(field) or {}
    if not isinstance(value, dict):
        raise WidgetError(f"MetricWidget.{path} must be a JSON object, not {value!r}")
    return value


def _left_axis(widget: dict[str, Any]) -> dict[str, Any]:
    axis = _object(_object(widget, "yAxis", "yAxis"), "left", "yAxis.left")
    for bound in ("min", "max"):
        if bound in axis and not isinstance(axis[bound], int | float):
            raise WidgetError(f"MetricWidget.yAxis.left.{bound} must be a number")
    return axis


def _annotations(widget: dict[str, Any]) -> list[Annotation]:
    horizontal = _object(widget, "annotations", "annotations").get("horizontal") or []
    if not isinstance(horizontal, list):
        raise WidgetError("MetricWidget.annotations.horizontal must be an array")
    marks = []
    for index, mark in enumerate(horizontal):
        if not isinstance(mark, dict) or not isinstance(mark.get("value"), int | float):
            raise WidgetError(
                f"MetricWidget.annotations.horizontal[{index}] must be an object with a "
                "numeric value: {value, label, color, fill}"
            )
        colour = _colour(mark.get("color")) or ANNOTATION
        fill = mark.get("fill") if mark.get("fill") in ("above", "below") else None
        marks.append(Annotation(float(mark["value"]), str(mark.get("label", "")), colour, fill))
    return marks


def picture(backend: Any, widget: dict[str, Any], now: datetime.datetime) -> Picture:
    """What the widget shows, read from its JSON and the datapoints put."""
    lines, start, end = series(backend, widget, now)
    return Picture(
        width=_side(widget, "width", DEFAULT_WIDTH),
        height=_side(widget, "height", DEFAULT_HEIGHT),
        title=str(widget.get("title", "")),
        view=str(widget.get("view", "timeSeries")),
        lines=lines,
        start=start,
        end=end,
        marks=_annotations(widget),
        axis=_left_axis(widget),
        legend=_object(widget, "legend", "legend").get("position") != "hidden",
    )


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
