"""A result that one whole test run computes once, however many xdist workers ask for it.

A module-scoped fixture runs again in every worker that takes one of the module's tests, and
`--dist worksteal` splits modules between workers; an external tool over every file (node's
asl-validator takes ~10 s of CPU) then runs twice. The first worker to ask computes the result
under a file lock in the run's shared temporary directory and leaves it there; the
others wait for the lock and read it (pickled: bytes, datetimes and the tests' dataclasses
come back equal). The directory is new for every run, so nothing is reused
from an earlier run's sources."""

from __future__ import annotations

import fcntl
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def _run_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.getbasetemp()
    # An xdist worker's base is <the run's directory>/popen-gwN; the run's directory is shared.
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once_per_run(
    tmp_path_factory: pytest.TempPathFactory, name: str, compute: Callable[[], Any]
) -> Any:
    """``compute()``'s value, computed by the first worker of this run that asks for
    ``name`` and read from its file by every other."""
    directory = _run_directory(tmp_path_factory)
    result = directory / f"{name}.pickle"
    with (directory / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, even on an error
        if result.exists():
            return pickle.loads(result.read_bytes())
        value = compute()
        # Written whole, then renamed: a reader never sees half a result.
        partial = directory / f"{name}.pickle.partial"
        partial.write_bytes(pickle.dumps(value))
        partial.replace(result)
        return value
