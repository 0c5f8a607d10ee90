"""The serving processes behind local endpoints: one per endpoint variant, as SageMaker keeps a
container up per instance.

A variant's process starts when the endpoint goes InService on a config (CreateEndpoint, an
UpdateEndpoint that settles: `start_ahead`), in the background, as SageMaker starts its
containers before any request; a request that comes while it starts waits for it, one that finds
none (its start failed, or it ended) starts it. The model archive and the inference code are
staged as for a transform job (`transform_jobs.stage_model`); `transform_container.py --serve`
loads the model once, forked warm from the job forkserver (`warm_jobs`: the libraries are
already imported) unless jobs run cold. When the variant's model changes the old process ends
and a new one starts; deleting the endpoint ends its processes (`stop_endpoint`), stopping the
cloud ends them all (`stop_servers`). Every wait on a process is bounded.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from localcloud import process_groups, warm_jobs
from localcloud.job_staging import ObjectStore
from localcloud.jobs import Workspace
from localcloud.transform_jobs import stage_model

CONTAINER_SCRIPT = Path(__file__).with_name("transform_container.py")
# The container's start (importing pandas, scikit-learn and the model) is not an invocation's
# time; on a busy 2-core machine it takes seconds.
START_TIMEOUT_SECONDS = 180.0
# SageMaker's limit on a real-time invocation's response time.
INVOCATION_TIMEOUT_SECONDS = 60.0


class ContainerFailure(RuntimeError):
    """The serving process could not load the model, died, or did not answer in time."""

    def __init__(self, message: str, status: int = 500) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Invocation:
    """One InvokeEndpoint request, as the served model's container receives it."""

    endpoint_name: str
    body: bytes
    content_type: str | None
    accept: str | None
    target_variant: str | None = None
    inference_id: str | None = None


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str
    message: str
    model_seconds: float
    cpu_seconds: float
    resident_bytes: int
    # Spent starting the container for this request (SageMaker's is up before any request).
    start_seconds: float = 0.0


_Process = subprocess.Popen[bytes] | warm_jobs.PipedWarmProcess


@dataclass
class _Server:
    identity: str
    workspace: Workspace
    process: _Process
    log: IO[bytes]
    lock: threading.Lock = field(default_factory=threading.Lock)

    def stop(self) -> None:
        if self.process.poll() is None:
            # The process itself too: a warm one may not lead its group yet.
            for kill in (os.killpg, os.kill):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        process_groups.wait_until_gone(self.process.pid, time.monotonic() + 10)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self.log.close()
        self.workspace.__exit__()

    def log_tail(self) -> str:
        self.log.flush()
        text = Path(self.log.name).read_bytes()[-600:].decode("utf-8", "replace").strip()
        return f" (container log: ...{text})" if text else ""


@dataclass
class _Start:
    """A serving process starting in the background; `server` once it runs, `done` once it is
    ready (then in `_servers`) or failed."""

    identity: str
    done: threading.Event = field(default_factory=threading.Event)
    server: _Server | None = None
    cancelled: bool = False


_servers: dict[str, _Server] = {}
_starting: dict[str, _Start] = {}
_servers_lock = threading.Lock()


def _read_line(server: _Server, timeout: float) -> dict[str, Any]:
    stdout = server.process.stdout
    assert stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise ContainerFailure(
                f"the container gave no answer within {timeout:.0f} s{server.log_tail()}"
            )
    line = stdout.readline()
    if not line:
        raise ContainerFailure(f"the container exited{server.log_tail()}")
    message: dict[str, Any] = json.loads(line)
    return message


def _launch(
    identity: str, container: dict[str, Any], store: ObjectStore, environment: dict[str, str]
) -> _Server:
    """Stage the model and start its serving process (not yet waited for)."""
    workspace = Workspace()
    log: IO[bytes] | None = None
    try:
        model_dir, code_dir, program = stage_model(store, container, environment, workspace)
        config = {"model_dir": str(model_dir), "code_dir": str(code_dir), "program": program}
        config_path = workspace.root / "serve.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        log_path = workspace.root / "container.log"
        log = log_path.open("w+b")
        argv = [sys.executable, str(CONTAINER_SCRIPT), "--serve", str(config_path)]
        env = {**os.environ, **environment, "SM_MODEL_DIR": str(model_dir)}
        process: _Process
        if warm_jobs.runs_warm(argv):
            process = warm_jobs.PipedWarmProcess(argv, env, code_dir, log_path)
        else:
            process = subprocess.Popen(
                argv,
                cwd=code_dir,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,  # its own group: stopping it ends what it started
            )
    except BaseException:
        # Closed here, not when the traceback that holds it is dropped: the workspace it is in
        # goes now.
        if log is not None:
            log.close()
        workspace.__exit__()
        raise
    return _Server(identity, workspace, process, log)


def _until_ready(server: _Server) -> _Server:
    try:
        ready = _read_line(server, START_TIMEOUT_SECONDS)
    except BaseException:
        server.stop()
        raise
    if not ready.get("ready"):
        server.stop()
        raise ContainerFailure(f"the container could not load the model: {ready.get('message')}")
    return server


def _start(
    identity: str, container: dict[str, Any], store: ObjectStore, environment: dict[str, str]
) -> _Server:
    return _until_ready(_launch(identity, container, store, environment))


def _identity(container: dict[str, Any]) -> str:
    return json.dumps(container, sort_keys=True, default=str)


def _environment(container: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in (container.get("Environment") or {}).items()}


