"""How data flows through a state, as Step Functions does it.

- `assign_after_output`: a state's `Assign` is evaluated where moto evaluates it (on the state's
  result, before `ResultSelector`), but the variables take their new values only once the state's
  output is settled. On AWS, `Assign` and `Output`/`OutputPath` are evaluated side by side, so an
  `OutputPath: "$answer"` or an `Output` reading `$answer` in the state that assigns `answer` still
  sees its previous value; moto set the variables first.
- `assign_string_literals`: a string in `Assign` is the JSON string's value (`"\\""` assigns one
  double quote); moto kept it as written in the definition, escapes and all.
- `jsonata_timestamp_errors`: a Wait state's JSONata `Timestamp` that is no ISO-8601 date-time
  fails the state with `States.QueryEvaluationError`, as on AWS (moto: `States.Runtime`).
- `propagated_error_names`: a Map iteration or Parallel branch that fails with a `States.*` error
  (a `States.TaskFailed` it did not catch, a `States.QueryEvaluationError`) fails its Map or
  Parallel state with that error; moto rejected the `States.` prefix there with a ValueError that
  surfaced as `States.Runtime`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from localcloud.extensions.patching import PatchSet

# Where an environment holds the assignments its current state has evaluated but not yet made.
_PENDING = "_localcloud_pending_assignments"


def install_assign_after_output(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.component.common.assign.assign_decl import AssignDecl
    from moto.stepfunctions.parser.asl.component.state.choice.state_choice import StateChoice
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
    from moto.stepfunctions.parser.asl.component.state.state import CommonStateField

    def evaluate_assignments(self: Any, env: Any) -> None:
        declarations: dict[str, Any] = {}
        for binding in self.declaration_bindings:
            binding.eval(env=env)
            declarations.update(env.stack.pop())
        # Replacing what is pending: a state makes the assignments of its last attempt only.
        setattr(env, _PENDING, declarations)

    def assigning_after(original: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
        def eval_state_output(self: Any, env: Any) -> None:
            original(self, env)
            pending: dict[str, Any] = vars(env).pop(_PENDING, None) or {}
            for name, value in pending.items():
                env.variable_store.set(variable_identifier=name, variable_value=value)

        return eval_state_output

    patches.replace(AssignDecl, "_eval_body", evaluate_assignments)
    # Each class's own output step: a Catch's outcome and a Choice's branch bypass the base one.
    for state_class in (CommonStateField, ExecutionState, StateChoice):
        original = vars(state_class)["_eval_state_output"]
        patches.replace(state_class, "_eval_state_output", assigning_after(original))


def install_propagated_error_names(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.component.common.error_name.error_name import ErrorName
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import (
        iteration_worker,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import branches_decl

    class PropagatedErrorName(ErrorName):
        """The error a failed iteration or branch ended with, whatever its prefix."""

    patches.replace(iteration_worker, "CustomErrorName", PropagatedErrorName)
    patches.replace(branches_decl, "CustomErrorName", PropagatedErrorName)


def install_assign_string_literals(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.component.common.assign import (
        assign_template_value_terminal as terminals,
    )
    from moto.stepfunctions.parser.asl.component.common.query_language import QueryLanguageMode
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    def string_literal(self: Any, ctx: Any) -> Any:
        # The token is the JSON string as the definition spells it, quotes included.
        return terminals.AssignTemplateValueTerminalLit(
            value=json.loads(ctx.string_literal().getText())
        )

    jsonata_string = Preprocessor.visitAssign_template_value_terminal_string_jsonata

    def string_like_jsonata(self: Any, ctx: Any) -> Any:
        # In a JSONPath state, `"{% ... %}"` is a string like any other.
        if self._get_current_query_language().query_language_mode == QueryLanguageMode.JSONata:
            return jsonata_string(self, ctx)
        text = ctx.string_jsonata().getText()
        return terminals.AssignTemplateValueTerminalLit(value=json.loads(text))

    patches.replace(
        Preprocessor, "visitAssign_template_value_terminal_string_literal", string_literal
    )
    patches.replace(
        Preprocessor, "visitAssign_template_value_terminal_string_jsonata", string_like_jsonata
    )


def install_jsonata_timestamp_errors(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.api import ExecutionFailedEventDetails, HistoryEventType
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
        StatesErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.component.common.string.string_expression import (
        StringJSONata,
    )
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp import (
        Timestamp,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    jsonpath_failure = Timestamp._create_failure_event

    def failure_event(self: Any, env: Any, timestamp: str) -> Any:
        if not isinstance(self.string, StringJSONata):
            return jsonpath_failure(self, env, timestamp)
        error = StatesErrorNameType.StatesQueryEvaluationError
        cause = (
            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time "
            f"format string: {timestamp}"
        )
        details = ExecutionFailedEventDetails(error=error.to_name(), cause=cause)
        return FailureEvent(
            env=env,
            error_name=StatesErrorName(typ=error),
            event_type=HistoryEventType.ExecutionFailed,
            event_details=EventDetails(executionFailedEventDetails=details),
        )

    patches.replace(Timestamp, "_create_failure_event", failure_event)
