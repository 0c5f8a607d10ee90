"""The local server's own files (`.localcloud/server.json`, `server.log`) are never followed
through a symlink planted in the working folder, and `down` signals only a localcloud server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from localcloud import server
from tests.localcloud_helpers import free_port

# Says so once it runs: until then its /proc/<pid>/cmdline may still be empty.
SLEEPER = "print('running', flush=True); import time; time.sleep(60)"


def _running(argv: list[str], cwd: Path | None = None) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline() == b"running\n"
    return process


@pytest.fixture
def other_process() -> Iterator[int]:
    """A process of this user that is not a localcloud server; ended by its own pid."""
    process = _running([sys.executable, "-c", SLEEPER])
    try:
        yield process.pid
    finally:
        process.kill()
        process.wait(timeout=10)


def test_up_refuses_a_symlinked_state_folder(tmp_path: Path) -> None:
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    work.mkdir()
    elsewhere.mkdir()
    (work / ".localcloud").symlink_to(elsewhere)
    try:
        with pytest.raises(RuntimeError, match=r"\.localcloud' is a symlink"):
            server.up(free_port(), work)
    finally:
        server.down(work)  # stops what a server that did start recorded, if any
    assert list(elsewhere.iterdir()) == []


def test_up_refuses_a_symlinked_log_file(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("the user's own file\n")
    (tmp_path / ".localcloud").mkdir()
    (tmp_path / ".localcloud" / "server.log").symlink_to(elsewhere)
    try:
        with pytest.raises(RuntimeError, match=r"server\.log' is a symlink"):
            server.up(free_port(), tmp_path)
    finally:
        server.down(tmp_path)
    assert elsewhere.read_text() == "the user's own file\n"


def test_a_symlinked_state_file_is_not_read_nor_removed(tmp_path: Path, other_process: int) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps({"pid": other_process, "port": free_port()}))
    (tmp_path / ".localcloud").mkdir()
    (tmp_path / ".localcloud" / "server.json").symlink_to(elsewhere)
    assert server.read_state(tmp_path) is None
    assert server.down(tmp_path) is None
    assert elsewhere.is_file()
    os.kill(other_process, 0)  # still alive: raises ProcessLookupError otherwise


def test_down_never_signals_a_process_that_is_not_a_localcloud_server(
    tmp_path: Path, other_process: int
) -> None:
    # A stale state file whose pid was reused, or a forged one, names some other process.
    (tmp_path / ".localcloud").mkdir()
    state = {"pid": other_process, "port": free_port()}
    (tmp_path / ".localcloud" / "server.json").write_text(json.dumps(state))
    with pytest.raises(server.NotOurServer, match=f"pid {other_process}, .* it runs `.*sleep"):
        server.down(tmp_path)
    os.kill(other_process, 0)
    assert not (tmp_path / ".localcloud" / "server.json").exists()


def test_down_never_signals_the_localcloud_server_of_another_folder(tmp_path: Path) -> None:
    # Guards against trusting any process whose command line says `localcloud serve`: a state
    # file copied from another folder, or a pid reused by another folder's server, names a
    # server that is not this folder's. (A stand-in with that command line, run elsewhere.)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    stand_in = _running([sys.executable, "-c", SLEEPER, "-m", "localcloud", "serve"], elsewhere)
    try:
        work = tmp_path / "work"
        (work / ".localcloud").mkdir(parents=True)
        state = {"pid": stand_in.pid, "port": free_port()}
        (work / ".localcloud" / "server.json").write_text(json.dumps(state))
        with pytest.raises(server.NotOurServer, match=r"server of another folder, .*elsewhere"):
            server.down(work)
        assert stand_in.poll() is None  # not signalled
        run = subprocess.run(
            [sys.executable, "-m", "localcloud", "down"],
            cwd=work,
            env={**os.environ, "PYTHONPATH": str(Path(server.__file__).resolve().parents[1])},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 0 and "localcloud: not running" in run.stdout
        assert stand_in.poll() is None
    finally:
        stand_in.kill()
        stand_in.wait(timeout=10)


def test_serve_refuses_a_symlinked_state_file(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("{}")
    (tmp_path / ".localcloud").mkdir()
    (tmp_path / ".localcloud" / "server.json").symlink_to(elsewhere)
    root = Path(server.__file__).resolve().parent.parent
    try:
        run = subprocess.run(
            [sys.executable, "-m", "localcloud", "serve", "--port", str(free_port())],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        assert elsewhere.read_text() == "{}"
    assert run.returncode != 0
    assert "server.json' is a symlink" in run.stderr
