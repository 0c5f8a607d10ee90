"""Rollback restores what was live before the newest deploy not yet rolled back, recorded at each
deploy, never the previous version by number; state machine and function aliases move together,
and the code moves with them (content-addressed job code, one Lambda version per change)."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

import pytest

from deploy import LOCAL, RollbackError, deploy, desired, desired_compute, rollback
from deploy.artifacts import Artifacts, build_artifacts, job_code
from deploy.calls import Clients
from deploy.history import History
from environments.settings import Settings
from localcloud import LocalCloud
from selfheal import deploy_commands as deploy_cli
from tests.deploy_helpers import FailOnWrite, InjectedFailure, Recorder, dev_settings, quiet

MACHINES = ("retrain", "deploy-model", "drift-check")


def _live(cloud: LocalCloud, settings: Settings, machine: str) -> str:
    alias = cloud.client("stepfunctions").describe_state_machine_alias(
        stateMachineAliasArn=settings.state_machine_alias_arn(machine)
    )
    [route] = alias["routingConfiguration"]
    return str(route["stateMachineVersionArn"])


def _number(version_arn: str) -> int:
    return int(version_arn.rsplit(":", 1)[-1])


def _auc(settings: Settings, auc: float) -> Settings:
    """The same environment with another quality gate: a new version of retrain only."""
    return replace(settings, thresholds={**settings.thresholds, "auc": auc})


def _records(cloud: LocalCloud, settings: Settings) -> list[dict[str, object]]:
    history = History(settings, Clients(cloud.client))
    return [r.as_json() for r in reversed(list(history.newest_first()))]


def test_a_rollback_after_a_redeploy_goes_to_what_was_live_before_that_redeploy(
    localcloud: LocalCloud,
) -> None:
    v1 = dev_settings()
    deploy(v1, localcloud.client, quiet, target=LOCAL)
    live_v1 = _live(localcloud, v1, "retrain")
    v2 = _auc(v1, 0.8)
    deploy(v2, localcloud.client, quiet, target=LOCAL)
    live_v2 = _live(localcloud, v2, "retrain")
    assert live_v2 != live_v1

    lines: list[str] = []
    rollback(v2, localcloud.client, lines.append)
    assert _live(localcloud, v2, "retrain") == live_v1
    assert lines[0] == "churn-dev-retrain: live moved from version 2 to version 1"

    v3 = _auc(v1, 0.85)
    deploy(v3, localcloud.client, quiet, target=LOCAL)
    assert _number(_live(localcloud, v3, "retrain")) == 3
    lines.clear()
    rollback(v3, localcloud.client, lines.append)
    # By number the previous version would be 2, the one rolled away from; live before the
    # v3 deploy was version 1.
    assert _live(localcloud, v3, "retrain") == live_v1
    assert lines[0] == "churn-dev-retrain: live moved from version 3 to version 1"
    records = _records(localcloud, v3)
    assert [r["kind"] for r in records] == ["deploy", "deploy", "rollback", "deploy", "rollback"]
    retrain = v1.location.state_machine("churn-dev-retrain")
    assert records[4]["undoes"] == {retrain: 4}
    assert records[4]["changes"] == {retrain: {"from": f"{retrain}:3", "to": f"{retrain}:1"}}


def test_rollbacks_in_a_row_walk_back_deploy_by_deploy_then_refuse(
    localcloud: LocalCloud,
) -> None:
    v1 = dev_settings()
    versions = []
    for settings in (v1, _auc(v1, 0.8), _auc(v1, 0.85)):
        deploy(settings, localcloud.client, quiet, target=LOCAL)
        versions.append(_number(_live(localcloud, v1, "retrain")))
    assert versions == [1, 2, 3]
    rollback(v1, localcloud.client, quiet)
    assert _number(_live(localcloud, v1, "retrain")) == 2
    rollback(v1, localcloud.client, quiet)
    assert _number(_live(localcloud, v1, "retrain")) == 1
    recorder = Recorder(localcloud.client)
    with pytest.raises(RollbackError) as refused:
        rollback(v1, recorder, quiet)
    assert "nothing to go back to" in refused.value.problems[0]
    assert recorder.writes == []


def test_rollback_moves_only_what_the_deploy_changed_and_one_machine_when_named(
    localcloud: LocalCloud,
) -> None:
    v1 = dev_settings()
    deploy(v1, localcloud.client, quiet, target=LOCAL)
    before = {m: _live(localcloud, v1, m) for m in MACHINES}
    v2 = replace(_auc(v1, 0.8), drift=replace(v1.drift, psi_threshold=0.3))
    deploy(v2, localcloud.client, quiet, target=LOCAL)
    assert _number(_live(localcloud, v2, "drift-check")) == 2

    recorder = Recorder(localcloud.client)
    lines: list[str] = []
    moves = rollback(v2, recorder, lines.append, machines=["retrain"])
    assert recorder.writes == ["stepfunctions:UpdateStateMachineAlias", "s3:PutObject"]
    assert [m.name for m in moves] == ["churn-dev-retrain"]
    assert _live(localcloud, v2, "retrain") == before["retrain"]
    assert _number(_live(localcloud, v2, "drift-check")) == 2
    # The rest of that deploy is still there to roll back; retrain's part is done.
    rollback(v2, localcloud.client, quiet)
    assert {m: _live(localcloud, v2, m) for m in MACHINES} == before


def _quality_gate_zip(original: bytes, marker: str) -> bytes:
    """The quality gate's package with a handler that answers ``marker``."""
    source = io.BytesIO(original)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "tasks/handlers/quality_gate.py":
                override = f"\n\ndef handler(event, context):\n    return {{'code': {marker!r}}}\n"
                data += override.encode()
            new.writestr(info, data)
    return out.getvalue()


