"""One deploy, rollback or destroy of an environment at a time: the second refuses at once,
naming the holder of the lock (an SSM parameter created only when absent), and writes nothing;
the lock goes when its holder is done, also on failure and Ctrl-C; a crashed holder's lock is
released by ``selfheal unlock`` (deploy/lock.py)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from deploy import LOCAL, EnvironmentLocked, deploy, destroy, plan, rollback
from deploy.calls import Clients
from deploy.lock import LockHolder, environment_lock, lock_parameter, read_lock
from environments.settings import Settings
from localcloud import LocalCloud
from selfheal import deploy_commands as deploy_cli
from tests.deploy_helpers import FailOnWrite, InjectedFailure, Recorder, dev_settings, quiet


@pytest.fixture
def held(localcloud: LocalCloud) -> Iterator[LockHolder]:
    """The lock, taken as a second deployer running at the same time would take it."""
    with environment_lock(dev_settings(), Clients(localcloud.client), "deploy churn-dev") as lock:
        yield lock


def _lock(cloud: LocalCloud) -> LockHolder | None:
    return read_lock(dev_settings(), Clients(cloud.client))


def test_a_second_deploy_refuses_at_once_naming_the_holder(
    localcloud: LocalCloud, deployed: Settings, held: LockHolder
) -> None:
    recorder = Recorder(localcloud.client)
    with pytest.raises(EnvironmentLocked) as refused:
        deploy(deployed, recorder, quiet, target=LOCAL)
    message = str(refused.value)
    assert message.startswith("deploy churn-dev refused, nothing was changed: churn-dev is locked")
    assert held.who in message and held.since in message and "`deploy churn-dev`" in message
    assert "selfheal unlock --env dev" in message
    # Its only write was the attempt to take the lock; its only read, whose lock it is.
    assert recorder.calls == [("ssm", "PutParameter"), ("ssm", "GetParameter")]
    assert _lock(localcloud) == held  # the holder's lock stays


def test_destroy_and_rollback_take_the_same_lock(
    localcloud: LocalCloud, deployed: Settings, held: LockHolder
) -> None:
    for command in (
        lambda factory: destroy(deployed, factory, quiet, yes=True),
        lambda factory: rollback(deployed, factory, quiet),
    ):
        recorder = Recorder(localcloud.client)
        with pytest.raises(EnvironmentLocked):
            command(recorder)
        assert recorder.all_writes == [("ssm", "PutParameter")]


def test_plan_takes_no_lock_and_says_the_environment_is_locked(
    localcloud: LocalCloud, deployed: Settings, held: LockHolder
) -> None:
    recorder = Recorder(localcloud.client)
    lines: list[str] = []
    plan(deployed, recorder, lines.append, target=LOCAL)
    assert recorder.all_writes == []
    assert lines[-1].startswith(f"note: churn-dev is locked by {held.who}")


def test_after_the_holder_is_done_a_deploy_works(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    holder = environment_lock(deployed, Clients(localcloud.client), "rollback churn-dev")
    with holder, pytest.raises(EnvironmentLocked):
        deploy(deployed, localcloud.client, quiet, target=LOCAL)
    assert _lock(localcloud) is None
    report = deploy(deployed, localcloud.client, quiet, target=LOCAL)
    assert report.plan.pending == [] and _lock(localcloud) is None


def test_the_lock_is_released_when_the_deploy_fails_or_is_interrupted(
    localcloud: LocalCloud,
) -> None:
    settings = dev_settings()
    failing = FailOnWrite(localcloud.client, operation="PutRolePolicy")
    with pytest.raises(InjectedFailure):
        deploy(settings, failing, quiet, target=LOCAL)
    assert _lock(localcloud) is None

    def interrupt(line: str) -> None:
        if line.startswith("[3/"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        deploy(settings, localcloud.client, interrupt, target=LOCAL)
    assert _lock(localcloud) is None


def test_a_holder_releases_only_its_own_lock(localcloud: LocalCloud) -> None:
    settings, clients = dev_settings(), Clients(localcloud.client)
    ssm = localcloud.client("ssm")
    with environment_lock(settings, clients, "deploy churn-dev"):
        # Released by hand meanwhile (unlock), and taken by the next deployer.
        ssm.delete_parameter(Name=lock_parameter(settings))
        other = {"who": "bob@ci pid 7", "since": "now", "command": "deploy", "token": "t"}
        ssm.put_parameter(Name=lock_parameter(settings), Value=json.dumps(other), Type="String")
    assert _lock(localcloud) == LockHolder(**other)


def test_unlock_shows_the_holder_and_releases_only_when_told(
    localcloud: LocalCloud,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = dev_settings()
    crashed = environment_lock(settings, Clients(localcloud.client), "deploy churn-dev")
    holder = crashed.__enter__()  # the holder dies without leaving the block
    monkeypatch.setattr(deploy_cli, "local_clients", lambda s: localcloud.client)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal

    assert deploy_cli.main(["unlock", "--env", "dev"]) == 1
    captured = capsys.readouterr()
    assert f"churn-dev is locked by {holder.describe()}" in captured.out
    assert "run again with --yes" in captured.err
    assert _lock(localcloud) == holder

    assert deploy_cli.main(["unlock", "--env", "dev", "--yes"]) == 0
    assert _lock(localcloud) is None
    assert deploy_cli.main(["unlock", "--env", "dev"]) == 0
    assert "churn-dev is not locked" in capsys.readouterr().out
