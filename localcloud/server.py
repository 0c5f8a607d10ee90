"""The embedded cloud as a local HTTP server on 127.0.0.1, for `make local-up` / `local-down`.

`serve` runs it in the foreground and writes `.localcloud/server.json` (pid and port) in the
working directory; `up` starts it in the background or reuses a running one; `down` stops it.
Lambda handlers and job workers run inside the server process and reach it through
`AWS_ENDPOINT_URL`; moto's interpreter reaches it through `MOTO_PORT`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

DEFAULT_PORT = 4566
STATE_DIR = Path(".localcloud")
STATE_FILE = "server.json"
LOG_FILE = "server.log"
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class ServerInfo:
    pid: int
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _state_path(workdir: Path) -> Path:
    return workdir / STATE_DIR / STATE_FILE


def read_state(workdir: Path) -> ServerInfo | None:
    try:
        data = json.loads(_state_path(workdir).read_text())
        return ServerInfo(pid=int(data["pid"]), port=int(data["port"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def running(workdir: Path) -> ServerInfo | None:
    """The server recorded in `workdir`, if its process is alive and its port answers."""
    info = read_state(workdir)
    if info is None or not _alive(info.pid) or not port_open(info.port):
        return None
    return info


def serve(
    port: int,
    workdir: Path,
    ready: threading.Event | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Run the server in this process until SIGTERM (or `stop` is set); Ctrl-C (SIGINT) raises
    KeyboardInterrupt here after the same clean-up: job processes ended, the server stopped, the
    state file removed."""
    from moto.core.config import default_user_config
    from moto.server import ThreadedMotoServer

    from localcloud import sagemaker_jobs
    from localcloud.cloud import MOTO_CONFIG
    from localcloud.extensions import apply_extensions

    if port_open(port):
        raise SystemExit(f"port {port} on 127.0.0.1 is in use; pass --port N with a free port")
    os.environ["MOTO_PORT"] = str(port)
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    apply_extensions()
    for service, settings in MOTO_CONFIG.items():
        cast(dict[str, Any], default_user_config).setdefault(service, {}).update(settings)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    state = _state_path(workdir)
    try:
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps({"pid": os.getpid(), "port": port}))
        print(f"localcloud: serving on http://127.0.0.1:{port} (pid {os.getpid()})", flush=True)
        if ready is not None:
            ready.set()
        stop.wait()
    finally:
        sagemaker_jobs.stop_jobs()
        server.stop()
        if read_state(workdir) == ServerInfo(os.getpid(), port):
            state.unlink(missing_ok=True)


def up(port: int, workdir: Path) -> tuple[ServerInfo, bool]:
    """Start the server in the background, or reuse a running one. Returns (info, started)."""
    existing = running(workdir)
    if existing is not None:
        if existing.port != port:
            raise RuntimeError(
                f"a server from this folder already runs on port {existing.port} (pid "
                f"{existing.pid}); use that port, or stop it first (make local-down)"
            )
        return existing, False
    (workdir / STATE_DIR).mkdir(parents=True, exist_ok=True)
    _state_path(workdir).unlink(missing_ok=True)
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    with open(workdir / STATE_DIR / LOG_FILE, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "localcloud", "serve", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    try:
        while time.monotonic() < deadline:
            info = running(workdir)
            if info is not None and info.pid == process.pid:
                return info, True
            if process.poll() is not None:
                raise RuntimeError(
                    f"localcloud server exited with {process.returncode}; see "
                    f"{workdir / STATE_DIR / LOG_FILE}"
                )
            time.sleep(0.1)
    except KeyboardInterrupt:
        # Its own session keeps the terminal's Ctrl-C from it: a server nobody was told about
        # must not stay behind.
        _end(process)
        raise
    _end(process)
    raise RuntimeError(
        f"localcloud server did not answer on port {port} within {START_TIMEOUT_SECONDS} s"
    )


def _end(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT_SECONDS)


def down(workdir: Path) -> ServerInfo | None:
    """Stop the server recorded in `workdir`; returns what was stopped (None if nothing ran)."""
    info = read_state(workdir)
    if info is None or not _alive(info.pid):
        _state_path(workdir).unlink(missing_ok=True)
        return None
    os.kill(info.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while _alive(info.pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(info.pid, os.WNOHANG)
        time.sleep(0.05)
    if _alive(info.pid):
        os.kill(info.pid, signal.SIGKILL)
    _state_path(workdir).unlink(missing_ok=True)
    return info
