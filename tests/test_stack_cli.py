"""`selfheal plan|deploy --engine cloudformation` from the command line, with the clients of an
in-process embedded cloud standing in for the local server's."""

from __future__ import annotations

import pytest

from localcloud import LocalCloud
from selfheal import deploy_commands


def test_plan_then_deploy_with_the_cloudformation_engine(
    localcloud: LocalCloud, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(deploy_commands, "local_clients", lambda settings: localcloud.client)
    assert deploy_commands.main(["plan", "--engine", "cloudformation"]) == 0
    out = capsys.readouterr().out.splitlines()
    planned = out[-1]
    assert planned.startswith("plan: ") and planned.endswith(
        " to create, 0 to update, 0 unchanged (stack churn-dev)"
    )
    # The plan left nothing behind: no change set, no empty stack under review.
    cfn = localcloud.client("cloudformation")
    assert cfn.list_stacks(StackStatusFilter=["REVIEW_IN_PROGRESS"])["StackSummaries"] == []
    assert deploy_commands.main(["apply", "--engine", "cloudformation"]) == 0
    assert "stack churn-dev: CREATE_COMPLETE" in capsys.readouterr().out
    status = cfn.describe_stacks(StackName="churn-dev")["Stacks"][0]["StackStatus"]
    assert status == "CREATE_COMPLETE"
    # What the plan counted is what the stack holds.
    pages = cfn.get_paginator("list_stack_resources").paginate(StackName="churn-dev")
    held = sum(len(page["StackResourceSummaries"]) for page in pages)
    assert planned == f"plan: {held} to create, 0 to update, 0 unchanged (stack churn-dev)"


def test_on_aws_the_engine_asks_for_the_code_bucket(
    localcloud: LocalCloud, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(deploy_commands, "aws_clients", lambda settings: localcloud.client)
    code = deploy_commands.main(["plan", "--engine", "cloudformation", "--target", "aws"])
    assert code == 1
    assert "--engine cloudformation on AWS needs --code-bucket BUCKET" in capsys.readouterr().err
