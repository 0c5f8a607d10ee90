"""What a deploy reads: one listing per kind where one List answers for all of its resources,
tags from the read that already returns them, live aliases taken from the plan's own reads
while nothing has been written, and no polling for a state a write's answer already gave."""

from __future__ import annotations

from collections import Counter
from typing import Any

from deploy import LOCAL, deploy
from deploy.model import Kind
from environments.settings import Settings
from localcloud import LocalCloud
from tests.deploy_helpers import Recorder, dev_settings, quiet


def _counted(recorder: Recorder) -> Counter[str]:
    return Counter(f"{service}:{operation}" for service, operation in recorder.calls)


def _desired(report: Any, kind: Kind) -> int:
    return sum(1 for c in report.plan.changes if c.resource.kind is kind)


def test_a_first_deploy_lists_each_kind_instead_of_reading_each_resource(
    localcloud: LocalCloud,
) -> None:
    recorder = Recorder(localcloud.client)
    report = deploy(dev_settings(), recorder, quiet, target=LOCAL)
    calls = _counted(recorder)
    functions = _desired(report, Kind.FUNCTION)
    machines = _desired(report, Kind.STATE_MACHINE)
    assert _desired(report, Kind.RULE) > 1 and _desired(report, Kind.CODE_OBJECT) > 1
    # Rules, log groups, alarms and code objects: one listing for the plan, one for the prune.
    assert calls["events:DescribeRule"] == 0
    assert calls["events:ListRules"] == 2
    assert calls["logs:DescribeLogGroups"] == 4  # two roots (state machines, functions)
    assert calls["cloudwatch:DescribeAlarms"] == 2
    assert calls["s3:HeadObject"] == 0  # the bucket did not exist: no object to read
    # Each function is read once by the plan; CreateFunction answered Active, so no wait polls.
    assert calls["lambda:GetFunction"] == functions
    # Aliases are read once, after the writes, for the rollback record (before: none existed,
    # as the plan saw).
    assert calls["lambda:GetAlias"] == functions
    assert calls["stepfunctions:DescribeStateMachineAlias"] == machines
    # One resource policy read per function, whatever number of statements it holds.
    policies = {
        c.resource.name.partition("/")[0]
        for c in report.plan.changes
        if c.resource.kind is Kind.PERMISSION
    }
    assert _desired(report, Kind.PERMISSION) > len(policies)
    assert calls["lambda:GetPolicy"] == len(policies)


def test_a_no_change_redeploy_reads_each_alias_and_tag_once(localcloud: LocalCloud) -> None:
    settings = dev_settings()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    recorder = Recorder(localcloud.client)
    report = deploy(settings, recorder, quiet, target=LOCAL)
    calls = _counted(recorder)
    assert not report.plan.pending and recorder.writes == []
    # GetRole returns the role's tags.
    assert calls["iam:ListRoleTags"] == 0
    assert calls["iam:GetRole"] == _desired(report, Kind.ROLE)
    # The plan's reads of the live aliases are what is live: nothing was written since.
    assert calls["lambda:GetAlias"] == _desired(report, Kind.FUNCTION)
    assert calls["stepfunctions:DescribeStateMachineAlias"] == _desired(report, Kind.STATE_MACHINE)
    assert calls["s3:HeadObject"] == _desired(report, Kind.CODE_OBJECT)
    assert calls["events:DescribeRule"] == 0


def test_a_function_answered_pending_is_waited_for(localcloud: LocalCloud) -> None:
    """AWS answers CreateFunction with State Pending: the deploy polls until it is Active
    (guards the skipped wait: only an answer saying Active skips it)."""
    pending: list[str] = []

    def say_pending(parsed: dict[str, Any], **_: Any) -> None:
        parsed["State"] = "Pending"
        pending.append(parsed["FunctionName"])

    lam = localcloud.client("lambda")
    lam.meta.events.register("after-call.lambda.CreateFunction", say_pending)
    try:
        recorder = Recorder(localcloud.client)
        report = deploy(dev_settings(), recorder, quiet, target=LOCAL)
    finally:
        lam.meta.events.unregister("after-call.lambda.CreateFunction", say_pending)
    functions = _desired(report, Kind.FUNCTION)
    assert len(pending) == functions
    # The plan's read of each, then at least one poll each.
    assert _counted(recorder)["lambda:GetFunction"] >= 2 * functions


def test_an_existing_code_object_is_read_and_a_missing_one_is_created(
    localcloud: LocalCloud,
) -> None:
    """The listing decides which objects exist: one removed since is uploaded again."""
    settings: Settings = dev_settings()
    first = deploy(settings, localcloud.client, quiet, target=LOCAL)
    objects = [c.resource.name for c in first.plan.changes if c.resource.kind is Kind.CODE_OBJECT]
    bucket, _, key = objects[0].partition("/")
    localcloud.client("s3").delete_object(Bucket=bucket, Key=key)
    again = deploy(settings, localcloud.client, quiet, target=LOCAL)
    actions = {
        c.resource.name: c.action.value
        for c in again.plan.changes
        if c.resource.kind is Kind.CODE_OBJECT
    }
    assert actions[objects[0]] == "create"
    assert {a for name, a in actions.items() if name != objects[0]} == {"unchanged"}
