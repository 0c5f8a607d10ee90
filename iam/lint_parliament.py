"""parliament's checks of a policy, with the findings that are not defects for this project
filtered out. Imported only where parliament is installed (a development dependency).

parliament 1.6.4 runs with its community auditors. Findings it reports that are not defects
for this project, and why:

* ``RESOURCE_MISMATCH`` when the action accepts one of several resource types: parliament
  demands a resource of *every* required type, IAM one of them (``states:DescribeExecution``
  is authorized on a Standard execution *or* an Express one). Kept when no resource of the
  statement matches any type of the action.
* ``PERMISSIONS_MANAGEMENT_ACTIONS`` for the actions in ``ACCEPTED_SENSITIVE``: each is needed
  by a documented call and is scoped (see the reasons there). Any other one is kept.
* ``CREDENTIALS_EXPOSURE`` for ``ecr:GetAuthorizationToken``: SageMaker needs the token to
  pull images, and the token only carries the role's own ECR permissions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from parliament import analyze_policy_string, is_arn_strictly_valid  # type: ignore[import-untyped]
from parliament import iam_definition as _iam_definition

from iam.statements import strings

ACCEPTED_SENSITIVE = {
    "iam:passrole": "passes one named role, only to the service the condition names",
    "iam:createservicelinkedrole": "creates one service-linked role, named and conditioned",
    "logs:putresourcepolicy": "Step Functions log delivery sets the log group's policy",
}
ACCEPTED_CREDENTIALS = {
    "ecr:getauthorizationtoken": "SageMaker pulls images with it; it carries no other access",
}


def _without_wildcard_actions(policy: Mapping[str, Any]) -> dict[str, Any]:
    """The policy minus wildcard actions: they are findings already, and parliament expands
    ``*`` into every action of every service, which takes seconds per policy."""
    kept = []
    for statement in policy["Statement"]:
        actions = [a for a in strings(statement.get("Action")) if "*" not in a and "?" not in a]
        if actions or "Action" not in statement:
            kept.append({**statement, **({"Action": actions} if "Action" in statement else {})})
    return {**policy, "Statement": kept}


def parliament_findings(
    policy: Mapping[str, Any], statements: list[Mapping[str, Any]]
) -> list[str]:
    checked = _without_wildcard_actions(policy)
    if not checked["Statement"]:
        return []
    analyzed = analyze_policy_string(json.dumps(checked), include_community_auditors=True)
    findings = []
    for finding in analyzed.findings:
        issue, detail = finding.issue, finding.detail
        # Community auditors report the actions in the finding's location.
        flagged = finding.location if isinstance(finding.location, Mapping) else {}
        if issue == "RESOURCE_MISMATCH" and isinstance(detail, list):
            detail = [d for d in detail if not _matches_some_type(d.get("action", ""), statements)]
            if not detail:
                continue
        accepted = {
            "PERMISSIONS_MANAGEMENT_ACTIONS": ACCEPTED_SENSITIVE,
            "CREDENTIALS_EXPOSURE": ACCEPTED_CREDENTIALS,
        }.get(issue)
        if accepted is not None:
            actions = [a for a in flagged.get("actions", []) if a not in accepted]
            if not actions:
                continue
            detail = {"actions": actions}
        findings.append(f"parliament {issue}: {detail or flagged}")
    return findings


def _matches_some_type(action: str, statements: list[Mapping[str, Any]]) -> bool:
    """Every statement granting ``action`` names a resource of one of the action's types."""
    prefix, _, name = action.partition(":")
    service = next((s for s in _iam_definition if s["prefix"] == prefix), None)
    privilege = next(
        (p for p in (service or {}).get("privileges", []) if p["privilege"] == name), None
    )
    if service is None or privilege is None:
        return False
    formats = {r["resource"]: re.sub(r"\$\{.*?\}", "*", r["arn"]) for r in service["resources"]}
    types = [
        t["resource_type"].rstrip("*") for t in privilege["resource_types"] if t["resource_type"]
    ]
    granting = [
        s for s in statements if action.lower() in (a.lower() for a in strings(s.get("Action")))
    ]
    return bool(granting) and all(
        any(
            is_arn_strictly_valid(t, formats[t], resource)
            for t in types
            if t in formats
            for resource in strings(s.get("Resource"))
        )
        for s in granting
    )
