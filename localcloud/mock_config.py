"""Step Functions Local's MockConfigFile: mocked service responses per test case.

The file (JSON or JSON5) names, per state machine, test cases that map state names to entries
of `MockedResponses`; each entry maps attempt numbers (`"0"`, or ranges like `"1-2"`) to a
`Return` or a `Throw`. Attempts count per state: the first try is 0, each retry adds one.
Executions started as `<stateMachineArn>#<TestCase>` use that test case, as in Step Functions
Local. The file comes from `set_mock_config()` or the `SFN_MOCK_CONFIG` environment variable.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import json5
from moto.stepfunctions.parser.mocking.mock_config import (
    MockedResponse,
    MockedResponseReturn,
    MockedResponseThrow,
    MockTestCase,
    StateMockedResponses,
)

ENV_VAR = "SFN_MOCK_CONFIG"


class MockConfigError(ValueError):
    """The mock config file or the requested test case is not usable; the message says why."""


# The test case for the execution being started on this thread (set around StartExecution).
PENDING = threading.local()

_config: dict[str, Any] | None = None
_config_lock = threading.Lock()


def parse(text: str, source: str = "<mock config>") -> dict[str, Any]:
    try:
        raw = json5.loads(text)
    except ValueError as error:
        raise MockConfigError(f"{source}: not valid JSON/JSON5: {error}") from error
    if not isinstance(raw, dict):
        raise MockConfigError(f"{source}: the top level must be an object")
    for field in ("StateMachines", "MockedResponses"):
        if not isinstance(raw.get(field, {}), dict):
            raise MockConfigError(f"{source}: {field} must be an object")
    return raw


def set_mock_config(config: str | Path | dict[str, Any] | None) -> None:
    """Use this config (a path, the parsed object, or None to fall back to SFN_MOCK_CONFIG)."""
    global _config
    with _config_lock:
        if config is None or isinstance(config, dict):
            _config = parse_dict(config) if config is not None else None
        else:
            path = Path(config)
            _config = parse(path.read_text(), str(path))


def parse_dict(config: dict[str, Any]) -> dict[str, Any]:
    return parse(json5.dumps(config))


def current_config() -> dict[str, Any]:
    with _config_lock:
        if _config is not None:
            return _config
    path = os.environ.get(ENV_VAR)
    if not path:
        raise MockConfigError(
            f"an execution asked for a mock test case but no mock config is loaded: set {ENV_VAR} "
            "to a MockConfigFile or pass mock_config= to LocalCloud"
        )
    return parse(Path(path).read_text(), path)


def _range(key: str, where: str) -> tuple[int, int]:
    parts = key.strip().split("-")
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (1, 2) or min(numbers) < 0 or numbers[0] > numbers[-1]:
        raise MockConfigError(
            f'{where}: attempt key {key!r} must be a number like "0" or a range like "1-2"'
        )
    return numbers[0], numbers[-1]


def _response(key: str, body: Any, where: str) -> MockedResponse:
    start, end = _range(key, where)
    if not isinstance(body, dict) or ("Return" in body) == ("Throw" in body):
        raise MockConfigError(f"{where}[{key!r}]: give exactly one of Return or Throw")
    if "Return" in body:
        return MockedResponseReturn(start, end, body["Return"])
    throw = body["Throw"]
    if not isinstance(throw, dict) or not isinstance(throw.get("Error"), str):
        raise MockConfigError(f"{where}[{key!r}].Throw: Error (a string) is required")
    return MockedResponseThrow(start, end, throw["Error"], str(throw.get("Cause", "")))


def build_test_case(config: dict[str, Any], state_machine: str, test_case: str) -> MockTestCase:
    machines = config.get("StateMachines") or {}
    if state_machine not in machines:
        raise MockConfigError(f"StateMachines has no {state_machine!r} (has: {sorted(machines)})")
    cases = (machines[state_machine] or {}).get("TestCases") or {}
    if test_case not in cases:
        raise MockConfigError(
            f"StateMachines.{state_machine}.TestCases has no {test_case!r} (has: {sorted(cases)})"
        )
    responses = config.get("MockedResponses") or {}
    per_state: list[StateMockedResponses] = []
    for state_name, response_name in cases[test_case].items():
        where = f"MockedResponses.{response_name}"
        if response_name not in responses:
            raise MockConfigError(
                f"StateMachines.{state_machine}.TestCases.{test_case}.{state_name} names "
                f"{response_name!r}, which MockedResponses does not define"
            )
        entries = responses[response_name]
        if not isinstance(entries, dict) or not entries:
            raise MockConfigError(f"{where}: must map attempt numbers to Return/Throw")
        mocked = [_response(key, body, where) for key, body in entries.items()]
        try:
            per_state.append(StateMockedResponses(state_name, response_name, mocked))
        except RuntimeError as error:
            raise MockConfigError(f"{where}: {error}") from error
    return MockTestCase(state_machine, test_case, per_state)


def load_test_case(state_machine: str, test_case: str) -> MockTestCase:
    return build_test_case(current_config(), state_machine, test_case)