def test_rollback_brings_back_the_old_job_and_lambda_code(
    localcloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = dev_settings()
    current = build_artifacts(settings)
    sources = settings.job_sources()
    old_train = sources["train.py"] + b"\n# the training code of the first deploy\n"
    old_version, old_objects = job_code({**sources, "train.py": old_train})
    old_zip = _quality_gate_zip(current.lambda_zips["quality_gate"], "old")
    old = Artifacts(
        lambda_zips={**current.lambda_zips, "quality_gate": old_zip},
        code_version=old_version,
        code_objects=old_objects,
    )
    monkeypatch.setattr(desired, "build_artifacts", lambda _: old)
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    monkeypatch.setattr(desired, "build_artifacts", lambda _: current)
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    lam = localcloud.client("lambda")
    function = settings.function_name("quality_gate")
    assert json.loads(lam.invoke(FunctionName=f"{function}:live")["Payload"].read()) != {
        "code": "old"
    }

    lines: list[str] = []
    rollback(settings, localcloud.client, lines.append)
    assert "churn-dev-retrain: live moved from version 2 to version 1" in lines
    assert "churn-dev-quality-gate: live moved from version 2 to version 1" in lines

    # The live retrain version names the old job code, which is still in the bucket.
    definition = localcloud.client("stepfunctions").describe_state_machine(
        stateMachineArn=_live(localcloud, settings, "retrain")
    )["definition"]
    old_key = f"code/{old_version}/sourcedir.tar.gz"
    assert f"s3://{settings.artifacts_bucket}/{old_key}" in definition
    assert current.code_version not in definition
    s3 = localcloud.client("s3")
    stored = s3.get_object(
        Bucket=settings.artifacts_bucket, Key=f"code/{old_version}/jobs/train.py"
    )
    assert stored["Body"].read() == old_train
    assert (
        s3.get_object(Bucket=settings.artifacts_bucket, Key=old_key)["Body"].read()
        == (old_objects[f"{old_version}/sourcedir.tar.gz"])
    )
    # The function's live alias is on the version with the old code, and runs it.
    alias = lam.get_alias(FunctionName=function, Name="live")
    published = lam.get_function_configuration(
        FunctionName=function, Qualifier=alias["FunctionVersion"]
    )
    assert published["CodeSha256"] == Artifacts.code_sha256(old_zip)
    assert json.loads(lam.invoke(FunctionName=f"{function}:live")["Payload"].read()) == {
        "code": "old"
    }


def test_a_deploy_that_stopped_before_its_record_is_recorded_by_the_next(
    localcloud: LocalCloud,
) -> None:
    v1 = dev_settings()
    deploy(v1, localcloud.client, quiet, target=LOCAL)
    v2 = _auc(v1, 0.8)
    # The deploy's writes: the update (publishing version 2), the alias, then the record.
    failing = FailOnWrite(localcloud.client, operation="PutObject")
    with pytest.raises(InjectedFailure):
        deploy(v2, failing, quiet, target=LOCAL)
    assert _number(_live(localcloud, v2, "retrain")) == 2
    assert [r["kind"] for r in _records(localcloud, v2)] == ["deploy"]
    again = deploy(v2, localcloud.client, quiet, target=LOCAL)
    assert not again.changed
    assert [r["kind"] for r in _records(localcloud, v2)] == ["deploy", "deploy"]
    rollback(v2, localcloud.client, quiet)
    assert _number(_live(localcloud, v2, "retrain")) == 1


def test_rollback_cli_prints_the_moves_and_the_record(
    localcloud: LocalCloud, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = dev_settings()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    changed = _auc(settings, 0.8)
    deploy(changed, localcloud.client, quiet, target=LOCAL)
    monkeypatch.setattr(deploy_cli, "load_settings", lambda env: changed)
    monkeypatch.setattr(deploy_cli, "local_clients", lambda s: localcloud.client)
    assert deploy_cli.main(["rollback", "--env", "dev"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "churn-dev-retrain: live moved from version 2 to version 1",
        "rollback churn-dev: live is what it was before deploy 2; recorded in "
        "s3://churn-dev-artifacts-123456789012/deployments/00000003.json",
    ]


def test_rollback_after_only_the_first_deploy_moves_nothing(
    localcloud: LocalCloud, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = dev_settings()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    recorder = Recorder(localcloud.client)
    with pytest.raises(RollbackError) as refused:
        rollback(settings, recorder, quiet)
    assert "nothing to go back to" in refused.value.problems[0]
    assert recorder.writes == []
    monkeypatch.setattr(deploy_cli, "local_clients", lambda s: localcloud.client)
    assert deploy_cli.main(["rollback", "--env", "dev"]) == 1
    assert "rollback refused, no alias was moved" in capsys.readouterr().err


def test_rollback_before_any_deploy_names_the_missing_history(localcloud: LocalCloud) -> None:
    with pytest.raises(RollbackError) as refused:
        rollback(dev_settings(), localcloud.client, quiet, machines=["retrain"])
    assert refused.value.problems == [
        "no deploy is recorded in s3://churn-dev-artifacts-123456789012/deployments/: rollback "
        "restores what a recorded deploy replaced; deploy first"
    ]


def test_rollback_of_an_unknown_machine_is_refused(localcloud: LocalCloud) -> None:
    with pytest.raises(RollbackError) as refused:
        rollback(dev_settings(), localcloud.client, quiet, machines=["retrain", "nope"])
    assert refused.value.problems == [
        "nope: not a state machine of the project (retrain, deploy-model, drift-check)"
    ]


def test_a_rollback_after_a_deploy_that_stopped_part_way_returns_to_the_last_completed_one(
    localcloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Guards: rollback used to undo the last *recorded* deploy (live went back past it, to v1)
    # and left the functions the stopped deploy had moved on its configuration.
    v1 = dev_settings()
    deploy(v1, localcloud.client, quiet, target=LOCAL)
    v2 = _auc(v1, 0.8)
    deploy(v2, localcloud.client, quiet, target=LOCAL)
    lam, function = localcloud.client("lambda"), v1.function_name("notify")
    completed_function = lam.get_alias(FunctionName=function, Name="live")["FunctionVersion"]
    # v3 changes a machine and every function's configuration, and dies before its record.
    v3 = _auc(v1, 0.85)
    monkeypatch.setattr(desired_compute, "FUNCTION_TIMEOUT_SECONDS", 41)
    failing = FailOnWrite(localcloud.client, operation="PutObject")
    with pytest.raises(InjectedFailure):
        deploy(v3, failing, quiet, target=LOCAL)
    assert _number(_live(localcloud, v3, "retrain")) == 3
    assert lam.get_function_configuration(FunctionName=f"{function}:live")["Timeout"] == 41

    lines: list[str] = []
    rollback(v3, localcloud.client, lines.append)

    assert _number(_live(localcloud, v3, "retrain")) == 2  # v2 completed: not back to v1
    alias = lam.get_alias(FunctionName=function, Name="live")
    assert alias["FunctionVersion"] == completed_function
    assert lam.get_function_configuration(FunctionName=f"{function}:live")["Timeout"] != 41
    assert any("the last that completed" in line for line in lines), lines
    # The next rollback walks back from there, to what was live before v2.
    rollback(v3, localcloud.client, quiet)
    assert _number(_live(localcloud, v3, "retrain")) == 1
