"""A port already in use is said in the terminal, naming the port and how to choose another,
not only in `.localcloud/server.log`; `make local-up PORT=N` starts the server on port N."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port on 127.0.0.1 another program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def _localcloud(verb: str, port: int, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "localcloud", verb, "--port", str(port)],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_local_up_on_a_port_in_use_says_so_in_the_terminal(tmp_path: Path, held_port: int) -> None:
    done = _localcloud("up", held_port, tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""  # no export lines for a server that is not there
    assert f"port {held_port} on 127.0.0.1 is in use by another process" in done.stderr
    assert "make local-up PORT=N" in done.stderr
    # Refused before a server was started: no log for the user to be sent to.
    assert not (tmp_path / ".localcloud" / "server.log").exists()


def test_serve_on_a_port_in_use_says_so_too(tmp_path: Path, held_port: int) -> None:
    done = _localcloud("serve", held_port, tmp_path)
    assert done.returncode == 1
    assert f"localcloud: port {held_port} on 127.0.0.1 is in use" in done.stderr
    assert "PORT=N" in done.stderr


def test_make_local_up_passes_port_to_the_server() -> None:
    # -n: the command make would run, without running it (or the setup before it).
    done = subprocess.run(
        ["make", "-n", "local-up", "PORT=4567"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "-m selfheal local up --port 4567" in done.stdout
