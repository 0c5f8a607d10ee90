"""The embedded cloud as a local HTTP server on 127.0.0.1, for `make local-up` / `local-down`.

`serve` runs it in the foreground and writes `.localcloud/server.json` (pid, port and the
server's credentials; readable by the user alone) in the working directory; `up` starts it in the
background or reuses a running one; `down` stops it. Lambda handlers and job workers run inside
the server process and reach it through `AWS_ENDPOINT_URL`; moto's interpreter reaches it through
`MOTO_PORT`. Only requests signed with the server's credentials, naming it as their Host and sent
by no web page reach it (`request_guard`). The state file is written whole (renamed into
place), and neither it, the log nor `.localcloud/` is followed when it is a symlink; `down`
signals only the localcloud server of its own folder (its command line and working folder).
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

from localcloud import workspace_paths

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


def _state_dir(workdir: Path) -> Path:
    """`.localcloud/`, created when missing; a symlink there is refused, not followed."""
    try:
        state_dir = workspace_paths.private_dir(workdir / STATE_DIR)
    except workspace_paths.EscapeError as error:
        raise RuntimeError(f"{error}; localcloud keeps its state only in a real folder") from error
    state_dir.chmod(0o700)  # a folder made by an older server; its log names the key too
    return state_dir


def _forget(workdir: Path) -> None:
    if not (workdir / STATE_DIR).is_symlink():
        _state_path(workdir).unlink(missing_ok=True)


class NotOurServer(RuntimeError):
    """The state file names a live process that is not this folder's localcloud server."""


def _command_line(pid: int) -> list[str] | None:
    """`pid`'s argv, from /proc or else `ps`; None when neither can tell."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        return [part.decode(errors="replace") for part in raw.split(b"\0") if part]
    except FileNotFoundError:
        if Path("/proc/self").exists():
            return []  # /proc exists but not this pid: it has just ended
    except OSError:
        return None
    try:  # no /proc (macOS): ps gives the arguments as one line
        found = subprocess.run(
            ["ps", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found.stdout.split() if found.returncode == 0 else []


def _working_dir(pid: int) -> Path | None:
    try:
        return Path(os.readlink(f"/proc/{pid}/cwd")).resolve()
    except OSError:
        return None  # no /proc, or another user's process


def _not_ours(pid: int, workdir: Path) -> str | None:
    """Why `pid` is not this folder's server (`python -m localcloud serve`, run in `workdir`), or
    None when it is. A stale state file whose pid was reused, a forged one, or one copied from
    another folder must not make `down` signal some other process."""
    argv = _command_line(pid)
    if argv is None:
        return "its command line cannot be read (another user's process?)"
    shown = " ".join(argv)
    shown = shown if len(shown) <= 120 else shown[:117] + "..."
    serves = any(
        argv[i : i + 3] == ["-m", "localcloud", "serve"] for i in range(max(len(argv) - 2, 0))
    )
    if not serves:
        if not argv:  # a process between fork and exec, a zombie, or a kernel thread
            return "its command line is empty"
        return f"it runs `{shown}`, not `python -m localcloud serve`"
    cwd = _working_dir(pid)
    if cwd is not None and cwd != workdir.resolve():
        return f"it is the localcloud server of another folder, {cwd}"
    return None


def read_state(workdir: Path) -> ServerInfo | None:
    path = _state_path(workdir)
    if path.parent.is_symlink() or path.is_symlink():
        return None
    try:
        data = json.loads(path.read_text())
        return ServerInfo(
            pid=int(data["pid"]),
            port=int(data["port"]),
            access_key_id=data.get("access_key_id"),
            secret_access_key=data.get("secret_access_key"),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_state(workdir: Path, info: ServerInfo) -> None:
    """The state file holds the server's credentials: written whole, readable by the user alone
    (a temporary file, created 0600, renamed into place)."""
    workspace_paths.write_atomic(_state_dir(workdir), STATE_FILE, json.dumps(asdict(info)).encode())


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


def port_in_use(port: int) -> str:
    return (
        f"port {port} on 127.0.0.1 is in use by another process; choose another with "
        f"`make local-up PORT=N` (or `--port N`), or stop what holds {port}"
    )


def _last_line(log_path: Path) -> str:
    """What the server said last (why it exited), bounded to the log's last 4 KB."""
    try:
        with log_path.open("rb") as log:
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - 4096))
            lines = log.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return "no log"
    return lines[-1] if lines else "nothing in its log"


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

    from localcloud import recorder, sagemaker_jobs
    from localcloud.cloud import MOTO_CONFIG
    from localcloud.extensions import apply_extensions
    from localcloud.server_app import adopt_credentials, new_credentials, start_http_server

    if port_open(port):
        raise SystemExit(f"localcloud: {port_in_use(port)}")
    try:
        _state_dir(workdir)
        if _state_path(workdir).is_symlink():  # refused before anything starts
            raise RuntimeError(f"'{_state_path(workdir)}' is a symlink; remove it")
    except RuntimeError as error:
        raise SystemExit(f"localcloud: {error}") from error
    credentials = new_credentials()
    adopt_credentials(credentials, port)
    apply_extensions()
    for service, settings in MOTO_CONFIG.items():
        cast(dict[str, Any], default_user_config).setdefault(service, {}).update(settings)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    # The server's records (pending endpoint updates among them), as a LocalCloud has its own.
    records = recorder.CloudRecords()
    recorder.activate(records, f"the localcloud server on port {port}")
    try:
        http_server = start_http_server(port, credentials)
    except BaseException:
        recorder.deactivate(records)
        raise
    info = ServerInfo(
        pid=os.getpid(),
        port=port,
        access_key_id=credentials.access_key_id,
        secret_access_key=credentials.secret_access_key,
    )
    try:
        try:
            _write_state(workdir, info)
        except (workspace_paths.EscapeError, RuntimeError) as error:
            raise SystemExit(f"localcloud: {error}") from error
        print(f"localcloud: serving on {info.url} (pid {info.pid})", flush=True)
        if ready is not None:
            ready.set()
        _evaluate_alarms_until(stop)
    finally:
        sagemaker_jobs.stop_jobs()
        http_server.shutdown()
        http_server.server_close()
        if read_state(workdir) == info:
            _forget(workdir)
        recorder.deactivate(records)


