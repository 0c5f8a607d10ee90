"""The same MockConfigFile test cases on an external Step Functions (Step Functions Local or
LocalStack) named by SFN_ENDPOINT; skipped when it is not set.

The endpoint must serve the other services at the same URL (LocalStack does) and must have been
started with this folder's `mock_config.json` as its mock config (Step Functions Local:
`SFN_MOCK_CONFIG=tests/scenarios/mock_config.json`). Use a fresh endpoint: the stack is created
once per session with the dev environment's names. Only the history is compared here; the side
effects are checked by the embedded-cloud scenarios.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pytest

from environments.settings import load_settings
from localcloud.remote import RemoteStepFunctions
from tests.scenarios.cases import CASES, run_case, states_entered
from tests.scenarios.stack import Stack, deploy_stack

_stacks: dict[str, Stack] = {}


def _stack(endpoint: RemoteStepFunctions) -> Stack:
    if endpoint.endpoint_url not in _stacks:
        _stacks[endpoint.endpoint_url] = deploy_stack(endpoint.client, load_settings("dev"))
    return _stacks[endpoint.endpoint_url]


@pytest.mark.parametrize("name", sorted(CASES))
def test_mock_config_case_takes_the_same_path(sfn_endpoint: RemoteStepFunctions, name: str) -> None:
    stack = _stack(sfn_endpoint)
    # Execution names are unique per run: an external endpoint keeps earlier executions.
    case = dataclasses.replace(
        CASES[name], execution=f"{CASES[name].execution}-{uuid.uuid4().hex[:8]}"
    )
    result: dict[str, Any] = run_case(
        sfn_endpoint, stack.settings, stack.state_machines["retrain"], case
    )
    assert result["status"] == case.status, result
    assert states_entered(sfn_endpoint, result["executionArn"]) == list(case.states)
