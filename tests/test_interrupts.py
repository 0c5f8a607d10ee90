"""Ctrl-C: every command stops with exit 130, one line, no traceback, and nothing left running."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from commandline.interrupts import EXIT_INTERRUPTED, run_interruptibly

ROOT = Path(__file__).resolve().parent.parent
PROBE = "LEFTOVER_PROBE"  # every process a command starts inherits it; /proc shows who has it


def test_an_interrupt_exits_130_with_one_line_and_clean_up_runs_to_the_end(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cleaned: list[str] = []

    def main() -> int:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)  # the interrupt lands here
            return 0
        finally:
            # A second Ctrl-C while clean-up runs must not cut it short.
            os.kill(os.getpid(), signal.SIGINT)
            cleaned.append("done")

    before = signal.getsignal(signal.SIGINT)
    assert run_interruptibly(main, "tool") == EXIT_INTERRUPTED
    assert cleaned == ["done"]
    assert capsys.readouterr().err == "tool: interrupted\n"
    assert signal.getsignal(signal.SIGINT) is before


def test_a_command_that_ends_keeps_its_exit_code() -> None:
    assert run_interruptibly(lambda: 3, "tool") == 3


def _probed(marker: str) -> list[int]:
    """Live processes carrying `marker` in their environment (zombies have none left)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _session_leaders(marker: str, besides: int) -> list[int]:
    """Processes carrying `marker` that lead their own session, other than `besides`: the jobs,
    which start their own session whether forked warm or started cold (the demo's helpers, such
    as the job forkserver, stay in the demo's session)."""
    leaders = []
    for pid in _probed(marker):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        session = int(stat.rsplit(")", 1)[1].split()[3])
        if session == pid and pid != besides:
            leaders.append(pid)
    return leaders


def _start(argv: list[str], cwd: Path) -> tuple[subprocess.Popen[bytes], str]:
    token = str(uuid.uuid4())
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT), PROBE: token}
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own group: nothing it starts escapes the cleanup below
    )
    return process, f"{PROBE}={token}"


def _read_until(process: subprocess.Popen[bytes], text: str, timeout: float) -> str:
    """stdout up to and including the first line containing `text` (bounded by `timeout`)."""
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while text.encode() not in seen:
            left = deadline - time.monotonic()
            assert left > 0, f"no {text!r} within {timeout} s; got:\n{seen.decode()[-2000:]}"
            if selector.select(min(left, 1.0)):
                chunk = os.read(process.stdout.fileno(), 65536)
                assert chunk, f"exited ({process.wait()}) before {text!r}:\n{seen.decode()}"
                seen += chunk
    return seen.decode()


def _wait_for(condition: Callable[[], object], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _interrupt(process: subprocess.Popen[bytes], marker: str) -> tuple[int, str]:
    try:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        return process.returncode, stderr.decode()
    finally:
        # Whatever the outcome, leave nothing behind for the next test.
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for pid in _probed(marker):
            os.kill(pid, signal.SIGKILL)


def test_ctrl_c_in_the_demo_while_a_job_runs_stops_everything() -> None:
    process, marker = _start([sys.executable, "-m", "selfheal", "demo"], ROOT)
    _read_until(process, "-> Preprocess", timeout=240)
    # The preprocessing job's own process is running (it lives outside the demo's threads).
    _wait_for(
        lambda: _session_leaders(marker, besides=process.pid), "the preprocessing job's process", 60
    )

    status, stderr = _interrupt(process, marker)
    assert status == EXIT_INTERRUPTED, stderr
    assert stderr.strip().splitlines() == ["demo: interrupted"]
    _wait_for(lambda: not _probed(marker), "every process the demo started to end", 10)


def test_ctrl_c_stops_the_foreground_server_and_removes_its_state_file(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    process, marker = _start(
        [sys.executable, "-m", "localcloud", "serve", "--port", str(port)], tmp_path
    )
    _read_until(process, "serving on", timeout=120)
    assert (tmp_path / ".localcloud" / "server.json").is_file()

    status, stderr = _interrupt(process, marker)
    assert status == EXIT_INTERRUPTED, stderr
    assert stderr.strip().splitlines() == ["localcloud: interrupted"]
    assert not (tmp_path / ".localcloud" / "server.json").exists()
    assert not _probed(marker)