def _evaluate_alarms_until(stop: threading.Event) -> None:
    """Alarms are evaluated as real time passes (a metric that stops coming counts as missing),
    every `alarm_clock.TICK_SECONDS` until `stop` is set."""
    from localcloud import alarm_clock

    while not stop.wait(alarm_clock.TICK_SECONDS):
        try:
            alarm_clock.tick()
        except Exception as error:  # one failed evaluation must not stop the server
            print(f"localcloud: alarm evaluation failed: {error!r}", flush=True)


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
    if port_open(port):
        # Said here, in the terminal: the server would only say it in its log.
        raise RuntimeError(port_in_use(port))
    state_dir = _state_dir(workdir)
    _forget(workdir)
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    try:
        log = workspace_paths.open_append(state_dir, LOG_FILE)
    except workspace_paths.EscapeError as error:
        raise RuntimeError(f"{error}; localcloud writes its log only to a real file") from error
    with log:
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
                log_path = workdir / STATE_DIR / LOG_FILE
                raise RuntimeError(
                    f"localcloud server exited with {process.returncode}: "
                    f"{_last_line(log_path)} (the whole log: {log_path})"
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
    """Stop the server recorded in `workdir`; returns what was stopped (None if nothing ran).

    A live process that is not this folder's server is left running: the stale state file is
    removed and NotOurServer says what the process was."""
    info = read_state(workdir)
    if info is None or not _alive(info.pid):
        _forget(workdir)
        return None
    why = _not_ours(info.pid, workdir)
    if why is not None:
        _forget(workdir)
        raise NotOurServer(
            f"{STATE_DIR / STATE_FILE} names pid {info.pid}, which is not this folder's "
            f"localcloud server: {why}. Left it running and removed the stale state file"
        )
    os.kill(info.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while _alive(info.pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(info.pid, os.WNOHANG)
        time.sleep(0.05)
    if _alive(info.pid):
        os.kill(info.pid, signal.SIGKILL)
    _forget(workdir)
    return info
