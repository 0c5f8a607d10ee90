"""A first deploy to the embedded cloud creates what AWS would show; plan reads only; a second
deploy of an unchanged project writes nothing."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from deploy import LOCAL, deploy, plan
from environments.settings import LIVE_ALIAS, Settings, load_settings
from localcloud import LocalCloud
from tasks import packaging
from tests.deploy_helpers import (
    Recorder,
    dev_settings,
    policy,
    quiet,
    tags_of,
)
from workflows.machines import build_all

OWNER_TAGS = {"project": "churn", "environment": "dev"}


@pytest.fixture
def packaged(tmp_path: Path) -> Path:
    """A fresh build of the project's packages: the build is deterministic, so what deploy
    uploaded must match it byte for byte."""
    packaging.build(tmp_path, load_settings("dev").job_sources())
    return tmp_path


def _code_sha256(packaged: Path, handler: str) -> str:
    data = (packaged / "lambda" / f"{handler}.zip").read_bytes()
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_plan_of_an_empty_account_creates_everything_and_writes_nothing(
    localcloud: LocalCloud,
) -> None:
    recorder = Recorder(localcloud.client)
    lines: list[str] = []
    report = plan(dev_settings(), recorder, lines.append, target=LOCAL)
    assert recorder.writes == []
    assert report.writes == 0 and report.reads == len(recorder.calls) > 0
    counts = report.plan.counts()
    assert counts["create"] == len(report.plan.changes) and counts["update"] == 0
    assert "+ create    state-machine churn-dev-retrain" in lines
    assert lines[-1].startswith(f"plan: {counts['create']} to create, 0 to update")


def test_first_deploy_creates_machines_behind_live_with_logging_and_tracing(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    settings = deployed
    sfn = localcloud.client("stepfunctions")
    for machine, built in build_all(settings).items():
        name = settings.state_machine_name(machine)
        alias = sfn.describe_state_machine_alias(
            stateMachineAliasArn=settings.state_machine_alias_arn(machine)
        )
        assert alias["name"] == LIVE_ALIAS
        [route] = alias["routingConfiguration"]
        assert route == {
            "stateMachineVersionArn": f"{settings.location.state_machine(name)}:1",
            "weight": 100,
        }
        described = sfn.describe_state_machine(stateMachineArn=route["stateMachineVersionArn"])
        assert json.loads(described["definition"]) == built.to_asl()
        assert described["roleArn"] == settings.location.role(
            settings.state_machine_role_name(machine)
        )
        assert described["tracingConfiguration"] == {"enabled": True}
        logging = described["loggingConfiguration"]
        assert logging["level"] == "ALL"
        [destination] = logging["destinations"]
        group = destination["cloudWatchLogsLogGroup"]["logGroupArn"]
        assert group.endswith(f":log-group:/aws/vendedlogs/states/{name}:*")
        tags = tags_of(
            sfn.list_tags_for_resource(resourceArn=settings.location.state_machine(name))["tags"],
            "key",
            "value",
        )
        assert tags == settings.all_tags()
    groups = localcloud.client("logs").describe_log_groups(
        logGroupNamePrefix="/aws/vendedlogs/states/churn-dev-"
    )["logGroups"]
    assert len(groups) == 3 and all(g["retentionInDays"] == 30 for g in groups)


def test_first_deploy_creates_functions_from_the_packaged_handlers(
    localcloud: LocalCloud, deployed: Settings, packaged: Path
) -> None:
    settings = deployed
    lam = localcloud.client("lambda")
    for handler in packaging.handler_modules():
        function = lam.get_function(FunctionName=settings.function_name(handler))
        config = function["Configuration"]
        assert config["Handler"] == f"tasks.handlers.{handler}.handler"
        assert config["Runtime"] == "python3.11"
        assert config["CodeSha256"] == _code_sha256(packaged, handler)
        assert config["TracingConfig"] == {"Mode": "Active"}
        assert config["Role"] == settings.location.role(settings.lambda_role_name(handler))
        assert OWNER_TAGS.items() <= function["Tags"].items()
    trigger = lam.get_function(FunctionName=settings.function_name("trigger"))
    env = trigger["Configuration"]["Environment"]["Variables"]
    assert env["RETRAIN_STATE_MACHINE_ARN"] == settings.state_machine_alias_arn("retrain")
    assert env["DRIFT_EVENT_SOURCE"] == "churn.drift"
    approval = lam.get_function(FunctionName=settings.function_name("approval"))
    assert approval["Configuration"]["Environment"]["Variables"] == {
        "DEPLOY_STATE_MACHINE_ARN": settings.state_machine_alias_arn("deploy-model"),
        "TOPIC_ARN": settings.location.topic(settings.topic_name),
    }
    # Each function is published behind live, and EventBridge may invoke the trigger's live
    # alias (whose resource policy is its own) for exactly the rules that target it.
    for handler in packaging.handler_modules():
        alias = lam.get_alias(FunctionName=settings.function_name(handler), Name="live")
        assert alias["FunctionVersion"] == "1"
    trigger_live = {"FunctionName": settings.function_name("trigger"), "Qualifier": "live"}
    statements = policy(lam.get_policy(**trigger_live)["Policy"])
    assert {s["Resource"] for s in statements["Statement"]} == {
        settings.function_alias_arn("trigger")
    }
    sources = sorted(s["Condition"]["ArnLike"]["AWS:SourceArn"] for s in statements["Statement"])
    assert sources == sorted(
        settings.location.rule(settings.name(r))
        for r in (
            "training-data-uploaded",
            "drift-detected",
            "drift-monitor-violations",
        )
    )


def test_first_deploy_creates_storage_queue_rules_schedule_and_alarms(
    localcloud: LocalCloud, deployed: Settings, packaged: Path
) -> None:
    settings = deployed
    s3 = localcloud.client("s3")
    for bucket in (settings.data_bucket, settings.artifacts_bucket):
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        assert rules["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4
        assert OWNER_TAGS.items() <= tags_of(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]).items()
        # Object Created events reach EventBridge only when the bucket turns them on.
        notifications = s3.get_bucket_notification_configuration(Bucket=bucket)
        assert notifications["EventBridgeConfiguration"] == {}
    # Job code is content-addressed: under the folder the definitions name.
    code = f"code/{settings.job_code_version}"
    sourcedir = s3.get_object(Bucket=settings.artifacts_bucket, Key=f"{code}/sourcedir.tar.gz")
    assert sourcedir["Body"].read() == (packaged / "jobs" / "sourcedir.tar.gz").read_bytes()
    script = s3.get_object(Bucket=settings.artifacts_bucket, Key=f"{code}/jobs/train.py")
    assert script["Body"].read() == (packaged / "jobs" / "code" / "train.py").read_bytes()

    sqs = localcloud.client("sqs")
    url = sqs.get_queue_url(QueueName=settings.dead_letter_queue_name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    [statement] = policy(attributes["Policy"])["Statement"]
    assert statement["Principal"]["Service"] in ("events.amazonaws.com", ["events.amazonaws.com"])
    assert statement["Action"] in ("sqs:SendMessage", ["sqs:SendMessage"])
    rule_arns = statement["Condition"]["ArnEquals"]["aws:SourceArn"]
    assert settings.location.rule(settings.name("training-data-uploaded")) in rule_arns

    events = localcloud.client("events")
    rule = events.describe_rule(Name=settings.name("training-data-uploaded"))
    assert json.loads(rule["EventPattern"])["detail"]["bucket"]["name"] == [settings.data_bucket]
    [target] = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"] == settings.function_alias_arn("trigger")
    assert target["DeadLetterConfig"] == {"Arn": settings.dead_letter_queue_arn}
    tags = tags_of(events.list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"])
    assert OWNER_TAGS.items() <= tags.items()

    # Scheduler tags groups, not schedules: the schedule is in the environment's tagged group.
    scheduler = localcloud.client("scheduler")
    group = scheduler.get_schedule_group(Name="churn-dev")
    group_tags = tags_of(scheduler.list_tags_for_resource(ResourceArn=group["Arn"])["Tags"])
    assert group_tags == settings.all_tags() and OWNER_TAGS.items() <= group_tags.items()
    schedule = scheduler.get_schedule(Name=settings.name("drift-check"), GroupName="churn-dev")
    assert schedule["Target"]["Arn"] == settings.state_machine_alias_arn("drift-check")
    assert schedule["ScheduleExpression"] == settings.drift.schedule

    alarms = localcloud.client("cloudwatch").describe_alarms(
        AlarmNames=[*settings.rollback_alarms, settings.drift_alarm_name]
    )["MetricAlarms"]
    assert {a["AlarmName"] for a in alarms} == {*settings.rollback_alarms, "churn-dev-drift"}
    drift = next(a for a in alarms if a["AlarmName"] == settings.drift_alarm_name)
    assert (drift["Namespace"], drift["MetricName"]) == ("churn/ModelDrift", "DriftDetected")


def test_second_deploy_of_an_unchanged_project_makes_no_write_call(
    localcloud: LocalCloud,
) -> None:
    settings = dev_settings()
    first = deploy(settings, localcloud.client, quiet, target=LOCAL)
    assert first.writes > 0
    recorder = Recorder(localcloud.client)
    lines: list[str] = []
    second = deploy(settings, recorder, lines.append, target=LOCAL)
    assert recorder.writes == [] and second.writes == 0
    # Besides its reads, it takes and releases the environment lock (test_deploy_lock.py).
    assert recorder.all_writes == [("ssm", "PutParameter"), ("ssm", "DeleteParameter")]
    assert second.reads == len(recorder.calls) - 2
    unchanged = len(second.plan.changes)
    assert lines[0] == (
        f"deploy churn-dev: nothing to change (0 to create, 0 to update, {unchanged} unchanged)"
    )
    assert lines[-1] == f"deploy churn-dev: 0 write calls, {second.reads} reads"
