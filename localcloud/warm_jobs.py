"""Warm job processes: a job's `python SCRIPT.py ARGS...` forked from a server that has already
imported the libraries job scripts use, instead of a fresh interpreter importing them each time
(pandas, scikit-learn and scipy cost seconds per job).

The server is the standard library's multiprocessing forkserver, started on the first warm job
and preloading only third-party libraries: never a job script or its sibling modules, so every
job imports its own code afresh. The child (`warm_job_entry.py`) leads its own session, takes the
job's cwd, environment, stdio, sys.path and argv as a fresh interpreter would have them, runs the
script as `__main__` and exits with the interpreter's exit code. Anything but the plain form
`python SCRIPT.py ...` runs cold; so does every job while LOCALCLOUD_COLD_JOBS=1.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import runpy
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from pathlib import Path
from typing import IO, Any

from localcloud import process_groups
from localcloud.warm_job_entry import ENTRY_RUN_NAME

COLD_JOBS_VARIABLE = "LOCALCLOUD_COLD_JOBS"
ENTRY_SCRIPT = Path(__file__).with_name("warm_job_entry.py")
# What the project's job scripts import (tasks/jobs/); a module missing here is skipped.
PRELOAD = [
    "numpy",
    "pandas",
    "scipy",
    "scipy.stats",
    "sklearn",
    "sklearn.compose",
    "sklearn.ensemble",
    "sklearn.metrics",
    "sklearn.model_selection",
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "joblib",
]
# As much of stdout and stderr as the job runner keeps for the job's log stream.
_OUTPUT_TAIL_BYTES = 1024 * 1024


@dataclass(frozen=True)
class _Interpreter:
    """What a fresh `python SCRIPT.py` starts with, besides the script's folder and PYTHONPATH."""

    base_path: list[str]
    fresh_modules: list[str]


_context_lock = threading.Lock()
_context: tuple[ForkServerContext, _Interpreter] | None = None


def runs_warm(argv: list[str]) -> bool:
    """Whether `argv` (after `jobs.python_argv`) is a plain script run that can start warm."""
    if os.environ.get(COLD_JOBS_VARIABLE, "") not in ("", "0"):
        return False
    return (
        len(argv) >= 2
        and argv[0] == sys.executable
        and argv[1].endswith(".py")
        and not argv[1].startswith("-")
    )


def _fresh_interpreter() -> _Interpreter:
    """Ask a fresh interpreter (without PYTHONPATH) for its sys.path and startup modules."""
    probe = (
        "import sys; modules = sorted(sys.modules); import json; "
        "print(json.dumps([sys.path[1:], modules]))"
    )
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=True,
    )
    base_path, modules = json.loads(result.stdout)
    return _Interpreter(base_path=base_path, fresh_modules=modules)


def _forkserver() -> tuple[ForkServerContext, _Interpreter]:
    """The process's forkserver context, set up on first use."""
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = (context, _fresh_interpreter())
        return _context


def start_server() -> None:
    """Start the forkserver now: it imports the libraries in its own process while this one goes
    on (say, deploying), so the first warm job does not wait for them."""
    if os.environ.get(COLD_JOBS_VARIABLE, "") not in ("", "0"):
        return
    _forkserver()
    from multiprocessing import forkserver

    forkserver.ensure_running()


def _start_entry(context: ForkServerContext, job: dict[str, object], name: str) -> Any:
    process = context.Process(
        target=runpy.run_path,
        args=(str(ENTRY_SCRIPT),),
        kwargs={"init_globals": {"JOB": job}, "run_name": ENTRY_RUN_NAME},
        name=name,
    )
    process.start()
    return process


class WarmProcess:
    """A warm job's process, with the parts of `subprocess.Popen` the job runner uses.

    Only the thread that started it calls `communicate`; any thread may `wait` for it."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        context, interpreter = _forkserver()
        self._logs = tempfile.TemporaryDirectory(prefix="job-logs-")
        self._stdout = Path(self._logs.name) / "stdout"
        self._stderr = Path(self._logs.name) / "stderr"
        job = {
            "argv": argv,
            "env": env,
            "cwd": str(cwd),
            "stdout": str(self._stdout),
            "stderr": str(self._stderr),
            "base_path": interpreter.base_path,
            "fresh_modules": interpreter.fresh_modules,
        }
        self._process = _start_entry(context, job, f"job {Path(argv[1]).name}")
        pid = self._process.pid
        assert pid is not None  # start() returns once the server has forked it
        self.pid: int = pid
        self.returncode: int | None = None
        self._ended = threading.Event()

    def wait(self, timeout: float | None = None) -> int:
        """The exit code once it ends; raises subprocess.TimeoutExpired after `timeout`."""
        if not self._ended.wait(timeout):
            raise subprocess.TimeoutExpired(str(self._process.name), timeout or 0.0)
        assert self.returncode is not None
        return self.returncode

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        """Wait for it to end, then (stdout, stderr), their last MiB, as Popen.communicate does."""
        self._process.join(timeout)
        code = self._process.exitcode
        if code is None:
            raise subprocess.TimeoutExpired(str(self._process.name), timeout or 0.0)
        # A container ends with its main process: nothing the job left running outlives it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        stdout, stderr = _tail(self._stdout), _tail(self._stderr)
        self._process.close()
        self._logs.cleanup()
        self.returncode = code
        self._ended.set()
        return stdout, stderr


class PipedWarmProcess:
    """A warm `python SCRIPT.py` whose stdin and stdout are pipes to this process and whose
    stderr goes to the file `stderr` (a serving container): the parts of `subprocess.Popen`
    the endpoint servers use. It leads its own session, as with `start_new_session`."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, stderr: Path) -> None:
        context, interpreter = _forkserver()
        child_stdin, stdin = os.pipe()
        stdout, child_stdout = os.pipe()
        # Connections travel to the forked child with their descriptors (the forkserver passes
        # them along); the child makes them its fd 0 and 1.
        ends = (Connection(child_stdin, writable=False), Connection(child_stdout, readable=False))
        job = {
            "argv": argv,
            "env": env,
            "cwd": str(cwd),
            "stdin": ends[0],
            "stdout": ends[1],
            "stderr": str(stderr),
            "base_path": interpreter.base_path,
            "fresh_modules": interpreter.fresh_modules,
        }
        try:
            self._process = _start_entry(context, job, f"server {Path(argv[1]).name}")
        except BaseException:
            os.close(stdin)
            os.close(stdout)
            raise
        finally:
            for end in ends:
                end.close()
        pid = self._process.pid
        assert pid is not None
        self.pid: int = pid
        self.stdin: IO[bytes] = open(stdin, "wb")  # noqa: SIM115 (closed by its owner)
        self.stdout: IO[bytes] = open(stdout, "rb")  # noqa: SIM115 (closed by its owner)

    def poll(self) -> int | None:
        code: int | None = self._process.exitcode
        return code

    def wait(self, timeout: float | None = None) -> int:
        """The exit code once it ends; raises subprocess.TimeoutExpired after `timeout`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self._process.join(timeout)
        code = self._process.exitcode
        if code is None:
            raise subprocess.TimeoutExpired(str(self._process.name), timeout or 0.0)
        if deadline is not None:
            process_groups.wait_until_gone(self.pid, deadline)
        return int(code)


def _tail(path: Path) -> str:
    try:
        with path.open("rb") as stream:
            stream.seek(max(0, stream.seek(0, os.SEEK_END) - _OUTPUT_TAIL_BYTES))
            return stream.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
