"""What the embedded-cloud tests share: a state machine created from a definition, the
smallest definition for tests about executions rather than what they run, and a job that
leaves a SIGTERM-ignoring child behind (with the check whether a pid still runs)."""

from __future__ import annotations

import io
import json
import socket
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


def create_machine(cloud: LocalCloud, definition: dict[str, Any], name: str = "m") -> str:
    """CreateStateMachine in `cloud`; the new machine's ARN. A MockConfigFile names the
    machine its test cases are for, so callers that use one pass that name."""
    arn: str = cloud.client("stepfunctions").create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=SFN_ROLE
    )["stateMachineArn"]
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
