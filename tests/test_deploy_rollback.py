"""Rollback moves each ``live`` alias that has an earlier version back one version, with one
UpdateStateMachineAlias per machine, skips (and names) the machines already at their first
version, and refuses, moving nothing, only when no machine can move."""

from __future__ import annotations

from dataclasses import replace

import pytest

from localcloud import LocalCloud
from scripts import deploy as deploy_cli
from tests.deploy_helpers import Recorder, dev_settings, quiet
from workflows.deploy import LOCAL, RollbackError, deploy, rollback
from workflows.settings import Settings

SKIPPED_AT_1 = (
    "live is at version 1, the earliest that exists; there is no previous version to roll back to"
)


def _live_version(cloud: LocalCloud, settings: Settings, machine: str) -> int:
    alias = cloud.client("stepfunctions").describe_state_machine_alias(
        stateMachineAliasArn=settings.state_machine_alias_arn(machine)
    )
    [route] = alias["routingConfiguration"]
    return int(route["stateMachineVersionArn"].rsplit(":", 1)[-1])


def _live_versions(cloud: LocalCloud, settings: Settings) -> dict[str, int]:
    return {
        m: _live_version(cloud, settings, m) for m in ("retrain", "drift-check", "deploy-model")
    }


def _deploy_twice(cloud: LocalCloud) -> Settings:
    """Version 1 of every machine, then version 2 of the two whose definitions change."""
    settings = dev_settings()
    deploy(settings, cloud.client, quiet, target=LOCAL)
    changed = replace(
        settings,
        thresholds={**settings.thresholds, "auc": 0.8},
        drift=replace(settings.drift, psi_threshold=0.3),
    )
    deploy(changed, cloud.client, quiet, target=LOCAL)
    return changed


def _deploy_retrain_change(cloud: LocalCloud) -> Settings:
    """Version 1 of every machine, then version 2 of retrain only (its quality gate)."""
    settings = dev_settings()
    deploy(settings, cloud.client, quiet, target=LOCAL)
    changed = replace(settings, thresholds={**settings.thresholds, "auc": 0.8})
    deploy(changed, cloud.client, quiet, target=LOCAL)
    assert _live_versions(cloud, changed) == {"retrain": 2, "drift-check": 1, "deploy-model": 1}
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
    assert _live_versions(localcloud, settings) == {
        "retrain": 1,
        "drift-check": 1,
        "deploy-model": 1,
    }


def test_rollback_after_changing_one_machine_moves_it_and_skips_the_others(
    localcloud: LocalCloud,
) -> None:
    settings = _deploy_retrain_change(localcloud)
    recorder = Recorder(localcloud.client)
    lines: list[str] = []
    moves = rollback(settings, recorder, lines.append)
    assert recorder.writes == ["stepfunctions:UpdateStateMachineAlias"]
    assert lines == [
        "churn-dev-retrain: live moved from version 2 to version 1",
        f"churn-dev-deploy-model: skipped, {SKIPPED_AT_1}",
        f"churn-dev-drift-check: skipped, {SKIPPED_AT_1}",
    ]
    assert [m.machine for m in moves] == ["churn-dev-retrain"]
    assert _live_versions(localcloud, settings) == {
        "retrain": 1,
        "drift-check": 1,
        "deploy-model": 1,
    }


def test_rollback_cli_succeeds_when_one_machine_moves(
    localcloud: LocalCloud, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _deploy_retrain_change(localcloud)
    monkeypatch.setattr(deploy_cli, "load_settings", lambda env: settings)
    monkeypatch.setattr(deploy_cli, "local_clients", lambda s: localcloud.client)
    assert deploy_cli.main(["rollback", "--env", "dev"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "churn-dev-retrain: live moved from version 2 to version 1"
    assert out[1:] == [
        f"churn-dev-deploy-model: skipped, {SKIPPED_AT_1}",
        f"churn-dev-drift-check: skipped, {SKIPPED_AT_1}",
    ]
    assert _live_version(localcloud, settings, "retrain") == 1


def test_rollback_when_every_machine_is_at_its_first_version_moves_nothing(
    localcloud: LocalCloud, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = dev_settings()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    recorder = Recorder(localcloud.client)
    with pytest.raises(RollbackError) as refused:
        rollback(settings, recorder, quiet)
    assert refused.value.problems == [
        f"churn-dev-retrain: {SKIPPED_AT_1}",
        f"churn-dev-deploy-model: {SKIPPED_AT_1}",
        f"churn-dev-drift-check: {SKIPPED_AT_1}",
    ]
    assert recorder.writes == []
    monkeypatch.setattr(deploy_cli, "local_clients", lambda s: localcloud.client)
    assert deploy_cli.main(["rollback", "--env", "dev"]) == 1
    assert "rollback refused, no alias was moved" in capsys.readouterr().err
    assert _live_versions(localcloud, settings) == {
        "retrain": 1,
        "drift-check": 1,
        "deploy-model": 1,
    }


def test_rollback_of_a_named_machine_at_its_first_version_moves_nothing(
    localcloud: LocalCloud,
) -> None:
    settings = _deploy_retrain_change(localcloud)
    recorder = Recorder(localcloud.client)
    with pytest.raises(RollbackError) as refused:
        rollback(settings, recorder, quiet, machines=["deploy-model"])
    assert refused.value.problems == [f"churn-dev-deploy-model: {SKIPPED_AT_1}"]
    assert recorder.writes == []
    assert _live_version(localcloud, settings, "retrain") == 2


def test_rollback_before_any_deploy_names_the_missing_alias(localcloud: LocalCloud) -> None:
    with pytest.raises(RollbackError) as refused:
        rollback(dev_settings(), localcloud.client, quiet, machines=["retrain"])
    assert refused.value.problems == ["churn-dev-retrain: has no live alias; deploy it first"]


def test_rollback_of_an_unknown_machine_is_refused(localcloud: LocalCloud) -> None:
    with pytest.raises(RollbackError) as refused:
        rollback(dev_settings(), localcloud.client, quiet, machines=["retrain", "nope"])
    assert refused.value.problems == [
        "nope: not a state machine of the project (retrain, deploy-model, drift-check)"
    ]
