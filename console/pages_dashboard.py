"""CloudWatch dashboards (the deploy makes one per environment): each widget in the dashboard's
reading order (top to bottom, left to right) at its width. A metric widget is a chart from
GetMetricData over the last hours, a text widget its markdown as text, an alarm widget its
alarms' states; other widget kinds are named, not drawn."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError

from console.charts import chart
from console.page import esc, link, notice, status, table
from console.sources import Sources

WINDOW = datetime.timedelta(hours=3)  # a dashboard's default time range
GRID = 24  # a dashboard's columns
MAX_WIDGETS = 100  # what the console draws of a dashboard (AWS allows 500 widgets)
MAX_METRICS = 100  # per widget
MAX_ALARMS = 100  # DescribeAlarms' limit on AlarmNames


def dashboards_page(src: Sources, args: Mapping[str, str]) -> tuple[str, str]:
    cloudwatch = src.client("cloudwatch")
    found: list[dict[str, Any]] = []
    for page in cloudwatch.get_paginator("list_dashboards").paginate():
        found.extend(page.get("DashboardEntries", []))
    rows = [
        [
            link(f"/dashboard?name={quote(d['DashboardName'])}", d["DashboardName"]),
            esc(d.get("LastModified", "")),
        ]
        for d in sorted(found, key=lambda d: str(d["DashboardName"]))
    ]
    return "Dashboards", table(["dashboard", "last modified"], rows, "no dashboards")


def dashboard_page(src: Sources, args: Mapping[str, str]) -> tuple[str, str]:
    name = args.get("name", "")
    cloudwatch = src.client("cloudwatch")
    described = cloudwatch.get_dashboard(DashboardName=name)
    try:
        widgets = json.loads(described.get("DashboardBody") or "{}").get("widgets", [])
    except (ValueError, AttributeError):
        return name, notice("the dashboard's body is not a JSON object with widgets", True)
    if not isinstance(widgets, list):
        return name, notice("the dashboard's body has no widget list", True)
    placed = sorted(
        (w for w in widgets if isinstance(w, Mapping)),
        key=lambda w: (_number(w.get("y"), 0), _number(w.get("x"), 0)),
    )
    now = datetime.datetime.now(datetime.UTC)
    cells = [_cell(src, widget, now) for widget in placed[:MAX_WIDGETS]]
    more = len(placed) - MAX_WIDGETS
    tail = notice(f"{more} more widgets not shown") if more > 0 else ""
    return name, '<div class="dashboard">' + "".join(cells) + "</div>" + tail


def _number(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _cell(src: Sources, widget: Mapping[str, Any], now: datetime.datetime) -> str:
    kind = str(widget.get("type", ""))
    properties = widget.get("properties")
    properties = properties if isinstance(properties, Mapping) else {}
    try:
        if kind == "metric":
            inner = _metric_widget(src, properties, now)
        elif kind == "text":
            inner = _text_widget(str(properties.get("markdown", "")))
        elif kind == "alarm":
            inner = _alarm_widget(src, properties)
        else:
            shown = "the console draws metric, text and alarm widgets"
            inner = notice(f"a {kind or 'untyped'} widget: {shown}")
    except (ClientError, BotoCoreError) as error:
        inner = notice(f"cannot read this widget's data: {error}", True)
    columns = min(GRID, max(1, _number(widget.get("width"), 6)))
    # Two half-width widgets share a row, as they do in CloudWatch's grid.
    width = f"calc({columns / GRID * 100:.4f}% - 12px)"
    return (
        f'<div class="widget" data-type="{esc(kind)}" style="flex:0 0 {width};'
        f'box-sizing:border-box">{inner}</div>'
    )


def metric_rows(metrics: Any) -> list[tuple[list[str], dict[str, Any]]]:
    """The widget's metric arrays as ([namespace, name, dimension, value, ...], options), with
    CloudWatch's "." shorthand (the item of the row above) expanded; an expression row (options
    alone) has no items."""
    rows: list[tuple[list[str], dict[str, Any]]] = []
    previous: list[str] = []
    for row in metrics if isinstance(metrics, list) else []:
        if not isinstance(row, list):
            continue
        options = row[-1] if row and isinstance(row[-1], dict) else {}
        items = [str(item) for item in (row[:-1] if options else row)]
        items = [
            previous[i] if item == "." and i < len(previous) else item
            for i, item in enumerate(items)
        ]
        if items and (len(items) < 2 or len(items) % 2):
            continue  # not a metric CloudWatch could draw either
        rows.append((items, options))
        if items:
            previous = items
    return rows


def metric_queries(properties: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A GetMetricData query per row of the widget, each with the label it is drawn under."""
    queries = []
    for index, (items, options) in enumerate(metric_rows(properties.get("metrics"))):
        stat = str(options.get("stat") or properties.get("stat") or "Average")
        period = int(options.get("period") or properties.get("period") or 300)
        query: dict[str, Any] = {
            "Id": str(options.get("id") or f"m{index}"),
            "ReturnData": options.get("visible", True) is not False,
        }
        if items:
            query["MetricStat"] = {
                "Metric": {
                    "Namespace": items[0],
                    "MetricName": items[1],
                    "Dimensions": [
                        {"Name": n, "Value": v}
                        for n, v in zip(items[2::2], items[3::2], strict=True)
                    ],
                },
                "Period": period,
                "Stat": stat,
            }
            query["Label"] = str(options.get("label") or f"{items[1]} {stat}")
        elif options.get("expression"):
            query["Expression"] = str(options["expression"])
            query["Label"] = str(options.get("label") or options["expression"])
        else:
            continue
        queries.append(query)
    return queries[:MAX_METRICS]


