"""The compiled form of a pattern: a small tree of nodes, each holding a ready matcher closure.

Matching walks the event alongside the pattern's structure (keys are never split on dots), so
a pattern field matches only at the same nesting in the event. Where the event holds an array,
each element is tried in turn and sibling fields must hold within the same element.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
    """A pattern object: every field must match, and one branch of every `$or` group."""

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


def objects_of(value: list[Any]) -> list[Any]:
    """The elements of an event array at any depth, for object patterns to be tried against."""
    found: list[Any] = []
    for element in value:
        if element.__class__ is list:
            found.extend(objects_of(element))
        else:
            found.append(element)
    return found


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


def object_matchers(
    fields: tuple[tuple[str, LeafNode | ObjectNode], ...],
    alternatives: tuple[tuple[ObjectNode, ...], ...],
) -> tuple[Callable[[dict[str, Any]], bool], Matcher]:
    """The matcher for an event object, and the one for any event value at that position."""
    checks = tuple((key, node.match) for key, node in fields)
    groups = tuple(tuple(branch.match_dict for branch in group) for group in alternatives)

    def match_dict(event: dict[str, Any]) -> bool:
        for key, check in checks:
            if not check(event.get(key, MISSING)):
                return False
        for group in groups:
            for branch in group:
                if branch(event):
                    break
            else:
                return False
        return True

    def match(value: Any) -> bool:
        kind = value.__class__
        if kind is dict:
            return match_dict(value)
        if kind is list:
            elements = objects_of(value)
            if not elements:
                return match_dict(_EMPTY)
            return any(match_dict(e if e.__class__ is dict else _EMPTY) for e in elements)
        return match_dict(_EMPTY)

    return match_dict, match
