"""SageMaker `Endpoint State Change` events: every transition of an endpoint reaches the default
event bus, as SageMaker sends them, so rules see the endpoint's timeline.

CreateEndpoint sends Creating and then InService (the embedded endpoint serves at once);
UpdateEndpoint sends Updating, and its end (on the DescribeEndpoint that settles it) InService,
RollingBack then InService for an update rolled back, or Failed; DeleteEndpoint sends Deleting.
An endpoint that goes InService starts its serving processes (`endpoint_invocations.
start_serving`); a deleted one ends them.
The status is spelled as the SageMaker API spells it (`InService`); AWS's own samples show both
that and `IN_SERVICE`, and the project's rules accept both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localcloud import recorder

DETAIL_TYPE = "SageMaker Endpoint State Change"


def _epoch_ms(moment: Any) -> float:
    return float(moment.timestamp() * 1000) if hasattr(moment, "timestamp") else 0.0


def emit(backend: Any, endpoint: Any, status: str) -> None:
    """Send `endpoint`'s state change to `status` (the endpoint's other fields as they are)."""
    from localcloud.event_routing import put_event

    detail: dict[str, Any] = {
        "EndpointName": endpoint.endpoint_name,
        "EndpointArn": endpoint.arn,
        "EndpointConfigName": endpoint.endpoint_config_name,
        "ProductionVariants": [
            {
                "DesiredWeight": float(v.get("CurrentWeight", v.get("DesiredWeight", 1.0))),
                "DesiredInstanceCount": float(
                    v.get("CurrentInstanceCount", v.get("DesiredInstanceCount", 1))
                ),
            }
            for v in endpoint.production_variants or []
        ],
        "EndpointStatus": status,
        "CreationTime": _epoch_ms(endpoint.creation_time),
        "LastModifiedTime": _epoch_ms(endpoint.last_modified_time),
        "Tags": {t["Key"]: t["Value"] for t in endpoint.tags or []},
    }
    if endpoint.failure_reason:
        detail["FailureReason"] = endpoint.failure_reason
    put_event(
        backend.account_id,
        backend.region_name,
        "aws.sagemaker",
        DETAIL_TYPE,
        detail,
        [endpoint.arn],
    )


def install(replace: Callable[[Any, str, Any], None]) -> None:
    from moto.sagemaker.models import SageMakerModelBackend

    original_create = SageMakerModelBackend.create_endpoint
    original_delete = SageMakerModelBackend.delete_endpoint

    def create_endpoint(self: Any, endpoint_name: str, *args: Any, **kwargs: Any) -> Any:
        from moto.sagemaker.exceptions import ValidationError
        from moto.sagemaker.models import FakeEndpoint

        # moto replaces an existing endpoint (and what it serves); SageMaker refuses.
        with recorder.current().endpoint_lock:
            if endpoint_name in self.endpoints:
                arn = FakeEndpoint.arn_formatter(endpoint_name, self.account_id, self.region_name)
                raise ValidationError(message=f'Cannot create already existing endpoint "{arn}".')
            endpoint = original_create(self, endpoint_name, *args, **kwargs)
        emit(self, endpoint, "Creating")
        emit(self, endpoint, endpoint.endpoint_status)
        if endpoint.endpoint_status == "InService":
            from localcloud.endpoint_invocations import start_serving

            start_serving(self, endpoint)
        return endpoint

    def delete_endpoint(self: Any, endpoint_name: str) -> None:
        from localcloud.endpoint_servers import stop_endpoint

        endpoint = self.endpoints.get(endpoint_name)
        original_delete(self, endpoint_name)
        if endpoint is not None:
            emit(self, endpoint, "Deleting")
            stop_endpoint(endpoint.arn)

    replace(SageMakerModelBackend, "create_endpoint", create_endpoint)
    replace(SageMakerModelBackend, "delete_endpoint", delete_endpoint)
