"""The role the deploy creates: name, trust, one inline policy, and why any ``*`` is there."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from iam.statements import Grant, policy_document, wildcard_reasons


@dataclass(frozen=True)
class RoleSpec:
    name: str  # IAM role name (from settings)
    description: str
    trust_policy: dict[str, Any]  # AssumeRolePolicyDocument
    policy: dict[str, Any]  # the role's one inline policy (every statement has a Sid)
    wildcard_resources: dict[str, str]  # Sid -> why that API needs Resource "*"
    managed_policy_arns: tuple[str, ...] = ()


def role_spec(
    name: str, description: str, trust_policy: dict[str, Any], grants: Iterable[Grant]
) -> RoleSpec:
    grants = list(grants)
    return RoleSpec(
        name=name,
        description=description,
        trust_policy=trust_policy,
        policy=policy_document(grants),
        wildcard_resources=wildcard_reasons(grants),
    )
