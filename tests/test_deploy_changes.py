"""Changes after the first deploy: a readable update that publishes a new version behind
``live``; a deploy that dies part-way and is run again converges; invalid input stops the
deploy before any call."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from deploy import LOCAL, DeployRefused, deploy, plan
from deploy.model import Kind
from deploy.plan import Plan
from environments.settings import Settings
from event_rules import catalogue
from localcloud import LocalCloud
from tests.deploy_helpers import (
    FailOnWrite,
    InjectedFailure,
    Recorder,
    dev_settings,
    quiet,
)
from workflows import machines


def _pending(cloud: LocalCloud, settings: Settings) -> list[str]:
    """Pending changes a fresh plan finds."""
    made: Plan = plan(settings, cloud.client, quiet, target=LOCAL).plan
    return [f"{c.action.value} {c.resource.describe()} {list(c.diff)}" for c in made.pending]


def _stricter_auc(settings: Settings) -> Settings:
    return replace(settings, thresholds={**settings.thresholds, "auc": 0.8})


def test_a_changed_definition_is_a_readable_update_that_moves_live_to_a_new_version(
    localcloud: LocalCloud,
) -> None:
    settings = dev_settings()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    changed = _stricter_auc(settings)
    lines: list[str] = []
    planned = plan(changed, localcloud.client, lines.append, target=LOCAL).plan
    [retrain] = [c for c in planned.pending if c.resource.kind is Kind.STATE_MACHINE]
    assert retrain.resource.name == "churn-dev-retrain"
    assert retrain.diff == (
        "~ definition.States.QualityGate.Arguments.Payload.thresholds.auc: 0.75 -> 0.8",
    )
    assert "~ update    state-machine churn-dev-retrain" in lines

    recorder = Recorder(localcloud.client)
    report = deploy(changed, recorder, quiet, target=LOCAL)
    sfn_writes = [w for w in recorder.writes if w.startswith("stepfunctions:")]
    assert sfn_writes == [
        "stepfunctions:UpdateStateMachine",
        "stepfunctions:UpdateStateMachineAlias",
    ]
    assert any("live: version 1 -> version 2" in line for line in report.applied)
    sfn = localcloud.client("stepfunctions")
    alias = sfn.describe_state_machine_alias(
        stateMachineAliasArn=settings.state_machine_alias_arn("retrain")
    )
    machine_arn = settings.location.state_machine("churn-dev-retrain")
    assert alias["routingConfiguration"] == [
        {"stateMachineVersionArn": f"{machine_arn}:2", "weight": 100}
    ]

    def auc(version: int) -> Any:
        described = sfn.describe_state_machine(stateMachineArn=f"{machine_arn}:{version}")
        gate = json.loads(described["definition"])["States"]["QualityGate"]
        return gate["Arguments"]["Payload"]["thresholds"]["auc"]

    assert (auc(1), auc(2)) == (0.75, 0.8)  # versions are immutable
    assert _pending(localcloud, changed) == []


@pytest.mark.parametrize(
    "operation",
    [
        "PutPublicAccessBlock",  # a bucket exists without its public access block
        "PutRolePolicy",  # a role exists without its inline policy
        "AddPermission",  # a function EventBridge may not invoke yet
        "PutTargets",  # a rule without targets
        "CreateStateMachineAlias",  # a published machine without its live alias
        "CreateSchedule",  # a schedule group without its schedule
    ],
)
def test_a_deploy_that_dies_part_way_converges_when_run_again(
    localcloud: LocalCloud, operation: str
) -> None:
    settings = dev_settings()
    failing = FailOnWrite(localcloud.client, operation=operation)
    with pytest.raises(InjectedFailure):
        deploy(settings, failing, quiet, target=LOCAL)
    assert failing.failed_at.endswith(f":{operation} (write {failing.writes})")
    assert _pending(localcloud, settings) != []
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    assert _pending(localcloud, settings) == []


def test_a_deploy_that_dies_at_the_kth_write_converges(localcloud: LocalCloud) -> None:
    settings = dev_settings()
    failing = FailOnWrite(localcloud.client, k=40)
    with pytest.raises(InjectedFailure):
        deploy(settings, failing, quiet, target=LOCAL)
    assert failing.writes == 40
    resumed = deploy(settings, localcloud.client, quiet, target=LOCAL)
    created = resumed.plan.counts()["create"]
    assert 0 < created < len(resumed.plan.changes)  # the first 40 writes were kept
    assert _pending(localcloud, settings) == []


class _InvalidMachine:
    def to_asl(self) -> dict[str, Any]:
        return {
            "StartAt": "Go",
            "States": {"Go": {"Type": "Task", "Resource": "not-an-arn", "End": True}},
        }


def _no_clients(service: str) -> Any:
    raise AssertionError(f"the deploy asked for a {service} client before refusing")


def test_an_invalid_definition_refuses_the_deploy_before_any_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(machines.BUILDERS, "retrain", lambda settings: _InvalidMachine())
    with pytest.raises(DeployRefused) as refused:
        deploy(dev_settings(), _no_clients, quiet, target=LOCAL)
    [problem] = refused.value.problems
    assert problem.startswith("state machine retrain: /States/Go/Resource: ")
    assert "not an ARN" in problem
    assert str(refused.value).startswith("deploy refused, nothing was changed:")


class _RuleWithBadPattern:
    name = "churn-dev-bad-pattern"

    def to_put_rule(self) -> dict[str, Any]:
        pattern = {"source": ["churn.test"], "detail": {"n": [{"numeric": [">", "x"]}]}}
        return {"Name": self.name, "EventPattern": json.dumps(pattern)}

    def to_put_targets(self) -> dict[str, Any]:
        return {"Rule": self.name, "Targets": []}


def test_a_rule_pattern_eventbridge_rejects_refuses_the_deploy_before_any_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = catalogue.project_rules
    monkeypatch.setattr(
        catalogue,
        "project_rules",
        lambda settings, options=None: [*real(settings, options), _RuleWithBadPattern()],
    )
    with pytest.raises(DeployRefused) as refused:
        deploy(dev_settings(), _no_clients, quiet, target=LOCAL)
    assert refused.value.problems == [
        "rule churn-dev-bad-pattern: EventPattern: Event pattern is not valid. "
        "Reason: Value of > must be numeric"
    ]
