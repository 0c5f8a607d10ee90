"""A deploy deletes what the environment owns (both owner tags, destroy's test) but no longer
wants, after every create and update; it keeps what holds data, never touches what is not the
environment's, and converges when it dies part-way through the deletes."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from deploy import LOCAL, blueprint, deploy, plan
from deploy.calls import Clients
from deploy.model import Kind
from deploy.plan import Action, Plan
from deploy.providers import owned_resources, providers
from deploy.providers.state_machines import StateMachineProvider
from environments.settings import Schedules, Settings
from localcloud import LocalCloud
from tests.deploy_helpers import (
    FOREIGN,
    TRUST,
    FailOnWrite,
    InjectedFailure,
    Recorder,
    create_foreign_resources,
    dev_settings,
    quiet,
)

RETRAIN = "cron(0 3 ? * SUN *)"
OWNER = [{"Key": "project", "Value": "churn"}, {"Key": "environment", "Value": "dev"}]
# Never the environment's own: the parent's provider lists them and deletes them with it.
SUB_RESOURCES = (Kind.CODE_OBJECT, Kind.PERMISSION)


def _rule_mode(settings: Settings) -> Settings:
    return replace(settings, schedules=Schedules(use_scheduler=False))


def _described(made: Plan, action: Action) -> list[str]:
    return [c.resource.describe() for c in made.changes if c.action is action]


def _owned(cloud: LocalCloud, settings: Settings) -> set[str]:
    found = owned_resources(providers(Clients(cloud.client), settings))
    return {f"{provider.kind.value} {name}" for provider, name in found}


def _desired(cloud: LocalCloud, settings: Settings) -> set[str]:
    by_kind = providers(Clients(cloud.client), settings)
    return {
        f"{r.kind.value} {by_kind[r.kind].owned_name(r)}"
        for r in blueprint(settings, target=LOCAL).state
        if r.kind not in SUB_RESOURCES
    }


def _assert_no_op(cloud: LocalCloud, settings: Settings) -> list[str]:
    """Deploy again: nothing to do and no write call. Returns the deploy's output."""
    recorder = Recorder(cloud.client)
    lines: list[str] = []
    report = deploy(settings, recorder, lines.append, target=LOCAL)
    assert recorder.writes == [] and report.writes == 0
    assert report.plan.pending == []
    return lines


def test_switching_from_scheduler_to_rules_deletes_the_scheduler_resources(
    localcloud: LocalCloud,
) -> None:
    settings = dev_settings()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    rules = _rule_mode(settings)
    lines: list[str] = []
    made = plan(rules, localcloud.client, lines.append, target=LOCAL).plan
    assert _described(made, Action.DELETE) == [
        "schedule churn-dev/churn-dev-drift-check",
        "schedule-group churn-dev",
        "iam-role churn-dev-scheduler",
    ]
    assert _described(made, Action.CREATE) == [
        "iam-role churn-dev-events",
        "events-rule churn-dev-drift-check-schedule",
    ]
    assert "- delete    schedule churn-dev/churn-dev-drift-check" in lines
    counts = made.counts()
    assert lines[-1] == (
        f"plan: 2 to create, {counts['update']} to update, {counts['unchanged']} unchanged, "
        "3 to delete"
    )

    report = deploy(rules, localcloud.client, quiet, target=LOCAL)
    steps = [line.split(" ", 2)[1] for line in report.applied]
    assert steps[-3:] == ["delete"] * 3 and "delete" not in steps[:-3]
    assert _owned(localcloud, rules) == _desired(localcloud, rules)
    scheduler = localcloud.client("scheduler")
    assert [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]] == ["default"]
    assert scheduler.list_schedules()["Schedules"] == []

    lines = _assert_no_op(localcloud, rules)
    desired = counts["create"] + counts["update"] + counts["unchanged"]
    assert lines[0] == (
        f"deploy churn-dev: nothing to change (0 to create, 0 to update, {desired} unchanged)"
    )


