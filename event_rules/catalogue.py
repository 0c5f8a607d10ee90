"""The project's EventBridge rules and Scheduler schedules, derived from one environment's settings.

    project_rules(settings)       -> list[Rule]      (sorted by name)
    project_schedules(settings)   -> list[Schedule]  (sorted by name)

What starts what:
- new training data (S3 `Object Created` under the training-data prefix, `.csv`) and drift
  (a Model Monitor run that completed with violations, the drift alarm entering ALARM, the
  drift-check machine's own `Model Drift Detected` event) go to the trigger Lambda with the
  whole event. It derives the execution name from the event, so a redelivered event is one
  retrain execution, never two.
- a model package of the project's group becoming Approved goes to the approval Lambda, not
  straight to deploy-model: packages registered with approval mode `auto` are already being
  deployed by the retrain execution that registered them, and only the Lambda reads the
  package's `approval-mode` metadata to skip those. A Rejected package goes to SNS as text.
- operational failures (the project's training or processing job Failed, its endpoint Failed,
  an execution of one of its three machines FAILED, TIMED_OUT or ABORTED) go to SNS as text.
- schedules: drift-check runs on `drift.schedule` in `drift.timezone` with the flexible window,
  through EventBridge Scheduler (on by default). A scheduled retrain is off by default (retrains
  follow new data and drift); `CatalogueOptions(retrain_schedule=...)` turns it on. For accounts
  without Scheduler, `CatalogueOptions(use_scheduler=False)` replaces the schedules with legacy
  `ScheduleExpression` rules, which run in UTC only.

Every target has a retry policy and the project's dead-letter queue. State machine targets are
the `live` alias and assume the events role; Lambda and SNS targets are authorised by their own
resource policies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from event_rules import messages
from event_rules.request_checks import RuleError
from event_rules.rule import InputTransformer, RetryPolicy, Rule, Target
from event_rules.schedule import Schedule

if TYPE_CHECKING:
    from workflows.settings import Settings

MACHINES = ("retrain", "deploy-model", "drift-check")
DRIFT_DETAIL_TYPE = "Model Drift Detected"
FAILED_EXECUTION = ("FAILED", "TIMED_OUT", "ABORTED")

# A retrain or deploy that starts hours late after an outage is still wanted.
START_RETRY = RetryPolicy(maximum_event_age_seconds=6 * 3600, maximum_retry_attempts=50)
# An alert that arrives more than an hour late is no longer an alert.
NOTIFY_RETRY = RetryPolicy(maximum_event_age_seconds=3600, maximum_retry_attempts=10)
# The next scheduled run comes anyway; a missed one is kept in the dead-letter queue.
SCHEDULE_RETRY = RetryPolicy(maximum_event_age_seconds=3600, maximum_retry_attempts=10)


@dataclass(frozen=True)
class CatalogueOptions:
    """Which schedule mechanism, and whether retraining also runs on a schedule.

    retrain_schedule: a rate() or cron() expression; None (the default) means no scheduled
    retrain. It runs in `retrain_timezone`, or in `drift.timezone` when that is None.
    """

    use_scheduler: bool = True
    retrain_schedule: str | None = None
    retrain_timezone: str | None = None


DEFAULT_OPTIONS = CatalogueOptions()


def project_rules(settings: Settings, options: CatalogueOptions = DEFAULT_OPTIONS) -> list[Rule]:
    rules = [
        training_data_rule(settings),
        *drift_rules(settings),
        *approval_rules(settings),
        *operational_rules(settings),
    ]
    if not options.use_scheduler:
        rules.extend(legacy_schedule_rules(settings, options))
    return sorted(rules, key=lambda rule: rule.name)


def project_schedules(
    settings: Settings, options: CatalogueOptions = DEFAULT_OPTIONS
) -> list[Schedule]:
    if not options.use_scheduler:
        return []
    schedules = [drift_check_schedule(settings)]
    if options.retrain_schedule is not None:
        schedules.append(retrain_schedule(settings, options))
    return sorted(schedules, key=lambda schedule: schedule.name)


# -- targets --------------------------------------------------------------------------------


def _lambda_target(settings: Settings, handler: str) -> Target:
    return Target(
        id=handler,
        arn=settings.location.function(settings.function_name(handler)),
        retry=START_RETRY,
        dead_letter_arn=settings.dead_letter_queue_arn,
    )


def _topic_target(settings: Settings, message: InputTransformer) -> Target:
    return Target(
        id="notify",
        arn=settings.location.topic(settings.topic_name),
        retry=NOTIFY_RETRY,
        dead_letter_arn=settings.dead_letter_queue_arn,
        input_transformer=message,
    )


def _rule(settings: Settings, suffix: str, description: str, **fields: Any) -> Rule:
    return Rule(
        name=settings.name(suffix),
        description=description,
        tags=settings.all_tags(),
        **fields,
    )


def _wildcard_literal(text: str) -> str:
    # In a wildcard operand `*` is the wildcard and `\` the escape; keep both literal.
    return text.replace("\\", "\\\\").replace("*", "\\*")


# -- retrain triggers -----------------------------------------------------------------------


def training_data_rule(settings: Settings) -> Rule:
    prefix = settings.prefixes["training_data"]
    return _rule(
        settings,
        "training-data-uploaded",
        f"New .csv under s3://{settings.data_bucket}/{prefix} starts a retrain",
        event_pattern={
            "source": ["aws.s3"],
            "detail-type": ["Object Created"],
            "detail": {
                "bucket": {"name": [settings.data_bucket]},
                "object": {"key": [{"wildcard": f"{_wildcard_literal(prefix)}*.csv"}]},
            },
        },
        targets=(_lambda_target(settings, "trigger"),),
    )


def drift_rules(settings: Settings) -> list[Rule]:
    trigger = (_lambda_target(settings, "trigger"),)
    schedules = settings.location.sagemaker("monitoring-schedule", f"{settings.prefix}-")
    monitor = _rule(
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
    alarm = _rule(
        settings,
        "drift-alarm",
        f"The drift alarm {settings.drift_alarm_name} entered ALARM: retrain",
        event_pattern={
            "source": ["aws.cloudwatch"],
            "detail-type": ["CloudWatch Alarm State Change"],
            "detail": {
                "alarmName": [settings.drift_alarm_name],
                "state": {"value": ["ALARM"]},
            },
        },
        targets=trigger,
    )
    detected = _rule(
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
    return [monitor, alarm, detected]


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
    approved = _rule(
        settings,
        "model-approved",
        "A model package was approved: the approval Lambda starts deploy-model unless the "
        "retrain execution already deploys it (approval mode auto)",
        event_pattern=_package_pattern(settings, "Approved"),
        targets=(_lambda_target(settings, "approval"),),
    )
    rejected = _rule(
        settings,
        "model-rejected",
        "A model package was rejected in the registry: notify",
        event_pattern=_package_pattern(settings, "Rejected"),
        targets=(_topic_target(settings, messages.model_rejected(settings.prefix)),),
    )
    return [approved, rejected]


# -- operational notifications --------------------------------------------------------------


def operational_rules(settings: Settings) -> list[Rule]:
    jobs = f"{settings.prefix}-"
    where = settings.location
    console = f"{where.console()}/states/home?region={where.region}#/v2/executions/details/"
    training = _rule(
        settings,
        "training-job-failed",
        "A training job of this environment failed: notify",
        event_pattern={
            "source": ["aws.sagemaker"],
            "detail-type": ["SageMaker Training Job State Change"],
            "detail": {"TrainingJobName": [{"prefix": jobs}], "TrainingJobStatus": ["Failed"]},
        },
        targets=(_topic_target(settings, messages.training_job_failed(settings.prefix)),),
    )
    processing = _rule(
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
        targets=(_topic_target(settings, messages.processing_job_failed(settings.prefix)),),
    )
    endpoint = _rule(
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
        targets=(_topic_target(settings, messages.endpoint_failed(settings.prefix)),),
    )
    execution = _rule(
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
        targets=(_topic_target(settings, messages.execution_ended(settings.prefix, console)),),
    )
    return [training, processing, endpoint, execution]


# -- schedules ------------------------------------------------------------------------------

DRIFT_CHECK_INPUT = "{}"  # drift-check reads the endpoint's own data-capture prefix by default


def drift_check_schedule(settings: Settings) -> Schedule:
    drift = settings.drift
    return Schedule(
        name=settings.name("drift-check"),
        description=f"Run drift-check on {drift.schedule} ({drift.timezone})",
        expression=drift.schedule,
        timezone=drift.timezone,
        flexible_window_minutes=drift.flexible_window_minutes,
        target_arn=settings.state_machine_alias_arn("drift-check"),
        role_arn=settings.location.role(settings.scheduler_role_name),
        input=DRIFT_CHECK_INPUT,
        retry=SCHEDULE_RETRY,
        dead_letter_arn=settings.dead_letter_queue_arn,
        group=settings.schedule_group,
    )


def scheduled_retrain_input(settings: Settings) -> str:
    """The `Scheduled Event` envelope the trigger Lambda parses, filled by Scheduler's context
    attributes. The trigger names the execution after the scheduled time, so Scheduler's
    retries of one run start one execution."""
    return json.dumps(
        {
            "version": "0",
            "id": "<aws.scheduler.execution-id>",
            "detail-type": "Scheduled Event",
            "source": "aws.scheduler",
            "account": settings.location.account,
            "time": "<aws.scheduler.scheduled-time>",
            "region": settings.location.region,
            "resources": ["<aws.scheduler.schedule-arn>"],
            "detail": {},
        },
        sort_keys=True,
    )


def _retrain_expression(options: CatalogueOptions) -> str:
    if options.retrain_schedule is None:
        raise RuleError("retrain_schedule: not set; give a rate() or cron() expression")
    return options.retrain_schedule


def retrain_schedule(settings: Settings, options: CatalogueOptions) -> Schedule:
    timezone = options.retrain_timezone or settings.drift.timezone
    expression = _retrain_expression(options)
    return Schedule(
        name=settings.name("retrain"),
        description=f"Retrain on {expression} ({timezone})",
        expression=expression,
        timezone=timezone,
        target_arn=settings.location.function(settings.function_name("trigger")),
        role_arn=settings.location.role(settings.scheduler_role_name),
        input=scheduled_retrain_input(settings),
        retry=SCHEDULE_RETRY,
        dead_letter_arn=settings.dead_letter_queue_arn,
        group=settings.schedule_group,
    )


def _utc_only(expression: str, timezone: str, field_name: str) -> str:
    if expression.startswith("cron(") and timezone != "UTC":
        raise RuleError(
            f"{field_name}: {timezone!r} with {expression!r}: scheduled EventBridge rules run "
            "cron in UTC only; set the time zone to UTC and rewrite the cron in UTC, or use "
            "EventBridge Scheduler (use_scheduler=True)"
        )
    return expression


def legacy_schedule_rules(settings: Settings, options: CatalogueOptions) -> list[Rule]:
    """Scheduled EventBridge rules standing in for the Scheduler schedules."""
    drift = settings.drift
    rules = [
        _rule(
            settings,
            "drift-check-schedule",
            f"Run drift-check on {drift.schedule} (UTC)",
            schedule_expression=_utc_only(drift.schedule, drift.timezone, "drift.timezone"),
            targets=(
                Target(
                    id="drift-check",
                    arn=settings.state_machine_alias_arn("drift-check"),
                    role_arn=settings.location.role(settings.events_role_name),
                    input=DRIFT_CHECK_INPUT,
                    retry=SCHEDULE_RETRY,
                    dead_letter_arn=settings.dead_letter_queue_arn,
                ),
            ),
        )
    ]
    if options.retrain_schedule is not None:
        timezone = options.retrain_timezone or drift.timezone
        expression = _utc_only(_retrain_expression(options), timezone, "retrain_timezone")
        rules.append(
            _rule(
                settings,
                "retrain-schedule",
                f"Retrain on {expression} (UTC)",
                schedule_expression=expression,
                # The trigger Lambda takes the `Scheduled Event` itself.
                targets=(_lambda_target(settings, "trigger"),),
            )
        )
    return rules
