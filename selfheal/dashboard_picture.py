"""A deployed CloudWatch dashboard as one PNG file: each metric widget drawn by CloudWatch's
GetMetricWidgetImage (the embedded cloud's or AWS's) and put where the dashboard's grid places
it; the text widget's heading and the alarm widget's states are drawn beside them (matplotlib,
on one figure the size of the grid)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deploy.calls import ClientFactory
from localcloud import matplotlib_agg

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COLUMN, ROW = 50, 50  # pixels per grid unit: 24 columns make a 1200-pixel-wide picture
STATE_COLOURS: dict[str, str] = {
    "ALARM": "#d62728",
    "OK": "#2ca02c",
    "INSUFFICIENT_DATA": "#969696",
}
INK = "#222222"


def render_dashboard(clients: ClientFactory, name: str, path: Path, start: str = "-PT3H") -> Path:
    """Draws dashboard `name` over the time range from `start` to now into `path` (a PNG)."""
    from matplotlib.image import imread

    cloudwatch = clients("cloudwatch")
    body = json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])
    widgets = body.get("widgets", [])
    bottom = max((w.get("y", 0) + w.get("height", 6) for w in widgets), default=1)
    picture = _Picture(matplotlib_agg.figure(24 * COLUMN, bottom * ROW), bottom * ROW)
    for widget in widgets:
        x, y = widget.get("x", 0) * COLUMN, widget.get("y", 0) * ROW
        width, height = widget.get("width", 6) * COLUMN, widget.get("height", 6) * ROW
        properties = widget.get("properties", {})
        if widget.get("type") == "metric":
            metric_widget = {"start": start, **properties, "width": width, "height": height}
            image = cloudwatch.get_metric_widget_image(MetricWidget=json.dumps(metric_widget))
            pixels = imread(io.BytesIO(image["MetricWidgetImage"]), format="png")
            picture.place(pixels, x, y)
        elif widget.get("type") == "alarm":
            _alarms(picture, cloudwatch, properties, x, y)
        elif widget.get("type") == "text":
            lines = str(properties.get("markdown", "")).splitlines()[:2]
            for row, line in enumerate(lines):
                # A markdown heading is drawn larger, as the console renders it.
                size = 13 if line.startswith("#") else 10
                picture.text(x + 8, y + 8 + 20 * row, line.lstrip("# "), size)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(matplotlib_agg.png(picture.figure))
    return path


class _Picture:
    """The figure addressed in pixels from its top left corner, as the dashboard's grid is."""

    def __init__(self, figure: Figure, height: int) -> None:
        self.figure, self.height = figure, height

    def text(self, x: int, y: int, text: str, size: int = 10) -> None:
        from matplotlib.transforms import IdentityTransform

        self.figure.text(
            x, self.height - y, text, transform=IdentityTransform(), va="top", fontsize=size,
            color=INK,
        )  # fmt: skip

    def place(self, pixels: Any, x: int, y: int) -> None:
        """An image (rows of pixels, top row first) with its top left corner at x, y."""
        self.figure.figimage(pixels, xo=x, yo=self.height - y - len(pixels), origin="upper")

    def square(self, x: int, y: int, side: int, colour: str) -> None:
        from matplotlib.patches import Rectangle
        from matplotlib.transforms import IdentityTransform

        corner = (x, self.height - y - side)
        self.figure.add_artist(
            Rectangle(corner, side, side, color=colour, transform=IdentityTransform())
        )


def _alarms(picture: _Picture, cloudwatch: Any, properties: dict[str, Any], x: int, y: int) -> None:
    picture.text(x + 8, y + 8, str(properties.get("title", "Alarms")), 11)
    names = [arn.rsplit(":", 1)[-1] for arn in properties.get("alarms", [])]
    found = cloudwatch.describe_alarms(AlarmNames=names[:100])["MetricAlarms"] if names else []
    states = {alarm["AlarmName"]: alarm["StateValue"] for alarm in found}
    for index, name in enumerate(names):
        left, top = x + 8 + (index % 2) * 12 * COLUMN, y + 32 + (index // 2) * 20
        state = states.get(name, "INSUFFICIENT_DATA")
        picture.square(left, top, 12, STATE_COLOURS.get(state, STATE_COLOURS["OK"]))
        picture.text(left + 18, top, f"{name}  {state}")
