"""Shared pieces of the deploy tests: settings, call recording, failure injection, and resources
that belong to someone else."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from deploy import LOCAL, deploy
from deploy.calls import is_lock_call, is_read
from environments.settings import Settings, load_settings
from localcloud import LocalCloud


def dev_settings() -> Settings:
    return load_settings("dev")


def quiet(_: str) -> None:
    """An output sink for deploys whose printed lines a test does not read."""


@pytest.fixture
def deployed(localcloud: LocalCloud) -> Settings:
    """The dev environment after a first deploy into a fresh embedded cloud (a fixture for
    every test module; a module's own ``deployed`` overrides it)."""
    settings = dev_settings()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    return settings


@dataclass
class Recorder:
    """A client factory that records every (service, operation) its clients call."""

    factory: Callable[[str], Any]
    calls: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, service: str) -> Any:
        client = self.factory(service)
        client.meta.events.register("before-call", self._record)
        return client

    def _record(self, model: Any, **_: Any) -> None:
        self.calls.append((model.service_model.service_name, model.name))

    @property
    def writes(self) -> list[str]:
        """Writes to the environment's resources: every write but taking and releasing the
        environment lock, which every deploy does (test_deploy_lock.py checks those)."""
        return [f"{s}:{op}" for s, op in self.all_writes if not is_lock_call(s, op)]

    @property
    def all_writes(self) -> list[tuple[str, str]]:
        return [(s, op) for s, op in self.calls if not is_read(op)]


class InjectedFailure(RuntimeError):
    """Stands for the deploy process dying part-way (a crash, a lost connection)."""


@dataclass
class FailOnWrite:
    """A client factory whose clients fail the first write named ``operation`` (or, with
    ``operation`` None, the ``k``-th write), before the request leaves."""

    factory: Callable[[str], Any]
    operation: str | None = None
    k: int = 0
    writes: int = 0
    failed_at: str = ""

    def __call__(self, service: str) -> Any:
        client = self.factory(service)
        client.meta.events.register("before-call", self._maybe_fail)
        return client

    def _maybe_fail(self, model: Any, **_: Any) -> None:
        if self.failed_at or is_read(model.name):
            return
        self.writes += 1
        if model.name == self.operation or (self.operation is None and self.writes == self.k):
            self.failed_at = (
                f"{model.service_model.service_name}:{model.name} (write {self.writes})"
            )
            raise InjectedFailure(f"deploy stopped at {self.failed_at}")


def tags_of(pairs: list[dict[str, str]], key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {p[key]: p[value] for p in pairs}


def policy(document: str | dict[str, Any]) -> dict[str, Any]:
    return json.loads(document) if isinstance(document, str) else document


# Resources with the project's prefix that are not the environment's: what destroy and a
# deploy's prune must leave alone.
FOREIGN = "churn-dev-foreign"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


# Scheduler tags groups only: a group without both tags keeps its schedules, and so does the
# default group, even a schedule there with the prefix that runs as the project's role.
FOREIGN_GROUPS = {
    f"{FOREIGN}-untagged": [],
    f"{FOREIGN}-prod": [
        {"Key": "project", "Value": "churn"},
        {"Key": "environment", "Value": "prod"},
    ],
}
FOREIGN_TARGET = "arn:aws:lambda:us-east-1:123456789012:function:churn-dev-foreign"
FOREIGN_ROLE = "arn:aws:iam::123456789012:role/churn-dev-scheduler"


def create_foreign_resources(cloud: LocalCloud) -> None:
    """Same prefix; no tags, one of the two, or the other environment's."""
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=f"{FOREIGN}-untagged")
    s3.create_bucket(Bucket=f"{FOREIGN}-project-only")
    s3.put_bucket_tagging(
        Bucket=f"{FOREIGN}-project-only", Tagging={"TagSet": [{"Key": "project", "Value": "churn"}]}
    )
    cloud.client("sqs").create_queue(
        QueueName=FOREIGN, tags={"project": "churn", "environment": "prod"}
    )
    cloud.client("events").put_rule(Name=FOREIGN, ScheduleExpression="rate(1 day)")
    cloud.client("logs").create_log_group(logGroupName=f"/aws/lambda/{FOREIGN}")
    cloud.client("iam").create_role(
        RoleName=FOREIGN,
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Tags=[{"Key": "environment", "Value": "dev"}],
    )
    scheduler = cloud.client("scheduler")
    for group, tags in FOREIGN_GROUPS.items():
        scheduler.create_schedule_group(Name=group, Tags=tags)
    for group in ("default", *FOREIGN_GROUPS):
        scheduler.create_schedule(
            Name=FOREIGN,
            GroupName=group,
            ScheduleExpression="rate(1 day)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": FOREIGN_TARGET, "RoleArn": FOREIGN_ROLE},
        )
