"""Every Lambda handler, declared once: its module, the environment it reads and the AWS calls
its code makes.

The packaging builds one zip per entry, the deploy fills each declared variable from the
settings (deploy/function_environment.py), the IAM roles grant the calls (iam/lambda_roles.py,
which scopes them), and tasks/README.md's handler table is `markdown_table()`. Adding a handler
is its module in tasks/handlers/ plus one entry in `HANDLERS` (and, when it reads a variable no
other handler reads, how the deploy fills it).

Standard library only: this module ships in the handlers' zips.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tasks.handlers.environment import Variable, declared, variable

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


@dataclass(frozen=True, kw_only=True)
class TriggerEnvironment:
    retrain_state_machine_arn: str = variable("the retrain state machine's `live` alias ARN")
    training_data_uri: str = variable("s3://bucket/prefix/ that every source but S3 retrains on")
    drift_event_source: str = variable(
        "source of the project's Model Drift Detected events", default="mlops.retrain"
    )
    approval_mode: str = variable("auto | manual, passed to the retrain input", default="")


@dataclass(frozen=True, kw_only=True)
class NotifyEnvironment:
    topic_arn: str = variable("the SNS topic every notification goes to")
    subject_tag: str = variable("opens every subject, `[<tag>] ...`", default="mlops")
    slack_webhook_secret_arn: str = variable(
        "Secrets Manager secret holding a Slack webhook URL; none: no Slack", default=""
    )


@dataclass(frozen=True, kw_only=True)
class ApprovalEnvironment:
    deploy_state_machine_arn: str = variable("the deploy-model state machine's `live` alias ARN")
    topic_arn: str = variable("the SNS topic rejections are notified on")


@dataclass(frozen=True, kw_only=True)
class CapacityReactionEnvironment:
    topic_arn: str = variable("the SNS topic every change is notified on")
    subject_tag: str = variable("opens every subject, `[<tag>] ...`", default="mlops")
    scalable_resource_id: str = variable("endpoint/<endpoint>/variant/<variant> it scales")
    # Whole numbers as text: every variable is read as a string.
    base_max_capacity: str = variable("endpoint.autoscaling.max_capacity, restored on OK")
    max_capacity_limit: str = variable("monitoring.reaction.max_capacity_limit, never passed")


@dataclass(frozen=True, kw_only=True)
class NoEnvironment:
    """A handler that reads no variable of its own."""


@dataclass(frozen=True)
class Handler:
    name: str  # the module tasks.handlers.<name>
    summary: str
    environment: type[DataclassInstance]
    # Every AWS API call its code may make, as IAM actions; a test reads them off the code.
    calls: tuple[str, ...]

    @property
    def module(self) -> str:
        return f"tasks.handlers.{self.name}"

    @property
    def entry_point(self) -> str:
        return f"{self.module}.handler"

    @property
    def variables(self) -> tuple[Variable, ...]:
        return declared(self.environment)


HANDLERS: dict[str, Handler] = {
    handler.name: handler
    for handler in (
        Handler(
            "trigger",
            "EventBridge event -> retrain execution, named after the event",
            TriggerEnvironment,
            ("states:StartExecution", "states:DescribeExecution"),
        ),
        Handler(
            "quality_gate",
            "evaluation report + champion -> approve | reject",
            NoEnvironment,
            ("s3:GetObject", "sagemaker:ListModelPackages", "sagemaker:DescribeModelPackage"),
        ),
        Handler(
            "notify",
            "workflow input or operational event -> SNS (and Slack)",
            NotifyEnvironment,
            ("sns:Publish", "secretsmanager:GetSecretValue"),
        ),
        Handler(
            "approval",
            "model package Approved -> deploy-model; Rejected -> notification",
            ApprovalEnvironment,
            (
                "sagemaker:DescribeModelPackage",
                "states:StartExecution",
                "states:DescribeExecution",
                "sns:Publish",
            ),
        ),
        Handler(
            "capacity_reaction",
            "endpoint CPU alarm ALARM -> autoscaling maximum up a step (bounded); OK -> back down",
            CapacityReactionEnvironment,
            (
                "application-autoscaling:DescribeScalableTargets",
                "application-autoscaling:RegisterScalableTarget",
                "sns:Publish",
            ),
        ),
    )
}


def handler_spec(name: str) -> Handler:
    spec = HANDLERS.get(name)
    if spec is None:
        raise KeyError(
            f"tasks.handlers.{name} is not registered; add it to HANDLERS in "
            f"tasks/handlers/registry.py (registered: {', '.join(sorted(HANDLERS))})"
        )
    return spec


def _cell(text: str) -> str:
    return text.replace("|", "\\|")  # a bare pipe would end the Markdown cell


def _variable_cell(var: Variable) -> str:
    if var.required:
        return f"`{var.name}`: {var.meaning}"
    default = f"default `{var.default}`" if var.default else "optional"
    return f"`{var.name}` ({default}): {var.meaning}"


def markdown_table() -> str:
    """tasks/README.md's handler table (a test keeps the README equal to it)."""
    rows = [
        "| handler | what it does | environment | AWS calls |",
        "| --- | --- | --- | --- |",
    ]
    for spec in HANDLERS.values():
        env = "<br>".join(_variable_cell(v) for v in spec.variables) or "none"
        calls = ", ".join(f"`{c}`" for c in spec.calls) or "none"
        rows.append(f"| `{spec.name}` | {_cell(spec.summary)} | {_cell(env)} | {calls} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown_table())
