"""The local server: start in the background, reuse, stop; clients reach it over HTTP."""

from __future__ import annotations

import json
import time
from pathlib import Path

import boto3
import pytest

from localcloud import server
from tests.localcloud_helpers import free_port


def test_up_reuse_execute_down(tmp_path: Path) -> None:
    port = free_port()
    info, started = server.up(port, tmp_path)
    try:
        assert started and info.port == port
        assert json.loads((tmp_path / ".localcloud" / "server.json").read_text())["pid"] == info.pid
        again, started_again = server.up(port, tmp_path)
        assert (again, started_again) == (info, False)
        with pytest.raises(RuntimeError, match=f"already runs on port {port}"):
            server.up(free_port(), tmp_path)

        assert info.access_key_id and info.secret_access_key
        sfn = boto3.client(  # type: ignore[call-overload]
            "stepfunctions", region_name="us-east-1", **info.client_credentials()
        )
        definition = {
            "QueryLanguage": "JSONata",
            "StartAt": "H",
            "States": {"H": {"Type": "Pass", "Output": "{% $hash('x', 'MD5') %}", "End": True}},
        }
        arn = sfn.create_state_machine(
            name="h", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/r"
        )["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        deadline = time.monotonic() + 20
        status = "RUNNING"
        while status == "RUNNING" and time.monotonic() < deadline:
            described = sfn.describe_execution(executionArn=execution)
            status = described["status"]
            time.sleep(0.05)
        assert status == "SUCCEEDED"
        assert json.loads(described["output"]) == "9dd4e461268c8034f5c8564e155c67a6"
    finally:
        stopped = server.down(tmp_path)
    assert stopped == info
    assert not server.port_open(port)
    assert server.read_state(tmp_path) is None
    assert server.down(tmp_path) is None
