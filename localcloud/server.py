"""The embedded cloud as a local HTTP server on 127.0.0.1, for `make local-up` / `local-down`.

`serve` runs it in the foreground and writes `.localcloud/server.json` (pid, port and the
server's credentials; readable by the user alone) in the working directory; `up` starts it in the
background or reuses a running one; `down` stops it. Lambda handlers and job workers run inside
the server process and reach it through `AWS_ENDPOINT_URL`; moto's interpreter reaches it through
`MOTO_PORT`. Only requests signed with the server's credentials, naming it as their Host and sent
by no web page reach it (`request_guard`).
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
from dataclasses import asdict, dataclass
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
    access_key_id: str | None = None
    secret_access_key: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def exports(self) -> list[str]:
        """Shell lines that point the AWS CLI and SDKs at this server, signed as it requires."""
        values = {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
        }
        return [f"export {name}={value}" for name, value in values.items() if value]

    def client_credentials(self) -> dict[str, str]:
        """boto3 client keyword arguments: the endpoint and the credentials it requires."""
        credentials = {"endpoint_url": self.url}
        if self.access_key_id and self.secret_access_key:
            credentials["aws_access_key_id"] = self.access_key_id
            credentials["aws_secret_access_key"] = self.secret_access_key
        return credentials


def _state_path(workdir: Path) -> Path:
    return workdir / STATE_DIR / STATE_FILE


def read_state(workdir: Path) -> ServerInfo | None:
    try:
        data = json.loads(_state_path(workdir).read_text())
        return ServerInfo(
            pid=int(data["pid"]),
            port=int(data["port"]),
            access_key_id=data.get("access_key_id"),
            secret_access_key=data.get("secret_access_key"),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_state(workdir: Path, info: ServerInfo) -> None:
    """The state file holds the server's credentials: created readable by the user alone."""
    state = _state_path(workdir)
    state.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    state.parent.chmod(0o700)  # a folder made by an older server; its log names the key too
    state.unlink(missing_ok=True)
    descriptor = os.open(state, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(asdict(info), file)


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
    """Run the server in this process until SIGTERM/SIGINT (or `stop` is set)."""
    from moto.core.config import default_user_config

    from localcloud.cloud import MOTO_CONFIG
    from localcloud.extensions import apply_extensions
    from localcloud.server_app import adopt_credentials, new_credentials, start_http_server

    if port_open(port):
        raise SystemExit(f"port {port} on 127.0.0.1 is in use; pass --port N with a free port")
    credentials = new_credentials()
    adopt_credentials(credentials, port)
    apply_extensions()
    for service, settings in MOTO_CONFIG.items():
        cast(dict[str, Any], default_user_config).setdefault(service, {}).update(settings)
    http_server = start_http_server(port, credentials)
    info = ServerInfo(
        pid=os.getpid(),
        port=port,
        access_key_id=credentials.access_key_id,
        secret_access_key=credentials.secret_access_key,
    )
    _write_state(workdir, info)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    print(f"localcloud: serving on {info.url} (pid {info.pid})", flush=True)
    if ready is not None:
        ready.set()
    try:
        stop.wait()
    finally:
        http_server.shutdown()
        http_server.server_close()
        if read_state(workdir) == info:
            _state_path(workdir).unlink(missing_ok=True)


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
    (workdir / STATE_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
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
    process.terminate()
    raise RuntimeError(
        f"localcloud server did not answer on port {port} within {START_TIMEOUT_SECONDS} s"
    )


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
