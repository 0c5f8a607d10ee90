"""A stack whose resource cannot be created rolls back, as CloudFormation does, instead of
reporting CREATE_COMPLETE with the resource missing.

moto 5.2.5 skipped every resource type it had no model for (a warning, then CREATE_COMPLETE),
and an error raised while creating a resource escaped CreateStack as a server error, leaving the
stack CREATE_IN_PROGRESS with whatever it had created so far. Here, in CreateStack and in
ExecuteChangeSet of a CREATE change set:

- a resource whose type localcloud cannot create, or whose creation raises, gets a
  `CREATE_FAILED` event with its logical id and the reason;
- the stack goes `ROLLBACK_IN_PROGRESS` ("The following resource(s) failed to create: [X].
  Rollback requested by user."), deletes what it created in reverse order (a resource with
  `DeletionPolicy: Retain` is kept, `DELETE_SKIPPED`), and ends `ROLLBACK_COMPLETE`, or
  `ROLLBACK_FAILED` when a delete failed (that resource's `DELETE_FAILED` event says why);
- the change set's execution status is `EXECUTE_FAILED`.

A failed update (an UPDATE change set) gets an `UPDATE_FAILED` event for the resource and goes
back to the template and parameters it had before: `UPDATE_ROLLBACK_COMPLETE`, or
`UPDATE_ROLLBACK_FAILED` when that fails too.
"""

from __future__ import annotations

import copy
from typing import Any

from localcloud.extensions.patching import PatchSet


class ResourceFailed(Exception):
    def __init__(self, logical_id: str, resource_type: str, reason: str) -> None:
        super().__init__(f"{logical_id} ({resource_type}): {reason}")
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.reason = reason


def _reason(error: Exception) -> str:
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    code = getattr(error, "error_type", None) or getattr(error, "code", None)
    if hasattr(error, "response"):  # a botocore ClientError from the service's API
        return str(error)
    return f"{code}: {message}" if isinstance(code, str) and code else str(message)


def _resource_event(stack: Any, logical_id: str, kind: str, status: str, reason: str) -> None:
    from moto.cloudformation.models import Event

    stack.events.append(
        Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id="",
            resource_type=kind,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def roll_back_creation(stack: Any, failed: ResourceFailed) -> None:
    """Record the failure, delete what the stack created (but what it retains), and end in
    ROLLBACK_COMPLETE or ROLLBACK_FAILED."""
    from moto.cloudformation.parsing import OutputMap

    _resource_event(stack, failed.logical_id, failed.resource_type, "CREATE_FAILED", failed.reason)
    stack.status = "ROLLBACK_IN_PROGRESS"
    stack._add_stack_event(
        "ROLLBACK_IN_PROGRESS",
        resource_status_reason=f"The following resource(s) failed to create: "
        f"[{failed.logical_id}]. Rollback requested by user.",
    )
    resources = stack.resource_map
    templates = resources._resource_json_map
    created = [
        (logical_id, resource)
        for logical_id, resource in resources._parsed_resources.items()
        if logical_id in templates and resource is not None and not isinstance(resource, str)
    ]
    undeleted = []
    for logical_id, resource in reversed(created):  # created after what they depend on
        template = templates[logical_id]
        kind = template.get("Type", "")
        if template.get("DeletionPolicy") == "Retain":
            _resource_event(stack, logical_id, kind, "DELETE_SKIPPED", "")
            continue
        try:
            resources._delete_resource(resource, template)
        except Exception as error:
            undeleted.append(logical_id)
            _resource_event(stack, logical_id, kind, "DELETE_FAILED", _reason(error))
        else:
            _resource_event(stack, logical_id, kind, "DELETE_COMPLETE", "")
    # Nothing is left for the lazy resource map to create when the stack is listed later.
    resources._parsed_resources = {
        k: v for k, v in resources._parsed_resources.items() if k not in templates
    }
    resources._resource_json_map = {}
    stack.output_map = OutputMap(resources, {}, stack.stack_id)  # outputs of nothing
    stack.status = "ROLLBACK_FAILED" if undeleted else "ROLLBACK_COMPLETE"
    reason = f"Failed to delete: [{', '.join(undeleted)}]" if undeleted else None
    stack._add_stack_event(stack.status, resource_status_reason=reason)


def roll_back_update(
    stack: Any, failed: ResourceFailed, template: dict[str, Any], parameters: dict[str, Any]
) -> None:
    """Record the failure and put the stack back to its template and parameters before the
    update (what the update added is deleted, what it changed is changed back): the stack ends
    UPDATE_ROLLBACK_COMPLETE, or UPDATE_ROLLBACK_FAILED when that cannot be done."""
    _resource_event(stack, failed.logical_id, failed.resource_type, "UPDATE_FAILED", failed.reason)
    stack.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    stack._add_stack_event(
        "UPDATE_ROLLBACK_IN_PROGRESS",
        resource_status_reason=f"The following resource(s) failed to update: "
        f"[{failed.logical_id}].",
    )
    try:
        stack.resource_map.update(template, parameters)
    except Exception as error:  # what CloudFormation reports as a failed rollback
        stack.status = "UPDATE_ROLLBACK_FAILED"
        stack._add_stack_event(stack.status, resource_status_reason=_reason(error))
        return
    stack.status = "UPDATE_ROLLBACK_COMPLETE"
    stack._add_stack_event(stack.status)


def install(patches: PatchSet) -> None:
    from moto.cloudformation import parsing
    from moto.cloudformation.models import CloudFormationBackend, Stack

    create_resource = parsing.parse_and_create_resource

    def parse_and_create_resource(
        logical_id: str,
        resource_json: dict[str, Any],
        resources_map: Any,
        account_id: str,
        region_name: str,
    ) -> Any:
        kind = resource_json.get("Type", "")
        condition = resource_json.get("Condition")
        if condition and not resources_map.lazy_condition_map[condition]:
            return None  # a false Condition: not created, and not a failure
        if (
            kind not in parsing.NULL_MODELS
            and not kind.startswith("Custom::")
            and parsing.resource_class_from_type(kind) is None
        ):
            raise ResourceFailed(
                logical_id, kind, f"localcloud cannot create resources of type {kind}"
            )
        try:
            return create_resource(
                logical_id, resource_json, resources_map, account_id, region_name
            )
        except ResourceFailed:
            raise  # a dependency's failure, created through a Ref or GetAtt
        except Exception as error:
            raise ResourceFailed(logical_id, kind, _reason(error)) from error

    def create_resources(self: Any) -> None:
        try:
            original_create_resources(self)
        except ResourceFailed as failed:
            roll_back_creation(self, failed)

    original_create_resources = Stack.create_resources
    original_execute = CloudFormationBackend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = self.change_sets.get(change_set_name) or next(
            (c for c in self.change_sets.values() if c.change_set_name == change_set_name), None
        )
        before = None
        if change_set is not None and change_set.change_set_type == "UPDATE":
            resources = self.stacks[change_set.stack_id].resource_map
            before = (copy.deepcopy(resources._template), dict(resources.input_parameters))
        try:
            original_execute(self, change_set_name, stack_name)
        except ResourceFailed as failed:
            assert change_set is not None  # moto found it, or it would have raised otherwise
            change_set.execution_status = "EXECUTE_FAILED"
            stack = self.stacks[change_set.stack_id]
            if before is None:
                roll_back_creation(stack, failed)
            else:
                roll_back_update(stack, failed, *before)

    patches.replace(parsing, "parse_and_create_resource", parse_and_create_resource)
    patches.replace(Stack, "create_resources", create_resources)
    patches.replace(CloudFormationBackend, "execute_change_set", execute_change_set)
