"""GetMetricWidgetImage in the embedded cloud: the widget drawn as a PNG from the datapoints put.
Fails without the `metric_widget_image` extension (moto 5.2.5 has no such action).

The PNGs are decoded with Pillow and read by pixel: where the plot is comes from
`widget_drawing.plot_box`, the same arithmetic the drawing uses."""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from PIL import Image

from localcloud import LocalCloud, matplotlib_agg
from localcloud.extensions import extensions_disabled
from localcloud.widget_drawing import LEFT, TOP, plot_box
from localcloud.widget_image import ANNOTATION, PALETTE, Picture, Series, number

T0 = datetime.datetime(2024, 5, 1, 10, 0, 0, tzinfo=datetime.UTC)
ENDPOINT = [{"Name": "EndpointName", "Value": "churn-dev"}]
NAMESPACE = "/aws/sagemaker/Endpoints"
WHITE = (255, 255, 255)


def _widget(**extra: Any) -> dict[str, Any]:
    return {
        "title": "CPU",
        "metrics": [[NAMESPACE, "CPUUtilization", "EndpointName", "churn-dev"]],
        "period": 60,
        "stat": "Maximum",
        "start": "2024-05-01T10:00:00Z",
        "end": "2024-05-01T10:10:00Z",
        "width": 400,
        "height": 200,
        **extra,
    }


def _put(cloud: LocalCloud, values: Iterable[tuple[int, float]]) -> None:
    """Datapoints of CPUUtilization at T0 + minutes."""
    cloud.client("cloudwatch").put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": "CPUUtilization",
                "Dimensions": ENDPOINT,
                "Timestamp": T0 + datetime.timedelta(minutes=minute),
                "Value": value,
            }
            for minute, value in values
        ],
    )


def _image(cloud: LocalCloud, widget: dict[str, Any]) -> Image.Image:
    answer = cloud.client("cloudwatch").get_metric_widget_image(MetricWidget=json.dumps(widget))
    data = answer["MetricWidgetImage"]
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(data)).convert("RGB")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _near(pixel: Any, colour: str) -> bool:
    """The colour, give or take the blending of an antialiased edge."""
    return sum(abs(a - b) for a, b in zip(pixel, _rgb(colour), strict=False)) <= 60


def _box(widget: dict[str, Any]) -> tuple[int, int, int, int]:
    lines = [Series(f"{i}", PALETTE[0], []) for i, _ in enumerate(widget["metrics"])]
    picture = Picture(
        widget["width"], widget["height"], "", "timeSeries", lines, T0, T0, [],
        widget.get("yAxis", {}).get("left", {}),
        widget.get("legend", {}).get("position") != "hidden",
    )  # fmt: skip
    return plot_box(picture)


def _coloured(image: Image.Image, colour: str, box: tuple[int, int, int, int]) -> list[Any]:
    left, top, right, bottom = box
    return [
        (x, y)
        for y in range(top, bottom)
        for x in range(left, right)
        if _near(image.getpixel((x, y)), colour)
    ]


def test_the_widget_is_drawn_from_the_datapoints_put(localcloud: LocalCloud) -> None:
    _put(localcloud, [(5, 20.0), (5, 90.0)])  # the period's Maximum, 90, is the value drawn
    widget = _widget()
    image = _image(localcloud, widget)
    assert image.size == (400, 200)
    left, top, right, bottom = _box(widget)
    drawn = _coloured(image, PALETTE[0], (left, top, right, bottom))
    # The one period is a dot half way along the range, near the top of the value axis
    # (which ends at 90 x 1.1, so 90 sits a tenth of the way down).
    middle = (left + right) / 2
    assert drawn and all(abs(x - middle) <= 4 for x, _ in drawn)
    centre = sum(y for _, y in drawn) / len(drawn)
    assert abs(centre - (top + (bottom - top) * (1 - 90 / 99))) <= 3


def test_the_image_is_as_large_as_the_widget_json_says(localcloud: LocalCloud) -> None:
    _put(localcloud, [(2, 10.0), (8, 30.0)])
    for width, height in ((333, 177), (1200, 300), (1, 1)):
        assert _image(localcloud, _widget(width=width, height=height)).size == (width, height)
    no_size = {k: v for k, v in _widget().items() if k not in ("width", "height")}
    assert _image(localcloud, no_size).size == (600, 400)  # GetMetricWidgetImage's default


