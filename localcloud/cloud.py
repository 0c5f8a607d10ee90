"""`LocalCloud`: the embedded AWS in this process, with what tests and the demo need to drive it.

    with LocalCloud() as cloud:
        sfn = cloud.client("stepfunctions")
        ...
        result = cloud.start_and_wait(state_machine_arn, {"key": "value"})

State is fresh for every LocalCloud. moto's backends are process-wide, so one LocalCloud (or
localcloud server) runs in a process at a time: starting another while one runs raises
`CloudAlreadyRunning` instead of wiping it. The cloud's AWS state is dropped when it stops; what it
recorded (`waits()`, `job_times()`, `deliveries()`, `delivery_failures()`, `function_errors()`)
stays readable on that instance until it starts again.
"""

from __future__ import annotations

import datetime
import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from moto import mock_aws

from localcloud import (
    alarm_clock,
    event_routing,
    jobs,
    lambda_runtime,
    mock_config,
    recorder,
    sagemaker_endpoints,
    sagemaker_jobs,
    virtual_clock,
)
from localcloud.account import ACCOUNT_ID, DEFAULT_REGION
from localcloud.cloud_clients import drop_added_handlers, shared_client
from localcloud.extensions import apply_extensions
from localcloud.recorder import CloudRecords, JobRecord, WaitRecord

MOTO_CONFIG: dict[str, Any] = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}
DEFAULT_TIMEOUT_SECONDS = 120.0


class ExecutionTimeout(TimeoutError):
    """An execution did not end within the time allowed."""


