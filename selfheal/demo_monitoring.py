"""The demo's monitoring half: traffic on the deployed endpoint, the CPU alarm and its reaction,
an endpoint deleted by someone else answered with the principal, and the dashboard's picture.

The CPU alarm's threshold is lowered in the demo's own copy of the settings (a few requests on a
small model do not keep a CPU at 80% for three minutes); the output says so.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from environments.settings import Settings
    from selfheal.demo_progress import Clock

REQUESTS, ROWS_PER_REQUEST = 20, 10
DEMO_CPU = {"threshold": 1.0, "period_seconds": 60, "evaluation_periods": 1, "datapoints": 1}
OTHER_PRINCIPAL = ("OperationsAdmin", "alice")  # the role and session that delete the endpoint
RESOURCE = "endpoint/{}/variant/AllTraffic"


def demo_settings(settings: Settings) -> Settings:
    """The settings with the CPU alarm lowered so the demo's traffic breaches it."""
    from environments.monitoring import AlarmThreshold

    cpu = AlarmThreshold(
        DEMO_CPU["threshold"],
        int(DEMO_CPU["period_seconds"]),
        int(DEMO_CPU["evaluation_periods"]),
        int(DEMO_CPU["datapoints"]),
    )
    alarms = {**settings.monitoring.alarms, "cpu_percent": cpu}
    monitoring = dataclasses.replace(settings.monitoring, alarms=alarms)
    return dataclasses.replace(settings, monitoring=monitoring)


def cpu_note(original: Settings) -> str:
    given = original.monitoring.alarm("cpu_percent")
    return (
        f"(demo settings: CPU alarm at {DEMO_CPU['threshold']:g}% over 1 period of 60 s instead of "
        f"{given.threshold:g}% over {given.evaluation_periods}, so a short burst fires it)"
    )


def traffic_and_alarm(
    cloud: Any, settings: Settings, data: Path, clock: Clock, out: Callable[[str], None]
) -> list[str]:
    """Requests on rows of the data -> CPU datapoints -> the CPU alarm -> capacity raised,
    notified. What did not happen."""
    import pandas as pd

    runtime = cloud.client("sagemaker-runtime")
    frame = pd.read_csv(data, skipinitialspace=True)
    features = [f.name for f in settings.model.features]
    rows = frame[features].to_csv(index=False, header=False, lineterminator="\n").splitlines()
    answered = 0
    for index in range(REQUESTS):
        chunk = rows[index * ROWS_PER_REQUEST : (index + 1) * ROWS_PER_REQUEST] or rows[:1]
        runtime.invoke_endpoint(
            EndpointName=settings.endpoint.name, Body="\n".join(chunk), ContentType="text/csv"
        )
        answered += 1
    out(
        f"\n{clock.stamp()} sent {REQUESTS} requests ({REQUESTS * ROWS_PER_REQUEST} rows of "
        f"{data.name}) to endpoint {settings.endpoint.name}: {answered} answered"
    )
    cloud.wait_until_idle(timeout=60)
    alarm = settings.monitoring_alarm_name("cpu_percent")
    found = cloud.client("cloudwatch").describe_alarms(AlarmNames=[alarm])["MetricAlarms"]
    state = found[0]["StateValue"] if found else "missing"
    out(f"{clock.stamp()} alarm {alarm}: {state}")
    targets = cloud.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=[RESOURCE.format(settings.endpoint.name)]
    )["ScalableTargets"]
    maximum = targets[0]["MaxCapacity"] if targets else None
    notes = [
        str(m.get("Subject") or "")
        for m in cloud.sns_messages(settings.topic_name)
        if alarm in str(m.get("Subject") or "")
    ]
    for note in notes:
        out(f"  notification    {note}")
    out(f"  autoscaling     maximum now {maximum}")
    problems = []
    if state != "ALARM":
        problems.append(f"the CPU alarm {alarm} did not fire on the demo's traffic ({state})")
    if not any("maximum raised" in note for note in notes):
        problems.append("the CPU alarm's reaction did not raise the endpoint's maximum")
    return problems


def deleted_by_someone_else(
    cloud: Any, settings: Settings, clock: Clock, out: Callable[[str], None]
) -> list[str]:
    """A trail logs (as the account's would), another principal deletes the endpoint, the audit
    rule notifies who, and `selfheal audit`'s lookup names them."""
    import boto3

    from selfheal.audit_command import describe, lookup

    bucket = settings.name("audit-trail")
    cloud.client("s3").create_bucket(Bucket=bucket)
    trail = cloud.client("cloudtrail")
    trail.create_trail(Name=settings.name("management-events"), S3BucketName=bucket)
    trail.start_logging(Name=settings.name("management-events"))
    role_name, session = OTHER_PRINCIPAL
    role = cloud.client("iam").create_role(RoleName=role_name, AssumeRolePolicyDocument="{}")
    credentials = cloud.client("sts").assume_role(
        RoleArn=role["Role"]["Arn"], RoleSessionName=session
    )["Credentials"]
    boto3.client(
        "sagemaker",
        region_name=settings.location.region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    ).delete_endpoint(EndpointName=settings.endpoint.name)
    out(
        f"\n{clock.stamp()} trail {settings.name('management-events')} logging; "
        f"{role_name}/{session} deleted endpoint {settings.endpoint.name}"
    )
    cloud.wait_until_idle(timeout=60)
    notes = [
        json.loads(m["Message"])
        for m in cloud.sns_messages(settings.topic_name)
        if "DeleteEndpoint" in str(m.get("Message"))
    ]
    for note in notes:
        out(f"  notification    {str(note).splitlines()[0]}")
    records = lookup(cloud.client, settings.endpoint.name, "DeleteEndpoint", 1)
    answer = describe(records[0]) if records else "no DeleteEndpoint in the event history"
    out(f"  selfheal audit  {answer}")
    problems = []
    if not notes:
        problems.append("the endpoint's deletion was not notified")
    if f"assumed-role/{role_name}/{session}" not in answer:
        problems.append("`selfheal audit` did not name who deleted the endpoint")
    return problems


def picture(cloud: Any, settings: Settings, clock: Clock, out: Callable[[str], None]) -> Path:
    from selfheal.dashboard_picture import render_dashboard

    path = Path(tempfile.gettempdir()) / "selfheal-demo" / f"{settings.dashboard_name}.png"
    render_dashboard(cloud.client, settings.dashboard_name, path)
    out(f"{clock.stamp()} dashboard {settings.dashboard_name} drawn: {path}")
    return path
