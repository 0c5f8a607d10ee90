"""`mock_config`: Step Functions Local's MockConfigFile; start `<stateMachineArn>#<TestCase>`."""

from __future__ import annotations

import dataclasses
from typing import Any

from localcloud.extensions.patching import PatchSet
from localcloud.extensions.start_execution import Proceed, StartRequest, add_step


def _start_with_test_case(backend: Any, request: StartRequest, proceed: Proceed) -> Any:
    from localcloud import mock_config

    arn, _, test_case = request.state_machine_arn.partition("#")
    if not test_case:
        return proceed(request)
    state_machine_name = arn.split(":")[6]
    mock_config.PENDING.case = mock_config.load_test_case(state_machine_name, test_case)
    try:
        return proceed(dataclasses.replace(request, state_machine_arn=arn))
    finally:
        mock_config.PENDING.case = None


def install(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.backend.execution import Execution

    from localcloud import mock_config

    original_worker: Any = Execution._get_start_execution_worker

    def get_worker(self: Any) -> Any:
        worker: Any = original_worker(self)
        case = getattr(mock_config.PENDING, "case", None)
        if case is not None:
            worker._mock_test_case = case
        return worker

    add_step(patches, "mock_config", _start_with_test_case)
    patches.replace(Execution, "_get_start_execution_worker", get_worker)
