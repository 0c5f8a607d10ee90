"""GetMetricWidgetImage in the embedded cloud: the widget drawn as a PNG from the datapoints put.
Fails without the `metric_widget_image` extension (moto 5.2.5 has no such action)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from localcloud.png_canvas import Canvas, read_png
from localcloud.widget_image import LEFT, PALETTE, TOP

T0 = datetime.datetime(2024, 5, 1, 10, 0, 0, tzinfo=datetime.UTC)
ENDPOINT = [{"Name": "EndpointName", "Value": "churn-dev"}]


def _widget(**extra: Any) -> dict[str, Any]:
    return {
        "title": "CPU",
        "metrics": [["/aws/sagemaker/Endpoints", "CPUUtilization", "EndpointName", "churn-dev"]],
        "period": 60,
        "stat": "Maximum",
        "start": "2024-05-01T10:00:00Z",
        "end": "2024-05-01T10:10:00Z",
        "width": 400,
        "height": 200,
        **extra,
    }


def _image(cloud: LocalCloud, widget: dict[str, Any]) -> Canvas:
    answer = cloud.client("cloudwatch").get_metric_widget_image(MetricWidget=json.dumps(widget))
    return read_png(answer["MetricWidgetImage"])


def test_the_widget_is_drawn_from_the_datapoints_put(localcloud: LocalCloud) -> None:
    localcloud.client("cloudwatch").put_metric_data(
        Namespace="/aws/sagemaker/Endpoints",
        MetricData=[
            {
                "MetricName": "CPUUtilization",
                "Dimensions": ENDPOINT,
                "Timestamp": T0 + datetime.timedelta(minutes=5),
                "Value": value,
            }
            for value in (20.0, 90.0)  # the period's Maximum, 90, is the highest value drawn
        ],
    )
    image = _image(localcloud, _widget())
    assert (image.width, image.height) == (400, 200)
    colour = PALETTE[0]
    drawn = [
        (x, y)
        for y in range(image.height)
        for x in range(image.width)
        if image.pixel(x, y) == colour
    ]
    # The one period sits half way along the range, at the top of the value axis (90 x 1.1).
    xs = {x for x, y in drawn if y < 150}  # above the legend's swatch
    middle = LEFT + (400 - LEFT - 16) // 2
    assert min(abs(x - middle) for x in xs) <= 2
    top_of_dot = min(y for x, y in drawn if abs(x - middle) <= 2)
    assert TOP <= top_of_dot <= TOP + 30


def test_nothing_put_draws_no_line(localcloud: LocalCloud) -> None:
    image = _image(localcloud, _widget(metrics=[["Other", "Metric"]]))
    plot = [image.pixel(x, y) for y in range(TOP, 150) for x in range(LEFT + 1, 380)]
    assert PALETTE[0] not in plot


def test_a_widget_cloudwatch_cannot_read_is_refused_naming_the_field(
    localcloud: LocalCloud,
) -> None:
    cloudwatch = localcloud.client("cloudwatch")
    with pytest.raises(ClientError) as error:
        cloudwatch.get_metric_widget_image(MetricWidget="{not json")
    assert error.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert "MetricWidget is not valid JSON" in str(error.value)
    with pytest.raises(ClientError) as error:
        cloudwatch.get_metric_widget_image(MetricWidget=json.dumps(_widget(start="yesterday")))
    assert "MetricWidget.start 'yesterday'" in str(error.value)


def test_moto_alone_has_no_widget_image() -> None:
    with (
        extensions_disabled("metric_widget_image"),
        LocalCloud() as cloud,
        pytest.raises(NotImplementedError),
    ):
        cloud.client("cloudwatch").get_metric_widget_image(MetricWidget=json.dumps(_widget()))
