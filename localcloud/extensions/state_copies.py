"""`state_data_copies`: a state's data is copied where a later change could be seen, and cheaply.

moto keeps each state's input, result and error output as Python objects and deep-copies them
with `copy.deepcopy` on every write and on every read: the state-entered and state-exited events
(which only serialise the input) each paid a full copy, and so did every other read. The values
stay independent as on AWS (a state that changes the value it was given changes nobody else's):

- writes (`reset`, `set_result`, `set_error_output`) and reads that hand the value on still copy,
  through `json_values.independent_copy` (several times faster than `deepcopy` on JSON);
- the two history events read the input without a copy: they only serialise it;
- `ResultPath` copies the result it merges, `Environment.program_state` its state, the same way.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from localcloud.extensions.patching import PatchSet
from localcloud.json_values import independent_copy

# Set on a `States` while its input is lent out to a reader that does not change it.
_LENT = "_localcloud_input_lent"


@contextmanager
def input_lent(states: Any) -> Iterator[None]:
    """Within the block, `states.get_input()` returns the stored input itself: for readers that
    only serialise it, or copy it anyway."""
    setattr(states, _LENT, True)
    try:
        yield
    finally:
        setattr(states, _LENT, False)


def install(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.component.state.state import CommonStateField
    from moto.stepfunctions.parser.asl.eval.environment import Environment
    from moto.stepfunctions.parser.asl.eval.program_state import ProgramEnded, ProgramRunning
    from moto.stepfunctions.parser.asl.eval.states import States
    from moto.stepfunctions.parser.asl.utils.json_path import extract_json

    def extract(query: str | None, data: Any) -> Any:
        return independent_copy(data if query is None else extract_json(query, data))

    def get_input(self: States, query: str | None = None) -> Any:
        data = self._states_data["input"]
        if query is not None:
            data = extract_json(query, data)
        return data if vars(self).get(_LENT) else independent_copy(data)

    def reset(self: States, input_value: Any) -> None:
        self._states_data["input"] = independent_copy(input_value)
        self._states_data["result"] = None
        self._states_data["errorOutput"] = None

    def set_result(self: States, result: Any) -> None:
        self._states_data["result"] = independent_copy(result)

    def set_error_output(self: States, error_output: Any) -> None:
        self._states_data["errorOutput"] = independent_copy(error_output)

    def lending(original: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        def event_details(self: Any, env: Any) -> Any:
            with input_lent(env.states):
                return original(self, env)

        return event_details

    def result_path_eval_body(self: Any, env: Any) -> None:
        # moto's method, with the copy of the merged result made by `independent_copy`.
        state_input = env.states.get_input()
        if self.result_path_src is None:
            env.stack.clear()
            env.stack.append(state_input)
            return
        current_output = env.stack.pop()
        result_expr = result_path.parse(self.result_path_src)
        merged = result_expr.update_or_create(state_input, independent_copy(current_output))
        env.stack.append(merged)

    def program_state(self: Any) -> Any:
        state = self._program_state
        # Their fields are strings (or none): a shallow copy is independent.
        if type(state) in (ProgramRunning, ProgramEnded):
            return copy.copy(state)
        return copy.deepcopy(state)

    patches.replace(States, "_extract", staticmethod(extract))
    patches.replace(States, "get_input", get_input)
    patches.replace(States, "reset", reset)
    patches.replace(States, "set_result", set_result)
    patches.replace(States, "set_error_output", set_error_output)
    for name in ("_get_state_entered_event_details", "_get_state_exited_event_details"):
        patches.replace(CommonStateField, name, lending(vars(CommonStateField)[name]))
    patches.replace(result_path.ResultPath, "_eval_body", result_path_eval_body)
    patches.replace(Environment, "program_state", program_state)
