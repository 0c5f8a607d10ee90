"""The SageMaker jobs one execution ran: their logs, read from CloudWatch Logs where SageMaker
writes them, and a training job's final metrics (parsed by its MetricDefinitions)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from console.page import esc, notice, table

# The job's name field in its Create*Job request -> (kind, its CloudWatch Logs group).
_JOBS = {
    "TrainingJobName": ("training", "/aws/sagemaker/TrainingJobs"),
    "ProcessingJobName": ("processing", "/aws/sagemaker/ProcessingJobs"),
    "TransformJobName": ("transform", "/aws/sagemaker/TransformJobs"),
}
# A console shows the head of a log; the whole is in CloudWatch Logs.
MAX_LINES = 500
MAX_STREAMS = 10


@dataclass(frozen=True)
class JobRun:
    state: str
    kind: str
    name: str
    log_group: str


def jobs_in_history(events: Iterable[Mapping[str, Any]]) -> list[JobRun]:
    """Each SageMaker job a TaskScheduled event of the history asked for, in the order asked."""
    found: list[JobRun] = []
    state = ""
    for event in events:
        if str(event.get("type", "")).endswith("StateEntered"):
            state = str((event.get("stateEnteredEventDetails") or {}).get("name", ""))
        details = event.get("taskScheduledEventDetails")
        if not details or details.get("resourceType") != "sagemaker":
            continue
        try:
            parameters = json.loads(details.get("parameters") or "{}")
        except json.JSONDecodeError:
            continue
        for field, (kind, group) in _JOBS.items():
            name = parameters.get(field) if isinstance(parameters, dict) else None
            if isinstance(name, str) and name:
                run = JobRun(state, kind, name, group)
                if run not in found:
                    found.append(run)
    return found


def _log_lines(logs: Any, run: JobRun) -> list[str]:
    streams = logs.describe_log_streams(
        logGroupName=run.log_group, logStreamNamePrefix=f"{run.name}/", limit=MAX_STREAMS
    )["logStreams"]
    lines: list[str] = []
    for stream in streams:
        events = logs.get_log_events(
            logGroupName=run.log_group,
            logStreamName=stream["logStreamName"],
            startFromHead=True,
            limit=MAX_LINES,
        )["events"]
        lines.extend(str(event.get("message", "")) for event in events)
    return lines[:MAX_LINES]


def _metrics(sagemaker: Any, run: JobRun) -> str:
    described = sagemaker.describe_training_job(TrainingJobName=run.name)
    rows = [
        [esc(metric.get("MetricName", "")), esc(metric.get("Value", ""))]
        for metric in described.get("FinalMetricDataList") or []
    ]
    return '<div class="job-metrics">' + table(["metric", "final value"], rows) + "</div>"


def jobs_section(client: Any, events: Iterable[Mapping[str, Any]]) -> str:
    """`client` is the console's client factory (service name -> boto3 client)."""
    runs = jobs_in_history(events)
    if not runs:
        return ""
    logs = client("logs")
    parts = ["<h2>Jobs</h2>"]
    for run in runs:
        parts.append(
            f'<h3 class="job" data-job="{esc(run.name)}">{esc(run.state)}: {esc(run.kind)} job '
            f"{esc(run.name)}</h3>"
        )
        if run.kind == "training":
            try:
                parts.append(_metrics(client("sagemaker"), run))
            except Exception as error:  # the job may be gone; its logs may still be there
                parts.append(notice(f"no metrics: {error}", error=True))
        try:
            lines = _log_lines(logs, run)
        except Exception as error:  # e.g. no log group yet: the job has printed nothing
            parts.append(notice(f"no logs in {run.log_group}: {error}"))
            continue
        if not lines:
            parts.append(notice(f"no logs in {run.log_group} yet"))
            continue
        parts.append(
            f'<p>{esc(run.log_group)}, streams {esc(run.name)}/*</p><pre class="job-log">'
            + esc("\n".join(lines))
            + "</pre>"
        )
    return "".join(parts)
