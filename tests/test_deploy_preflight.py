"""The deploy's preflight runs the same validation as `make asl`, request bodies included:
CreateStateMachine would accept a misspelt request member, and the state would fail only when
it ran, after the deploy had changed the environment."""

from __future__ import annotations

import pytest

from deploy import LOCAL, DeployRefused, deploy
from localcloud import LocalCloud
from tests.deploy_helpers import Recorder, dev_settings, quiet
from workflows import machines
from workflows.machine import StateMachine
from workflows.states import Task


def _misspelt_publish(settings: object) -> StateMachine:
    notify = Task(
        "Notify",
        resource="arn:aws:states:::sns:publish",
        arguments={"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Mesage": "done"},
    )
    return StateMachine("retrain", notify)


def test_a_misspelt_request_member_refuses_the_deploy_before_any_write(
    localcloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the request check in the preflight this machine deploys, as AWS accepts it.
    monkeypatch.setitem(machines.BUILDERS, "retrain", _misspelt_publish)
    recorder = Recorder(localcloud.client)
    with pytest.raises(DeployRefused) as refused:
        deploy(dev_settings(), recorder, quiet, target=LOCAL)
    assert any(
        p.startswith("state machine retrain: /States/Notify: Publish.Mesage: not a member of")
        for p in refused.value.problems
    ), refused.value.problems
    assert recorder.all_writes == []
    assert localcloud.client("stepfunctions").list_state_machines()["stateMachines"] == []