class LocalCloud:
    """An in-process AWS (moto plus the project's extensions)."""

    def __init__(
        self,
        region: str = DEFAULT_REGION,
        mock_config_file: str | Path | dict[str, Any] | None = None,
    ) -> None:
        self.region = region
        self.account_id = ACCOUNT_ID
        self._mock_config = mock_config_file
        self._mock: Any = None
        self._saved_env: dict[str, str | None] = {}
        self._records = CloudRecords()

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> LocalCloud:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start with fresh state and fresh records; raises `CloudAlreadyRunning` while another
        cloud runs in this process (before touching its state)."""
        records = CloudRecords()
        recorder.activate(records, f"LocalCloud({self.region!r})")
        try:
            apply_extensions()
            env = {"AWS_DEFAULT_REGION": self.region, "AWS_REGION": self.region}
            self._saved_env = {key: os.environ.get(key) for key in env}
            os.environ.update(env)
            self._mock = mock_aws(config=cast(Any, MOTO_CONFIG))
            self._mock.start()
            drop_added_handlers()
            mock_config.set_mock_config(self._mock_config)
        except BaseException:
            recorder.deactivate(records)
            raise
        self._records = records
        jobs.accept_jobs()

    def stop(self) -> None:
        # Job processes run outside this process's threads; none may outlive the cloud (an
        # interrupted demo would leave them training). Their workers then record Stopped.
        sagemaker_jobs.stop_jobs()
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        mock_config.set_mock_config(None)
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env = {}
        recorder.deactivate(self._records)

    # -- clients ---------------------------------------------------------------------------

    def client(self, service: str) -> Any:
        """A boto3 client on the embedded cloud; one per service and region for the whole
        process (clients are thread-safe; building one costs more than most calls, and moto
        starts every mock with a fresh boto3 session, so nothing would be reused otherwise).
        Event handlers added to it last only until the next cloud starts."""
        return shared_client(service, self.region)

    # -- Step Functions ----------------------------------------------------------------------

    def _sfn_backend(self) -> Any:
        from moto.stepfunctions.responses import get_backend

        return get_backend(self.account_id, self.region)

    def start_execution(
        self, state_machine_arn: str, input: Any = None, name: str | None = None
    ) -> str:
        """Start an execution; `input` may be a JSON string or any JSON-serialisable value."""
        kwargs: dict[str, Any] = {"stateMachineArn": state_machine_arn}
        if input is not None:
            kwargs["input"] = input if isinstance(input, str) else json.dumps(input)
        if name is not None:
            kwargs["name"] = name
        return str(self.client("stepfunctions").start_execution(**kwargs)["executionArn"])

    def wait_for_execution(
        self, execution_arn: str, timeout: float = DEFAULT_TIMEOUT_SECONDS
    ) -> dict[str, Any]:
        """Join the execution's worker thread and return DescribeExecution's output."""
        for execution in self._sfn_backend()._get_executions():
            if execution.execution_arn == execution_arn:
                thread = getattr(execution.exec_worker, "thread", None)
                if thread is not None:
                    thread.join(timeout)
                    if thread.is_alive():
                        raise ExecutionTimeout(f"{execution_arn} still RUNNING after {timeout} s")
                break
        result: dict[str, Any] = self.client("stepfunctions").describe_execution(
            executionArn=execution_arn
        )
        result.pop("ResponseMetadata", None)
        return result

    def start_and_wait(
        self,
        state_machine_arn: str,
        input: Any = None,
        name: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> dict[str, Any]:
        """Start an execution and return DescribeExecution once it has ended."""
        return self.wait_for_execution(
            self.start_execution(state_machine_arn, input, name), timeout
        )

    def history_events(self, execution_arn: str) -> list[dict[str, Any]]:
        client = self.client("stepfunctions")
        events: list[dict[str, Any]] = []
        for page in client.get_paginator("get_execution_history").paginate(
            executionArn=execution_arn
        ):
            events.extend(page["events"])
        return events

    def states_entered(self, execution_arn: str) -> list[str]:
        """Names of the states the execution entered, in order."""
        return [
            event["stateEnteredEventDetails"]["name"]
            for event in self.history_events(execution_arn)
            if event["type"].endswith("StateEntered")
        ]

    def waits(self, execution_arn: str | None = None) -> list[WaitRecord]:
        """Wait states and retry intervals that were recorded instead of slept."""
        return [r for r in self._records.waits.items() if execution_arn in (None, r.execution_arn)]

    def advance_clock(self, execution_arn: str | None, seconds: float) -> None:
        """Let `seconds` pass on a running execution's virtual clock (a callback or heartbeat
        that does not come, a long task): its timeouts fire as they would on AWS. With
        `execution_arn` None they pass for CloudWatch instead: running endpoints send their
        instance metrics of that time and every alarm is evaluated that much later, so
        metrics that stop coming count as missing (`alarm_clock`)."""
        if execution_arn is None:
            alarm_clock.advance(seconds)
        else:
            virtual_clock.advance(execution_arn, seconds)

    def _busy(self) -> list[threading.Thread]:
        threads = [
            thread
            for execution in self._sfn_backend()._get_executions()
            if (thread := getattr(getattr(execution, "exec_worker", None), "thread", None))
            is not None
            and thread.is_alive()
        ]
        # Process-wide thread lists: this cloud's, as one cloud at most runs at a time.
        threads += sagemaker_jobs.running_workers()
        threads += lambda_runtime.running_async_invocations()
        return threads

    def wait_until_idle(self, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        """Join everything the cloud is doing on its own (executions, SageMaker jobs,
        asynchronous Lambda invocations, and whatever those start) until nothing runs."""
        deadline = time.monotonic() + timeout
        while busy := self._busy():
            for thread in busy:
                thread.join(max(0.0, deadline - time.monotonic()))
            if time.monotonic() >= deadline and any(t.is_alive() for t in self._busy()):
                names = sorted({t.name for t in self._busy()})
                raise ExecutionTimeout(f"still running after {timeout} s: {', '.join(names)}")

    # -- SNS, EventBridge, schedules ---------------------------------------------------------

    def sns_messages(self, topic: str) -> list[dict[str, Any]]:
        """Messages published to a topic (by ARN or name), oldest first."""
        from moto.sns.models import sns_backends

        backend = sns_backends[self.account_id][self.region]
        arn = (
            topic
            if topic.startswith("arn:")
            else (f"arn:aws:sns:{self.region}:{self.account_id}:{topic}")
        )
        if arn not in backend.topics:
            raise LookupError(f"no SNS topic {arn}; create it first (sns.create_topic)")
        return [
            {"MessageId": item[0], "Message": item[1], "Subject": item[2]}
            for item in backend.topics[arn].sent_notifications
        ]

    def put_events(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        """PutEvents on the embedded EventBridge (Detail may be a dict or a JSON string)."""
        normalised = [
            {
                **entry,
                "Detail": entry["Detail"]
                if isinstance(entry.get("Detail"), str)
                else json.dumps(entry.get("Detail", {})),
            }
            for entry in entries
        ]
        result: dict[str, Any] = self.client("events").put_events(Entries=normalised)
        result.pop("ResponseMetadata", None)
        return result

    def delivery_failures(self) -> list[dict[str, Any]]:
        """Deliveries to rule targets that failed, oldest first: `{"rule", "target", "error"}`."""
        return self._records.delivery_failures.items()

    def function_errors(self) -> list[dict[str, str]]:
        """What asynchronous invocations raised, oldest first: `{"function", "errorType",
        "errorMessage"}` (on AWS: the function's logs and its dead-letter target)."""
        return self._records.function_errors.items()

    def deliveries(self, rule: str | None = None) -> list[dict[str, Any]]:
        """Events delivered to rule targets, oldest first: `{"rule", "target", "event"}` (the
        event's id, so a redelivery shows the same id twice); the newest DELIVERY_CAP of them."""
        return [d for d in self._records.deliveries.items() if rule in (None, d["rule"])]

    def dropped_deliveries(self) -> int:
        """How many of the oldest deliveries the record let go: it keeps the newest
        `recorder.DELIVERY_CAP` (as it does of delivery failures and function errors)."""
        return self._records.deliveries.dropped

    @contextmanager
    def duplicate_deliveries(self, copies: int = 2) -> Iterator[None]:
        """Within the block, every event reaches each of its targets `copies` times, as
        EventBridge's at-least-once delivery may do."""
        event_routing.set_delivery_copies(self._records, copies)
        try:
            yield
        finally:
            event_routing.set_delivery_copies(self._records, 1)

    def fire_schedule(self, name: str, group: str = "default") -> str:
        """Fire the EventBridge Scheduler schedule `name` in schedule group `group`, or else the
        scheduled EventBridge rule `name`, now.

        Returns what the target started (an execution ARN for Step Functions targets)."""
        from moto.events.models import events_backends
        from moto.scheduler.models import scheduler_backends

        groups = scheduler_backends[self.account_id][self.region].schedule_groups
        schedule = groups[group].schedules.get(name) if group in groups else None
        if schedule is not None:
            if schedule.state != "ENABLED":
                raise RuntimeError(f"schedule {group}/{name} is {schedule.state}; enable it first")
            target = schedule.target
            return event_routing.deliver(
                target["Arn"],
                _scheduler_context(target.get("Input") or "{}", schedule.arn),
                self.account_id,
                self.region,
                role=f"schedule {name}",
                message_group=(target.get("SqsParameters") or {}).get("MessageGroupId"),
            )
        # Schedule expressions run on the default event bus only.
        bus = events_backends[self.account_id][self.region].event_buses.get("default")
        rule = bus.rules.get(name) if bus is not None else None
        if rule is None or not rule.scheduled_expression:
            raise LookupError(
                f"no Scheduler schedule {group}/{name} and no scheduled rule {name!r}: create "
                "one (scheduler.create_schedule or events.put_rule with ScheduleExpression)"
            )
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": self.account_id,
            "time": event_routing.iso_time(datetime.datetime.now(datetime.UTC)),
            "region": self.region,
            "resources": [rule.arn],
            "detail": {},
        }
        started = ""
        for target in rule.targets:
            payload = event_routing.target_input(target, event, rule)
            started = event_routing.deliver(
                target["Arn"],
                payload,
                self.account_id,
                self.region,
                role=f"rule {name}",
                message_group=(target.get("SqsParameters") or {}).get("MessageGroupId"),
            )
        return started

    # -- SageMaker -------------------------------------------------------------------------

    def fail_next_endpoint_update(
        self, endpoint_name: str, reason: str, status: str = "InService"
    ) -> None:
        """The next UpdateEndpoint of `endpoint_name` fails with `reason` and the old config
        keeps serving; the endpoint ends `status`: InService (rolled back) or Failed."""
        from moto.sagemaker.models import FakeEndpoint

        arn = FakeEndpoint.arn_formatter(endpoint_name, self.account_id, self.region)
        sagemaker_endpoints.fail_next_update(self._records, arn, reason, status)

    def job_times(self) -> list[JobRecord]:
        """Each local SageMaker job that ended: its kind, name, status and script wall time."""
        return self._records.jobs.items()


def _scheduler_context(payload: str, schedule_arn: str) -> str:
    """Fill the context attributes Scheduler replaces in a target's Input at invocation: a
    fired schedule is its first attempt, scheduled now, with a fresh execution id."""
    values = {
        "schedule-arn": schedule_arn,
        "scheduled-time": event_routing.iso_time(datetime.datetime.now(datetime.UTC)),
        "execution-id": str(uuid.uuid4()),
        "attempt-number": "1",
    }
    for name, value in values.items():
        payload = payload.replace(f"<aws.scheduler.{name}>", value)
    return payload
