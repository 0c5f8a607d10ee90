"""The stack the scenarios run on, in one place: roles, buckets (S3 events on), job code, the
topic and dead-letter queue, the registered Lambda functions, the model package group, the three
state machines (published, each with a `live` alias) and the project's rule catalogue (its schedules
in the environment's schedule group).

Everything is created through ordinary AWS API calls from a client factory, so the same setup
serves the embedded cloud and an external endpoint. It is deliberately small and mirrors what
the deploy code creates, so it can be replaced by that code.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from deploy.function_environment import handler_environment
from environments.settings import LIVE_ALIAS, Settings, load_settings
from event_rules.catalogue import project_rules, project_schedules
from tasks import packaging
from tasks.handlers.registry import HANDLERS as REGISTERED
from workflows.machines import build_all

ClientFactory = Callable[[str], Any]

HANDLERS = tuple(REGISTERED)


@dataclass
class Stack:
    settings: Settings
    state_machines: dict[str, str] = field(default_factory=dict)  # machine -> ARN
    aliases: dict[str, str] = field(default_factory=dict)  # machine -> `live` alias ARN
    functions: dict[str, str] = field(default_factory=dict)  # handler -> function ARN
    topic_arn: str = ""


@cache
def _artefacts() -> dict[str, bytes]:
    """The packaged Lambda zips and job code, built once per process (the build is
    reproducible, so every stack gets the same bytes)."""
    with tempfile.TemporaryDirectory(prefix="scenario-build-") as tmp:
        root = Path(tmp)
        return {
            path.relative_to(root).as_posix(): path.read_bytes()
            for path in packaging.build(root, load_settings("dev").job_sources())
        }


def _role(client: ClientFactory, name: str, service: str) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }
    arn: str = client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))[
        "Role"
    ]["Arn"]
    return arn


def _storage(client: ClientFactory, settings: Settings) -> None:
    s3 = client("s3")
    for bucket in (settings.data_bucket, settings.artifacts_bucket):
        s3.create_bucket(Bucket=bucket)
    # S3 sends Object Created events to EventBridge only when the bucket says so.
    s3.put_bucket_notification_configuration(
        Bucket=settings.data_bucket,
        NotificationConfiguration={"EventBridgeConfiguration": {}},
    )
    bucket, _, prefix = settings.code_uri.removeprefix("s3://").partition("/")
    for name, body in _artefacts().items():
        if name == "jobs/sourcedir.tar.gz":
            s3.put_object(Bucket=bucket, Key=f"{prefix}sourcedir.tar.gz", Body=body)
        elif name.startswith("jobs/code/"):
            s3.put_object(Bucket=bucket, Key=f"{prefix}jobs/{Path(name).name}", Body=body)


def _functions(client: ClientFactory, stack: Stack) -> None:
    settings = stack.settings
    lam = client("lambda")
    for handler in HANDLERS:
        role = _role(client, settings.lambda_role_name(handler), "lambda.amazonaws.com")
        created = lam.create_function(
            FunctionName=settings.function_name(handler),
            Runtime="python3.11",
            Role=role,
            Handler=f"tasks.handlers.{handler}.handler",
            Code={"ZipFile": _artefacts()[f"lambda/{handler}.zip"]},
            Timeout=60,
            Environment={"Variables": handler_environment(settings, handler)},
            Publish=True,
        )
        # Definitions, rules and schedules invoke the live alias, as the deploy creates it.
        lam.create_alias(
            FunctionName=created["FunctionName"], Name="live", FunctionVersion=created["Version"]
        )
        stack.functions[handler] = settings.function_alias_arn(handler)


_built: dict[str, dict[str, tuple[str, str]]] = {}


def _definitions(settings: Settings) -> dict[str, tuple[str, str]]:
    """machine -> (state machine name, definition JSON), built once per settings."""
    key = repr(settings)  # settings hold mappings, so they are not hashable
    if key not in _built:
        _built[key] = {
            machine: (built.name, json.dumps(built.to_asl()))
            for machine, built in build_all(settings).items()
        }
    return _built[key]


def _state_machines(client: ClientFactory, stack: Stack) -> None:
    sfn = client("stepfunctions")
    settings = stack.settings
    for machine, (name, definition) in _definitions(settings).items():
        role = _role(client, settings.state_machine_role_name(machine), "states.amazonaws.com")
        created = sfn.create_state_machine(
            name=name, definition=definition, roleArn=role, publish=True
        )
        alias = sfn.create_state_machine_alias(
            name=LIVE_ALIAS,
            routingConfiguration=[
                {"stateMachineVersionArn": created["stateMachineVersionArn"], "weight": 100}
            ],
        )
        stack.state_machines[machine] = created["stateMachineArn"]
        stack.aliases[machine] = alias["stateMachineAliasArn"]


def _rules(client: ClientFactory, settings: Settings) -> None:
    """The catalogue, and the roles its targets assume: the EventBridge role only when a rule
    targets a state machine, the Scheduler role only when there is a schedule, as the deploy."""
    events, scheduler = client("events"), client("scheduler")
    rules, schedules = project_rules(settings), project_schedules(settings)
    assumed = {t.role_arn: "events.amazonaws.com" for r in rules for t in r.targets if t.role_arn}
    assumed |= {s.role_arn: "scheduler.amazonaws.com" for s in schedules}
    for role_arn, service in sorted(assumed.items()):
        _role(client, role_arn.rsplit("/", 1)[-1], service)
    for rule in rules:
        events.put_rule(**rule.to_put_rule())
        events.put_targets(**rule.to_put_targets())
    if schedules:
        tags = [{"Key": k, "Value": v} for k, v in sorted(settings.all_tags().items())]
        scheduler.create_schedule_group(Name=settings.schedule_group, Tags=tags)
    for schedule in schedules:
        scheduler.create_schedule(**schedule.to_create_schedule())


def deploy_stack(client: ClientFactory, settings: Settings) -> Stack:
    """Create everything the scenarios run on; return the ARNs they address."""
    stack = Stack(settings)
    _role(client, settings.sagemaker_role_name, "sagemaker.amazonaws.com")
    _storage(client, settings)
    client("sqs").create_queue(QueueName=settings.dead_letter_queue_name)
    stack.topic_arn = client("sns").create_topic(Name=settings.topic_name)["TopicArn"]
    _functions(client, stack)
    client("sagemaker").create_model_package_group(
        ModelPackageGroupName=settings.model_package_group
    )
    _state_machines(client, stack)
    _rules(client, settings)
    return stack
