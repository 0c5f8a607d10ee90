"""Policy lint: the project's own rules, and parliament's checks where parliament is installed.

The project's rules: the document's shape (Version 2012-10-17, a Sid of A-Z/a-z/0-9 on every
statement, no duplicate Sids, no NotAction/NotResource/Principal), no wildcard in any action,
``Resource "*"`` only on Sids whose reason is recorded, ``iam:PassRole`` only on named roles
and only with ``iam:PassedToService``, and the 10,240-character limit of an inline role policy.

parliament (a development dependency, see ``iam/lint_parliament.py``) adds its checks when it can
be imported, as in the project's own checkout and tests; an installed ``selfheal`` runs without
it and imports nothing of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from iam.spec import RoleSpec
from iam.statements import POLICY_VERSION, WILDCARD, strings

INLINE_ROLE_POLICY_LIMIT = 10_240  # characters, whitespace excluded (IAM quotas)
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
    actions, resources = strings(statement.get("Action")), strings(statement.get("Resource"))
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
        services = strings(principal.get("Service")) if isinstance(principal, Mapping) else []
        if statement.get("Effect") != "Allow" or statement.get("Action") != "sts:AssumeRole":
            findings.append("each statement must Allow sts:AssumeRole")
        if not services or set(principal) != {"Service"}:
            findings.append("the principal must be an AWS service, nothing else")
    return findings


def _parliament(policy: Mapping[str, Any], statements: list[Mapping[str, Any]]) -> list[str]:
    try:
        from iam.lint_parliament import parliament_findings
    except ModuleNotFoundError as error:
        if error.name != "parliament":
            raise
        return []
    return parliament_findings(policy, statements)
