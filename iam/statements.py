"""Grants (what one need requires) and the policy documents built from them.

Several tasks often need the same statement (three jobs passing one role): grants with the same
Sid merge into one statement, so each Sid says one thing and the documents stay small and
stable. Output is sorted, so the same definitions always give byte-identical policies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

POLICY_VERSION = "2012-10-17"
WILDCARD = "*"
_SID = re.compile(r"^[A-Za-z0-9]+$")

Condition = Mapping[str, Mapping[str, str | Sequence[str]]]


@dataclass(frozen=True)
class Grant:
    """One Allow statement: ``why_wildcard`` must say why when ``resources`` is ``("*",)``."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition: Condition = field(default_factory=dict)
    why_wildcard: str = ""

    def __post_init__(self) -> None:
        if not _SID.match(self.sid):
            raise ValueError(f"Sid {self.sid!r}: IAM allows only A-Z, a-z and 0-9 in a Sid")
        if WILDCARD in self.resources and not self.why_wildcard:
            raise ValueError(f"grant {self.sid}: Resource '*' needs why_wildcard (the reason)")


def merge(grants: Iterable[Grant]) -> list[Grant]:
    """One grant per Sid: actions and resources united, sorted by Sid."""
    merged: dict[str, Grant] = {}
    for grant in grants:
        known = merged.get(grant.sid)
        if known is None:
            merged[grant.sid] = grant
            continue
        if _plain(known.condition) != _plain(grant.condition):
            raise ValueError(
                f"grant {grant.sid}: two needs share the Sid with different conditions "
                f"({_plain(known.condition)} and {_plain(grant.condition)}); give one its own Sid"
            )
        resources = set(known.resources) | set(grant.resources)
        merged[grant.sid] = Grant(
            sid=grant.sid,
            actions=tuple(sorted(set(known.actions) | set(grant.actions))),
            resources=(WILDCARD,) if WILDCARD in resources else tuple(sorted(resources)),
            condition=known.condition,
            why_wildcard=known.why_wildcard or grant.why_wildcard,
        )
    return [merged[sid] for sid in sorted(merged)]


def _plain(condition: Condition) -> dict[str, dict[str, Any]]:
    return {
        operator: {
            key: sorted(v) if isinstance(v, list | tuple) else v for key, v in entries.items()
        }
        for operator, entries in condition.items()
    }


def statement(grant: Grant) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Sid": grant.sid,
        "Effect": "Allow",
        "Action": sorted(set(grant.actions)),
        "Resource": sorted(set(grant.resources)),
    }
    if grant.condition:
        body["Condition"] = {
            operator: {key: _condition_value(value) for key, value in sorted(entries.items())}
            for operator, entries in sorted(grant.condition.items())
        }
    return body


def _condition_value(value: str | Sequence[str]) -> str | list[str]:
    if isinstance(value, str):
        return value
    values = sorted(set(value))
    return values[0] if len(values) == 1 else values


def policy_document(grants: Iterable[Grant]) -> dict[str, Any]:
    return {"Version": POLICY_VERSION, "Statement": [statement(g) for g in merge(grants)]}


def wildcard_reasons(grants: Iterable[Grant]) -> dict[str, str]:
    return {g.sid: g.why_wildcard for g in merge(grants) if WILDCARD in g.resources}


def trust_policy(
    service: str, *, source_account: str | None = None, source_arns: Sequence[str] = ()
) -> dict[str, Any]:
    """The AssumeRolePolicyDocument letting ``service`` assume the role.

    ``aws:SourceAccount`` and ``aws:SourceArn`` stop another account's resource from making the
    service act with this role (the confused deputy); pass them where the service sets them.
    """
    trust: dict[str, Any] = {
        "Sid": "AssumedBy" + "".join(p.title() for p in re.split(r"[^A-Za-z0-9]", service)[:1]),
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    condition: dict[str, dict[str, str | list[str]]] = {}
    if source_account:
        condition["StringEquals"] = {"aws:SourceAccount": source_account}
    if source_arns:
        arns = sorted(set(source_arns))
        condition["ArnLike"] = {"aws:SourceArn": arns[0] if len(arns) == 1 else arns}
    if condition:
        trust["Condition"] = condition
    return {"Version": POLICY_VERSION, "Statement": [trust]}


def strings(value: Any) -> list[str]:
    """A policy field's strings: a string alone, or the strings of a list."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
