"""The embedded Step Functions under concurrency: a parent waits on its nested `.sync` child
without describing it over and over (`signalled_sync`), and DescribeExecution finds an
execution without reading every other one (`execution_index`)."""

from __future__ import annotations

import importlib
import io
import json
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from tests.localcloud_helpers import LAMBDA_TRUST, create_machine

# The child stays RUNNING until it has been looked at three times, or for at most 1.5 s (three of
# moto's own polls of a nested execution).
HOLD = """
import threading

third_look = threading.Event()

def handler(event, context):
    third_look.wait(1.5)
    return {"held": True}
"""


@pytest.fixture
def hold_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    package = tmp_path / "lc_hold"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "hold.py").write_text(HOLD)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("lc_hold.hold")
    for name in [m for m in sys.modules if m.startswith("lc_hold")]:
        del sys.modules[name]


def _parent_of_held_child(cloud: LocalCloud) -> str:
    role = cloud.client("iam").create_role(
        RoleName="lambda", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("placeholder.py", "")
    cloud.client("lambda").create_function(
        FunctionName="hold",
        Runtime="python3.11",
        Role=role["Role"]["Arn"],
        Handler="lc_hold.hold.handler",
        Code={"ZipFile": buffer.getvalue()},
    )
    child = create_machine(
        cloud,
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Hold",
            "States": {
                "Hold": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Arguments": {"FunctionName": "hold", "Payload": {}},
                    "End": True,
                }
            },
        },
        "child",
    )
    return create_machine(
        cloud,
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Child",
            "States": {
                "Child": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Arguments": {"StateMachineArn": child, "Input": {}},
                    "End": True,
                }
            },
        },
        "parent",
    )


def _looks_while_running(
    cloud: LocalCloud, hold: Any, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], int]:
    from moto.stepfunctions.models import StepFunctionBackend

    parent = _parent_of_held_child(cloud)
    looks: list[str] = []
    describe = StepFunctionBackend.describe_execution

    def counted(self: Any, execution_arn: str) -> Any:
        execution = describe(self, execution_arn)
        if ":execution:child:" in execution_arn:
            looks.append(execution.status)
            if looks.count("RUNNING") >= 3:
                hold.third_look.set()
        return execution

    monkeypatch.setattr(StepFunctionBackend, "describe_execution", counted)
    result = cloud.start_and_wait(parent, {}, name="p1")
    return result, looks.count("RUNNING")


def test_a_parent_is_woken_by_its_nested_child_ending_not_by_polling(
    localcloud: LocalCloud, hold_module: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, running_looks = _looks_while_running(localcloud, hold_module, monkeypatch)
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"])["Output"]["Payload"] == {"held": True}
    # Right after StartExecution: the lookup of the child's worker and the first describe; the
    # next look is when the child has ended.
    assert running_looks == 2


def test_without_the_extension_the_parent_polls_its_child(
    hold_module: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with extensions_disabled("signalled_sync"), LocalCloud() as cloud:
        result, running_looks = _looks_while_running(cloud, hold_module, monkeypatch)
    assert result["status"] == "SUCCEEDED", result
    assert running_looks >= 3


class _ReadList(list[Any]):
    """A state machine's execution list that counts the times it is read from start to end."""

    reads = 0

    def __iter__(self) -> Iterator[Any]:
        _ReadList.reads += 1
        return super().__iter__()


def _described_reads(cloud: LocalCloud) -> int:
    from moto.stepfunctions.responses import get_backend

    arn = create_machine(
        cloud, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "many"
    )
    runs = [cloud.start_and_wait(arn, {}, name=f"run-{i}")["executionArn"] for i in range(5)]
    state_machine = get_backend(cloud.account_id, cloud.region).describe_state_machine(arn)
    state_machine.executions = _ReadList(state_machine.executions)
    _ReadList.reads = 0
    sfn = cloud.client("stepfunctions")
    for execution_arn in runs * 3:
        assert sfn.describe_execution(executionArn=execution_arn)["status"] == "SUCCEEDED"
    return _ReadList.reads


def test_describe_execution_is_a_lookup(localcloud: LocalCloud) -> None:
    assert _described_reads(localcloud) == 0


def test_without_the_extension_describe_execution_reads_every_execution() -> None:
    with extensions_disabled("execution_index"), LocalCloud() as cloud:
        assert _described_reads(cloud) >= 15
