"""`jsonata`: JSONata through jsonata-python, with Step Functions' own functions.

moto 5.2.5 ships the JSONata plumbing with evaluation stubbed out, and its design re-parses, on
every evaluation, the expression prefixed with every variable and `$states` written out as
literals. Here an expression is compiled once and evaluated with the variables and `$states`
bound as values. Evaluation errors, and expressions that yield nothing (undefined) or a
function, are `States.QueryEvaluationError`, as on AWS.

An evaluation binds only what its expression can read: the variables whose `$name` its text
holds, and of `$states` the parts it names (`$states.input`, ...; all of it when it uses
`$states` otherwise). Converting the whole scope and `$states` for every expression cost more
than evaluating most of them.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, cast

from localcloud.extensions.patching import PatchSet

_CACHED_REFERENCES = 4096
_STATES_KEYS = ("input", "context", "result", "errorOutput")
# `$states` and the part named right after it; no part named means all of `$states` is used.
_STATES_REFERENCE = re.compile(r"\$states(?:\.(" + "|".join(_STATES_KEYS) + r")\b)?")


@lru_cache(maxsize=_CACHED_REFERENCES)
def states_keys_read(expression: str) -> tuple[str, ...]:
    """The parts of `$states` that `expression` can read (none when it never names `$states`)."""
    parts = _STATES_REFERENCE.findall(expression)
    if "" in parts:
        return _STATES_KEYS
    return tuple(key for key in _STATES_KEYS if key in parts)


def install(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.api import EvaluationFailedEventDetails, HistoryEventType
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
        StatesErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.component.common.query_language import QueryLanguageMode
    from moto.stepfunctions.parser.asl.component.common.string import string_expression
    from moto.stepfunctions.parser.asl.component.intrinsic import jsonata as intrinsic_jsonata
    from moto.stepfunctions.parser.asl.eval import states as states_module
    from moto.stepfunctions.parser.asl.eval import variable_store
    from moto.stepfunctions.parser.asl.eval.event import event_detail
    from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    from localcloud.jsonata_functions import (
        JSONataEvaluationError,
        evaluate,
        evaluate_defined,
        json_to_jsonata,
    )

    references = lru_cache(maxsize=_CACHED_REFERENCES)(
        moto_jsonata.extract_jsonata_variable_references
    )

    def variables(env: Any, expression: str) -> dict[str, Any]:
        store = env.variable_store
        scope = {**store._outer_scope, **store._inner_scope}
        return {name: value for name, value in scope.items() if f"${name}" in expression}

    def with_states(env: Any, expression: str) -> dict[str, Any]:
        # Context objects can hold dates; the expression sees them as JSON does.
        data = env.states._states_data
        keys = states_keys_read(expression)
        if not keys:
            return {}
        return {"states": {key: json_to_jsonata(data[key]) for key in keys if key in data}}

    def query_error(env: Any, cause: str, *, record: bool) -> FailureEventException:
        name = StatesErrorName(typ=StatesErrorNameType.StatesQueryEvaluationError)
        details = EvaluationFailedEventDetails(error=name.error_name, cause=cause)
        event_details = cast(Any, event_detail.EventDetails)(evaluationFailedEventDetails=details)
        if record:
            env.event_manager.add_event(
                context=env.event_history_context,
                event_type=HistoryEventType.EvaluationFailed,
                event_details=event_details,
            )
        return FailureEventException(
            FailureEvent(
                env=env,
                error_name=name,
                event_type=HistoryEventType.EvaluationFailed,
                event_details=event_details,
            )
        )

    def evaluate_in(
        env: Any, expression: str, bindings: dict[str, Any], converted: dict[str, Any]
    ) -> tuple[bool, Any]:
        try:
            return evaluate_defined(expression, bindings, converted=converted)
        except JSONataEvaluationError as error:
            cause = (
                f"An error occurred while evaluating the JSONata expression '{expression}': {error}"
            )
            raise query_error(env, cause, record=False) from error

    def jsonata_eval_body(self: Any, env: Any) -> None:
        references(self.expression)  # rejects `$` and `$$`, as the service does
        expression = self.expression
        defined, value = evaluate_in(
            env, expression, variables(env, expression), with_states(env, expression)
        )
        if not defined:
            cause = f"The JSONata expression '{self.expression}' returned nothing (undefined)."
            raise query_error(env, cause, record=True)
        if callable(value):
            cause = (
                f"The JSONata expression '{self.expression}' returned an unsupported result type."
            )
            raise query_error(env, cause, record=True)
        env.stack.append(value)

    def variable_sample_eval_body(self: Any, env: Any) -> None:
        references(self.expression)
        expression = self.expression
        converted = {}
        if self.query_language_mode == QueryLanguageMode.JSONata:
            converted = with_states(env, expression)
        env.stack.append(evaluate_in(env, expression, variables(env, expression), converted)[1])

    def eval_jsonata(expression: str) -> Any:
        try:
            return evaluate(expression)
        except JSONataEvaluationError as error:
            raise moto_jsonata.JSONataException(
                "States.QueryEvaluationError", str(error)
            ) from error

    def encode_declarations(bindings: dict[str, Any]) -> str:
        # Still used for declarations moto writes out elsewhere: JSON-encoded strings are also
        # valid JSONata literals (moto quotes them without escaping).
        return "".join(
            f"{name}:={_literal(value, to_json_str)};" for name, value in bindings.items()
        )

    patches.replace(moto_jsonata, "_eval_jsonata", eval_jsonata)
    # moto declares Step Functions' functions as JSONata text that would shadow the real ones.
    patches.replace(intrinsic_jsonata, "_DECLARATION_BY_VARIABLE_REFERENCE", {})
    for module in (moto_jsonata, states_module, variable_store):
        patches.replace(module, "encode_jsonata_variable_declarations", encode_declarations)
    patches.replace(string_expression.StringJSONata, "_eval_body", jsonata_eval_body)
    patches.replace(string_expression.StringVariableSample, "_eval_body", variable_sample_eval_body)


def _literal(value: Any, to_json_str: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    return str(to_json_str(value, separators=(",", ":")))
