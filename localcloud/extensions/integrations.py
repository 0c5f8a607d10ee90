"""Service integrations moto's interpreter gets wrong: Step Functions' own
`states:startExecution[.sync[:2]]` (`nested_executions`), aws-sdk service names that are not
botocore's (`sdk_service_names`), aws-sdk results that are not JSON (`sdk_results`), and a
client built for every call (`cached_service_clients`)."""

from __future__ import annotations

from typing import Any

from aws_naming import botocore_service
from localcloud.extensions.patching import PatchSet


def install_nested(patches: PatchSet) -> None:
    """moto leaves request/response normalisation to subclasses and its Step Functions task does
    not do it, so `StateMachineArn` never reaches the API and results keep lower-case keys."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_sfn as sfn_task,
    )

    from localcloud import service_shapes

    task = sfn_task.StateTaskServiceSfn
    original_parameters = task._normalise_parameters

    def normalise_parameters(
        self: Any,
        parameters: dict[str, Any],
        boto_service_name: str | None = None,
        service_action_name: str | None = None,
    ) -> None:
        original_parameters(self, parameters, boto_service_name, service_action_name)
        action = service_action_name or self._get_boto_service_action()
        service_shapes.to_request("stepfunctions", action, parameters)

    def normalise_response(
        self: Any,
        response: Any,
        boto_service_name: str | None = None,
        service_action_name: str | None = None,
    ) -> None:
        action = service_action_name or self._get_boto_service_action()
        service_shapes.to_integration_result("stepfunctions", action, response)

    patches.replace(task, "_normalise_parameters", normalise_parameters)
    patches.replace(task, "_normalise_response", normalise_response)


class _ServiceNames(dict[str, str]):
    """Step Functions names SDK services as the Java SDK does (`applicationautoscaling`,
    `cloudwatchlogs`); botocore names them otherwise (`application-autoscaling`, `logs`)."""

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else botocore_service(key)


def install_sdk_service_names(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (  # noqa: E501
        StateTaskService,
    )

    names = _ServiceNames(StateTaskService._SERVICE_NAME_SFN_TO_BOTO_OVERRIDES)
    patches.replace(StateTaskService, "_SERVICE_NAME_SFN_TO_BOTO_OVERRIDES", names)


def _sdk_result(value: Any) -> Any:
    """An SDK response as the aws-sdk integration returns it: JSON values only, a streamed
    body read as text, timestamps in ISO 8601."""
    from datetime import datetime

    from botocore.response import StreamingBody

    if isinstance(value, dict):
        return {key: _sdk_result(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_sdk_result(item) for item in value]
    if isinstance(value, StreamingBody):
        return value.read().decode("utf-8", errors="replace")
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def install_sdk_results(patches: PatchSet) -> None:
    """moto hands the raw botocore response to the state: an S3 object's Body stays a stream
    (so `$parse($states.result.Body)` fails) and timestamps stay datetime objects."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk import (  # noqa: E501
        StateTaskServiceAwsSdk,
    )

    original = StateTaskServiceAwsSdk._eval_service_task

    def eval_service_task(self: Any, env: Any, *args: Any, **kwargs: Any) -> None:
        original(self, env, *args, **kwargs)
        env.stack.append(_sdk_result(env.stack.pop()))

    patches.replace(StateTaskServiceAwsSdk, "_eval_service_task", eval_service_task)


def install_cached_clients(patches: PatchSet) -> None:
    """moto's interpreter builds a new boto3 client for every service call; building one for a
    large API such as SageMaker costs up to a few hundred milliseconds. Clients are thread-safe,
    so one per region, service and endpoint is kept and shared."""
    import sys
    import threading

    from moto.stepfunctions.parser.asl.utils import boto_client

    original = boto_client.boto_client_for
    clients: dict[tuple[str, str, bool, int], Any] = {}
    lock = threading.Lock()

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        from moto.core.models import botocore_stubber
        from moto.settings import moto_server_port

        # In-process calls are intercepted; a server's interpreter calls its own port.
        key = (region, service, bool(botocore_stubber.enabled), int(moto_server_port()))
        with lock:
            if key not in clients:
                clients[key] = original(region, service, state_credentials)
            return clients[key]

    # Modules bind the function by name at import; rebind it wherever it was imported.
    for name, module in list(sys.modules.items()):
        if name.startswith(("moto.stepfunctions", "localcloud")) and (
            getattr(module, "boto_client_for", None) is original
        ):
            patches.replace(module, "boto_client_for", boto_client_for)
