"""The serving processes behind local endpoints: one per endpoint variant, as SageMaker keeps a
container up per instance.

A variant's process starts on its first invocation (the model archive and the inference code
staged as for a transform job, `transform_jobs.stage_model`; `transform_container.py --serve`
loads the model once) and answers every later one; when the variant's model changes (an
UpdateEndpoint to another config) the old process ends and a new one starts. Stopping the cloud
ends them all (`stop_servers`). Every wait on a process is bounded.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

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


@dataclass
class _Server:
    identity: str
    workspace: Workspace
    process: subprocess.Popen[bytes]
    log: IO[bytes]
    lock: threading.Lock = field(default_factory=threading.Lock)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self.log.close()
        self.workspace.__exit__()

    def log_tail(self) -> str:
        self.log.flush()
        text = Path(self.log.name).read_bytes()[-600:].decode("utf-8", "replace").strip()
        return f" (container log: ...{text})" if text else ""


_servers: dict[str, _Server] = {}
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


def _start(
    identity: str, container: dict[str, Any], store: ObjectStore, environment: dict[str, str]
) -> _Server:
    workspace = Workspace()
    try:
        model_dir, code_dir, program = stage_model(store, container, environment, workspace)
        config = {"model_dir": str(model_dir), "code_dir": str(code_dir), "program": program}
        config_path = workspace.root / "serve.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        log = (workspace.root / "container.log").open("w+b")
        process = subprocess.Popen(
            [sys.executable, str(CONTAINER_SCRIPT), "--serve", str(config_path)],
            cwd=code_dir,
            env={**os.environ, **environment, "SM_MODEL_DIR": str(model_dir)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,  # its own group: stopping it ends what it started
        )
    except BaseException:
        workspace.__exit__()
        raise
    server = _Server(identity, workspace, process, log)
    try:
        ready = _read_line(server, START_TIMEOUT_SECONDS)
    except BaseException:
        server.stop()
        raise
    if not ready.get("ready"):
        server.stop()
        raise ContainerFailure(f"the container could not load the model: {ready.get('message')}")
    return server


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
    environment = {k: str(v) for k, v in (container.get("Environment") or {}).items()}
    identity = json.dumps(container, sort_keys=True, default=str)
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


def stop_servers() -> None:
    """End every serving process (the cloud is stopping)."""
    with _servers_lock:
        servers = list(_servers.values())
        _servers.clear()
    for server in servers:
        server.stop()


def running_servers() -> list[str]:
    with _servers_lock:
        return list(_servers)
