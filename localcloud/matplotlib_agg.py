"""Figures sized in pixels and drawn to PNG with matplotlib's Agg renderer, for the widget images
and the dashboard picture.

matplotlib is imported on the first figure, not with the embedded cloud: importing it (and, on
a machine that never ran it, building its font cache) takes seconds that only a caller drawing
pictures should pay. No pyplot: a `Figure` with its own Agg canvas keeps no global state, so
concurrent requests of the local server never share a current figure.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from localcloud.workspace_paths import user_cache_dir

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 100  # with 100 dots per inch a figure of w/100 by h/100 inches is w by h pixels


def _config_dir() -> Path:
    """matplotlib writes its font cache to ~/.cache/matplotlib (or MPLCONFIGDIR): a user's home
    should not gain files from the embedded cloud, so the cache lives in a directory of this
    user's under the temp dir, made private and kept between runs (the cache is built once)."""
    folder = user_cache_dir("localcloud-matplotlib")
    # Someone else's directory under that name is not trusted with the cache: a fresh one is.
    return folder if folder is not None else Path(tempfile.mkdtemp(prefix="localcloud-matplotlib-"))


def import_ahead() -> None:
    """Import matplotlib now (say, on a thread while this process waits for something else), so
    the first figure does not pay for it."""
    if "MPLCONFIGDIR" not in os.environ:
        os.environ["MPLCONFIGDIR"] = str(_config_dir())
    import matplotlib.backends.backend_agg
    import matplotlib.figure  # noqa: F401


def figure(width: int, height: int) -> Figure:
    """An empty white figure of `width` x `height` pixels on an Agg canvas."""
    if "MPLCONFIGDIR" not in os.environ:
        os.environ["MPLCONFIGDIR"] = str(_config_dir())
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    drawn = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(drawn)
    return drawn


def png(drawn: Figure) -> bytes:
    buffer = io.BytesIO()
    drawn.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()
