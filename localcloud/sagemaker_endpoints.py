"""SageMaker UpdateEndpoint and model package state change events.

Each transition of an update sends its `SageMaker Endpoint State Change` (endpoint_events.py).

UpdateEndpoint puts the endpoint in `Updating`; DescribeEndpoint shows `Updating` (with the
pending config under PendingDeploymentSummary) for a number of calls, then `InService` on the new
config. A failed update (registered with `fail_next_update`) keeps the old config serving and
sets FailureReason; it ends `InService` (a blue/green deployment rolled back by its alarms) or
`Failed` (an update that could not complete), as chosen.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.core.utils import utcnow

from localcloud import endpoint_events, recorder

# DescribeEndpoint calls that still show `Updating` after an UpdateEndpoint.
UPDATING_DESCRIBES = 1


@dataclass
class _PendingUpdate:
    config_name: str
    production_variants: list[dict[str, Any]]
    data_capture_config: Any
    remaining_describes: int
    failure: tuple[str, str] | None  # (reason, final status)
    started: Any


FINAL_STATUSES = ("InService", "Failed")


def fail_next_update(
    records: recorder.CloudRecords, endpoint_arn: str, reason: str, status: str = "InService"
) -> None:
    """Make the next UpdateEndpoint of this endpoint fail with `reason`, leaving the old config
    serving; the endpoint ends `status`: InService (rolled back) or Failed."""
    if status not in FINAL_STATUSES:
        raise ValueError(f"status must be one of {FINAL_STATUSES}, got {status!r}")
    with records.endpoint_lock:
        records.endpoint_failures[endpoint_arn] = (reason, status)


def _update_endpoint(self: Any, endpoint_name: str, endpoint_config_name: str) -> Any:
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import FakeEndpoint, FakeEndpointConfig

    endpoint = self.endpoints.get(endpoint_name)
    if endpoint is None:
        arn = FakeEndpoint.arn_formatter(endpoint_name, self.account_id, self.region_name)
        raise ValidationError(message=f"Could not find endpoint '{arn}'.")
    if endpoint_config_name not in self.endpoint_configs:
        arn = FakeEndpointConfig.arn_formatter(
            endpoint_config_name, self.account_id, self.region_name
        )
        raise ValidationError(message=f"Could not find endpoint configuration '{arn}'.")
    config = self.endpoint_configs[endpoint_config_name]
    records = recorder.current()
    # Checked and claimed under one lock: of two concurrent updates, SageMaker accepts one.
    with records.endpoint_lock:
        if endpoint.endpoint_status not in FINAL_STATUSES:
            raise ValidationError(message=f"Cannot update in-progress endpoint '{endpoint.arn}'.")
        endpoint.endpoint_status = "Updating"
        failure = records.endpoint_failures.pop(endpoint.arn, None)
        records.endpoint_updates[endpoint.arn] = _PendingUpdate(
            config_name=endpoint_config_name,
            production_variants=config.production_variants,
            data_capture_config=config.data_capture_config,
            remaining_describes=UPDATING_DESCRIBES,
            failure=failure,
            started=utcnow(),
        )
    endpoint.failure_reason = None
    endpoint.last_modified_time = utcnow()
    endpoint_events.emit(self, endpoint, "Updating")
    return endpoint


def _settle(backend: Any, endpoint: Any) -> dict[str, Any] | None:
    """Advance a pending update by one DescribeEndpoint; return the pending summary if any."""
    records = recorder.current()
    with records.endpoint_lock:
        pending: _PendingUpdate | None = records.endpoint_updates.get(endpoint.arn)
        if pending is None:
            return None
        if pending.remaining_describes > 0:
            pending.remaining_describes -= 1
            return {
                "EndpointConfigName": pending.config_name,
                "StartTime": pending.started,
            }
        del records.endpoint_updates[endpoint.arn]
    status = "InService"
    if pending.failure is None:
        endpoint.endpoint_config_name = pending.config_name
        endpoint.production_variants = endpoint._process_production_variants(
            pending.production_variants
        )
        endpoint.data_capture_config = pending.data_capture_config
    else:
        endpoint.failure_reason, status = pending.failure
    endpoint.last_modified_time = utcnow()
    if pending.failure is not None and status == "InService":
        # A rolled-back update goes back to its old config before it serves again.
        endpoint.endpoint_status = "RollingBack"
        endpoint_events.emit(backend, endpoint, "RollingBack")
    endpoint.endpoint_status = status
    endpoint_events.emit(backend, endpoint, status)
    if pending.failure is None:
        from localcloud.endpoint_invocations import start_serving

        start_serving(backend, endpoint)
    return None


def install_update_endpoint(replace: Callable[[Any, str, Any], None]) -> None:
    from moto.core.responses import ActionResult
    from moto.sagemaker.models import SageMakerModelBackend
    from moto.sagemaker.responses import SageMakerResponse

    original_describe = SageMakerModelBackend.describe_endpoint

    def describe_endpoint(self: Any, endpoint_name: str) -> dict[str, Any]:
        endpoint = self.endpoints.get(endpoint_name)
        summary = _settle(self, endpoint) if endpoint is not None else None
        response: dict[str, Any] = original_describe(self, endpoint_name)
        if summary is not None:
            response["PendingDeploymentSummary"] = summary
        if not response.get("FailureReason"):
            response.pop("FailureReason", None)
        return response

    def update_endpoint_response(self: Any) -> Any:
        endpoint = self.sagemaker_backend.update_endpoint(
            endpoint_name=self._get_param("EndpointName"),
            endpoint_config_name=self._get_param("EndpointConfigName"),
        )
        return ActionResult({"EndpointArn": endpoint.arn})

    replace(SageMakerModelBackend, "update_endpoint", _update_endpoint)
    replace(SageMakerModelBackend, "describe_endpoint", describe_endpoint)
    replace(SageMakerResponse, "update_endpoint", update_endpoint_response)


def _emit_model_package_event(backend: Any, arn: str) -> None:
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    from localcloud.event_routing import put_event

    detail = json.loads(to_json_str(backend.describe_model_package(arn).gen_response_object()))
    put_event(
        backend.account_id,
        backend.region_name,
        "aws.sagemaker",
        "SageMaker Model Package State Change",
        detail,
        [arn],
    )


def install_model_package_events(replace: Callable[[Any, str, Any], None]) -> None:
    from moto.sagemaker.models import SageMakerModelBackend

    original_create = SageMakerModelBackend.create_model_package
    original_update = SageMakerModelBackend.update_model_package

    def create_model_package(self: Any, *args: Any, **kwargs: Any) -> str:
        arn: str = original_create(self, *args, **kwargs)
        _emit_model_package_event(self, arn)
        return arn

    def update_model_package(
        self: Any,
        model_package_arn: str,
        model_approval_status: str | None,
        *args: Any,
        **kwargs: Any,
    ) -> str:
        name = self.model_package_name_mapping.get(model_package_arn, model_package_arn)
        package = self.model_packages.get(name)
        before = getattr(package, "model_approval_status", None)
        arn: str = original_update(self, model_package_arn, model_approval_status, *args, **kwargs)
        if model_approval_status is not None and model_approval_status != before:
            _emit_model_package_event(self, arn)
        return arn

    replace(SageMakerModelBackend, "create_model_package", create_model_package)
    replace(SageMakerModelBackend, "update_model_package", update_model_package)
