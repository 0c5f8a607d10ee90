"""Environment settings: one YAML file per environment, validated against a JSON Schema.

Names of every resource derive from ``project`` and ``environment`` here, so the builders, the IAM
derivation and the deploy agree on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from environments.arns import Location
from environments.audit import Audit, parse_audit
from environments.budget import Budget, parse_budget
from environments.finite_numbers import non_finite_numbers
from environments.hyperparameters import (
    DeclarationError,
    check_hyperparameters,
    declaration,
    request_value,
)
from environments.model import DEFAULT_ESTIMATOR, ModelSpec, check_gate, parse_model
from environments.monitoring import Monitoring, parse_monitoring
from environments.project import Project, ProjectError, current_project
from environments.schema_check import schema_problems
from environments.settings_sections import (
    Autoscaling,
    Compute,
    Deployment,
    Drift,
    Endpoint,
    Schedules,
    Spot,
)
from environments.settings_yaml import SettingsFileError, read_settings_yaml
from tasks import packaging

LIVE_ALIAS = "live"
DEFAULT_PREFIXES = {
    "training_data": "incoming/",
    "runs": "runs/",
    "code": "code/",
    "data_capture": "datacapture/",
    # Labelled outcomes of served predictions: what drift-triggered and scheduled retrains learn
    # from, because after drift the newest labelled data is what describes the world.
    "ground_truth": "groundtruth/",
}


__all__ = [
    "LIVE_ALIAS",
    "Autoscaling",
    "Compute",
    "Deployment",
    "Drift",
    "Endpoint",
    "Schedules",
    "Settings",
    "SettingsError",
    "Spot",
    "environments",
    "load_settings",
    "load_settings_file",
    "parse_settings",
]


class SettingsError(ValueError):
    """Bad settings: every line names the file, the key, the value and what is allowed."""


@dataclass(frozen=True)
class Settings:
    project: str
    environment: str
    location: Location
    data_bucket: str
    artifacts_bucket: str
    prefixes: Mapping[str, str]
    sklearn_image: str
    processing: Compute
    training: Compute
    spot: Spot | None
    hyperparameters: Mapping[str, str]
    thresholds: Mapping[str, float]
    approval_mode: Literal["auto", "manual"]
    endpoint: Endpoint
    drift: Drift
    slack_webhook_secret: str | None
    tags: Mapping[str, str]
    model: ModelSpec
    monitoring: Monitoring
    schedules: Schedules = field(default_factory=Schedules)
    audit: Audit = field(default_factory=Audit)
    # The monthly cost budget (environments/budget.py); None: the settings ask for none.
    budget: Budget | None = None
    # The content address of the job code the definitions name (``code_uri``); None: that of
    # `job_sources()` now. The deploy sets it from the code it uploads.
    code_version: str | None = None
    # The project's own job scripts, which replace the built-in ones of the same name.
    jobs_dir: Path | None = None

    @property
    def prefix(self) -> str:
        """The name prefix of every resource of this project and environment."""
        return f"{self.project}-{self.environment}"

    def name(self, suffix: str) -> str:
        return f"{self.prefix}-{suffix}"

    def function_name(self, handler: str) -> str:
        """The Lambda function running ``tasks.handlers.<handler>``."""
        return self.name(handler.replace("_", "-"))

    def state_machine_name(self, machine: str) -> str:
        return self.name(machine)

    def state_machine_alias_arn(self, machine: str) -> str:
        return self.location.state_machine_alias(self.state_machine_name(machine), LIVE_ALIAS)

    def function_alias_arn(self, handler: str) -> str:
        """The ``live`` alias of the function running ``tasks.handlers.<handler>``: what the
        definitions, rules and schedules invoke, so a rollback moves them all at once."""
        return self.location.function_alias(self.function_name(handler), LIVE_ALIAS)

    @property
    def rollback_alarms(self) -> list[str]:
        """CloudWatch alarms that roll a blue/green endpoint update back."""
        return [self.name("endpoint-5xx"), self.name("endpoint-latency")]

    def monitoring_alarm_name(self, key: str) -> str:
        """The infrastructure alarm on ``monitoring.alarms.<key>`` (``cpu_percent``, ...)."""
        return self.name(f"endpoint-{key.replace('_', '-')}")

    @property
    def dashboard_name(self) -> str:
        return self.prefix

    @property
    def budget_name(self) -> str:
        return self.name("monthly-cost")

    @property
    def sagemaker_role_arn(self) -> str:
        return self.location.role(self.sagemaker_role_name)

    @property
    def model_package_group(self) -> str:
        return self.name("models")

    @property
    def topic_name(self) -> str:
        return self.name("notifications")

    @property
    def sagemaker_role_name(self) -> str:
        return self.name("sagemaker-execution")

    def state_machine_role_name(self, machine: str) -> str:
        """The execution role of one state machine."""
        return self.name(f"sfn-{machine}")

    def lambda_role_name(self, handler: str) -> str:
        """The execution role of the Lambda function running ``tasks.handlers.<handler>``."""
        return self.name(f"lambda-{handler.replace('_', '-')}")

    @property
    def events_role_name(self) -> str:
        """The role EventBridge rules assume to start executions; deployed only while a rule
        targets a state machine (legacy scheduled rules)."""
        return self.name("events")

    @property
    def scheduler_role_name(self) -> str:
        """The role EventBridge Scheduler assumes to invoke the schedules' targets and
        dead-letter events; deployed only while there is a schedule."""
        return self.name("scheduler")

    @property
    def schedule_group(self) -> str:
        """The environment's own Scheduler group. Scheduler tags groups, never schedules, so
        the group's tags are what mark the schedules in it as this environment's."""
        return self.prefix

    @property
    def dead_letter_queue_name(self) -> str:
        """The SQS queue that keeps events no target accepted."""
        return self.name("events-dlq")

    @property
    def dead_letter_queue_arn(self) -> str:
        return self.location.arn("sqs", self.dead_letter_queue_name)

    @property
    def drift_alarm_name(self) -> str:
        return self.name("drift")

    @property
    def drift_event_source(self) -> str:
        return f"{self.project}.drift"

    @property
    def drift_metric_namespace(self) -> str:
        return f"{self.project}/ModelDrift"

    def s3(self, bucket: str, key: str = "") -> str:
        return f"s3://{bucket}/{key}"

    @property
    def training_data_uri(self) -> str:
        return self.s3(self.data_bucket, self.prefixes["training_data"])

    @property
    def ground_truth_uri(self) -> str:
        return self.s3(self.data_bucket, self.prefixes["ground_truth"])

    def job_sources(self) -> dict[str, bytes]:
        """The job code bundle: the built-in scripts, the project's own over them, and the
        model's schema (``model.json``) they all read."""
        return packaging.job_sources(self.model.job_file(), self.jobs_dir)

    @property
    def job_code_version(self) -> str:
        if self.code_version is not None:
            return self.code_version
        return packaging.job_code_version(self.job_sources())

    @property
    def code_uri(self) -> str:
        """The folder of one version of the job code (content-addressed, never overwritten)."""
        return self.s3(self.artifacts_bucket, f"{self.prefixes['code']}{self.job_code_version}/")

    @property
    def deploy_history_prefix(self) -> str:
        """Where each deploy and rollback records what it made live (in the artifacts bucket)."""
        return "deployments/"

    @property
    def data_capture_uri(self) -> str:
        return self.s3(self.artifacts_bucket, self.prefixes["data_capture"])

    def all_tags(self) -> dict[str, str]:
        return {**self.tags, "project": self.project, "environment": self.environment}


