"""SageMaker jobs that really run, and the Step Functions `.sync` integration that waits for them.

CreateProcessingJob / CreateTrainingJob / CreateTransformJob start the job in a worker thread
(status `InProgress`); the worker runs it with `localcloud.jobs` (`localcloud.transform_jobs`)
and records `Completed`, `Failed` or `Stopped` with the FailureReason, and the script's wall
time in the cloud's records (`recorder`). The `.sync` resolver joins that worker instead of
polling, then returns the full Describe*Job output, or raises `States.TaskFailed` with the
Describe output as the Cause.
"""

from __future__ import annotations

import copy
import json
import sys
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from moto.core.utils import utcnow
from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
    CustomErrorName,
)
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
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
    ResourceCondition,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (  # noqa: E501
    StateTaskServiceCallback,
)
from moto.stepfunctions.parser.asl.eval.event import event_detail
from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

from localcloud import endpoint_servers, job_logs, jobs, recorder, transform_jobs
from localcloud.s3_objects import BackendObjectStore

# moto declares every EventDetails key required; AWS events carry one.
_EventDetails: Any = event_detail.EventDetails
_SYNC: Any = ResourceCondition.Sync
_CALLBACK: Any = ResourceCondition.WaitForTaskToken

# How long past a job's own MaxRuntimeInSeconds the .sync resolver waits for the worker.
_JOIN_MARGIN_SECONDS = 60.0

Runner = Callable[[dict[str, Any], jobs.ObjectStore], jobs.JobOutcome]

# kind -> (name field, status attribute, end-time attribute)
_KINDS: dict[str, tuple[str, str, str]] = {
    "processing": ("ProcessingJobName", "processing_job_status", "processing_end_time"),
    "training": ("TrainingJobName", "training_job_status", "training_end_time"),
    "transform": ("TransformJobName", "transform_job_status", "transform_end_time"),
}
_RUNNERS: dict[str, Runner] = {
    "processing": jobs.run_processing_job,
    "training": jobs.run_training_job,
}

# Job workers still running, by job ARN: what `.sync` joins and `wait_until_idle` waits for.
# Process-wide like moto's backends (one cloud at most runs at a time); not records.
_workers: dict[str, threading.Thread] = {}
_workers_lock = threading.Lock()


def _store(account_id: str, region: str) -> jobs.ObjectStore:
    return BackendObjectStore(account_id, region, boto_client_for(region=region, service="s3"))


def _finish(
    job: Any,
    kind: str,
    outcome: jobs.JobOutcome,
    total_seconds: float,
    records: recorder.CloudRecords,
    started: Any,
) -> None:
    _, status_attr, end_attr = _KINDS[kind]
    name = str(getattr(job, f"{kind}_job_name"))
    records.record_job(kind, name, outcome.script_seconds, outcome.status, total_seconds)
    try:
        job_logs.store_job_output(job, kind, name, outcome.stdout, outcome.stderr, started)
    except Exception as error:  # losing the logs must not leave the job InProgress forever
        print(
            f"localcloud: could not store the logs of {kind} job {name}: {error!r}", file=sys.stderr
        )
    if outcome.failure_reason:
        job.failure_reason = outcome.failure_reason
    if outcome.exit_message is not None:
        job.exit_message = outcome.exit_message
    if kind == "training":
        job.secondary_status = "MaxRuntimeExceeded" if outcome.timed_out else outcome.status
    setattr(job, end_attr, utcnow())
    job.last_modified_time = utcnow()
    setattr(job, status_attr, outcome.status)


def start_job(
    kind: str,
    job: Any,
    request: dict[str, Any],
    location: tuple[str, str],
    runner: Runner | None = None,
) -> None:
    """Mark the job InProgress and run it (by default with its kind's runner) in a worker;
    `location` is the (account, region) whose S3 it reads and writes."""
    _, status_attr, end_attr = _KINDS[kind]
    run = runner or _RUNNERS[kind]
    setattr(job, status_attr, "InProgress")
    setattr(job, end_attr, None)
    if kind == "training":
        job.secondary_status = "Starting"
        job.final_metric_data_list = []  # moto starts it with a made-up train:progress
    if kind == "transform":
        job.failure_reason = None  # moto starts it as "", which Describe would show
    # A job stopped with its cloud records Stopped after the cloud is gone: on that cloud.
    records = recorder.current()
    created = utcnow()

    def work() -> None:
        started = time.perf_counter()
        try:
            outcome = run(request, _store(*location))
        except jobs.JobSetupError as error:
            outcome = jobs.JobOutcome("Failed", f"ClientError: {error}")
        except Exception as error:  # a broken job must end Failed, never hang InProgress
            outcome = jobs.JobOutcome("Failed", f"InternalServerError: {error!r}")
        _finish(job, kind, outcome, time.perf_counter() - started, records, created)

    worker = threading.Thread(target=work, name=f"sagemaker-{kind}-{job.arn}", daemon=True)
    with _workers_lock:
        _workers[job.arn] = worker
    worker.start()