def test_a_populated_widget_draws_lines_where_an_empty_one_draws_none(
    localcloud: LocalCloud,
) -> None:
    widget = _widget()
    box = _box(widget)
    empty = _image(localcloud, widget)
    _put(localcloud, [(1, 10.0), (4, 60.0), (9, 30.0)])
    populated = _image(localcloud, widget)
    left, top, right, bottom = box
    differing = [
        (x, y)
        for y in range(top, bottom)
        for x in range(left + 2, right)
        if empty.getpixel((x, y)) != populated.getpixel((x, y))
    ]
    assert len(differing) > 200  # two segments across most of the plot
    assert not _coloured(empty, PALETTE[0], box)
    line = _coloured(populated, PALETTE[0], box)
    # The line runs from the first period (a tenth of the range) to the last (nine tenths).
    span = right - left
    assert min(x for x, _ in line) <= left + span * 0.1 + 3
    assert max(x for x, _ in line) >= left + span * 0.9 - 3


def test_the_image_changes_when_the_metrics_change(localcloud: LocalCloud) -> None:
    _put(localcloud, [(3, 10.0)])
    before = _image(localcloud, _widget())
    _put(localcloud, [(6, 80.0)])
    after = _image(localcloud, _widget())
    assert before.tobytes() != after.tobytes()


def test_no_datapoint_in_the_range_says_no_data_available(localcloud: LocalCloud) -> None:
    _put(localcloud, [(30, 50.0)])  # after the widget's end
    image = _image(localcloud, _widget())
    # No axes: the plot's left edge, where the value axis is drawn, stays white...
    assert all(image.getpixel((LEFT, y)) == WHITE for y in range(TOP + 10, 150))
    # ...and the message is written across the middle.
    inked = [x for x in range(400) if image.getpixel((x, 100)) != WHITE]
    assert inked and min(inked) >= 130 and max(inked) <= 270


def test_an_alarm_threshold_is_a_dashed_line_at_its_value(localcloud: LocalCloud) -> None:
    _put(localcloud, [(5, 20.0)])
    widget = _widget(
        annotations={"horizontal": [{"label": "CPU alarm", "value": 50}]},
        yAxis={"left": {"min": 0, "max": 100, "label": "Percent"}},
    )
    image = _image(localcloud, widget)
    left, top, right, bottom = _box(widget)
    row = round(top + (bottom - top) / 2)  # 50 of 0..100
    dashes = [x for x in range(left, right) if _near(image.getpixel((x, row)), ANNOTATION)]
    assert 0.3 * (right - left) < len(dashes) < 0.9 * (right - left)  # dashed: gaps
    plain = _image(localcloud, {**widget, "annotations": {}})
    assert not _coloured(plain, ANNOTATION, (left, top, right, bottom))


def test_the_value_axis_limits_place_the_line(localcloud: LocalCloud) -> None:
    _put(localcloud, [(5, 90.0)])
    widget = _widget(yAxis={"left": {"min": 0, "max": 200}})
    image = _image(localcloud, widget)
    left, top, right, bottom = _box(widget)
    drawn = _coloured(image, PALETTE[0], (left, top, right, bottom))
    centre = sum(y for _, y in drawn) / len(drawn)
    assert abs(centre - (top + (bottom - top) * (1 - 90 / 200))) <= 3


def test_the_legend_shows_each_metric_unless_hidden(localcloud: LocalCloud) -> None:
    _put(localcloud, [(5, 90.0)])
    widget = _widget(metrics=[[NAMESPACE, "CPUUtilization", "EndpointName", "churn-dev"]])
    _, _, _, bottom = _box(widget)
    under_plot = (0, bottom + 18, 400, 200)  # below the times
    assert _coloured(_image(localcloud, widget), PALETTE[0], under_plot)
    hidden = {**widget, "legend": {"position": "hidden"}}
    assert not _coloured(_image(localcloud, hidden), PALETTE[0], (0, 185, 400, 200))


