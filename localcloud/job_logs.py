"""A local SageMaker job's output where SageMaker keeps it: CloudWatch Logs, and training metrics.

SageMaker writes a job's stdout and stderr to the log group of its kind
(`/aws/sagemaker/TrainingJobs`, `ProcessingJobs`, `TransformJobs`), one stream per instance named
`<job-name>/algo-1-<epoch seconds of the job's start>`. For a training job it applies each of
AlgorithmSpecification.MetricDefinitions (a name and a regex whose first group is the value) to
every log line: each match becomes a CloudWatch datum in namespace `/aws/sagemaker/TrainingJobs`
with dimension Host `<job-name>/algo-1`, and the last value of each metric goes to
DescribeTrainingJob's FinalMetricDataList.

The embedded cloud captures stdout and stderr apart, so its stream holds stdout's lines, then
stderr's, all stamped with the job's end: the order within each is kept, not between them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import Any

LOG_GROUPS = {
    "training": "/aws/sagemaker/TrainingJobs",
    "processing": "/aws/sagemaker/ProcessingJobs",
    "transform": "/aws/sagemaker/TransformJobs",
}
METRICS_NAMESPACE = "/aws/sagemaker/TrainingJobs"
HOST = "algo-1"
# PutLogEvents takes at most 10,000 events a call.
_BATCH = 10_000


def stream_name(job_name: str, started: datetime.datetime) -> str:
    return f"{job_name}/{HOST}-{int(started.timestamp())}"


def _millis(moment: datetime.datetime) -> int:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
    return int(aware.timestamp() * 1000)


def log_lines(stdout: str, stderr: str) -> list[str]:
    """The events of the stream: every non-empty line (CloudWatch refuses empty messages)."""
    return [line for line in (stdout.splitlines() + stderr.splitlines()) if line.strip()]


def store_logs(
    account: str,
    region: str,
    kind: str,
    stream: str,
    lines: Sequence[str],
    ended: datetime.datetime,
) -> None:
    """Write `lines` to the job's stream, creating its group and stream as SageMaker does."""
    from moto.logs.models import logs_backends

    backend = logs_backends[account][region]
    group = LOG_GROUPS[kind]
    if group not in backend.groups:
        backend.create_log_group(group, {})
    if stream not in backend.groups[group].streams:
        backend.create_log_stream(group, stream)
    stamp = _millis(ended)
    events = [{"timestamp": stamp, "message": line} for line in lines]
    for start in range(0, len(events), _BATCH):
        backend.put_log_events(group, stream, events[start : start + _BATCH])


def parse_metrics(
    definitions: Sequence[Mapping[str, Any]], lines: Sequence[str]
) -> list[tuple[str, float]]:
    """(name, value) for every match of a definition's regex in a line, in log order; a match
    whose first group is not a number is skipped, as SageMaker skips it."""
    compiled = []
    for definition in definitions:
        try:
            compiled.append((str(definition["Name"]), re.compile(str(definition["Regex"]))))
        except (KeyError, re.error):
            continue  # CreateTrainingJob refuses these on AWS; nothing to match here
    found: list[tuple[str, float]] = []
    for line in lines:
        for name, pattern in compiled:
            match = pattern.search(line)
            if match is None or not match.groups():
                continue
            try:
                found.append((name, float(match.group(1))))
            except (TypeError, ValueError):
                continue
    return found


def final_metrics(
    found: Sequence[tuple[str, float]], when: datetime.datetime
) -> list[dict[str, Any]]:
    """FinalMetricDataList: the last value of each metric, in the order metrics first appear."""
    last: dict[str, float] = {}
    for name, value in found:
        last[name] = value
    return [{"MetricName": name, "Value": value, "Timestamp": when} for name, value in last.items()]


def publish_metrics(
    account: str,
    region: str,
    job_name: str,
    found: Sequence[tuple[str, float]],
    when: datetime.datetime,
) -> None:
    if not found:
        return
    from moto.cloudwatch.models import cloudwatch_backends

    # moto keeps its metric data as naive UTC.
    naive = when.astimezone(datetime.UTC).replace(tzinfo=None) if when.tzinfo else when
    dimension = [{"Name": "Host", "Value": f"{job_name}/{HOST}"}]
    data = [
        {"MetricName": name, "Dimensions": dimension, "Value": value, "Timestamp": naive}
        for name, value in found
    ]
    cloudwatch_backends[account][region].put_metric_data(METRICS_NAMESPACE, data)


def keep_metric_definitions(job: Any, definitions: list[dict[str, Any]] | None) -> None:
    """Describe shows the MetricDefinitions CreateTrainingJob was given, or none."""
    specification = dict(job.algorithm_specification or {})
    specification.pop("MetricDefinitions", None)
    if definitions:
        specification["MetricDefinitions"] = definitions
    job.algorithm_specification = specification


def store_job_output(
    job: Any, kind: str, name: str, stdout: str, stderr: str, started: datetime.datetime
) -> None:
    """The job's stdout and stderr in its log stream; a training job's metrics parsed from them
    (published, and its FinalMetricDataList)."""
    from moto.core.utils import utcnow

    region, account = str(job.arn).split(":")[3:5]
    ended = utcnow()
    lines = log_lines(stdout, stderr)
    if lines:
        store_logs(account, region, kind, stream_name(name, started), lines, ended)
    if kind == "training":
        definitions = (job.algorithm_specification or {}).get("MetricDefinitions") or []
        found = parse_metrics(definitions, lines)
        job.final_metric_data_list = final_metrics(found, ended)
        publish_metrics(account, region, name, found, ended)
