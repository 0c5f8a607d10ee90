"""Warm job processes (`localcloud/warm_jobs.py`): a job forked from the forkserver behaves as the
fresh `python SCRIPT.py` SageMaker runs: its own module state, environment, argv, cwd, sys.path,
exit codes and stderr, and it stops, times out and ends what it started as a subprocess would."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from localcloud import jobs, warm_jobs
from localcloud.jobs import JobOutcome, Workspace, run_process
from localcloud.warm_jobs import COLD_JOBS_VARIABLE
from tests.localcloud_helpers import SPAWNS, alive


@pytest.fixture(autouse=True)
def _accepting_jobs() -> None:
    # Jobs run while a cloud accepts them; a cloud stopped earlier in this process refuses them.
    jobs.accept_jobs()


# The job writes what it sees to the file named by its first argument.
REPORT = """
import json, os, sys
import counter
counter.count += 1
print('to stdout')
json.dump({
    'count': counter.count, 'ppid': os.getppid(), 'argv': sys.argv, 'cwd': os.getcwd(),
    'path': sys.path, 'env': dict(os.environ), 'name': __name__, 'file': __file__,
    'stdin': sys.stdin.read(), 'pgid_is_pid': os.getpgid(0) == os.getpid(),
    'sid_is_pid': os.getsid(0) == os.getpid(),
}, open(sys.argv[1], 'w'))
"""


def _run(
    code_dir: Path, script: str, args: list[str], env: dict[str, str] | None = None, limit: int = 60
) -> JobOutcome:
    with Workspace() as workspace:
        argv = [sys.executable, str(code_dir / script), *args]
        return run_process(workspace, argv, env or {}, workspace.root, limit)


def _code(tmp_path: Path, files: dict[str, str]) -> Path:
    code = tmp_path / "code"
    code.mkdir(exist_ok=True)
    for name, text in files.items():
        (code / name).write_text(text)
    return code


def _report(tmp_path: Path, name: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    code = _code(tmp_path, {"report.py": REPORT, "counter.py": "count = 0\n"})
    extra = tmp_path / "extra"
    extra.mkdir(exist_ok=True)
    out = tmp_path / name
    job_env = {"STAGE": "dev", "PYTHONPATH": str(extra), **(env or {})}
    outcome = _run(code, "report.py", [str(out), "--flag", "x y"], job_env)
    assert outcome.status == "Completed", outcome
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def test_every_warm_job_imports_its_sibling_modules_afresh(tmp_path: Path) -> None:
    # Guards against job modules surviving from one job into the next (preloaded or cached).
    first = _report(tmp_path, "first.json")
    second = _report(tmp_path, "second.json")
    assert first["ppid"] != os.getpid(), "the job did not run warm"
    assert (first["count"], second["count"]) == (1, 1)


def test_a_warm_job_sees_what_a_fresh_interpreter_sees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Guards the child's set-up: env, argv, cwd, sys.path (script folder, PYTHONPATH, then the
    # interpreter's own), __main__, stdin and its own session match a cold subprocess's.
    warm = _report(tmp_path, "warm.json")
    monkeypatch.setenv(COLD_JOBS_VARIABLE, "1")
    cold = _report(tmp_path, "cold.json")
    assert warm["ppid"] != os.getpid() and cold["ppid"] == os.getpid()
    for report in (warm, cold):
        report.pop("ppid")
        report["argv"][1] = report["cwd"] = "<varies>"
        report["env"].pop(COLD_JOBS_VARIABLE, None)
    assert warm == cold
    assert warm["path"][:2] == [str(tmp_path / "code"), str(tmp_path / "extra")]
    assert warm["name"] == "__main__" and warm["stdin"] == ""
    assert warm["pgid_is_pid"] and warm["sid_is_pid"]


def test_a_sibling_named_like_a_preloaded_library_is_the_one_imported(tmp_path: Path) -> None:
    # Guards the fall-back to a real interpreter when the job's folder shadows a module the
    # forkserver has loaded: `import numpy` must find the job's own numpy.py, as it would cold.
    code = _code(
        tmp_path,
        {
            "numpy.py": "OWN = True\n",
            "shadow.py": "import sys, numpy\nopen(sys.argv[1], 'w').write(str(numpy.OWN))\n",
        },
    )
    out = tmp_path / "out"
    outcome = _run(code, "shadow.py", [str(out)])
    assert outcome.status == "Completed", outcome
    assert out.read_text() == "True"


def test_warm_jobs_draw_different_unseeded_numpy_random_numbers(tmp_path: Path) -> None:
    # Guards the reseed: numpy's global generator was seeded once in the forkserver.
    script = "import sys, numpy\nopen(sys.argv[1], 'w').write(repr(numpy.random.random()))\n"
    code = _code(tmp_path, {"draw.py": script})
    draws = []
    for name in ("a", "b"):
        assert _run(code, "draw.py", [str(tmp_path / name)]).status == "Completed"
        draws.append((tmp_path / name).read_text())
    assert draws[0] != draws[1]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("import sys\nsys.exit('not enough rows: 0 < 10')\n", "exit code 1: not enough rows"),
        ("raise ValueError('bad column: price')\n", "exit code 1: Traceback"),
        ("import sys\nsys.exit(3)\n", "exit code 3"),
    ],
    ids=["exit-message", "uncaught", "exit-code"],
)
def test_a_warm_job_exits_as_the_interpreter_would(
    tmp_path: Path, script: str, expected: str
) -> None:
    code = _code(tmp_path, {"fails.py": script})
    outcome = _run(code, "fails.py", [])
    assert outcome.status == "Failed"
    assert outcome.failure_reason is not None
    assert outcome.failure_reason.startswith(f"AlgorithmError: {expected}"), outcome
    if "Traceback" in expected:
        assert outcome.failure_reason.rstrip().endswith("ValueError: bad column: price")
        # The traceback starts at the script, as a fresh interpreter's does.
        assert "runpy" not in outcome.failure_reason


def test_a_warm_job_script_that_prints_and_succeeds_completes(tmp_path: Path) -> None:
    code = _code(tmp_path, {"ok.py": "import sys\nprint('x' * 100000)\nsys.exit(0)\n"})
    assert _run(code, "ok.py", []).status == "Completed"


def _ended(pids: list[int]) -> bool:
    """Whether every pid has ended, within a bound: SIGKILL is delivered asynchronously."""
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _wait_for_pids(pid_file: Path, done: threading.Event) -> list[int]:
    deadline = time.monotonic() + 60
    while not pid_file.is_file() or len(pid_file.read_text().split()) < 2:
        assert not done.is_set(), "the job ended before it started its child"
        assert time.monotonic() < deadline, "the job's processes never started"
        done.wait(0.02)
    return [int(pid) for pid in pid_file.read_text().split()]


def test_stopping_the_cloud_stops_a_warm_job_and_what_it_started(tmp_path: Path) -> None:
    # Guards the stop path for warm jobs: its process group (it leads one) is ended, the job's
    # outcome is Stopped.
    code = _code(tmp_path, {"spawns.py": SPAWNS})
    pid_file = tmp_path / "pids"
    outcomes: list[JobOutcome] = []
    done = threading.Event()

    def job() -> None:
        outcomes.append(_run(code, "spawns.py", [str(pid_file)]))
        done.set()

    thread = threading.Thread(target=job)
    thread.start()
    try:
        pids = _wait_for_pids(pid_file, done)
        assert all(alive(pid) for pid in pids)
        assert jobs.stop_running_jobs() == 1
        thread.join(timeout=30)
        assert not thread.is_alive()
    finally:
        jobs.accept_jobs()
    assert _ended(pids), [pid for pid in pids if alive(pid)]
    [outcome] = outcomes
    assert outcome.status == "Stopped"
    assert not outcome.timed_out


def test_the_time_limit_ends_a_warm_job_and_what_it_started(tmp_path: Path) -> None:
    # Guards the time limit for warm jobs, including a child that ignores SIGTERM and outlives
    # the job's own process.
    code = _code(tmp_path, {"spawns.py": SPAWNS})
    pid_file = tmp_path / "pids"
    outcome = _run(code, "spawns.py", [str(pid_file)], limit=2)
    assert outcome.status == "Stopped" and outcome.timed_out
    assert outcome.failure_reason is not None
    assert outcome.failure_reason.startswith("MaxRuntimeExceeded")
    pids = [int(pid) for pid in pid_file.read_text().split()]
    assert len(pids) == 2
    assert _ended(pids), [pid for pid in pids if alive(pid)]


def test_a_completed_warm_job_leaves_nothing_running(tmp_path: Path) -> None:
    # Guards the container's end: what the job started in the background ends with it.
    script = SPAWNS.replace("while True:\n    time.sleep(0.05)\n", "")
    script += "deadline = time.monotonic() + 30\n"
    script += "while len(open(sys.argv[1]).read().split()) < 2 and time.monotonic() < deadline:\n"
    script += "    time.sleep(0.02)\n"
    code = _code(tmp_path, {"leaves.py": script})
    pid_file = tmp_path / "pids"
    outcome = _run(code, "leaves.py", [str(pid_file)])
    assert outcome.status == "Completed", outcome
    pids = [int(pid) for pid in pid_file.read_text().split()]
    assert len(pids) == 2
    assert _ended(pids), [pid for pid in pids if alive(pid)]


def test_cold_jobs_variable_runs_jobs_as_separate_interpreters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Guards LOCALCLOUD_COLD_JOBS: a job is then this process's own subprocess.
    monkeypatch.setenv(COLD_JOBS_VARIABLE, "1")
    report = _report(tmp_path, "cold.json")
    assert report["ppid"] == os.getpid()
    assert report["count"] == 1


def _forkserver_children() -> list[int]:
    """This process's children that are multiprocessing forkservers."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and b"multiprocessing.forkserver" in command:
            found.append(int(stat.parent.name))
    return found


def test_start_server_starts_the_forkserver_before_any_job() -> None:
    # Guards warm_jobs.start_server: the libraries' import starts without waiting for a job.
    warm_jobs.start_server()
    [server] = _forkserver_children()
    assert alive(server)