def _thresholds(properties: Mapping[str, Any]) -> list[tuple[str, float]]:
    annotations = properties.get("annotations")
    horizontal = annotations.get("horizontal", []) if isinstance(annotations, Mapping) else []
    found = []
    for item in horizontal if isinstance(horizontal, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("value"), int | float):
            found.append((str(item.get("label", "")), float(item["value"])))
    return found


def _metric_widget(src: Sources, properties: Mapping[str, Any], now: datetime.datetime) -> str:
    title = str(properties.get("title", ""))
    queries = metric_queries(properties)
    if not queries:
        return chart(title, [])
    result = src.client("cloudwatch").get_metric_data(
        MetricDataQueries=queries, StartTime=now - WINDOW, EndTime=now
    )
    by_id = {r["Id"]: r for r in result.get("MetricDataResults", [])}
    series = []
    for query in queries:
        if not query["ReturnData"]:
            continue
        found = by_id.get(query["Id"], {})
        points = list(zip(found.get("Timestamps", []), found.get("Values", []), strict=False))
        series.append((query["Label"], [(t, float(v)) for t, v in points if v is not None]))
    return chart(title, series, _thresholds(properties))


_CODE = re.compile(r"`([^`]*)`")


def _text_widget(markdown: str) -> str:
    """Markdown's headings, paragraphs and `code` as HTML; everything else stays its text."""
    parts = []
    for line in markdown.splitlines()[:200]:
        text = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", esc(line.strip()))
        heading = re.match(r"(#{1,6})\s+(.*)", line.strip())
        if heading:
            inner = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", esc(heading.group(2)))
            parts.append(f"<h3>{inner}</h3>")
        elif text:
            parts.append(f"<p>{text}</p>")
    return '<div class="text-widget">' + "".join(parts) + "</div>"


def _alarm_widget(src: Sources, properties: Mapping[str, Any]) -> str:
    arns = properties.get("alarms")
    names = [str(a).split(":alarm:", 1)[-1] for a in (arns if isinstance(arns, list) else [])]
    names = names[:MAX_ALARMS]
    found: dict[str, Mapping[str, Any]] = {}
    if names:
        described = src.client("cloudwatch").describe_alarms(
            AlarmNames=names, AlarmTypes=["MetricAlarm", "CompositeAlarm"]
        )
        for alarm in described.get("MetricAlarms", []) + described.get("CompositeAlarms", []):
            found[alarm["AlarmName"]] = alarm
    rows = [_alarm_row(name, found.get(name)) for name in names]
    title = f"<h3>{esc(properties.get('title', 'Alarms'))}</h3>"
    return title + table(["alarm", "state", "since", "reason"], rows, "no alarms")


def _alarm_row(name: str, alarm: Mapping[str, Any] | None) -> Sequence[str]:
    if alarm is None:
        return [esc(name), status("missing"), "", esc("no such alarm in the account")]
    return [
        link(f"/alarm?name={quote(name)}", name),
        status(alarm.get("StateValue", "")),
        esc(alarm.get("StateUpdatedTimestamp", "")),
        esc(alarm.get("StateReason", "")),
    ]
