"""The project's EventBridge rules and Scheduler schedules, derived from one environment's settings.

    project_rules(settings)       -> list[Rule]      (sorted by name)
    project_schedules(settings)   -> list[Schedule]  (sorted by name)

What starts what:
- new training data (S3 `Object Created` under the training-data prefix, `.csv`) and drift
  (a Model Monitor run that completed with violations, the drift-check machine's own `Model
  Drift Detected` event) go to the trigger Lambda with the
  whole event. It derives the execution name from the event, so a redelivered event is one
  retrain execution, never two. The drift alarm starts nothing: the drift-check run that finds
  drift both publishes the metric the alarm watches and sends the event, so a retrain on both
  would be two retrains for one finding.
- a model package of the project's group becoming Approved goes to the approval Lambda, not
  straight to deploy-model: packages registered with approval mode `auto` are already being
  deployed by the retrain execution that registered them, and only the Lambda reads the
  package's `approval-mode` metadata to skip those. A Rejected package goes to SNS as text.
- alarm state changes notify, and the endpoint CPU alarm adjusts its autoscaling maximum
  (event_rules/catalogue_alarms.py).
- operational failures (the project's training or processing job Failed, its endpoint Failed,
  an execution of one of its three machines FAILED, TIMED_OUT or ABORTED) go to SNS as text.
- the endpoint's other state changes (its timeline) and destructive or out-of-band API calls on
  the project's resources go to SNS as text (catalogue_audit.py).
- Security Hub findings on the environment's resources go to SNS as text
  (event_rules/catalogue_security.py).
- schedules: drift-check runs on `drift.schedule` in `drift.timezone` with the flexible window,
  through EventBridge Scheduler (on by default). A scheduled retrain is off by default (retrains
  follow new data and drift); the settings' `schedules.retrain` turns it on. For accounts
  without Scheduler, `schedules.mechanism: rule` replaces the schedules with legacy
  `ScheduleExpression` rules, which run in UTC only. `CatalogueOptions` overrides the settings.

Every target has a retry policy and the project's dead-letter queue. State machine targets are
the `live` alias and assume the events role; Lambda and SNS targets are authorised by their own
resource policies.
"""

from __future__ import annotations

from typing import Any

from environments.settings import Settings
from event_rules import messages
from event_rules.catalogue_alarms import alarm_rules
from event_rules.catalogue_audit import audit_rules
from event_rules.catalogue_schedules import (
    DEFAULT_OPTIONS,
    CatalogueOptions,
    drift_check_schedule,
    legacy_schedule_rules,
    retrain_schedule,
)
from event_rules.catalogue_security import security_rules
from event_rules.catalogue_targets import lambda_target, project_rule, topic_target
from event_rules.rule import Rule
from event_rules.schedule import Schedule

__all__ = [
    "DEFAULT_OPTIONS",
    "CatalogueOptions",
    "approval_rules",
    "drift_rules",
    "operational_rules",
    "project_rules",
    "project_schedules",
    "training_data_rule",
]

MACHINES = ("retrain", "deploy-model", "drift-check")
DRIFT_DETAIL_TYPE = "Model Drift Detected"
FAILED_EXECUTION = ("FAILED", "TIMED_OUT", "ABORTED")


def project_rules(settings: Settings, options: CatalogueOptions | None = None) -> list[Rule]:
    options = options or CatalogueOptions.from_settings(settings)
    rules = [
        training_data_rule(settings),
        *drift_rules(settings),
        *approval_rules(settings),
        *operational_rules(settings),
        *alarm_rules(settings),
        *audit_rules(settings),
        *security_rules(settings),
    ]
    if not options.use_scheduler:
        rules.extend(legacy_schedule_rules(settings, options))
    return sorted(rules, key=lambda rule: rule.name)


def project_schedules(
    settings: Settings, options: CatalogueOptions | None = None
) -> list[Schedule]:
    options = options or CatalogueOptions.from_settings(settings)
    if not options.use_scheduler:
        return []
    schedules = [drift_check_schedule(settings)]
    if options.retrain_schedule is not None:
        schedules.append(retrain_schedule(settings, options))
    return sorted(schedules, key=lambda schedule: schedule.name)


def wildcard_literal(text: str) -> str:
    # In a wildcard operand `*` is the wildcard and `\` the escape; keep both literal.
    return text.replace("\\", "\\\\").replace("*", "\\*")


# -- retrain triggers -----------------------------------------------------------------------


def training_data_rule(settings: Settings) -> Rule:
    prefix = settings.prefixes["training_data"]
    return project_rule(
        settings,
        "training-data-uploaded",
        f"New .csv under s3://{settings.data_bucket}/{prefix} starts a retrain",
        event_pattern={
            "source": ["aws.s3"],
            "detail-type": ["Object Created"],
            "detail": {
                "bucket": {"name": [settings.data_bucket]},
                "object": {"key": [{"wildcard": f"{wildcard_literal(prefix)}*.csv"}]},
            },
        },
        targets=(lambda_target(settings, "trigger"),),
    )


