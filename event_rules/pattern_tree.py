"""The compiled form of a pattern: a small tree of nodes, each holding a ready matcher closure.

A pattern key is split on "." into nested fields, as EventBridge does (`{"detail.a": [1]}` is
`{"detail": {"a": [1]}}`), and fields sharing a name are merged into one node, so matching
walks the event alongside the pattern's structure. Where the event holds an array, each
element is tried in turn and sibling fields must hold within the same element. Dotted keys on
the event's side are handled where they can change the answer (see object matchers below).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from event_rules.pattern_event import expand, has_dotted_key, known_plain, objects_of
from event_rules.pattern_values import LeafTest


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
_EMPTY: dict[str, Any] = {}

Matcher = Callable[[Any], bool]


@dataclass(frozen=True)
class Condition:
    """One entry of a field's value list: an exact value, or an operator with its operand."""

    kind: str
    operand: Any
    test: LeafTest | None = None


@dataclass(frozen=True)
class LeafNode:
    """A pattern field whose value is a list of conditions (any of them may match)."""

    path: tuple[str, ...]
    source: list[Any]
    conditions: tuple[Condition, ...]
    match: Matcher = field(compare=False, repr=False)


@dataclass(frozen=True)
class ObjectNode:
    """A pattern object: every field must match, and one branch of every `$or` group.

    Build one with `object_node`, which merges fields of the same name.
    """

    path: tuple[str, ...]
    fields: tuple[tuple[str, LeafNode | ObjectNode], ...]
    alternatives: tuple[tuple[ObjectNode, ...], ...]
    match_dict: Callable[[dict[str, Any]], bool] = field(compare=False, repr=False)
    match: Matcher = field(compare=False, repr=False)


def leaves_of(value: Any) -> list[Any]:
    """The scalar values an event field holds: itself, or its array's scalars at any depth."""
    if value.__class__ is list:
        found: list[Any] = []
        for element in value:
            if element.__class__ is list:
                found.extend(leaves_of(element))
            elif element.__class__ is not dict:
                found.append(element)
        return found
    if value is MISSING or value.__class__ is dict:
        return []
    return [value]


def leaf_matcher(conditions: tuple[Condition, ...]) -> Matcher:
    """A matcher over the raw event value at a field (MISSING when the key is absent)."""
    when_present = any(c.kind == "exists" and c.operand is True for c in conditions)
    when_absent = any(c.kind == "exists" and c.operand is False for c in conditions)
    tests = tuple(c.test for c in conditions if c.test is not None)

    def match(value: Any) -> bool:
        kind = value.__class__
        if kind is list:
            leaves = leaves_of(value)
            if not leaves:
                return when_absent
            if when_present:
                return True
            return any(test(leaf) for leaf in leaves for test in tests)
        if kind is dict or value is MISSING:
            return when_absent
        if when_present:
            return True
        return any(test(value) for test in tests)

    if len(tests) == 1 and not when_present and not when_absent:
        only = tests[0]

        def match_single(value: Any) -> bool:
            kind = value.__class__
            if kind is list:
                return any(only(leaf) for leaf in leaves_of(value))
            if kind is dict or value is MISSING:
                return False
            return only(value)

        return match_single
    return match


def object_node(
    path: tuple[str, ...],
    fields: list[tuple[str, LeafNode | ObjectNode]],
    alternatives: tuple[tuple[ObjectNode, ...], ...],
) -> ObjectNode:
    """An object node, with fields of the same name merged as EventBridge joins them: objects
    into one object (so their fields hold in the same array element), a value list given
    twice keeping the last one (Event Ruler stores each joined path once, the later wins).
    A value list and an object under one name stay two fields, both required."""
    merged: list[tuple[str, LeafNode | ObjectNode]] = []
    for key, node in fields:
        for index, (other_key, other) in enumerate(merged):
            same_kind = isinstance(other, ObjectNode) is isinstance(node, ObjectNode)
            if other_key != key or not same_kind:
                continue
            if isinstance(other, ObjectNode) and isinstance(node, ObjectNode):
                joined = [*other.fields, *node.fields]
                node = object_node(other.path, joined, other.alternatives + node.alternatives)
            merged[index] = (key, node)
            break
        else:
            merged.append((key, node))
    field_tuple = tuple(merged)
    match_dict, match = _object_matchers(field_tuple, alternatives)
    return ObjectNode(path, field_tuple, alternatives, match_dict, match)


def _object_matchers(
    fields: tuple[tuple[str, LeafNode | ObjectNode], ...],
    alternatives: tuple[tuple[ObjectNode, ...], ...],
) -> tuple[Callable[[dict[str, Any]], bool], Matcher]:
    """The matcher for an event object, and the one for any event value at that position.

    A dotted event key `k.rest` only adds nested content under `k`: it never changes what a
    value-list field `k` sees, so objects with value-list fields only are matched as they are.
    Under object fields and `$or` branches, an object holding a dotted key is matched once, in
    its split view (`expand`). Trying it as it is first and split on failure would be cheaper
    for the common event, but each level of nesting would then double the work of the levels
    below it: 2^depth evaluations for an event with a dotted key at every level.
    """
    leaf_checks = tuple((key, node.match) for key, node in fields if isinstance(node, LeafNode))
    object_checks = tuple((key, node.match) for key, node in fields if isinstance(node, ObjectNode))
    groups = tuple(tuple(branch.match_dict for branch in group) for group in alternatives)
    # Closure cells read faster than module globals on this path.
    missing, plain = MISSING, known_plain

    def match_dict(event: dict[str, Any]) -> bool:
        for key, check in leaf_checks:
            if not check(event.get(key, missing)):
                return False
        if not plain(event) and has_dotted_key(event):
            event = expand(event)
        for key, check in object_checks:
            if not check(event.get(key, missing)):
                return False
        for group in groups:
            for branch in group:
                if branch(event):
                    break
            else:
                return False
        return True

    def match_leaves(event: dict[str, Any]) -> bool:
        # A plain loop: all() over a generator costs more on this, the hottest path.
        for key, check in leaf_checks:  # noqa: SIM110
            if not check(event.get(key, missing)):
                return False
        return True

    # The usual shapes get a matcher without the steps they do not need.
    chosen: Callable[[dict[str, Any]], bool]
    if groups:
        chosen = match_dict
    elif len(fields) == 1:
        ((only_key, only_check),) = leaf_checks or object_checks

        def match_only_leaf(event: dict[str, Any]) -> bool:
            return only_check(event.get(only_key, missing))

        def match_only_object(event: dict[str, Any]) -> bool:
            if not plain(event) and has_dotted_key(event):
                event = expand(event)
            return only_check(event.get(only_key, missing))

        chosen = match_only_leaf if leaf_checks else match_only_object
    elif object_checks:
        chosen = match_dict
    else:
        chosen = match_leaves

    def match(value: Any) -> bool:
        kind = value.__class__
        if kind is dict:
            return chosen(value)
        if kind is list:
            elements = objects_of(value)
            if not elements:
                return chosen(_EMPTY)
            return any(chosen(e if e.__class__ is dict else _EMPTY) for e in elements)
        return chosen(_EMPTY)

    return chosen, match
