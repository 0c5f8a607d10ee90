"""Waiting for a killed job's process group to be gone.

SIGKILL is delivered asynchronously: `killpg` returns before the kernel has ended the group's
processes, and a job's children are not ours to reap (a warm job's parent is the forkserver, what
a job starts is reparented when the job ends). A cloud that stops must not return while they still
run, so it waits, bounded, until no process of the group is left but zombies (ended, awaiting
their parent's reaping)."""

from __future__ import annotations

import os
import time
from pathlib import Path

_PROC = Path("/proc")
_STEP_SECONDS = 0.01


def _running_members(pgid: int) -> bool:
    """Whether a process of the group still runs. Where /proc is missing, whether the group
    has any member at all (zombies included)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if not _PROC.is_dir():
        return True
    for stat in _PROC.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # it ended while being read
        # Fields after the name: state, ppid, pgrp.
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False


def wait_until_gone(pgid: int, deadline: float) -> bool:
    """Wait until no process of group ``pgid`` runs, or ``deadline`` (time.monotonic) passes;
    whether the group is gone."""
    while _running_members(pgid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_STEP_SECONDS)
    return True
