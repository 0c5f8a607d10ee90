"""The deploy history: what each deploy and rollback made live, for rollback to go back to.

One JSON object per record, ``s3://<artifacts bucket>/deployments/<number>.json`` (numbered
from 1, zero-padded so the listing is in order), written whenever a deploy or a rollback moves a
``live`` alias. A record holds ``live`` (every state machine's and function's live version ARN
afterwards) and ``changes`` (for each alias it moved: the version before and after); a rollback's
record also names, in ``undoes``, the deploy whose change of each alias it undid.

The ``from`` of a deploy's change is what the history last recorded as live (or, with no record
yet, what was live when the deploy started): a deploy that stopped after moving an alias but
before its record is recorded by the next deploy, from the right starting point.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from botocore.exceptions import ClientError

from deploy.calls import Clients
from deploy.model import Kind
from deploy.providers.base import Current, error_code, unless_missing
from environments.settings import LIVE_ALIAS, Settings
from tasks.packaging import handler_modules
from workflows.machines import BUILDERS

Live = dict[str, str]  # state machine or function ARN -> the version ARN its live alias names
MAX_PAGES = 1000


@dataclass(frozen=True)
class Change:
    before: str | None  # None: the alias did not exist (the deploy created it)
    after: str


@dataclass(frozen=True)
class Record:
    number: int
    kind: Literal["deploy", "rollback"]
    live: Live
    changes: dict[str, Change]
    undoes: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kind": self.kind,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "changes": {
                arn: {"from": c.before, "to": c.after} for arn, c in sorted(self.changes.items())
            },
            "undoes": dict(sorted(self.undoes.items())),
            "live": dict(sorted(self.live.items())),
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Record:
        return Record(
            number=int(data["number"]),
            kind=data["kind"],
            live=dict(data["live"]),
            changes={a: Change(c["from"], c["to"]) for a, c in data["changes"].items()},
            undoes={a: int(n) for a, n in data.get("undoes", {}).items()},
        )


def aliased(settings: Settings) -> dict[str, str]:
    """Every state machine and function ARN that has a ``live`` alias -> its name, in the
    order rollback reports them (machines, then functions)."""
    loc = settings.location
    machines = {
        loc.state_machine(settings.state_machine_name(m)): settings.state_machine_name(m)
        for m in BUILDERS
    }
    functions = {
        loc.function(settings.function_name(h)): settings.function_name(h)
        for h in handler_modules()
    }
    return machines | functions


def version_label(version_arn: str) -> str:
    return f"version {version_arn.rsplit(':', 1)[-1]}"


def read_live(settings: Settings, clients: Clients) -> Live:
    """What each ``live`` alias routes (most of) its traffic to now; unaliased ones left out."""
    sfn, lam = clients("stepfunctions"), clients("lambda")
    live: Live = {}
    for arn, name in aliased(settings).items():
        if ":states:" in arn:
            alias = unless_missing(
                partial(
                    sfn.describe_state_machine_alias, stateMachineAliasArn=f"{arn}:{LIVE_ALIAS}"
                ),
                "ResourceNotFound",
            )
            routes = sorted(
                (alias or {}).get("routingConfiguration", []), key=lambda r: -r["weight"]
            )
            if routes:
                live[arn] = str(routes[0]["stateMachineVersionArn"])
        else:
            alias = unless_missing(
                partial(lam.get_alias, FunctionName=name, Name=LIVE_ALIAS),
                "ResourceNotFoundException",
            )
            if alias is not None:
                live[arn] = f"{arn}:{alias['FunctionVersion']}"
    return live


class History:
    """The records of one environment, read lazily from the newest."""

    def __init__(self, settings: Settings, clients: Clients) -> None:
        self.bucket = settings.artifacts_bucket
        self.prefix = settings.deploy_history_prefix
        self.s3 = clients("s3")
        self._keys: list[str] | None = None

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def keys(self) -> list[str]:
        """The record keys, oldest first ([] before the bucket exists)."""
        if self._keys is None:
            keys: list[str] = []
            try:
                pages = self.s3.get_paginator("list_objects_v2").paginate(
                    Bucket=self.bucket, Prefix=self.prefix
                )
                for number, page in enumerate(pages):
                    if number >= MAX_PAGES:
                        raise RuntimeError(f"{self.location} holds too many records to read")
                    keys += [item["Key"] for item in page.get("Contents", [])]
            except ClientError as error:
                if error_code(error) != "NoSuchBucket":
                    raise
            self._keys = sorted(k for k in keys if k.endswith(".json"))
        return self._keys

    def newest_first(self) -> Iterator[Record]:
        for key in reversed(self.keys()):
            body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            yield Record.from_json(json.loads(body))

    def latest(self) -> Record | None:
        return next(self.newest_first(), None)

    def next_number(self) -> int:
        keys = self.keys()
        return int(keys[-1][len(self.prefix) :].split(".")[0]) + 1 if keys else 1

    def append(self, record: Record) -> str:
        key = f"{self.prefix}{record.number:08d}.json"
        self.s3.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=json.dumps(record.as_json(), indent=2).encode(),
            ContentType="application/json",
        )
        self._keys = [*self.keys(), key]
        return f"s3://{self.bucket}/{key}"


def changes_between(before: Live, after: Live) -> dict[str, Change]:
    return {
        arn: Change(before.get(arn), version)
        for arn, version in after.items()
        if before.get(arn) != version
    }


def live_as_planned(settings: Settings, read: Mapping[str, Current | None]) -> Live | None:
    """What ``read_live`` answers, from a plan's reads of every state machine and function
    (``read``: `Resource.key` -> what the plan read, None when it did not exist), which read each
    ``live`` alias already; None when the plan did not read one of them."""
    live: Live = {}
    for arn, name in aliased(settings).items():
        machine = ":states:" in arn
        key = f"{(Kind.STATE_MACHINE if machine else Kind.FUNCTION).value}/{name}"
        if key not in read:
            return None
        current = read[key]
        version = None if current is None else current.context.get("version")
        if version is not None:
            live[arn] = str(version) if machine else f"{arn}:{version}"
    return live


def live_before_deploy(
    history: History, settings: Settings, clients: Clients, now: Live | None = None
) -> Live:
    """What a deploy's changes are measured from: the history's last record, or, before the
    first record, what is live now (``now`` when the caller has read it already)."""
    latest = history.latest()
    if latest is not None:
        return latest.live
    return now if now is not None else read_live(settings, clients)


def record_deploy(
    history: History,
    before: Live,
    settings: Settings,
    clients: Clients,
    after: Live | None = None,
) -> str | None:
    """Record what is live after a deploy (``after`` when the caller knows it: nothing was
    written since it was read) when any alias differs from ``before``; return the record's
    location, or None when nothing moved (nothing is written)."""
    if after is None:
        after = read_live(settings, clients)
    changes = changes_between(before, after)
    if not changes:
        return None
    return history.append(Record(history.next_number(), "deploy", after, changes))
