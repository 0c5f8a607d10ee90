"""Rollback moves each ``live`` alias back one version, with one UpdateStateMachineAlias per
machine, and refuses (moving nothing) when a machine has no earlier version."""

from __future__ import annotations

from dataclasses import replace

import pytest

from localcloud import LocalCloud
from tests.deploy_helpers import Recorder, dev_settings
from workflows.deploy import LOCAL, RollbackError, deploy, rollback
from workflows.settings import Settings


def _quiet(_: str) -> None:
    return None


def _live_version(cloud: LocalCloud, settings: Settings, machine: str) -> int:
    alias = cloud.client("stepfunctions").describe_state_machine_alias(
        stateMachineAliasArn=settings.state_machine_alias_arn(machine)
    )
    [route] = alias["routingConfiguration"]
    return int(route["stateMachineVersionArn"].rsplit(":", 1)[-1])


def _deploy_twice(cloud: LocalCloud) -> Settings:
    """Version 1 of every machine, then version 2 of the two whose definitions change."""
    settings = dev_settings()
    deploy(settings, cloud.client, _quiet, target=LOCAL)
    changed = replace(
        settings,
        thresholds={**settings.thresholds, "auc": 0.8},
        drift=replace(settings.drift, psi_threshold=0.3),
    )
    deploy(changed, cloud.client, _quiet, target=LOCAL)
    return changed


def test_rollback_moves_live_back_one_version_per_machine(localcloud: LocalCloud) -> None:
    settings = _deploy_twice(localcloud)
    assert _live_version(localcloud, settings, "retrain") == 2
    assert _live_version(localcloud, settings, "drift-check") == 2
    recorder = Recorder(localcloud.client)
    lines: list[str] = []
    moves = rollback(settings, recorder, lines.append, machines=["retrain", "drift-check"])
    assert recorder.writes == ["stepfunctions:UpdateStateMachineAlias"] * 2
    assert lines == [
        "churn-dev-retrain: live moved from version 2 to version 1",
        "churn-dev-drift-check: live moved from version 2 to version 1",
    ]
    assert [m.to_version.rsplit(":", 1)[-1] for m in moves] == ["1", "1"]
    assert _live_version(localcloud, settings, "retrain") == 1
    assert _live_version(localcloud, settings, "drift-check") == 1
    assert _live_version(localcloud, settings, "deploy-model") == 1


def test_rollback_without_a_previous_version_moves_nothing(localcloud: LocalCloud) -> None:
    settings = _deploy_twice(localcloud)
    recorder = Recorder(localcloud.client)
    with pytest.raises(RollbackError) as refused:
        rollback(settings, recorder, _quiet)  # deploy-model has only version 1
    assert refused.value.problems == [
        "churn-dev-deploy-model: live is at version 1, the earliest that exists; there is no "
        "previous version to roll back to"
    ]
    assert recorder.writes == []
    assert _live_version(localcloud, settings, "retrain") == 2


def test_rollback_before_any_deploy_names_the_missing_alias(localcloud: LocalCloud) -> None:
    with pytest.raises(RollbackError) as refused:
        rollback(dev_settings(), localcloud.client, _quiet, machines=["retrain"])
    assert refused.value.problems == ["churn-dev-retrain: has no live alias; deploy it first"]
