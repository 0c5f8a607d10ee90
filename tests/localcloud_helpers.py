"""What the embedded-cloud tests share: a state machine created from a definition, the
smallest definitions for tests about executions rather than what they run, a Lambda function
created with the role it runs as, a count of a function's calls, and a job that
leaves a SIGTERM-ignoring child behind (with the check whether a pid still runs), and a Lambda
handler package the test process imports with the placeholder code its function is created with."""

from __future__ import annotations

import importlib
import io
import json
import socket
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from localcloud import LocalCloud, server

SFN_ROLE = "arn:aws:iam::123456789012:role/sfn"
# The trust policy of a role a Lambda function runs as.
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"Service": "lambda.amazonaws.com"},
        }
    ],
}
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
# Eight history events: ExecutionStarted, three states entered and exited, ExecutionSucceeded.
THREE_PASSES = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Pass", "End": True},
    },
}


def create_machine(cloud: LocalCloud, definition: dict[str, Any], name: str = "m") -> str:
    """CreateStateMachine in `cloud`; the new machine's ARN. A MockConfigFile names the
    machine its test cases are for, so callers that use one pass that name."""
    arn: str = cloud.client("stepfunctions").create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=SFN_ROLE
    )["stateMachineArn"]
    return arn


def create_function(
    client: Any,
    name: str,
    handler: str,
    *,
    code: bytes | None = None,
    environment: dict[str, str] | None = None,
    role_name: str = "lambda",
) -> str:
    """A Lambda function (and the role it runs as) through `client(service)`; its ARN. The code
    is `placeholder_zip()` unless given: the handler's package is the test process's."""
    role = client("iam").create_role(
        RoleName=role_name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )
    settings: dict[str, Any] = {"Environment": {"Variables": environment}} if environment else {}
    arn: str = client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role["Role"]["Arn"],
        Handler=handler,
        Code={"ZipFile": placeholder_zip() if code is None else code},
        **settings,
    )["FunctionArn"]
    return arn


# The job starts a child that ignores SIGTERM, as a stuck worker would; each writes its pid to the
# file named by the argument, the child once it ignores SIGTERM.
STUBBORN = (
    "import os, signal, sys, time\\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\\n"
    "open(sys.argv[1], 'a').write(f' {os.getpid()}')\\n"
    "while True: time.sleep(0.05)"
)
SPAWNS = """
import os, pathlib, subprocess, sys, time
pathlib.Path(sys.argv[1]).write_text(str(os.getpid()))
subprocess.Popen([sys.executable, '-c', "STUBBORN", sys.argv[1]])
while True:
    time.sleep(0.05)
""".replace("STUBBORN", STUBBORN)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left to collect


def tar_gz(files: dict[str, bytes]) -> bytes:
    """A gzipped tar of ``files`` (member name -> body): a model.tar.gz or a sourcedir.tar.gz."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, body in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(workdir: Path) -> Iterator[server.ServerInfo]:
    """The embedded cloud's server for ``workdir`` on a free port, stopped afterwards; its
    ServerInfo."""
    info, _ = server.up(free_port(), workdir)
    try:
        yield info
    finally:
        server.down(workdir)


def placeholder_zip() -> bytes:
    """A function's Code for handlers the test process imports itself (the embedded cloud runs a
    function's handler from this process's modules)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("placeholder.py", "")
    return buffer.getvalue()


def handler_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, package: str, module: str, source: str
) -> Iterator[Any]:
    """A fixture body: `package.module` written from `source` and importable; yields the module,
    then forgets every module of the package."""
    folder = tmp_path / package
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / f"{module}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module(f"{package}.{module}")
    for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
        del sys.modules[name]


@contextmanager
def counting_calls(
    monkeypatch: pytest.MonkeyPatch, target: Any, name: str, only: Any = None
) -> Iterator[list[Any]]:
    """Counts calls of `target.name` (those `only(frame)` accepts) while the block runs."""
    calls: list[Any] = []
    original = getattr(target, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        if only is None or only(sys._getframe(1)):
            calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, counted)
    try:
        yield calls
    finally:
        monkeypatch.setattr(target, name, original)
