"""The infrastructure alarms and the dashboard: deployed from the settings by both engines, owned
through the dashboard's owner line (a dashboard takes no tags), and destroyed with the rest."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from deploy import LOCAL, OwnershipConflict, deploy, destroy, plan
from deploy.dashboard_body import owner_of
from deploy.template import write_template
from environments.monitoring import AlarmThreshold
from environments.settings import Settings
from localcloud import LocalCloud
from tests.cloudformation_helpers import create_stack, events_of
from tests.deploy_helpers import dev_settings, quiet


def _alarm(cloud: LocalCloud, name: str) -> dict[str, Any]:
    [alarm] = cloud.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return alarm


def _body(cloud: LocalCloud, name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(
        cloud.client("cloudwatch").get_dashboard(DashboardName=name)["DashboardBody"]
    )
    return body


def test_the_alarms_carry_the_settings_thresholds_in_the_metrics_units(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    cpu = _alarm(localcloud, deployed.monitoring_alarm_name("cpu_percent"))
    assert (cpu["Namespace"], cpu["MetricName"], cpu["Statistic"]) == (
        "/aws/sagemaker/Endpoints",
        "CPUUtilization",
        "Average",
    )
    assert (cpu["Threshold"], cpu["ComparisonOperator"]) == (80.0, "GreaterThanThreshold")
    assert (cpu["Period"], cpu["EvaluationPeriods"], cpu["DatapointsToAlarm"]) == (60, 3, 3)
    # ModelLatency is in microseconds; the setting in milliseconds.
    latency = _alarm(localcloud, deployed.monitoring_alarm_name("p99_latency_ms"))
    assert (latency["ExtendedStatistic"], latency["Threshold"]) == ("p99", 1_000_000.0)
    # 5XX is 1 or 0 per request: the Average is the share, the setting a percentage.
    errors = _alarm(localcloud, deployed.monitoring_alarm_name("error_5xx_rate_percent"))
    assert (errors["MetricName"], errors["Statistic"], errors["Threshold"]) == (
        "Invocation5XXErrors",
        "Average",
        0.01,
    )
    idle = _alarm(localcloud, deployed.monitoring_alarm_name("no_invocations"))
    assert idle["ComparisonOperator"] == "LessThanThreshold" and idle["Threshold"] == 1.0
    [served] = [m for m in idle["Metrics"] if m.get("ReturnData", True)]
    assert served["Expression"] == "IF(FILL(running, 0) > 0, FILL(invocations, 0), 1)"
    assert {m["Id"] for m in idle["Metrics"]} == {"invocations", "running", "served"}


def test_a_changed_threshold_updates_only_its_alarm(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    alarms = dict(deployed.monitoring.alarms)
    alarms["memory_percent"] = AlarmThreshold(70.0, 60, 3, 2)
    changed = dataclasses.replace(
        deployed, monitoring=dataclasses.replace(deployed.monitoring, alarms=alarms)
    )
    report = plan(changed, localcloud.client, quiet, target=LOCAL)
    updates = sorted(c.resource.key for c in report.plan.pending)
    # The dashboard's annotations show the CPU and latency thresholds only.
    assert updates == [f"cloudwatch-alarm/{changed.monitoring_alarm_name('memory_percent')}"]
    deploy(changed, localcloud.client, quiet, target=LOCAL)
    memory = _alarm(localcloud, changed.monitoring_alarm_name("memory_percent"))
    assert (memory["Threshold"], memory["DatapointsToAlarm"]) == (70.0, 2)


def test_the_dashboard_shows_the_endpoint_drift_executions_jobs_and_every_alarm(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    body = _body(localcloud, deployed.dashboard_name)
    assert owner_of(body) == {"project": "churn", "environment": "dev"}
    metrics = {
        tuple(m[:2])
        for w in body["widgets"]
        if w["type"] == "metric"
        for m in w["properties"]["metrics"]
    }
    for name in ("CPUUtilization", "MemoryUtilization"):
        assert ("/aws/sagemaker/Endpoints", name) in metrics
    for name in ("ModelLatency", "Invocations", "InvocationsPerInstance"):
        assert ("AWS/SageMaker", name) in metrics
    for name in ("Invocation4XXErrors", "Invocation5XXErrors"):
        assert ("AWS/SageMaker", name) in metrics
    latency = next(w for w in body["widgets"] if "latency" in w["properties"].get("title", ""))
    assert [m[-1]["stat"] for m in latency["properties"]["metrics"]] == ["p50", "p99"]
    drift = next(w for w in body["widgets"] if w["properties"].get("title", "").startswith("Drift"))
    features = {m[5] for m in drift["properties"]["metrics"] if m[1] == "FeaturePSI"}
    assert features == {f.name for f in deployed.model.features}
    machines = {
        m[3]: m[1]
        for w in body["widgets"]
        for m in w["properties"].get("metrics", [])
        if m[0] == "AWS/States" and m[2] == "StateMachineArn"
    }
    assert len({arn for arn in machines}) == 3
    jobs = [m[3] for w in body["widgets"] for m in w["properties"].get("metrics", [])]
    assert "arn:aws:states:::sagemaker:createTrainingJob.sync" in jobs
    [status] = [w for w in body["widgets"] if w["type"] == "alarm"]
    alarms = localcloud.client("cloudwatch").describe_alarms(AlarmNamePrefix="churn-dev")
    assert status["properties"]["alarms"] == sorted(a["AlarmArn"] for a in alarms["MetricAlarms"])
    assert len(status["properties"]["alarms"]) == 9


def test_a_dashboard_of_that_name_without_the_owner_line_is_refused_not_adopted(
    localcloud: LocalCloud,
) -> None:
    settings = dev_settings()
    someone_elses = json.dumps({"widgets": [{"type": "text", "properties": {"markdown": "x"}}]})
    localcloud.client("cloudwatch").put_dashboard(
        DashboardName=settings.dashboard_name, DashboardBody=someone_elses
    )
    with pytest.raises(OwnershipConflict) as refused:
        plan(settings, localcloud.client, quiet, target=LOCAL)
    assert refused.value.problems == [
        f"cloudwatch-dashboard {settings.dashboard_name}: exists without the project's tags"
    ]


def test_destroy_deletes_the_owned_dashboard_and_leaves_others_with_the_prefix(
    localcloud: LocalCloud,
) -> None:
    settings = dev_settings()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    cloudwatch = localcloud.client("cloudwatch")
    mine = _body(localcloud, settings.dashboard_name)
    foreign = json.dumps({"widgets": []})
    cloudwatch.put_dashboard(DashboardName=f"{settings.prefix}-by-hand", DashboardBody=foreign)
    # Another environment's dashboard under a name that starts with this prefix.
    other = json.dumps(mine).replace("environment `dev`", "environment `devx`")
    cloudwatch.put_dashboard(DashboardName=f"{settings.prefix}x", DashboardBody=other)

    report = destroy(settings, localcloud.client, quiet, yes=True, delete_data=True)
    assert f"cloudwatch-dashboard {settings.dashboard_name}" in report.deleted
    left = sorted(d["DashboardName"] for d in cloudwatch.list_dashboards()["DashboardEntries"])
    assert left == [f"{settings.prefix}-by-hand", f"{settings.prefix}x"]


def test_the_template_renders_the_dashboard_for_any_region_and_a_stack_creates_it(
    localcloud: LocalCloud, tmp_path: Path
) -> None:
    settings = dev_settings()
    template = write_template(settings, tmp_path / "dev.json")
    [(logical, dashboard)] = [
        (k, r)
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::CloudWatch::Dashboard"
    ]
    body = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    assert '"region":"${AWS::Region}"' in body and "us-east-1" not in body
    assert ":${AWS::Region}:${AWS::AccountId}:alarm:churn-dev-endpoint-cpu-percent" in body
    alarm_ids = {
        k for k, r in template["Resources"].items() if r["Type"] == "AWS::CloudWatch::Alarm"
    }
    assert alarm_ids <= set(dashboard["DependsOn"])

    # moto's own AWS::CloudWatch::Dashboard model creates it (Ref: the name), body as given.
    text = body.replace("${AWS::Region}", "us-east-1").replace("${AWS::AccountId}", "123456789012")
    text = text.replace("${AWS::Partition}", "aws")
    resource = {
        "Type": "AWS::CloudWatch::Dashboard",
        "Properties": {"DashboardName": settings.dashboard_name, "DashboardBody": text},
    }
    stack = create_stack(localcloud, {logical: resource}, {"Name": {"Ref": logical}})
    assert stack["StackStatus"] == "CREATE_COMPLETE", events_of(localcloud)
    assert stack["Outputs"][0]["OutputValue"] == settings.dashboard_name
    assert owner_of(_body(localcloud, settings.dashboard_name))["environment"] == "dev"