def running_workers() -> list[threading.Thread]:
    """Workers of jobs still running (finished ones are forgotten)."""
    with _workers_lock:
        for arn in [arn for arn, worker in _workers.items() if not worker.is_alive()]:
            del _workers[arn]
        return list(_workers.values())


def stop_jobs(timeout: float = 10.0) -> None:
    """End every job process still running and join their workers (bounded by `timeout`), so
    each records Stopped and removes its workspace before the cloud goes away; the endpoints'
    serving processes end too."""
    jobs.stop_running_jobs()
    endpoint_servers.stop_servers()
    deadline = time.monotonic() + timeout
    for worker in running_workers():
        worker.join(max(0.0, deadline - time.monotonic()))


def wait_for_job(job_arn: str, timeout: float | None) -> bool:
    """Join the job's worker; True when it has finished (or never ran here)."""
    with _workers_lock:
        worker = _workers.get(job_arn)
    if worker is None:
        return True
    worker.join(timeout)
    return not worker.is_alive()


def _patched_create(kind: str, original: Callable[..., Any]) -> Callable[..., Any]:
    name_field = _KINDS[kind][0]

    def create(self: Any, *args: Any, **kwargs: Any) -> Any:
        runner: Runner | None = None
        if kind == "transform":
            # SageMaker refuses a transform job whose model does not exist.
            from moto.sagemaker.exceptions import ValidationError

            try:
                container = transform_jobs.model_container(self, kwargs["model_name"])
            except jobs.JobSetupError as error:
                raise ValidationError(message=str(error)) from error

            def runner(request: dict[str, Any], store: jobs.ObjectStore) -> jobs.JobOutcome:
                return transform_jobs.run_transform_job(request, container, store)

        # moto replaces MetricDefinitions with a made-up one, in the caller's dict too.
        specification = kwargs.get("algorithm_specification") or {}
        metric_definitions = copy.deepcopy(specification.get("MetricDefinitions"))
        job = original(self, *args, **kwargs)
        if kind == "training":
            job_logs.keep_metric_definitions(job, metric_definitions)
        request = json.loads(to_json_str(job.response_object))
        request[name_field] = getattr(job, f"{kind}_job_name")
        start_job(kind, job, request, (self.account_id, self.region_name), runner)
        return job

    return create


def install_job_runner(replace: Callable[[Any, str, Any], None]) -> None:
    from moto.sagemaker.models import SageMakerModelBackend

    for kind in _KINDS:
        method = f"create_{kind}_job"
        replace(
            SageMakerModelBackend,
            method,
            _patched_create(kind, getattr(SageMakerModelBackend, method)),
        )


# The actions of Step Functions' optimised SageMaker integration.
_OPTIMISED_ACTIONS = frozenset(
    {
        "createEndpoint",
        "createEndpointConfig",
        "createHyperParameterTuningJob",
        "createLabelingJob",
        "createModel",
        "createProcessingJob",
        "createTrainingJob",
        "createTransformJob",
        "stopHyperParameterTuningJob",
        "stopLabelingJob",
        "stopProcessingJob",
        "stopTrainingJob",
        "stopTransformJob",
        "updateEndpoint",
    }
)

_SYNC_ACTIONS: dict[str, tuple[str, str, str, str]] = {
    # api action -> (kind, describe action, name field, status field)
    "createprocessingjob": (
        "processing",
        "describe_processing_job",
        "ProcessingJobName",
        "ProcessingJobStatus",
    ),
    "createtrainingjob": (
        "training",
        "describe_training_job",
        "TrainingJobName",
        "TrainingJobStatus",
    ),
    "createtransformjob": (
        "transform",
        "describe_transform_job",
        "TransformJobName",
        "TransformJobStatus",
    ),
}


@cache
def _request_members(operation_name: str) -> frozenset[str]:
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.operation_model(operation_name).input_shape
    return frozenset(shape.members) if shape is not None else frozenset()


