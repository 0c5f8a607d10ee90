"""destroy deletes what carries both the project and the environment tag, and nothing else:
resources with the project's prefix but without both tags survive. It says what it deletes and
keeps, deletes nothing unconfirmed, keeps data unless told, and deletes the endpoint
deploy-model created (test_deploy_destroy_data.py)."""

from __future__ import annotations

from deploy import LOCAL, DestroyIncomplete, deploy, destroy
from deploy.destroy import DestroyReport
from localcloud import LocalCloud
from tests.deploy_helpers import (
    FOREIGN,
    FOREIGN_GROUPS,
    create_foreign_resources,
    dev_settings,
    quiet,
)


def _destroy(cloud: LocalCloud) -> tuple[DestroyReport, list[str]]:
    """Run destroy; return its report and the failures it reported."""
    try:
        return destroy(dev_settings(), cloud.client, quiet, yes=True, delete_data=True), []
    except DestroyIncomplete as incomplete:
        return incomplete.report, incomplete.report.failed


def test_destroy_removes_only_resources_with_both_tags(localcloud: LocalCloud) -> None:
    settings = dev_settings()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    localcloud.client("s3").put_object(
        Bucket=settings.data_bucket, Key="incoming/churn.csv", Body=b"a,b\n1,2\n"
    )
    create_foreign_resources(localcloud)

    report, failed = _destroy(localcloud)
    assert failed == []
    kinds = {entry.split(" ", 1)[0] for entry in report.deleted}
    assert {"s3-bucket", "state-machine", "lambda-function", "iam-role", "events-rule"} <= kinds

    s3 = localcloud.client("s3")
    buckets = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
    assert buckets == [f"{FOREIGN}-project-only", f"{FOREIGN}-untagged"]
    assert localcloud.client("stepfunctions").list_state_machines()["stateMachines"] == []
    functions = localcloud.client("lambda").list_functions()["Functions"]
    assert [f["FunctionName"] for f in functions] == []
    queues = localcloud.client("sqs").list_queues(QueueNamePrefix="churn-dev").get("QueueUrls", [])
    assert [q.rsplit("/", 1)[-1] for q in queues] == [FOREIGN]
    rules = localcloud.client("events").list_rules(NamePrefix="churn-dev")["Rules"]
    assert [r["Name"] for r in rules] == [FOREIGN]
    roles = localcloud.client("iam").list_roles()["Roles"]
    assert [r["RoleName"] for r in roles if r["RoleName"].startswith("churn-dev")] == [FOREIGN]
    groups = localcloud.client("logs").describe_log_groups()["logGroups"]
    # SageMaker's own groups (the retrain the upload started ran a job) hold every job of the
    # account: they are not the environment's, and destroy leaves them as it does on AWS.
    names = [g["logGroupName"] for g in groups]
    assert [n for n in names if not n.startswith("/aws/sagemaker/")] == [f"/aws/lambda/{FOREIGN}"]
    scheduler = localcloud.client("scheduler")
    left = sorted(g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"])
    assert left == sorted(["default", *FOREIGN_GROUPS])
    schedules = scheduler.list_schedules()["Schedules"]
    assert sorted((s["GroupName"], s["Name"]) for s in schedules) == sorted(
        (group, FOREIGN) for group in ("default", *FOREIGN_GROUPS)
    )
    # AWS deletes a group's schedules with it, but only eventually: they go first.
    assert report.deleted.index("schedule churn-dev/churn-dev-drift-check") < (
        report.deleted.index("schedule-group churn-dev")
    )
    alarms = localcloud.client("cloudwatch").describe_alarms()["MetricAlarms"]
    assert alarms == []

    assert "model-package-group churn-dev-models" in report.deleted


def test_destroy_of_an_empty_account_deletes_nothing(localcloud: LocalCloud) -> None:
    create_foreign_resources(localcloud)
    lines: list[str] = []
    # Nothing to delete needs no confirmation.
    report = destroy(dev_settings(), localcloud.client, lines.append)
    assert report.deleted == [] and report.ledger.write_count == 0
    assert lines == [
        "destroy churn-dev: 0 to delete, 0 kept",
        "destroy churn-dev: 0 resources deleted",
    ]
