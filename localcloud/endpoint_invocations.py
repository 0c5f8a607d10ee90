"""InvokeEndpoint on a local endpoint: the served model's own inference code answers, and the
invocation leaves what SageMaker leaves: data capture and the endpoint's CloudWatch metrics.

The endpoint's current config names, per variant, the model whose container
(`transform_jobs.model_container`) a serving process runs (`endpoint_servers`). The answer is
the body and content type output_fn returned; a non-2xx answer of the container is a
`ModelError` (HTTP 424) carrying its status and message, as SageMaker reports it. Each
invocation puts, through the cloud's own PutMetricData, the metrics SageMaker emits
(`AWS/SageMaker`: Invocations, InvocationsPerInstance, ModelLatency, OverheadLatency,
Invocation4XXErrors, Invocation5XXErrors; `/aws/sagemaker/Endpoints`: CPUUtilization,
MemoryUtilization, measured on the serving process during the request), and, when the config
enables data capture and the request is sampled, writes its capture record to S3.
"""

from __future__ import annotations

import json
import os
import random
import time
from datetime import datetime
from typing import Any

from localcloud import endpoint_servers, recorder
from localcloud.endpoint_capture import capture_invocation
from localcloud.endpoint_servers import Invocation
from localcloud.job_staging import JobSetupError
from localcloud.s3_objects import BackendObjectStore
from localcloud.transform_jobs import model_container

# The scikit-learn container's answer to a request naming no type (its default content type
# and accept, unless the model's SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT says otherwise).
DEFAULT_TYPE = "application/json"


Response = tuple[int, dict[str, str], bytes]


def _error(status: int, error_type: str, message: str, **fields: Any) -> Response:
    body = json.dumps({"message": message, **fields}).encode("utf-8")
    return status, {"x-amzn-ErrorType": error_type, "Content-Type": "application/json"}, body


def _variant(config: Any, target: str | None) -> dict[str, Any] | None:
    variants: list[dict[str, Any]] = list(config.production_variants)
    if target is not None:
        return next((v for v in variants if v.get("VariantName") == target), None)
    weights = [float(v.get("InitialVariantWeight", 1.0)) for v in variants]
    if len(variants) == 1 or sum(weights) <= 0:
        return variants[0]
    return random.choices(variants, weights=weights)[0]


def _put_metrics(
    backend: Any,
    endpoint: str,
    variant: dict[str, Any],
    when: datetime,
    status: int,
    answer: endpoint_servers.Answer | None,
    overhead_seconds: float,
) -> None:
    from moto.cloudwatch.models import cloudwatch_backends

    cloudwatch = cloudwatch_backends[backend.account_id][backend.region_name]
    dimensions = [
        {"Name": "EndpointName", "Value": endpoint},
        {"Name": "VariantName", "Value": variant["VariantName"]},
    ]
    instances = max(1, int(variant.get("InitialInstanceCount") or 1))

    def datum(name: str, value: float, unit: str) -> dict[str, Any]:
        return {
            "MetricName": name,
            "Dimensions": dimensions,
            "Value": value,
            "Unit": unit,
            "Timestamp": when,
        }

    # SageMaker puts 0 or 1 per request for the error counts, so Average is the error rate.
    invocation = [
        datum("Invocations", 1, "Count"),
        datum("InvocationsPerInstance", 1 / instances, "Count"),
        datum("Invocation4XXErrors", float(400 <= status < 500), "Count"),
        datum("Invocation5XXErrors", float(status >= 500), "Count"),
    ]
    if answer is not None:
        invocation += [
            datum("ModelLatency", round(answer.model_seconds * 1e6), "Microseconds"),
            datum("OverheadLatency", round(overhead_seconds * 1e6), "Microseconds"),
        ]
    cloudwatch.put_metric_data("AWS/SageMaker", invocation)
    if answer is not None:
        cloudwatch.put_metric_data(
            "/aws/sagemaker/Endpoints",
            [
                datum("CPUUtilization", cpu_percent(answer), "Percent"),
                datum("MemoryUtilization", memory_percent(answer.resident_bytes), "Percent"),
            ],
        )


def cpu_percent(answer: endpoint_servers.Answer) -> float:
    """The serving process's CPU time over the request's wall time, in percent of one core
    (as SageMaker's instance metric: up to 100 x the number of cores)."""
    if answer.model_seconds <= 0:
        return 0.0
    cores = os.cpu_count() or 1
    return round(min(100.0 * cores, 100.0 * answer.cpu_seconds / answer.model_seconds), 3)