def drift_rules(settings: Settings) -> list[Rule]:
    trigger = (lambda_target(settings, "trigger"),)
    schedules = settings.location.sagemaker("monitoring-schedule", f"{settings.prefix}-")
    monitor = project_rule(
        settings,
        "drift-monitor-violations",
        "A Model Monitor run of the project's schedules found violations: retrain",
        event_pattern={
            "source": ["aws.sagemaker"],
            "detail-type": ["SageMaker Processing Job State Change"],
            "detail": {
                "MonitoringScheduleArn": [{"prefix": schedules}],
                # No official sample exists: accept the status itself, or Completed with
                # Model Monitor's exit message.
                "$or": [
                    {"ProcessingJobStatus": ["CompletedWithViolations"]},
                    {
                        "ProcessingJobStatus": ["Completed"],
                        "ExitMessage": [{"prefix": "CompletedWithViolations"}],
                    },
                ],
            },
        },
        targets=trigger,
    )
    detected = project_rule(
        settings,
        "drift-detected",
        "The drift-check machine reported drift on this environment's endpoint: retrain",
        event_pattern={
            "source": [settings.drift_event_source],
            "detail-type": [DRIFT_DETAIL_TYPE],
            "detail": {"endpointName": [settings.endpoint.name]},
        },
        targets=trigger,
    )
    return [monitor, detected]


# -- model registry -------------------------------------------------------------------------


def _package_pattern(settings: Settings, status: str) -> dict[str, Any]:
    return {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Model Package State Change"],
        "detail": {
            "ModelPackageGroupName": [settings.model_package_group],
            "ModelApprovalStatus": [status],
        },
    }


def approval_rules(settings: Settings) -> list[Rule]:
    approved = project_rule(
        settings,
        "model-approved",
        "A model package was approved: the approval Lambda starts deploy-model unless the "
        "retrain execution already deploys it (approval mode auto)",
        event_pattern=_package_pattern(settings, "Approved"),
        targets=(lambda_target(settings, "approval"),),
    )
    rejected = project_rule(
        settings,
        "model-rejected",
        "A model package was rejected in the registry: notify",
        event_pattern=_package_pattern(settings, "Rejected"),
        targets=(topic_target(settings, messages.model_rejected(settings.prefix)),),
    )
    return [approved, rejected]


# -- operational notifications --------------------------------------------------------------


def operational_rules(settings: Settings) -> list[Rule]:
    jobs = f"{settings.prefix}-"
    where = settings.location
    console = f"{where.console()}/states/home?region={where.region}#/v2/executions/details/"
    training = project_rule(
        settings,
        "training-job-failed",
        "A training job of this environment failed: notify",
        event_pattern={
            "source": ["aws.sagemaker"],
            "detail-type": ["SageMaker Training Job State Change"],
            "detail": {"TrainingJobName": [{"prefix": jobs}], "TrainingJobStatus": ["Failed"]},
        },
        targets=(topic_target(settings, messages.training_job_failed(settings.prefix)),),
    )
    processing = project_rule(
        settings,
        "processing-job-failed",
        "A processing job of this environment failed: notify",
        event_pattern={
            "source": ["aws.sagemaker"],
            "detail-type": ["SageMaker Processing Job State Change"],
            "detail": {
                "ProcessingJobName": [{"prefix": jobs}],
                "ProcessingJobStatus": ["Failed"],
            },
        },
        targets=(topic_target(settings, messages.processing_job_failed(settings.prefix)),),
    )
    endpoint = project_rule(
        settings,
        "endpoint-failed",
        f"The endpoint {settings.endpoint.name} failed: notify",
        event_pattern={
            "source": ["aws.sagemaker"],
            "detail-type": ["SageMaker Endpoint State Change"],
            # The documentation shows both `Failed` and `FAILED`.
            "detail": {
                "EndpointName": [settings.endpoint.name],
                "EndpointStatus": [{"equals-ignore-case": "Failed"}],
            },
        },
        targets=(topic_target(settings, messages.endpoint_failed(settings.prefix)),),
    )
    execution = project_rule(
        settings,
        "execution-failed",
        "An execution of the project's state machines failed, timed out or was aborted: notify",
        event_pattern={
            "source": ["aws.states"],
            "detail-type": ["Step Functions Execution Status Change"],
            "detail": {
                "status": list(FAILED_EXECUTION),
                # Executions started through the alias still name the unqualified machine here.
                "stateMachineArn": [
                    where.state_machine(settings.state_machine_name(m)) for m in MACHINES
                ],
            },
        },
        targets=(topic_target(settings, messages.execution_ended(settings.prefix, console)),),
    )
    return [training, processing, endpoint, execution]