def parse_settings(document: Any, source: str, jobs_dir: Path | None = None) -> Settings:
    """Validate a settings document and build Settings. ``source`` names it in errors;
    ``jobs_dir`` is the project's own job code, whose declarations come before the built-in."""
    # JSON Schema's ranges cannot see non-finite numbers (NaN compares false with every bound);
    # hyperparameters are checked against train.py's declaration, which names their range.
    problems = non_finite_numbers(document, source, skip=frozenset({"hyperparameters"}))
    problems += schema_problems(document, source)
    d: dict[str, Any] = document if isinstance(document, dict) else {}
    given = d.get("model")
    section: dict[str, Any] = given if isinstance(given, dict) else {}
    try:
        # Checked here, before anything runs, against the declaration train.py parses with.
        declared = declaration(str(section.get("estimator", DEFAULT_ESTIMATOR)), jobs_dir)
        problems += check_hyperparameters(d.get("hyperparameters"), source, declared)
    except DeclarationError as exc:
        problems.append(f"{source}: model.estimator: {exc}")
    model = None
    if not problems:  # the shape is sound: what only the model's own rules can tell
        model, more = parse_model(d["model"], source)
        problems += more + check_gate(d["model"]["problem"], d["quality_gate"], source)
    if problems or model is None:
        raise SettingsError("\n".join(problems))
    endpoint = d["endpoint"]
    scaling = endpoint["autoscaling"]
    if scaling["min_capacity"] > scaling["max_capacity"]:
        raise SettingsError(
            f"{source}: endpoint.autoscaling.min_capacity: {scaling['min_capacity']} is above "
            f"max_capacity {scaling['max_capacity']}; make min_capacity <= max_capacity"
        )
    training = dict(d["training"])
    spot = training.pop("spot", None)
    if spot and spot["enabled"]:
        wait = spot.get("max_wait_seconds", training["max_runtime_seconds"] * 2)
        if wait < training["max_runtime_seconds"]:
            raise SettingsError(
                f"{source}: training.spot.max_wait_seconds: {wait} is below "
                f"training.max_runtime_seconds {training['max_runtime_seconds']}; SageMaker "
                "requires MaxWaitTimeInSeconds >= MaxRuntimeInSeconds"
            )
        spot_settings: Spot | None = Spot(True, wait)
    else:
        spot_settings = None
    monitoring, problems = parse_monitoring(
        d.get("monitoring", {}), scaling["max_capacity"], source
    )
    project, environment = d["project"], d["environment"]
    audit, more = parse_audit(d.get("audit", {}), f"{project}-{environment}", source)
    problems += more
    budget, more = parse_budget(d.get("budget"), source)
    problems += more
    if problems:
        raise SettingsError("\n".join(problems))
    deployment = endpoint["deployment"]
    drift = d["drift"]
    return Settings(
        project=project,
        environment=environment,
        location=Location(**d["location"]),
        data_bucket=d["buckets"]["data"],
        artifacts_bucket=d["buckets"]["artifacts"],
        prefixes={**DEFAULT_PREFIXES, **d.get("prefixes", {})},
        sklearn_image=d["images"]["sklearn"],
        processing=Compute(**d["processing"]),
        training=Compute(**training),
        spot=spot_settings,
        hyperparameters={
            k: request_value(declared.properties[k], v) for k, v in d["hyperparameters"].items()
        },
        thresholds=dict(d["quality_gate"]),
        approval_mode=d["approval_mode"],
        endpoint=Endpoint(
            name=f"{project}-{environment}",
            instance_type=endpoint["instance_type"],
            initial_instance_count=endpoint["initial_instance_count"],
            sampling_percentage=endpoint["data_capture"]["sampling_percentage"],
            autoscaling=Autoscaling(
                min_capacity=scaling["min_capacity"],
                max_capacity=scaling["max_capacity"],
                target_invocations_per_instance=float(scaling["target_invocations_per_instance"]),
                scale_in_cooldown_seconds=scaling.get("scale_in_cooldown_seconds", 300),
                scale_out_cooldown_seconds=scaling.get("scale_out_cooldown_seconds", 60),
            ),
            deployment=Deployment(
                canary_percent=deployment["canary_percent"],
                canary_wait_seconds=deployment["canary_wait_seconds"],
                termination_wait_seconds=deployment["termination_wait_seconds"],
                max_polls=deployment.get("max_polls", 120),
                poll_seconds=deployment.get("poll_seconds", 30),
            ),
        ),
        drift=Drift(
            psi_threshold=float(drift["psi_threshold"]),
            ks_pvalue=float(drift["ks_pvalue"]),
            schedule=drift["schedule"],
            timezone=drift.get("timezone", "UTC"),
            flexible_window_minutes=drift.get("flexible_window_minutes"),
        ),
        slack_webhook_secret=d.get("notifications", {}).get("slack_webhook_secret"),
        tags=dict(d["tags"]),
        model=model,
        monitoring=monitoring,
        audit=audit,
        budget=budget,
        jobs_dir=jobs_dir,
        schedules=Schedules(
            use_scheduler=d.get("schedules", {}).get("mechanism", "scheduler") == "scheduler",
            retrain=d.get("schedules", {}).get("retrain"),
            retrain_timezone=d.get("schedules", {}).get("retrain_timezone"),
        ),
    )


def load_settings_file(path: Path, jobs_dir: Path | None = None) -> Settings:
    try:
        document = read_settings_yaml(path)
    except SettingsFileError as exc:
        raise SettingsError(str(exc)) from exc
    return parse_settings(document, str(path), jobs_dir)


def environments(project: Project | None = None) -> list[str]:
    """The environments the project has settings for."""
    return (project or current_project()).environments()


def load_settings(environment: str, project: Project | None = None) -> Settings:
    """Environment ``environment``'s settings of ``project`` (default: the current project)."""
    chosen = project or current_project()
    try:
        path = chosen.settings_path(environment)
    except ProjectError as exc:
        raise SettingsError(str(exc)) from exc
    return load_settings_file(path, chosen.jobs_dir)