def start_ahead(
    variant_key: str, container: dict[str, Any], store: Callable[[], ObjectStore]
) -> None:
    """Start the variant's serving process in the background (the endpoint went InService on
    `container`), unless it runs or starts already. A failure here is the first request's to
    report: that request starts it again."""
    identity = _identity(container)
    start = _Start(identity)
    with _servers_lock:
        server = _servers.get(variant_key)
        if server is not None and server.identity == identity and server.process.poll() is None:
            return
        pending = _starting.get(variant_key)
        if pending is not None and pending.identity == identity:
            return
        if pending is not None:
            pending.cancelled = True
        _starting[variant_key] = start

    def work() -> None:
        try:
            _start_in_background(variant_key, start, container, store)
        finally:
            start.done.set()

    threading.Thread(target=work, name=f"endpoint-start-{variant_key}", daemon=True).start()


def _start_in_background(
    variant_key: str, start: _Start, container: dict[str, Any], store: Callable[[], ObjectStore]
) -> None:
    try:
        server = _launch(start.identity, container, store(), _environment(container))
    except Exception:
        with _servers_lock:
            if _starting.get(variant_key) is start:
                del _starting[variant_key]
        return
    with _servers_lock:
        start.server = server
        cancelled = start.cancelled
    if cancelled:
        server.stop()
        return
    try:
        _until_ready(server)
    except Exception:
        ready = False
    else:
        ready = True
    replaced = None
    with _servers_lock:
        if _starting.get(variant_key) is start:
            del _starting[variant_key]
        if ready and not start.cancelled:
            replaced = _servers.pop(variant_key, None)
            _servers[variant_key] = server
            server = None
    for stale in (replaced, server if ready else None):
        if stale is not None:
            stale.stop()


def _wait_for_start(variant_key: str, identity: str) -> None:
    """A request that comes while its server starts in the background waits for it (bounded)."""
    with _servers_lock:
        pending = _starting.get(variant_key)
    if pending is not None and pending.identity == identity:
        pending.done.wait(START_TIMEOUT_SECONDS + 10)


def invoke(
    variant_key: str,
    container: dict[str, Any],
    store: ObjectStore,
    body: bytes,
    content_type: str,
    accept: str,
) -> Answer:
    """Send one request to the variant's serving process (started, or restarted for another
    model, as needed) and return its answer."""
    environment = _environment(container)
    identity = _identity(container)
    _wait_for_start(variant_key, identity)
    with _servers_lock:
        server = _servers.get(variant_key)
        if server is not None and (
            server.identity != identity or server.process.poll() is not None
        ):
            _servers.pop(variant_key).stop()
            server = None
        start_seconds = 0.0
        if server is None:
            begun = time.perf_counter()
            server = _start(identity, container, store, environment)
            start_seconds = time.perf_counter() - begun
            _servers[variant_key] = server
    with server.lock:
        stdin = server.process.stdin
        assert stdin is not None
        request = {
            "body": base64.b64encode(body).decode("ascii"),
            "content_type": content_type,
            "accept": accept,
        }
        try:
            stdin.write((json.dumps(request) + "\n").encode("utf-8"))
            stdin.flush()
            answer = _read_line(server, INVOCATION_TIMEOUT_SECONDS)
        except (ContainerFailure, OSError) as error:
            with _servers_lock:
                if _servers.get(variant_key) is server:
                    del _servers[variant_key]
            server.stop()
            raise ContainerFailure(str(error)) from error
    return Answer(
        status=int(answer["status"]),
        body=base64.b64decode(answer.get("body", "")),
        content_type=str(answer.get("content_type", "")),
        message=str(answer.get("message", "")),
        model_seconds=float(answer["model_seconds"]),
        cpu_seconds=float(answer["cpu_seconds"]),
        resident_bytes=int(answer["resident_bytes"]),
        start_seconds=start_seconds,
    )


def _cancel(keys: list[str]) -> list[_Server]:
    """Under the lock: forget the servers of `keys` and cancel their starts; what to stop."""
    stopping = [_servers.pop(key) for key in keys if key in _servers]
    for key in [key for key in _starting if key in keys]:
        start = _starting.pop(key)
        start.cancelled = True
        if start.server is not None:
            stopping.append(start.server)
    return stopping


def _stop(servers: list[_Server]) -> None:
    for server in servers:
        if server.process.poll() is None:
            for kill in (os.killpg, os.kill):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    kill(server.process.pid, signal.SIGKILL)


def stop_endpoint(endpoint_arn: str) -> None:
    """End the serving processes of the endpoint's variants (it is being deleted). A start in
    the background ends itself once its process is killed."""
    with _servers_lock:
        keys = [key for key in {*_servers, *_starting} if key.startswith(f"{endpoint_arn}/")]
        starting = {id(s.server) for key, s in _starting.items() if key in keys}
        servers = _cancel(keys)
    _stop(servers)
    for server in servers:
        if id(server) not in starting:
            server.stop()


def stop_servers(timeout: float = 10.0) -> None:
    """End every serving process (the cloud is stopping), those starting included: their
    background starts end once their processes are killed (bounded by `timeout`)."""
    with _servers_lock:
        starts = list(_starting.values())
        servers = _cancel(list({*_servers, *_starting}))
        running = [s for s in servers if all(s is not start.server for start in starts)]
    _stop(servers)
    for server in running:
        server.stop()
    deadline = time.monotonic() + timeout
    for start in starts:
        start.done.wait(max(0.0, deadline - time.monotonic()))


def wait_for_starts(timeout: float) -> bool:
    """Wait until no serving process is starting (bounded by `timeout`); whether none is."""
    deadline = time.monotonic() + timeout
    with _servers_lock:
        starts = list(_starting.values())
    return all(start.done.wait(max(0.0, deadline - time.monotonic())) for start in starts)


def running_servers() -> list[str]:
    with _servers_lock:
        return [*_servers, *_starting]
