"""`metric_widget_image`: GetMetricWidgetImage, which moto 5.2.5 does not have, draws the widget
from the datapoints put (read by `localcloud.widget_image`, drawn by `localcloud.widget_drawing`),
as a PNG (the one format CloudWatch returns as an image)."""

from __future__ import annotations

import datetime
from typing import Any

from localcloud.extensions.patching import PatchSet


def install(patches: PatchSet) -> None:
    from moto.cloudwatch.exceptions import InvalidParameterValue
    from moto.cloudwatch.responses import CloudWatchResponse
    from moto.core.responses import ActionResult

    from localcloud import widget_drawing, widget_image

    def get_metric_widget_image(self: Any) -> Any:
        output = self._get_param("OutputFormat") or "png"
        if output not in ("png", "image/png"):
            raise InvalidParameterValue(
                f"OutputFormat {output!r}: the embedded cloud draws png only (leave it out, or png)"
            )
        try:
            widget = widget_image.parse(self._get_param("MetricWidget"))
            now = datetime.datetime.now(tz=datetime.UTC)
            image = widget_drawing.render(
                widget_image.picture(self.cloudwatch_backend, widget, now)
            )
        except widget_image.WidgetError as error:
            raise InvalidParameterValue(str(error)) from None
        return ActionResult({"MetricWidgetImage": image})

    patches.replace(CloudWatchResponse, "get_metric_widget_image", get_metric_widget_image)