def test_the_single_value_view_draws_the_newest_value_not_a_line(
    localcloud: LocalCloud,
) -> None:
    _put(localcloud, [(1, 10.0), (9, 70.0)])
    widget = _widget(view="singleValue")
    image = _image(localcloud, widget)
    left, top, right, bottom = _box(widget)
    # The number's glyphs, large, around the middle; nothing along the range's first tenth,
    # where a time series would start its line.
    assert len(_coloured(image, PALETTE[0], (left, top, right, bottom))) > 40
    assert not _coloured(image, PALETTE[0], (left, top, left + (right - left) // 5, bottom))


def test_a_widget_cloudwatch_cannot_read_is_refused_naming_the_field(
    localcloud: LocalCloud,
) -> None:
    cloudwatch = localcloud.client("cloudwatch")
    refusals = {
        "{not json": "MetricWidget is not valid JSON",
        json.dumps(_widget(start="yesterday")): "MetricWidget.start 'yesterday'",
        json.dumps(_widget(width=2001)): "MetricWidget.width must be a whole number of pixels",
        json.dumps(_widget(annotations={"horizontal": [{"label": "x"}]})): (
            "MetricWidget.annotations.horizontal[0] must be an object with a numeric value"
        ),
        json.dumps(_widget(yAxis={"left": {"max": "high"}})): (
            "MetricWidget.yAxis.left.max must be a number"
        ),
        json.dumps(
            _widget(yAxis={"left": [0, 100]})
        ): "MetricWidget.yAxis.left must be a JSON object",
        json.dumps(_widget(legend="hidden")): "MetricWidget.legend must be a JSON object",
    }
    for body, message in refusals.items():
        with pytest.raises(ClientError) as error:
            cloudwatch.get_metric_widget_image(MetricWidget=body)
        assert error.value.response["Error"]["Code"] == "InvalidParameterValue"
        assert message in str(error.value)


def test_matplotlib_keeps_its_cache_out_of_home_and_out_of_others_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(matplotlib_agg.tempfile, "gettempdir", lambda: str(tmp_path))
    mine = matplotlib_agg._config_dir()
    assert mine.parent == tmp_path and mine.stat().st_mode & 0o077 == 0
    assert matplotlib_agg._config_dir() == mine  # kept: the font cache is built once
    # A name planted by someone else (here a symlink to elsewhere) is not used.
    mine.rmdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    mine.symlink_to(elsewhere)
    fresh = matplotlib_agg._config_dir()
    assert fresh != mine and not fresh.is_symlink() and fresh.resolve() != elsewhere


def test_moto_alone_has_no_widget_image() -> None:
    with (
        extensions_disabled("metric_widget_image"),
        LocalCloud() as cloud,
        pytest.raises(NotImplementedError),
    ):
        cloud.client("cloudwatch").get_metric_widget_image(MetricWidget=json.dumps(_widget()))


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (0, "0"),
        (0.25, "0.25"),
        (999, "999"),
        (1500, "1.5k"),
        (999_999, "1M"),
        (1_000_000, "1M"),
        (250_000_000, "250M"),
        (-2_000, "-2k"),
        (3e9, "3G"),
    ],
)
def test_axis_labels_keep_three_digits_and_their_unit(value: float, label: str) -> None:
    # The latency axis (microseconds) read "1e+03k" at 1,000,000.
    assert number(value) == label


def test_matplotlib_can_be_imported_ahead_of_the_first_figure() -> None:
    # Guards import_ahead: a fresh interpreter has matplotlib's figure modules loaded after it,
    # and its cache directory set as for a figure (never the user's home).
    probe = (
        "import os, sys; from localcloud import matplotlib_agg; "
        "assert 'matplotlib.figure' not in sys.modules; matplotlib_agg.import_ahead(); "
        "print(sorted(m for m in ('matplotlib.figure', 'matplotlib.backends.backend_agg') "
        "if m in sys.modules), os.environ['MPLCONFIGDIR'] == str(matplotlib_agg._config_dir()))"
    )
    env = {k: v for k, v in os.environ.items() if k != "MPLCONFIGDIR"}
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split("]")[0] + "]" == str(
        ["matplotlib.backends.backend_agg", "matplotlib.figure"]
    )
    assert result.stdout.strip().endswith("True")
