"""`jsonata`: JSONata through jsonata-python, with Step Functions' own functions.

moto 5.2.5 ships the JSONata plumbing with evaluation stubbed out. Evaluation errors become
`States.QueryEvaluationError`, as on AWS.
"""

from __future__ import annotations

import json
from typing import Any, cast

from localcloud.extensions.patching import PatchSet


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
    from moto.stepfunctions.parser.asl.component.common.string import string_expression
    from moto.stepfunctions.parser.asl.component.intrinsic import jsonata as intrinsic_jsonata
    from moto.stepfunctions.parser.asl.eval import states as states_module
    from moto.stepfunctions.parser.asl.eval import variable_store
    from moto.stepfunctions.parser.asl.eval.event import event_detail
    from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    from localcloud.jsonata_functions import JSONataEvaluationError, evaluate

    def eval_jsonata(expression: str) -> Any:
        try:
            return evaluate(expression)
        except JSONataEvaluationError as error:
            raise moto_jsonata.JSONataException(
                "States.QueryEvaluationError", str(error)
            ) from error

    def encode_declarations(bindings: dict[str, Any]) -> str:
        # moto quotes strings without escaping; JSON encoding is also a valid JSONata literal.
        return "".join(
            f"{name}:={_literal(value, to_json_str)};" for name, value in bindings.items()
        )

    original_eval_body = string_expression.StringJSONata._eval_body

    def eval_body(self: Any, env: Any) -> None:
        try:
            original_eval_body(self, env)
        except moto_jsonata.JSONataException as error:
            name = StatesErrorName(typ=StatesErrorNameType.StatesQueryEvaluationError)
            cause = (
                "An error occurred while evaluating the JSONata expression "
                f"'{self.expression}': {error.details}"
            )
            raise FailureEventException(
                FailureEvent(
                    env=env,
                    error_name=name,
                    event_type=HistoryEventType.EvaluationFailed,
                    event_details=cast(Any, event_detail.EventDetails)(
                        evaluationFailedEventDetails=EvaluationFailedEventDetails(
                            error=name.error_name, cause=cause
                        )
                    ),
                )
            ) from error

    patches.replace(moto_jsonata, "_eval_jsonata", eval_jsonata)
    # moto declares Step Functions' functions as JSONata text that would shadow the real ones.
    patches.replace(intrinsic_jsonata, "_DECLARATION_BY_VARIABLE_REFERENCE", {})
    for module in (moto_jsonata, states_module, variable_store):
        patches.replace(module, "encode_jsonata_variable_declarations", encode_declarations)
    patches.replace(string_expression.StringJSONata, "_eval_body", eval_body)


def _literal(value: Any, to_json_str: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    return str(to_json_str(value, separators=(",", ":")))
