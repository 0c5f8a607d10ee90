"""`render_dashboard`: a dashboard drawn as one PNG, each widget where the dashboard's grid puts
it (50 pixels a grid unit): metric widgets from GetMetricWidgetImage, the text widget's
heading, the alarm widget's states as coloured squares. Decoded with Pillow."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from PIL import Image

from localcloud import LocalCloud
from localcloud.widget_image import PALETTE
from selfheal.dashboard_picture import STATE_COLOURS, render_dashboard

ALARM_ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _near(pixel: tuple[int, ...], colour: str) -> bool:
    return sum(abs(a - b) for a, b in zip(pixel, _rgb(colour), strict=False)) <= 60


def _count(image: Image.Image, colour: str, box: tuple[int, int, int, int]) -> int:
    left, top, right, bottom = box
    return sum(
        _near(image.getpixel((x, y)), colour)
        for y in range(top, bottom)
        for x in range(left, right)
    )


def test_the_dashboard_is_one_png_with_each_widget_in_its_grid_place(
    localcloud: LocalCloud, tmp_path: Path
) -> None:
    cloudwatch = localcloud.client("cloudwatch")
    now = datetime.datetime.now(tz=datetime.UTC)
    cloudwatch.put_metric_data(
        Namespace="NS",
        MetricData=[
            {"MetricName": "CPU", "Timestamp": now - datetime.timedelta(minutes=m), "Value": v}
            for m, v in ((90, 20.0), (60, 50.0), (30, 40.0), (10, 90.0))
        ],
    )
    cloudwatch.put_metric_alarm(
        AlarmName="cpu-high", Namespace="NS", MetricName="CPU", Statistic="Maximum",
        Period=60, EvaluationPeriods=1, Threshold=80, ComparisonOperator="GreaterThanThreshold",
    )  # fmt: skip
    metric = {"title": "CPU", "metrics": [["NS", "CPU", {"stat": "Maximum"}]], "period": 60}
    widgets = [
        {"type": "text", "x": 0, "y": 0, "width": 24, "height": 2,
         "properties": {"markdown": "# churn-dev"}},
        {"type": "metric", "x": 12, "y": 2, "width": 12, "height": 6, "properties": metric},
        {"type": "alarm", "x": 0, "y": 8, "width": 24, "height": 2,
         "properties": {"title": "Alarms", "alarms": [f"{ALARM_ARN}cpu-high"]}},
    ]  # fmt: skip
    cloudwatch.put_dashboard(DashboardName="churn", DashboardBody=json.dumps({"widgets": widgets}))

    path = render_dashboard(localcloud.client, "churn", tmp_path / "out" / "churn.png")

    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(path).convert("RGB")
    assert image.size == (24 * 50, 10 * 50)
    # The metric widget sits in the right half of rows 2 to 8; the left half stays empty.
    assert _count(image, PALETTE[0], (600, 100, 1200, 400)) > 100
    assert _count(image, PALETTE[0], (0, 100, 600, 400)) == 0
    # The alarm (its newest period is over 80) is a red square under the alarm widget's title.
    assert _count(image, STATE_COLOURS["ALARM"], (8, 432, 20, 444)) >= 100
    # The heading is written in the first rows.
    assert any(
        image.getpixel((x, y)) != (255, 255, 255) for x in range(8, 200) for y in range(5, 30)
    )
