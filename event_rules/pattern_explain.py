"""Explaining a non-match: the first pattern field, in pattern order, that the event fails."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from event_rules.pattern_event import expand, has_dotted_key, objects_of
from event_rules.pattern_tree import MISSING, LeafNode, ObjectNode

ABSENT = "(absent)"


@dataclass(frozen=True)
class Mismatch:
    """Where and why an event fails a pattern.

    path: the failing field, dot-joined from the event's root (array elements as `[i]`);
    expected: the pattern's value list for that field as JSON (or the `$or` choices);
    actual: the event's value there as JSON, or `(absent)`.
    """

    path: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected}, found {self.actual}"


def _render(value: Any) -> str:
    if value is MISSING:
        return ABSENT
    return json.dumps(value, sort_keys=True)


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _explain_object(node: ObjectNode, event: dict[str, Any], prefix: str) -> Mismatch | None:
    if has_dotted_key(event):
        event = expand(event)
    for key, child in node.fields:
        value = event.get(key, MISSING)
        path = _join(prefix, key)
        if isinstance(child, LeafNode):
            if not child.match(value):
                return Mismatch(path, json.dumps(child.source), _render(value))
        elif not child.match(value):
            return _explain_value(child, value, path)
    for group in node.alternatives:
        if not any(branch.match_dict(event) for branch in group):
            reasons = [_explain_object(branch, event, prefix) for branch in group]
            first = next(reason for reason in reasons if reason is not None)
            choices = " or ".join(f"{r.path} {r.expected}" for r in reasons if r is not None)
            return Mismatch(first.path, f"one of: {choices}", first.actual)
    return None


def _explain_value(node: ObjectNode, value: Any, path: str) -> Mismatch:
    if isinstance(value, dict):
        found = _explain_object(node, value, path)
    elif isinstance(value, list) and objects_of(value):
        first = objects_of(value)[0]
        found = _explain_object(node, first if isinstance(first, dict) else {}, f"{path}[0]")
    else:
        found = _explain_object(node, {}, path)
    if found is None:
        # Only reachable if the tree and this walk disagree; report the object as a whole.
        return Mismatch(path, "an object matching the pattern", _render(value))
    return found


def explain_tree(root: ObjectNode, event: dict[str, Any]) -> Mismatch | None:
    if not isinstance(event, dict):
        return Mismatch("", "a JSON object", _render(event))
    if root.match_dict(event):
        return None
    return _explain_object(root, event, "")
