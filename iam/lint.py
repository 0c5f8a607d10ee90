"""Policy lint: parliament's checks, and the project's own rules parliament does not have.

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

The project's rules: the document's shape (Version 2012-10-17, a Sid of A-Z/a-z/0-9 on every
statement, no duplicate Sids, no NotAction/NotResource/Principal), no wildcard in any action,
``Resource "*"`` only on Sids whose reason is recorded, ``iam:PassRole`` only on named roles
and only with ``iam:PassedToService``, and the 10,240-character limit of an inline role policy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from parliament import analyze_policy_string, is_arn_strictly_valid  # type: ignore[import-untyped]
from parliament import iam_definition as _iam_definition

from iam.spec import RoleSpec
from iam.statements import POLICY_VERSION, WILDCARD

INLINE_ROLE_POLICY_LIMIT = 10_240  # characters, whitespace excluded (IAM quotas)
ACCEPTED_SENSITIVE = {
    "iam:passrole": "passes one named role, only to the service the condition names",
    "iam:createservicelinkedrole": "creates one service-linked role, named and conditioned",
    "logs:putresourcepolicy": "Step Functions log delivery sets the log group's policy",
}
ACCEPTED_CREDENTIALS = {
    "ecr:getauthorizationtoken": "SageMaker pulls images with it; it carries no other access",
}
_SID = re.compile(r"^[A-Za-z0-9]+$")
_FORBIDDEN_KEYS = ("NotAction", "NotResource", "Principal", "NotPrincipal")


def lint_policy(
    policy: Mapping[str, Any], wildcard_resources: Mapping[str, str] | None = None
) -> list[str]:
    """Findings for an identity policy, ``[]`` when clean.

    ``wildcard_resources`` maps the Sids allowed ``Resource "*"`` to the reason; without it
    every ``*`` resource is a finding.
    """
    shape = _shape(policy)
    if shape:
        return shape
    statements: list[Mapping[str, Any]] = list(policy["Statement"])
    findings = [f for s in statements for f in _statement(s, wildcard_resources or {})]
    sids = [str(s.get("Sid")) for s in statements]
    findings += [
        f"Sid {sid}: used by two statements"
        for sid in sorted({s for s in sids if sids.count(s) > 1})
    ]
    for sid in sorted(set(wildcard_resources or {}) - set(sids)):
        findings.append(f"wildcard_resources names Sid {sid}, which the policy does not have")
    size = len(re.sub(r"\s", "", json.dumps(policy)))
    if size > INLINE_ROLE_POLICY_LIMIT:
        findings.append(
            f"policy is {size} characters (whitespace excluded), over the inline role policy "
            f"limit of {INLINE_ROLE_POLICY_LIMIT}; merge statements or split the role"
        )
    return findings + _parliament(policy, statements)


def lint_role(role: RoleSpec) -> list[str]:
    """Findings for a role: its policy (with its recorded reasons) and its trust policy."""
    findings = [f"{role.name}: {f}" for f in lint_policy(role.policy, role.wildcard_resources)]
    findings += [f"{role.name}: trust policy: {f}" for f in _trust(role.trust_policy)]
    if role.managed_policy_arns:
        findings.append(f"{role.name}: managed policies attached; derive the grants instead")
    return findings


def _shape(policy: Mapping[str, Any]) -> list[str]:
    if not isinstance(policy, Mapping):
        return ["policy must be a JSON object with Version and Statement"]
    findings = []
    if policy.get("Version") != POLICY_VERSION:
        findings.append(f"Version must be {POLICY_VERSION!r}, got {policy.get('Version')!r}")
    statements = policy.get("Statement")
    if not isinstance(statements, list) or not statements:
        findings.append("Statement must be a non-empty list of statements")
    elif not all(isinstance(s, Mapping) for s in statements):
        findings.append("every Statement entry must be an object")
    return findings


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _statement(statement: Mapping[str, Any], wildcard_resources: Mapping[str, str]) -> list[str]:
    sid = statement.get("Sid")
    name = f"Sid {sid}" if sid else "statement without Sid"
    findings = []
    if not isinstance(sid, str) or not _SID.match(sid):
        findings.append(f"{name}: every statement needs a Sid of A-Z, a-z and 0-9 only")
    if statement.get("Effect") not in ("Allow", "Deny"):
        findings.append(f"{name}: Effect must be Allow or Deny")
    for key in _FORBIDDEN_KEYS:
        if key in statement:
            findings.append(f"{name}: {key} has no place in this project's role policies")
    actions, resources = _strings(statement.get("Action")), _strings(statement.get("Resource"))
    if not actions or not resources:
        findings.append(f"{name}: needs at least one Action and one Resource")
    for action in actions:
        if "*" in action or "?" in action:
            findings.append(f"{name}: action {action!r} is a wildcard; list the actions needed")
    recorded = isinstance(sid, str) and bool(wildcard_resources.get(sid))
    if WILDCARD in resources and statement.get("Effect") == "Allow" and not recorded:
        findings.append(
            f"{name}: Resource '*' without a recorded reason; scope it, or record why in "
            "wildcard_resources"
        )
    for resource in resources:
        parts = resource.split(":", 5)
        if resource != WILDCARD and (len(parts) < 6 or parts[5] == "*"):
            findings.append(f"{name}: resource {resource!r} is every resource of the service")
    if any(a.lower() == "iam:passrole" for a in actions):
        findings += _pass_role(name, statement, resources)
    return findings


def _pass_role(name: str, statement: Mapping[str, Any], resources: list[str]) -> list[str]:
    findings = []
    conditions = statement.get("Condition") or {}
    services = [
        value
        for operator, entries in conditions.items()
        if operator.startswith("StringEquals") and isinstance(entries, Mapping)
        for key, value in entries.items()
        if key.lower() == "iam:passedtoservice"
    ]
    if not services:
        findings.append(
            f"{name}: iam:PassRole without a StringEquals iam:PassedToService condition"
        )
    if any("*" in r or "?" in r for r in resources):
        findings.append(f"{name}: iam:PassRole on a wildcard resource; name the role")
    return findings


def _trust(trust: Mapping[str, Any]) -> list[str]:
    findings = _shape(trust)
    if findings:
        return findings
    for statement in trust["Statement"]:
        principal = statement.get("Principal")
        services = _strings(principal.get("Service")) if isinstance(principal, Mapping) else []
        if statement.get("Effect") != "Allow" or statement.get("Action") != "sts:AssumeRole":
            findings.append("each statement must Allow sts:AssumeRole")
        if not services or set(principal) != {"Service"}:
            findings.append("the principal must be an AWS service, nothing else")
    return findings


def _without_wildcard_actions(policy: Mapping[str, Any]) -> dict[str, Any]:
    """The policy minus wildcard actions: they are findings already, and parliament expands
    ``*`` into every action of every service, which takes seconds per policy."""
    kept = []
    for statement in policy["Statement"]:
        actions = [a for a in _strings(statement.get("Action")) if "*" not in a and "?" not in a]
        if actions or "Action" not in statement:
            kept.append({**statement, **({"Action": actions} if "Action" in statement else {})})
    return {**policy, "Statement": kept}


def _parliament(policy: Mapping[str, Any], statements: list[Mapping[str, Any]]) -> list[str]:
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
        s for s in statements if action.lower() in (a.lower() for a in _strings(s.get("Action")))
    ]
    return bool(granting) and all(
        any(
            is_arn_strictly_valid(t, formats[t], resource)
            for t in types
            if t in formats
            for resource in _strings(s.get("Resource"))
        )
        for s in granting
    )