def test_removing_the_retrain_schedule_deletes_only_that_schedule(
    localcloud: LocalCloud,
) -> None:
    settings = dev_settings()
    with_retrain = replace(settings, schedules=Schedules(retrain=RETRAIN))
    deploy(with_retrain, localcloud.client, quiet, target=LOCAL)
    made = plan(settings, localcloud.client, quiet, target=LOCAL).plan
    assert _described(made, Action.DELETE) == ["schedule churn-dev/churn-dev-retrain"]
    assert _described(made, Action.CREATE) == []  # the Scheduler role loses a grant: an update

    deploy(settings, localcloud.client, quiet, target=LOCAL)
    schedules = localcloud.client("scheduler").list_schedules(GroupName="churn-dev")
    assert [s["Name"] for s in schedules["Schedules"]] == ["churn-dev-drift-check"]
    assert _owned(localcloud, settings) == _desired(localcloud, settings)
    _assert_no_op(localcloud, settings)


def _more_foreign_resources(cloud: LocalCloud) -> list[tuple[str, Any]]:
    """Tagged for another project or environment; returns a probe per resource."""
    other_project = [{"Key": "project", "Value": "other"}, {"Key": "environment", "Value": "dev"}]
    iam, logs, cloudwatch = cloud.client("iam"), cloud.client("logs"), cloud.client("cloudwatch")
    iam.create_role(
        RoleName=f"{FOREIGN}-other-project",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Tags=other_project,
    )
    states_group = f"/aws/vendedlogs/states/{FOREIGN}"
    logs.create_log_group(logGroupName=states_group, tags={"project": "churn", "environment": "x"})
    cloudwatch.put_metric_alarm(
        AlarmName=FOREIGN,
        Namespace="churn/Test",
        MetricName="Anything",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanThreshold",
        Tags=other_project,
    )
    return [
        ("role", lambda: iam.get_role(RoleName=f"{FOREIGN}-other-project")),
        ("role", lambda: iam.get_role(RoleName=FOREIGN)),
        ("log group", lambda: logs.describe_log_groups(logGroupNamePrefix=states_group)),
        ("alarm", lambda: cloudwatch.describe_alarms(AlarmNames=[FOREIGN])["MetricAlarms"][0]),
    ]


def test_resources_not_the_environments_are_never_deleted(localcloud: LocalCloud) -> None:
    settings = dev_settings()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    create_foreign_resources(localcloud)
    probes = _more_foreign_resources(localcloud)
    before = {g["Name"] for g in localcloud.client("scheduler").list_schedules()["Schedules"]}

    made = plan(settings, localcloud.client, quiet, target=LOCAL).plan
    assert _described(made, Action.DELETE) == [] and _described(made, Action.KEEP) == []
    _assert_no_op(localcloud, settings)
    for _, probe in probes:
        assert probe()
    s3 = localcloud.client("s3")
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {f"{FOREIGN}-untagged", f"{FOREIGN}-project-only"} <= buckets
    after = {g["Name"] for g in localcloud.client("scheduler").list_schedules()["Schedules"]}
    assert after == before and FOREIGN in after


