"""Evaluate an identity policy against one request, the way IAM decides it.

Within one identity policy (no boundaries, SCPs or sessions): an explicit Deny wins, then any
matching Allow, else the request is implicitly denied ("Policy evaluation logic", IAM User
Guide). Actions match case-insensitively with ``*`` and ``?``; resources match case-sensitively,
``*`` spanning any characters, ``:`` and ``/`` included. Conditions: every operator in a
statement must hold, every key in an operator must hold, and a key with several values holds
when any value matches; a key missing from the request fails every operator except
``...IfExists`` and ``Null`` ("IAM JSON policy elements: Condition operators"). Policy
variables (``${aws:username}``) are not supported and raise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Decision = Literal["Allow", "ExplicitDeny", "ImplicitDeny"]


class UnsupportedPolicyError(ValueError):
    """The policy uses something the evaluator does not implement; it says what."""


@dataclass(frozen=True)
class Request:
    """One API call: ``context`` holds the condition keys the call carries."""

    action: str
    resource: str
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


def evaluate(policy: Mapping[str, Any], request: Request) -> Decision:
    allowed = False
    for statement in policy.get("Statement", []):
        if not _applies(statement, request):
            continue
        if statement.get("Effect") == "Deny":
            return "ExplicitDeny"
        allowed = True
    return "Allow" if allowed else "ImplicitDeny"


def is_allowed(
    policy: Mapping[str, Any],
    action: str,
    resource: str,
    context: Mapping[str, str | Sequence[str]] | None = None,
) -> bool:
    return evaluate(policy, Request(action, resource, context or {})) == "Allow"


def _list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value or []]


def _wildcard(pattern: str, text: str, *, case: bool) -> bool:
    if "${" in pattern:
        raise UnsupportedPolicyError(f"policy variable in {pattern!r} is not supported")
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, text, 0 if case else re.IGNORECASE) is not None


def _applies(statement: Mapping[str, Any], request: Request) -> bool:
    if "Action" in statement:
        action = any(_wildcard(a, request.action, case=False) for a in _list(statement["Action"]))
    else:
        action = not any(
            _wildcard(a, request.action, case=False) for a in _list(statement.get("NotAction"))
        )
    if "Resource" in statement:
        resource = any(
            _wildcard(r, request.resource, case=True) for r in _list(statement["Resource"])
        )
    else:
        resource = not any(
            _wildcard(r, request.resource, case=True) for r in _list(statement.get("NotResource"))
        )
    return action and resource and _conditions(statement.get("Condition") or {}, request.context)


def _conditions(conditions: Mapping[str, Any], context: Mapping[str, str | Sequence[str]]) -> bool:
    keys = {k.lower(): _list(v) for k, v in context.items()}
    return all(
        _operator(operator, key, _list(expected), keys.get(key.lower()))
        for operator, entries in conditions.items()
        for key, expected in entries.items()
    )


def _operator(operator: str, key: str, expected: list[str], actual: list[str] | None) -> bool:
    qualifier, _, name = operator.rpartition(":")
    if name == "Null":
        return (actual is None) == (expected[0].lower() == "true")
    if_exists = name.endswith("IfExists")
    name = name.removesuffix("IfExists")
    test = _TESTS.get(name)
    if test is None:
        raise UnsupportedPolicyError(f"condition operator {operator!r} (on {key}) is not supported")
    if actual is None:
        return if_exists or qualifier == "ForAllValues"
    negated = name.startswith(("StringNot", "ArnNot"))
    matches = [any(test(e, a) for e in expected) for a in actual]
    if qualifier == "ForAllValues":
        return all(matches)
    if negated:
        # A negated operator holds when no value matches the (positive) test.
        return not any(matches)
    return any(matches)


def _arn_like(pattern: str, arn: str) -> bool:
    pattern_parts, arn_parts = pattern.split(":", 5), arn.split(":", 5)
    if len(pattern_parts) != 6 or len(arn_parts) != 6:
        return False
    return all(_wildcard(p, a, case=True) for p, a in zip(pattern_parts, arn_parts, strict=True))


_TESTS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda e, a: e == a,
    "StringNotEquals": lambda e, a: e == a,
    "StringEqualsIgnoreCase": lambda e, a: e.lower() == a.lower(),
    "StringNotEqualsIgnoreCase": lambda e, a: e.lower() == a.lower(),
    "StringLike": lambda e, a: _wildcard(e, a, case=True),
    "StringNotLike": lambda e, a: _wildcard(e, a, case=True),
    "ArnEquals": _arn_like,
    "ArnLike": _arn_like,
    "ArnNotEquals": _arn_like,
    "ArnNotLike": _arn_like,
    "Bool": lambda e, a: e.lower() == a.lower(),
}
