"""`definition_checks`: definitions are accepted or refused as AWS does, by the project's validator.

moto accepts what its parser happens to parse (an intrinsic function with an escaped double
quote, Credentials without RoleArn) and refuses the rest with an empty error code and its
parser's text. With this extension CreateStateMachine and UpdateStateMachine raise
`InvalidDefinition` with AWS's message ("Invalid State Machine Definition: 'SCHEMA_VALIDATION_
FAILED: ... at /States/X/...'"), and ValidateStateMachineDefinition, which moto lacks, answers
with AWS's result and diagnostics; both come from `asl_validation`.
"""

from __future__ import annotations

from typing import Any

from asl_validation.diagnostics import definition_diagnostics, invalid_definition_message
from localcloud.extensions.patching import PatchSet


def install(patches: PatchSet) -> None:
    from moto.core.exceptions import AWSError
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    class InvalidDefinition(AWSError):
        TYPE = "InvalidDefinition"
        STATUS = 400

    def refuse_invalid(self: Any) -> None:
        definition = self._get_param("definition")
        if not isinstance(definition, str):
            return  # UpdateStateMachine without a new definition keeps the current one
        diagnostics = definition_diagnostics(definition)
        if diagnostics:
            raise InvalidDefinition(invalid_definition_message(diagnostics))

    for action in ("create_state_machine", "update_state_machine"):
        original = getattr(StepFunctionResponse, action)

        def checked(self: Any, _original: Any = original) -> Any:
            refuse_invalid(self)
            return _original(self)

        patches.replace(StepFunctionResponse, action, checked)

    def validate_state_machine_definition(self: Any) -> Any:
        diagnostics = definition_diagnostics(self._get_param("definition") or "")
        return ActionResult(
            {
                "result": "FAIL" if diagnostics else "OK",
                "diagnostics": [diagnostic.as_dict() for diagnostic in diagnostics],
                "truncated": False,
            }
        )

    patches.replace(
        StepFunctionResponse, "validate_state_machine_definition", validate_state_machine_definition
    )