class StateTaskServiceSageMaker(StateTaskServiceCallback):
    """`arn:aws:states:::sagemaker:<action>[.sync]`, request-response or run-a-job."""

    def __init__(self) -> None:
        # moto only creates the callback endpoint its sync loop needs when WaitForTaskToken is
        # listed; SageMaker does not support it, so a `.waitForTaskToken` resource is rejected
        # in `_get_supported_parameters` instead.
        super().__init__(
            supported_integration_patterns={
                _SYNC,
                _CALLBACK,
            }
        )

    def _get_supported_parameters(self) -> set[str] | None:
        action = self.resource.api_action
        if action not in _OPTIMISED_ACTIONS or self.resource.condition not in (
            None,
            _SYNC,
        ):
            return None
        return set(_request_members(action[0].upper() + action[1:]))

    def _from_error(self, env: Any, ex: Exception) -> FailureEvent:
        from botocore.exceptions import ClientError

        if isinstance(ex, ClientError):
            error = "SageMaker.AmazonSageMakerException"
            meta = ex.response.get("ResponseMetadata", {})
            cause = (
                f"{ex.response['Error'].get('Message', '')} (Service: AmazonSageMaker; "
                f"Status Code: {meta.get('HTTPStatusCode', 400)}; "
                f"Error Code: {ex.response['Error'].get('Code', 'Unknown')}; "
                f"Request ID: {meta.get('RequestId', '')})"
            )
            return FailureEvent(
                env=env,
                error_name=CustomErrorName(error),
                event_type=HistoryEventType.TaskFailed,
                event_details=_EventDetails(
                    taskFailedEventDetails=TaskFailedEventDetails(
                        error=error,
                        cause=cause,
                        resource=self._get_sfn_resource(),
                        resourceType=self._get_sfn_resource_type(),
                    )
                ),
            )
        result: FailureEvent = super()._from_error(env=env, ex=ex)
        return result

    def _eval_service_task(
        self,
        env: Any,
        resource_runtime_part: Any,
        normalised_parameters: dict[str, Any],
        state_credentials: Any,
    ) -> None:
        client = boto_client_for(
            service="sagemaker",
            region=resource_runtime_part.region,
            state_credentials=state_credentials,
        )
        action = self._get_boto_service_action()
        response = getattr(client, action)(**normalised_parameters) or {}
        response.pop("ResponseMetadata", None)
        env.stack.append(json.loads(to_json_str(response)))

    def _build_sync_resolver(
        self,
        env: Any,
        resource_runtime_part: Any,
        normalised_parameters: dict[str, Any],
        state_credentials: Any,
    ) -> Callable[[], Any] | None:
        action = self.resource.api_action.lower()
        if action not in _SYNC_ACTIONS:
            raise RuntimeError(
                f"Unsupported .sync procedure in resource {self.resource.resource_arn}"
            )
        _, describe_action, name_field, status_field = _SYNC_ACTIONS[action]
        env.stack.pop()  # the Create* response; the job is identified by its name
        job_name = normalised_parameters[name_field]
        client = boto_client_for(
            service="sagemaker",
            region=resource_runtime_part.region,
            state_credentials=state_credentials,
        )
        stopping = normalised_parameters.get("StoppingCondition") or {}
        join_timeout = float(stopping.get("MaxRuntimeInSeconds") or 86400) + _JOIN_MARGIN_SECONDS

        def resolve() -> Any:
            description = getattr(client, describe_action)(**{name_field: job_name})
            description.pop("ResponseMetadata", None)
            wait_for_job(description.get(name_field.replace("Name", "Arn"), ""), join_timeout)
            description = getattr(client, describe_action)(**{name_field: job_name})
            description.pop("ResponseMetadata", None)
            output = json.loads(to_json_str(description))
            status = output.get(status_field)
            if status in ("InProgress", "Stopping"):
                return None
            if status == "Completed":
                return output
            raise FailureEventException(
                FailureEvent(
                    env=env,
                    error_name=StatesErrorName(typ=StatesErrorNameType.StatesTaskFailed),
                    event_type=HistoryEventType.TaskFailed,
                    event_details=_EventDetails(
                        taskFailedEventDetails=TaskFailedEventDetails(
                            resource=self._get_sfn_resource(),
                            resourceType=self._get_sfn_resource_type(),
                            error=StatesErrorNameType.StatesTaskFailed.to_name(),
                            cause=to_json_str(output),
                        )
                    ),
                )
            )

        return resolve


def install_sync_integration(replace: Callable[[Any, str, Any], None]) -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import (
        state_task_factory,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_factory as factory,
    )

    original = factory.state_task_service_for

    def state_task_service_for(service_name: str) -> Any:
        if service_name == "sagemaker":
            return StateTaskServiceSageMaker()
        return original(service_name)

    replace(factory, "state_task_service_for", state_task_service_for)
    replace(state_task_factory, "state_task_service_for", state_task_service_for)
