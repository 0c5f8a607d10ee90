"""A deployed CloudWatch dashboard as one PNG file: each metric widget drawn by CloudWatch's
GetMetricWidgetImage (the embedded cloud's or AWS's) and put where the dashboard's grid places
it; the text widget's heading and the alarm widget's states are drawn beside them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from deploy.calls import ClientFactory
from localcloud.png_canvas import BLACK, Canvas, Colour, read_png

COLUMN, ROW = 50, 50  # pixels per grid unit: 24 columns make a 1200-pixel-wide picture
STATE_COLOURS: dict[str, Colour] = {
    "ALARM": (214, 39, 40),
    "OK": (44, 160, 44),
    "INSUFFICIENT_DATA": (150, 150, 150),
}


def render_dashboard(clients: ClientFactory, name: str, path: Path, start: str = "-PT3H") -> Path:
    """Draws dashboard `name` over the time range from `start` to now into `path` (a PNG)."""
    cloudwatch = clients("cloudwatch")
    body = json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])
    widgets = body.get("widgets", [])
    bottom = max((w.get("y", 0) + w.get("height", 6) for w in widgets), default=1)
    canvas = Canvas(24 * COLUMN, bottom * ROW)
    for widget in widgets:
        x, y = widget.get("x", 0) * COLUMN, widget.get("y", 0) * ROW
        width, height = widget.get("width", 6) * COLUMN, widget.get("height", 6) * ROW
        properties = widget.get("properties", {})
        if widget.get("type") == "metric":
            metric_widget = {"start": start, **properties, "width": width, "height": height}
            image = cloudwatch.get_metric_widget_image(MetricWidget=json.dumps(metric_widget))
            canvas.paste(read_png(image["MetricWidgetImage"]), x, y)
        elif widget.get("type") == "alarm":
            _alarms(canvas, cloudwatch, properties, x, y)
        elif widget.get("type") == "text":
            lines = str(properties.get("markdown", "")).splitlines()[:2]
            for row, line in enumerate(lines):
                canvas.text(x + 8, y + 10 + 18 * row, line.lstrip("# "), BLACK, 2)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(canvas.png())
    return path


def _alarms(canvas: Canvas, cloudwatch: Any, properties: dict[str, Any], x: int, y: int) -> None:
    canvas.text(x + 8, y + 8, str(properties.get("title", "Alarms")), BLACK, 2)
    names = [arn.rsplit(":", 1)[-1] for arn in properties.get("alarms", [])]
    found = cloudwatch.describe_alarms(AlarmNames=names[:100])["MetricAlarms"] if names else []
    states = {alarm["AlarmName"]: alarm["StateValue"] for alarm in found}
    for index, name in enumerate(names):
        left, top = x + 8 + (index % 2) * 12 * COLUMN, y + 32 + (index // 2) * 20
        state = states.get(name, "INSUFFICIENT_DATA")
        canvas.rect(left, top, 12, 12, STATE_COLOURS.get(state, STATE_COLOURS["OK"]))
        canvas.text(left + 18, top, f"{name}  {state}", BLACK, 2)
