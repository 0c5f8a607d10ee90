"""The demo's end-of-run summary: execution, metrics, decision, model package, endpoint, message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from selfheal.demo_failure import Failure, failure_of
from selfheal.demo_progress import history, output_of


@dataclass(frozen=True)
class Outcome:
    status: str
    decision: str | None
    endpoint_status: str | None
    endpoint_serves_package: bool
    notified: bool
    failure: Failure | None = None

    @property
    def finished(self) -> bool:
        return (
            self.status == "SUCCEEDED" and self.decision in ("approve", "reject") and self.notified
        )

    @property
    def deployed(self) -> bool:
        return (
            self.finished
            and self.decision == "approve"
            and self.endpoint_status == "InService"
            and self.endpoint_serves_package
        )

    def describe(self) -> str:
        if self.failure is not None:
            return f"{self.status} at {self.failure.headline()}"
        return (
            f"status {self.status}, decision {self.decision}, endpoint {self.endpoint_status}, "
            f"serving this package: {self.endpoint_serves_package}, notified: {self.notified}"
        )


def summarise(
    cloud: Any, settings: Any, described: dict[str, Any], *, out: Callable[[str], None]
) -> Outcome:
    result = output_of(described)
    seconds = (described["stopDate"] - described["startDate"]).total_seconds()
    out("")
    out(f"  execution       {described['name']}: {described['status']} in {seconds:.1f}s")
    trigger = result.get("trigger") or {}
    if trigger:
        out(f"  trigger         {trigger.get('source')}: {trigger.get('reason')}")
    metrics = result.get("metrics") or {}
    if metrics:
        shown = ", ".join(f"{k} {_number(v)}" for k, v in sorted(metrics.items()))
        out(f"  metrics         {shown}")
    failure = None
    if described["status"] != "SUCCEEDED":
        failure = failure_of(
            described, history(cloud.client("stepfunctions"), described["executionArn"])
        )
        out(f"  failed at       {failure.headline()}")
        if failure.reason:
            out(f"                  {failure.reason}")
    decision = result.get("decision")
    if decision is not None or failure is None:
        out(f"  gate decision   {decision}")
    for reason in result.get("reasons") or []:
        out(f"                  - {reason}")
    package_arn = result.get("modelPackageArn")
    sagemaker = cloud.client("sagemaker")
    if package_arn:
        package = sagemaker.describe_model_package(ModelPackageName=package_arn)
        out(
            f"  model package   {package_arn.rsplit('/', 2)[-2]} version "
            f"{package.get('ModelPackageVersion')} ({package['ModelApprovalStatus']})"
        )
    endpoint_status, serves = _endpoint(sagemaker, settings, result, out)
    # Only a notice that names this execution counts: the topic also holds earlier runs' ones.
    own = [
        str(m.get("Subject") or "")
        for m in cloud.sns_messages(settings.topic_name)
        if _names(m, described)
    ]
    notified = bool(own)
    out(f"  notification    {own[-1] if own else 'none names this execution'}")
    out("")
    return Outcome(described["status"], decision, endpoint_status, serves, notified, failure)


def _names(message: dict[str, Any], described: dict[str, Any]) -> bool:
    """A notice names an execution in its subject (the name; a long one may be cut there) or
    its message (the ARN, in the facts or the console link)."""
    return described["name"] in str(message.get("Subject") or "") or described[
        "executionArn"
    ] in str(message.get("Message") or "")


def _endpoint(
    sagemaker: Any, settings: Any, result: dict[str, Any], out: Callable[[str], None]
) -> tuple[str | None, bool]:
    name = settings.endpoint.name
    try:
        endpoint = sagemaker.describe_endpoint(EndpointName=name)
    except sagemaker.exceptions.ClientError:
        out(f"  endpoint        {name}: not created")
        return None, False
    config = endpoint["EndpointConfigName"]
    deployment = result.get("deployment") or {}
    serves = bool(deployment) and deployment.get("endpointConfigName") == config
    out(f"  endpoint        {name}: {endpoint['EndpointStatus']} on {config}")
    return endpoint["EndpointStatus"], serves


def _number(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)
