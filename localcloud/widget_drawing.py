"""A metric widget's series drawn with matplotlib, laid out as CloudWatch's widget image is: the
title at the top left, the plot with its value axis on the left and times below, the legend
under the plot, "No data available." when no metric has a datapoint in the range.

The plot's margins are fixed in pixels (not matplotlib's automatic layout) so that a widget of
a given size always places its plot at the same pixels, whatever its labels: the layout costs
nothing to compute, and the tests can find the plot.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from localcloud import matplotlib_agg
from localcloud.widget_image import Picture, Series, number

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LEFT, RIGHT, TOP = 56, 20, 28  # the plot's margins in pixels (TOP leaves the title's line)
AXIS_LABEL = 18  # more on the left for the value axis' label
TIMES = 22  # under the plot: the times
LEGEND_ROW = 16
FONT = 8  # points: at 100 dpi a character is about 6.5 pixels wide
CHARACTER = 6.5
INK, GREY, GRID = "#222222", "#666666", "#e3e3e3"
NO_DATA = "No data available."


def legend_columns(lines: Sequence[Series], width: int) -> int:
    """How many legend entries fit side by side under the plot (each as wide as the widest)."""
    widest = max((len(line.label) for line in lines), default=0) * CHARACTER + 34
    return max(1, min(len(lines), int((width - LEFT) // widest)))


def plot_box(picture: Picture) -> tuple[int, int, int, int]:
    """The plot's left, top, right and bottom in pixels from the image's top left corner."""
    rows = math.ceil(len(picture.lines) / legend_columns(picture.lines, picture.width))
    left = LEFT + (AXIS_LABEL if picture.axis.get("label") else 0)
    bottom = picture.height - TIMES - (LEGEND_ROW * rows + 4 if picture.legend else 0)
    return left, TOP, picture.width - RIGHT, bottom


def render(picture: Picture) -> bytes:
    figure = matplotlib_agg.figure(picture.width, picture.height)
    figure.text(
        8 / picture.width,
        1 - 6 / picture.height,
        picture.title,
        ha="left",
        va="top",
        fontsize=10,
        fontweight="bold",
        color=INK,
    )
    left, top, right, bottom = plot_box(picture)
    if not any(line.points for line in picture.lines):
        figure.text(0.5, 0.5, NO_DATA, ha="center", va="center", fontsize=FONT + 1, color=GREY)
    elif right - left >= 10 and bottom - top >= 10:  # else too small for a plot: the title alone
        box = (
            left / picture.width,
            1 - bottom / picture.height,
            (right - left) / picture.width,
            (bottom - top) / picture.height,
        )
        axes = figure.add_axes(box)
        if picture.view == "singleValue":
            _single_values(axes, picture.lines)
        else:
            _time_series(axes, picture)
            if picture.legend:
                _legend(figure, axes, picture, left)
    return matplotlib_agg.png(figure)


def _time_series(axes: Axes, picture: Picture) -> None:
    from matplotlib import dates
    from matplotlib.ticker import FuncFormatter

    values = [v for line in picture.lines for _, v in line.points]
    values += [mark.value for mark in picture.marks]
    low, high = min([0.0, *values]), max([0.0, *values])
    high = high * 1.1 if high > low else low + 1.0
    low = float(picture.axis.get("min", low))
    high = float(picture.axis.get("max", high))
    if high <= low:
        high = low + 1.0
    axes.set_ylim(low, high)
    axes.set_xlim(dates.date2num(picture.start), dates.date2num(picture.end))
    for line in picture.lines:
        xs = [dates.date2num(moment) for moment, _ in line.points]
        ys = [value for _, value in line.points]
        # A lone datapoint is no line: it is drawn as a dot, as CloudWatch does.
        marker = "o" if len(xs) == 1 else None
        axes.plot(xs, ys, color=line.colour, linewidth=1.5, marker=marker, markersize=4)
    for mark in picture.marks:
        axes.axhline(mark.value, color=mark.colour, linestyle="--", linewidth=1)
        if mark.fill:
            edge = high if mark.fill == "above" else low
            axes.axhspan(mark.value, edge, color=mark.colour, alpha=0.1, linewidth=0)
        if mark.label:
            axes.annotate(
                mark.label,
                (0, mark.value),
                xycoords=axes.get_yaxis_transform(),
                xytext=(4, 2),
                textcoords="offset pixels",
                fontsize=FONT,
                color=mark.colour,
            )
    if picture.axis.get("label"):
        axes.set_ylabel(str(picture.axis["label"]), fontsize=FONT, color=GREY)
    width = axes.get_window_extent().width
    locator = dates.AutoDateLocator(minticks=2, maxticks=max(2, int(width // 60)))
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(dates.DateFormatter("%H:%M", tz=datetime.UTC))
    axes.yaxis.set_major_formatter(FuncFormatter(number))
    axes.yaxis.set_major_locator(_value_locator(axes))
    axes.tick_params(labelsize=FONT, colors=GREY, length=3)
    axes.grid(axis="y", color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(GREY)


def _value_locator(axes: Axes) -> Any:
    from matplotlib.ticker import MaxNLocator

    # About one value per 40 pixels of height, as CloudWatch spaces them.
    return MaxNLocator(nbins=max(2, int(axes.get_window_extent().height // 40)))


def _legend(figure: Figure, axes: Axes, picture: Picture, left: int) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=line.colour, label=line.label) for line in picture.lines]
    figure.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(left / picture.width, 2 / picture.height),
        ncols=legend_columns(picture.lines, picture.width),
        fontsize=FONT,
        frameon=False,
        handlelength=1,
        handleheight=1,
        borderaxespad=0,
        borderpad=0,
        columnspacing=1.2,
        labelcolor=INK,
    )


def _single_values(axes: Axes, lines: Sequence[Series]) -> None:
    """The `singleValue` view: each metric's newest value, large, over its label."""
    axes.set_axis_off()
    for index, line in enumerate(lines):
        centre = (index + 0.5) / len(lines)
        value = number(line.points[-1][1]) if line.points else "-"
        axes.text(centre, 0.55, value, ha="center", va="center", fontsize=20, color=line.colour)
        axes.text(centre, 0.2, line.label, ha="center", va="center", fontsize=FONT, color=GREY)