def memory_percent(resident_bytes: int) -> float:
    """The serving process's resident memory in percent of the host's physical memory."""
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return round(100.0 * resident_bytes / total, 3) if total > 0 else 0.0


def _model_error(backend: Any, endpoint: str, variant: str, status: int, message: str) -> Response:
    kind = "client" if status < 500 else "server"
    region, account = backend.region_name, backend.account_id
    group = f"/aws/sagemaker/Endpoints/{endpoint}"
    return _error(
        424,
        "ModelError",
        f'Received {kind} error ({status}) from primary with message "{message}". See '
        f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
        f"#logEventViewer:group={group} in account {account} for more information.",
        OriginalStatusCode=status,
        OriginalMessage=message,
        LogStreamArn=f"arn:aws:logs:{region}:{account}:log-group:{group}",
    )


def start_serving(backend: Any, endpoint: Any) -> None:
    """Start the serving processes of an endpoint that went InService, one per variant of its
    config, in the background: SageMaker's containers are up before the first request. A model
    that cannot be found is the first request's error to report."""
    from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for

    config = backend.endpoint_configs.get(endpoint.endpoint_config_name)
    if config is None:
        return
    region = backend.region_name
    for variant in config.production_variants:
        try:
            container = model_container(backend, variant["ModelName"])
        except Exception:  # the first request reports it, as it starts the model itself
            continue
        endpoint_servers.start_ahead(
            f"{endpoint.arn}/{variant['VariantName']}",
            container,
            lambda: BackendObjectStore(
                backend.account_id, region, boto_client_for(region=region, service="s3")
            ),
        )


def invoke_endpoint(backend: Any, request: Invocation) -> Response:
    """Answer InvokeEndpoint on `backend` (moto's SageMaker backend of the request's account
    and region) as SageMaker does."""
    from moto.core.utils import utcnow
    from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for

    started = time.perf_counter()
    when = utcnow()
    name = request.endpoint_name
    endpoint = backend.endpoints.get(name)
    if endpoint is None:
        return _error(
            400, "ValidationError", f"Endpoint {name} of account {backend.account_id} not found."
        )
    if endpoint.endpoint_status not in ("InService", "Updating"):
        return _error(
            400,
            "ValidationError",
            f"Endpoint {name} is {endpoint.endpoint_status}, not InService: it cannot be invoked "
            "until it is (DescribeEndpoint shows why)",
        )
    config = backend.endpoint_configs[endpoint.endpoint_config_name]
    variant = _variant(config, request.target_variant)
    if variant is None:
        return _error(
            400,
            "ValidationError",
            f"TargetVariant {request.target_variant!r} is not a variant of endpoint {name}",
        )
    store = BackendObjectStore(
        backend.account_id,
        backend.region_name,
        boto_client_for(region=backend.region_name, service="s3"),
    )
    answer: endpoint_servers.Answer | None = None
    try:
        container = model_container(backend, variant["ModelName"])
        environment = container.get("Environment") or {}
        default = str(environment.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT") or DEFAULT_TYPE)
        content_type = request.content_type or DEFAULT_TYPE
        accept = request.accept if request.accept not in (None, "", "*/*") else default
        answer = endpoint_servers.invoke(
            f"{endpoint.arn}/{variant['VariantName']}",
            container,
            store,
            request.body,
            content_type,
            str(accept),
        )
        status, message = answer.status, answer.message
    except (JobSetupError, endpoint_servers.ContainerFailure) as error:
        status, message = getattr(error, "status", 500), str(error)
    if status == 200 and answer is not None:
        capture_invocation(
            recorder.current(),
            store,
            endpoint,
            variant["VariantName"],
            config.data_capture_config,
            request,
            content_type,
            answer,
            when,
        )
        response: Response = (
            200,
            {
                "Content-Type": answer.content_type,
                "x-Amzn-Invoked-Production-Variant": variant["VariantName"],
            },
            answer.body,
        )
    else:
        response = _model_error(backend, name, variant["VariantName"], status, message)
    served = answer.model_seconds + answer.start_seconds if answer is not None else 0.0
    overhead = max(0.0, time.perf_counter() - started - served)
    _put_metrics(backend, name, variant, when, status, answer, overhead)
    return response
