"""The child side of a warm job (`warm_jobs.py`): turn a process forked from the forkserver into
what `python SCRIPT.py ARGS...` would have been, then run the script.

Runs by path (`runpy.run_path`, run name `ENTRY_RUN_NAME`, the job in the global `JOB`), not as
`localcloud.warm_job_entry`: importing the `localcloud` package would import moto and boto3 into
every job. So: standard library only, and nothing from this package.
"""

from __future__ import annotations

import atexit
import os
import runpy
import sys
import threading
from importlib import machinery
from types import TracebackType
from typing import Any, NoReturn

ENTRY_RUN_NAME = "__localcloud_warm_job__"
# Where a traceback starts being the script's own: frames of these modules are the launcher's.
_LAUNCHER_MODULES = {ENTRY_RUN_NAME, runpy.__name__}


def run(job: dict[str, Any]) -> NoReturn:
    """Become the job's process and run its script; never returns (exits with its code)."""
    # First, before anything can fail: lead a process group of its own, as a subprocess started
    # with start_new_session does, so stopping the job ends it and whatever it starts, and a
    # Ctrl-C at the terminal never reaches it.
    os.setsid()
    code = 1
    try:
        _become_fresh(job)
        script = str(job["argv"][1])
        if not os.path.isfile(script):
            sys.stderr.write(
                f"{job['argv'][0]}: can't open file {script!r}: [Errno 2] No such file\n"
            )
            code = 2
        else:
            if _shadowed(job):
                # A module the script's folder (or PYTHONPATH) would provide is already loaded
                # from elsewhere: only a real interpreter imports the job's own.
                os.execve(job["argv"][0], job["argv"], job["env"])
            code = _run_script(script)
    except BaseException:  # the set-up itself failed: report it as an interpreter would
        _print_exception(*sys.exc_info())
        code = 1
    code = _finalize(code)
    os._exit(code)


def _become_fresh(job: dict[str, Any]) -> None:
    os.chdir(job["cwd"])
    os.environ.clear()
    os.environ.update(job["env"])
    _redirect(0, job.get("stdin") or os.devnull, os.O_RDONLY)
    _redirect(1, job["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    _redirect(2, job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    encoding = job["env"].get("PYTHONIOENCODING") or "utf-8"
    # The process's standard streams for its whole life, so never closed here.
    # A real interpreter's stdout to a file is block-buffered, its stderr line-buffered.
    sys.stdin = sys.__stdin__ = open(0, encoding=encoding, closefd=False)  # noqa: SIM115
    sys.stdout = sys.__stdout__ = open(1, "w", encoding=encoding, closefd=False)  # noqa: SIM115
    sys.stderr = sys.__stderr__ = open(  # noqa: SIM115
        2, "w", buffering=1, encoding=encoding, errors="backslashreplace", closefd=False
    )
    script = str(job["argv"][1])
    sys.path[:] = [
        os.path.dirname(os.path.realpath(script)),
        *_pythonpath(job["env"]),
        *job["base_path"],
    ]
    sys.argv[:] = [str(part) for part in job["argv"][1:]]
    # numpy's global generator was seeded once, in the forkserver: without a fresh seed every
    # job would draw the same "random" numbers, which separate interpreters never do.
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


def _redirect(fd: int, target: Any, flags: int) -> None:
    """Make `fd` the file at path `target`, or a pipe end (a Connection the forkserver passed)."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    if not isinstance(target, str):
        os.dup2(target.fileno(), fd)
        target.close()
        return
    opened = os.open(target, flags, 0o600)
    if opened != fd:
        os.dup2(opened, fd)
        os.close(opened)


def _pythonpath(env: dict[str, str]) -> list[str]:
    return [entry for entry in env.get("PYTHONPATH", "").split(os.pathsep) if entry]


def _module_names(folder: str) -> set[str]:
    """Top-level names a folder on sys.path provides: modules and regular packages."""
    try:
        entries = os.listdir(folder)
    except OSError:
        return set()
    names = set()
    for entry in entries:
        for suffix in machinery.all_suffixes():
            if entry.endswith(suffix):
                names.add(entry[: -len(suffix)].split(".")[0])
        if os.path.isfile(os.path.join(folder, entry, "__init__.py")):
            names.add(entry)
    return names


def _shadowed(job: dict[str, Any]) -> set[str]:
    """Modules loaded here (beyond a fresh interpreter's) that the job's folders also provide."""
    loaded = {name for name in sys.modules if "." not in name} - set(job["fresh_modules"])
    provided: set[str] = set()
    for folder in sys.path[: 1 + len(_pythonpath(job["env"]))]:
        provided |= _module_names(folder)
    return loaded & provided


def _run_script(script: str) -> int:
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as stop:
        return _exit_code(stop.code)
    except BaseException:
        _print_exception(*sys.exc_info())
        return 1
    return 0


def _exit_code(code: object) -> int:
    """What the interpreter exits with for `sys.exit(code)`."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    sys.stderr.write(f"{code}\n")
    return 1


def _print_exception(
    kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
) -> None:
    while tb is not None and tb.tb_frame.f_globals.get("__name__") in _LAUNCHER_MODULES:
        tb = tb.tb_next
    if kind is not None and error is not None:
        # The hook prints the exception's own traceback; it must start at the script too.
        sys.excepthook(kind, error.with_traceback(tb), tb)


def _finalize(code: int) -> int:
    """What the interpreter does on the way out: join threads, run atexit, flush stdio."""
    try:
        threading._shutdown()  # type: ignore[attr-defined]
        atexit._run_exitfuncs()
    except BaseException:
        _print_exception(*sys.exc_info())
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            code = code or 120  # as Py_Finalize: a failed flush of stdout is exit 120
    return code


if __name__ == ENTRY_RUN_NAME:
    run(globals()["JOB"])
