"""Lambda, SNS, EventBridge, nested Step Functions executions, and generic aws-sdk calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from environments.arns import Location
from workflows.integrations.retries import LAMBDA_TRANSIENT, sdk_transient, transient
from workflows.permissions import FieldPath, TaskPermissions, at, emitted
from workflows.states import Json, Task


def lambda_invoke(
    name: str,
    where: Location,
    *,
    function_name: str,
    payload: Json,
    qualifier: str | None = None,
    wait_for_task_token: bool = False,
    **state: Any,
) -> Task:
    """``lambda:invoke``, with the retries the Step Functions documentation recommends.
    ``qualifier``: an alias (or version) to invoke instead of the unpublished ``$LATEST``."""
    action = "lambda:invoke.waitForTaskToken" if wait_for_task_token else "lambda:invoke"
    function = (
        where.function(function_name)
        if qualifier is None
        else where.function_alias(function_name, qualifier)
    )
    task = Task(
        name,
        resource=where.integration(action),
        arguments={"FunctionName": function, "Payload": payload},
        permissions=TaskPermissions.of(action, {("FunctionName",): function}),
        **state,
    )
    task.add_retry(transient(LAMBDA_TRANSIENT, attempts=6))
    return task


def sns_publish(
    name: str,
    where: Location,
    *,
    topic: str,
    message: Json,
    subject: Json = None,
    attributes: Mapping[str, Json] | None = None,
    wait_for_task_token: bool = False,
    **state: Any,
) -> Task:
    action = "sns:publish.waitForTaskToken" if wait_for_task_token else "sns:publish"
    arguments: dict[str, Json] = {"TopicArn": where.topic(topic), "Message": message}
    if subject is not None:
        arguments["Subject"] = subject
    if attributes is not None:
        arguments["MessageAttributes"] = dict(attributes)
    permissions = TaskPermissions.of(action, {("TopicArn",): arguments["TopicArn"]})
    task = Task(
        name,
        resource=where.integration(action),
        arguments=arguments,
        permissions=permissions,
        **state,
    )
    task.add_retry(transient(("SNS.ThrottledException", "SNS.InternalErrorException")))
    return task


def put_event(
    name: str,
    where: Location,
    *,
    source: str,
    detail_type: str,
    detail: Json,
    bus: str = "default",
    **state: Any,
) -> Task:
    """``events:putEvents`` with one entry on ``bus``."""
    entry: dict[str, Json] = {
        "EventBusName": where.event_bus(bus),
        "Source": source,
        "DetailType": detail_type,
        "Detail": detail,
    }
    # Every entry names its bus: the grant is on that bus alone, not also on the default one.
    names: dict[FieldPath, Json] = {
        ("Entries", "*", "EventBusName"): entry["EventBusName"],
        ("Entries", "*", "Source"): source,
    }
    task = Task(
        name,
        resource=where.integration("events:putEvents"),
        arguments={"Entries": [entry]},
        permissions=TaskPermissions.of("events:putEvents", names),
        **state,
    )
    task.add_retry(transient(("EventBridge.InternalException", "EventBridge.ThrottlingException")))
    return task


def start_execution(
    name: str,
    where: Location,
    *,
    state_machine_arn: str,
    execution_input: Json,
    execution_name: Json = None,
    wait: bool = True,
    **state: Any,
) -> Task:
    """A nested execution. With ``wait`` it is ``startExecution.sync:2``: the result's ``Output``
    is parsed JSON, and a failed child fails this state with States.TaskFailed."""
    action = "states:startExecution.sync:2" if wait else "states:startExecution"
    arguments: dict[str, Json] = {"StateMachineArn": state_machine_arn, "Input": execution_input}
    if execution_name is not None:
        arguments["Name"] = execution_name
    permissions = TaskPermissions.of(action, {("StateMachineArn",): state_machine_arn})
    task = Task(
        name,
        resource=where.integration(action),
        arguments=arguments,
        permissions=permissions,
        **state,
    )
    task.add_retry(
        transient(
            ("StepFunctions.SdkClientException", "StepFunctions.ExecutionLimitExceededException")
        )
    )
    return task


def sdk_call(
    name: str,
    where: Location,
    *,
    service: str,
    action: str,
    arguments: Mapping[str, Json] | str,
    declare: Sequence[FieldPath] = (),
    **state: Any,
) -> Task:
    """``aws-sdk:<service>:<action>``: any API call, request body as in the service's API.

    IAM scopes an SDK call by its top-level fields: each is declared as the caller wrote it (a
    literal is itself; a ``Named`` value says how its run-time value starts). ``declare``: the
    nested fields to declare too (``*`` for every item of a list), e.g. the containers' images
    and artifacts of ``createModelPackage``, which scope the SageMaker execution role."""
    if not action[:1].islower():
        raise ValueError(f"aws-sdk action {action!r} must be camelCase, e.g. describeEndpoint")
    integration = f"aws-sdk:{service}:{action}"
    fields = dict(arguments) if isinstance(arguments, Mapping) else {}
    names: dict[FieldPath, Json | list[Json]] = {(key,): [v] for key, v in fields.items()}
    names.update({path: at(fields, path) for path in declare})
    task = Task(
        name,
        resource=where.integration(integration),
        arguments=(
            {key: emitted(value) for key, value in arguments.items()}
            if isinstance(arguments, Mapping)
            else arguments
        ),
        permissions=TaskPermissions.of(integration, names),
        **state,
    )
    task.add_retry(transient(sdk_transient(service)))
    return task