def _leftovers(cloud: LocalCloud, settings: Settings) -> None:
    """What an earlier design left behind, owned by the environment: a renamed bucket holding
    data and an empty one, a registry with a model and an empty one, a retired machine."""
    s3, sagemaker = cloud.client("s3"), cloud.client("sagemaker")
    for bucket in ("churn-dev-archive", "churn-dev-scratch"):
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": OWNER})
    s3.put_object(Bucket="churn-dev-archive", Key="incoming/churn.csv", Body=b"a,b\n1,2\n")
    for group in ("churn-dev-old-models", "churn-dev-empty-models"):
        sagemaker.create_model_package_group(ModelPackageGroupName=group, Tags=OWNER)
    sagemaker.create_model_package(
        ModelPackageGroupName="churn-dev-old-models",
        InferenceSpecification={
            "Containers": [{"Image": settings.sklearn_image}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )
    sfn = cloud.client("stepfunctions")
    created = sfn.create_state_machine(
        name="churn-dev-retired",
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
        roleArn=settings.location.role(settings.state_machine_role_name("retrain")),
        tags=[{"key": t["Key"], "value": t["Value"]} for t in OWNER],
        publish=True,
    )
    sfn.create_state_machine_alias(
        name="live",
        routingConfiguration=[
            {"stateMachineVersionArn": created["stateMachineVersionArn"], "weight": 100}
        ],
    )


def test_leftovers_holding_data_are_kept_and_reported_the_rest_deleted(
    localcloud: LocalCloud,
) -> None:
    settings = dev_settings()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    _leftovers(localcloud, settings)
    lines: list[str] = []
    made = plan(settings, localcloud.client, lines.append, target=LOCAL).plan
    assert _described(made, Action.DELETE) == [
        "state-machine churn-dev-retired",
        "model-package-group churn-dev-empty-models",
        "s3-bucket churn-dev-scratch",
    ]
    assert _described(made, Action.KEEP) == [
        "model-package-group churn-dev-old-models",
        "s3-bucket churn-dev-archive",
    ]
    keep = lines.index("! keep      s3-bucket churn-dev-archive")
    assert lines[keep + 1].startswith("      kept: it holds objects, which a deploy never deletes")
    assert lines[-1].endswith(", 3 to delete, 2 kept (no longer wanted, not deleted)")

    deploy(settings, localcloud.client, quiet, target=LOCAL)
    s3 = localcloud.client("s3")
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert "churn-dev-archive" in buckets and "churn-dev-scratch" not in buckets
    assert s3.get_object(Bucket="churn-dev-archive", Key="incoming/churn.csv")["Body"].read()
    groups = localcloud.client("sagemaker").list_model_package_groups()
    names = {g["ModelPackageGroupName"] for g in groups["ModelPackageGroupSummaryList"]}
    assert names == {"churn-dev-models", "churn-dev-old-models"}
    machines = localcloud.client("stepfunctions").list_state_machines()["stateMachines"]
    assert "churn-dev-retired" not in {m["name"] for m in machines}

    lines = _assert_no_op(localcloud, settings)
    assert lines[0] == "! keep      model-package-group churn-dev-old-models"  # every deploy warns
    assert lines[-2].endswith(", 2 kept (no longer wanted, not deleted))")


def test_a_bucket_that_receives_an_object_after_the_plan_is_kept(
    localcloud: LocalCloud,
) -> None:
    settings = dev_settings()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    s3 = localcloud.client("s3")
    s3.create_bucket(Bucket="churn-dev-scratch")
    s3.put_bucket_tagging(Bucket="churn-dev-scratch", Tagging={"TagSet": OWNER})
    listings = 0

    def upload_between_plan_and_delete(model: Any, **_: Any) -> None:
        nonlocal listings
        if model.name == "ListObjectVersions":
            listings += 1
            if listings == 2:  # the plan listed it empty; now the apply checks again
                s3.put_object(Bucket="churn-dev-scratch", Key="late.csv", Body=b"x\n")

    def racing(service: str) -> Any:
        client = localcloud.client(service)
        client.meta.events.register("before-call", upload_between_plan_and_delete)
        return client

    report = deploy(settings, racing, quiet, target=LOCAL)
    assert report.plan.pending[-1].resource.describe() == "s3-bucket churn-dev-scratch"
    assert report.applied[-1].endswith(
        "kept: it holds objects, which a deploy never deletes; empty it to let one delete it"
    )
    assert s3.get_object(Bucket="churn-dev-scratch", Key="late.csv")["Body"].read() == b"x\n"


@pytest.mark.parametrize(
    "operation",
    [
        "DeleteSchedule",  # nothing deleted yet
        "DeleteScheduleGroup",  # an empty group left
        "DeleteRole",  # a role left without its inline policies
    ],
)
def test_a_deploy_that_dies_part_way_through_the_deletes_converges(
    localcloud: LocalCloud, operation: str
) -> None:
    settings = dev_settings()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    rules = _rule_mode(settings)
    failing = FailOnWrite(localcloud.client, operation=operation)
    with pytest.raises(InjectedFailure):
        deploy(rules, failing, quiet, target=LOCAL)
    assert failing.failed_at.split(" ")[0].endswith(f":{operation}")
    assert _owned(localcloud, rules) != _desired(localcloud, rules)
    deploy(rules, localcloud.client, quiet, target=LOCAL)
    assert _owned(localcloud, rules) == _desired(localcloud, rules)
    _assert_no_op(localcloud, rules)


def test_a_machine_the_desired_state_still_refers_to_is_kept(localcloud: LocalCloud) -> None:
    settings = dev_settings()
    provider = StateMachineProvider(Clients(localcloud.client), settings)
    machine = settings.location.state_machine("churn-dev-retired")
    for arn in (machine, f"{machine}:live", f"{machine}:3"):
        reason = provider.keep_reason("churn-dev-retired", {arn: "schedule churn-dev-x"})
        assert (
            reason == "the desired state still refers to it or its versions: schedule churn-dev-x"
        )
    other = settings.location.state_machine("churn-dev-retired-too")
    assert provider.keep_reason("churn-dev-retired", {f"{other}:live": "rule x"}) is None
