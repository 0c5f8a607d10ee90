"""A function's environment variables belong to its invocation: the thread running it sees them,
no other thread does, and nothing is left in the process's environment afterwards."""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localcloud import LocalCloud
from tests.localcloud_helpers import create_function, handler_package

HANDLER = """
import os
import threading

entered = threading.Event()
release = threading.Event()

def handler(event, context):
    entered.set()
    release.wait(10)
    os.environ["WRITTEN_BY_HANDLER"] = "yes"
    del os.environ["REMOVED_BY_HANDLER"]
    return {
        "stage": os.environ["STAGE"],
        "name": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
        "removed_seen": "REMOVED_BY_HANDLER" in os.environ,
        "listed": sorted(k for k in os.environ if k in ("STAGE", "WRITTEN_BY_HANDLER")),
    }
"""


@pytest.fixture
def probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("REMOVED_BY_HANDLER", "still here")
    yield from handler_package(tmp_path, monkeypatch, "lc_env_probe", "probe", HANDLER)


def test_only_the_invocations_thread_sees_the_functions_variables(
    localcloud: LocalCloud, probe: Any
) -> None:
    create_function(
        localcloud.client, "probe", "lc_env_probe.probe.handler", environment={"STAGE": "dev"}
    )
    answers: list[dict[str, Any]] = []

    def invoke() -> None:
        response = localcloud.client("lambda").invoke(FunctionName="probe", Payload="{}")
        answers.append(json.loads(response["Payload"].read()))

    caller = threading.Thread(target=invoke)
    caller.start()
    try:
        assert probe.entered.wait(10), "the handler never started"
        # Another thread, while the function runs: as another container would, it sees none of
        # the function's variables, and reading the whole environment (as urllib's proxy
        # lookup does whenever botocore builds a client) never meets a key being removed.
        assert "STAGE" not in os.environ
        assert "AWS_LAMBDA_FUNCTION_NAME" not in dict(os.environ)
        assert urllib.request.getproxies_environment() is not None
    finally:
        probe.release.set()
        caller.join(10)
    assert answers == [
        {
            "stage": "dev",
            "name": "probe",
            "removed_seen": False,
            "listed": ["STAGE", "WRITTEN_BY_HANDLER"],
        }
    ]
    # What the handler wrote or removed stayed with its invocation.
    assert "WRITTEN_BY_HANDLER" not in os.environ
    assert os.environ["REMOVED_BY_HANDLER"] == "still here"
    assert "STAGE" not in os.environ
