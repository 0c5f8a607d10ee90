"""Routing one event to many rules without testing every rule in turn.

Each rule is indexed on its anchors: fields that must hold (not inside `$or`) and whose value
list is plain strings, such as `source` and `detail-type`. An event looks up its own values at
the anchored paths; only rules whose every anchor holds, plus rules without anchors, are then
matched in full. Anchors only narrow the candidates, so the answer equals testing every rule.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Any

from event_rules.pattern_compiled import Pattern, compile_pattern
from event_rules.pattern_event import expand, has_dotted_key, known_plain
from event_rules.pattern_tree import MISSING, LeafNode, ObjectNode, leaves_of
from event_rules.pattern_values import parse_ip

Path = tuple[str, ...]
Signature = tuple[Path, ...]
# A prefix a rule filed under exact values also requires elsewhere: (path, its prefixes).
Requirement = tuple[Path, tuple[str, ...]]
MAX_KEYS_PER_RULE = 64
MAX_EVENT_KEYS = 4096


def _required_leaves(root: ObjectNode) -> Iterator[LeafNode]:
    """The leaves every matching event must satisfy (nested objects included, `$or` not)."""
    pending = [root]
    while pending:
        node = pending.pop()
        for _, child in node.fields:
            if isinstance(child, ObjectNode):
                pending.append(child)
            else:
                yield child


def anchors(root: ObjectNode) -> dict[Path, frozenset[str]]:
    """Required fields of a pattern whose every condition is an exact string."""
    found: dict[Path, frozenset[str]] = {}
    for leaf in _required_leaves(root):
        values = _exact_strings(leaf)
        if values is not None:
            found[leaf.path] = values
    return found


def _exact_strings(leaf: LeafNode) -> frozenset[str] | None:
    if len(leaf.conditions) != 1 or leaf.conditions[0].kind != "equals":
        return None
    values = leaf.conditions[0].operand
    # IP literals also equal other spellings of the same address: leave them to full matching.
    if not all(isinstance(v, str) and parse_ip(v) is None for v in values):
        return None
    return frozenset(values)


def prefix_anchor(root: ObjectNode) -> tuple[Path, frozenset[str]] | None:
    """A required field whose every condition is a case-sensitive, non-empty prefix."""
    for leaf in _required_leaves(root):
        if all(c.kind == "prefix" and c.operand for c in leaf.conditions):
            return leaf.path, frozenset(c.operand for c in leaf.conditions)
    return None


def _readable(event: dict[str, Any]) -> dict[str, Any]:
    return event if known_plain(event) or not has_dotted_key(event) else expand(event)


def values_at(root: dict[str, Any], path: Path) -> list[Any]:
    """Every scalar an event holds at a path, through arrays and dotted keys at any level.

    `root` is the event read through `_readable` (done once per event, not once per path).
    """
    value: Any = root
    # Most paths run through objects only: walk them directly.
    for depth, key in enumerate(path):
        if value.__class__ is not dict:
            return _values_in([value], path[depth:]) if isinstance(value, list | dict) else []
        if depth and not known_plain(value):
            value = _readable(value)
        value = value.get(key, MISSING)
    return leaves_of(value)


def _values_in(current: list[Any], path: Path) -> list[Any]:
    for key in path:
        following = []
        for value in current:
            if isinstance(value, dict):
                following.append(_readable(value).get(key, MISSING))
            elif isinstance(value, list):
                following.extend(_readable(e).get(key, MISSING) for e in _dicts(value))
        current = following
    return [leaf for value in current for leaf in leaves_of(value)]


def _dicts(values: list[Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for value in values:
        if isinstance(value, dict):
            found.append(value)
        elif isinstance(value, list):
            found.extend(_dicts(value))
    return found


class RuleIndex:
    """Named patterns, routed by their exact-value anchors.

    Rules are grouped by the set of paths they anchor on (their signature); within a group,
    every combination of anchor values maps to the rules requiring it, so one dict lookup per
    group finds the rules whose every anchor holds. Those rules are kept apart by the prefix
    they also require on another path, if any (a bucket by name, its keys by prefix), so each
    such prefix is checked once for all of its rules. `add` replaces a rule of the same name;
    `route` returns matching names in the order the rules were first added.
    """

    def __init__(self) -> None:
        self._patterns: dict[str, Pattern] = {}
        self._order: dict[str, int] = {}
        self._groups: dict[
            Signature, dict[tuple[str, ...], dict[Requirement | None, set[str]]]
        ] = {}
        self._keys: dict[str, tuple[Signature, list[tuple[str, ...]], Requirement | None]] = {}
        self._prefixes: dict[Path, dict[str, set[str]]] = {}
        self._prefix_keys: dict[str, tuple[Path, frozenset[str]]] = {}
        self._prefix_lengths: dict[Path, frozenset[int]] = {}
        self._unanchored: set[str] = set()

    def __len__(self) -> int:
        return len(self._patterns)

    def __contains__(self, name: object) -> bool:
        return name in self._patterns

    def add(self, name: str, pattern: dict[str, Any] | str | Pattern) -> Pattern:
        """Compile (raising InvalidEventPattern) and index a rule; returns the compiled pattern."""
        compiled = compile_pattern(pattern)
        if name in self._patterns:
            self.remove(name)
        self._patterns[name] = compiled
        self._order.setdefault(name, len(self._order))
        found = anchors(compiled.tree)
        # Many-valued anchors multiply the keys a rule is filed under; drop the widest ones.
        while found and math.prod(len(values) for values in found.values()) > MAX_KEYS_PER_RULE:
            del found[max(found, key=lambda path: len(found[path]))]
        if not found:
            self._add_unanchored(name, compiled)
            return compiled
        signature = tuple(sorted(found))
        keys = list(itertools.product(*(sorted(found[path]) for path in signature)))
        prefixed = prefix_anchor(compiled.tree)
        requirement = None if prefixed is None else (prefixed[0], tuple(sorted(prefixed[1])))
        group = self._groups.setdefault(signature, {})
        for key in keys:
            group.setdefault(key, {}).setdefault(requirement, set()).add(name)
        self._keys[name] = (signature, keys, requirement)
        return compiled

    def _add_unanchored(self, name: str, compiled: Pattern) -> None:
        # Without exact values, a required prefix still narrows the candidates.
        anchor = prefix_anchor(compiled.tree)
        if anchor is None:
            self._unanchored.add(name)
            return
        path, prefixes = anchor
        table = self._prefixes.setdefault(path, {})
        for prefix in prefixes:
            table.setdefault(prefix, set()).add(name)
        self._prefix_keys[name] = anchor
        self._prefix_lengths[path] = frozenset(len(prefix) for prefix in table)

    def remove(self, name: str) -> None:
        """Forget a rule; unknown names are ignored."""
        if self._patterns.pop(name, None) is None:
            return
        self._unanchored.discard(name)
        path, prefixes = self._prefix_keys.pop(name, ((), frozenset()))
        table = self._prefixes.get(path, {})
        for prefix in prefixes:
            table.get(prefix, set()).discard(name)
            if not table.get(prefix, True):
                del table[prefix]
        if path in self._prefixes and not table:
            del self._prefixes[path]
            del self._prefix_lengths[path]
        elif path in self._prefixes:
            self._prefix_lengths[path] = frozenset(len(prefix) for prefix in table)
        signature, keys, requirement = self._keys.pop(name, ((), [], None))
        group = self._groups.get(signature, {})
        for key in keys:
            by_requirement = group.get(key, {})
            names = by_requirement.get(requirement)
            if names is not None:
                names.discard(name)
                if not names:
                    del by_requirement[requirement]
            if key in group and not by_requirement:
                del group[key]
        if signature in self._groups and not group:
            del self._groups[signature]

    def candidates(self, event: dict[str, Any]) -> set[str]:
        """Rules that may match: every anchor holds in the event, or the rule has none."""
        chosen = set(self._unanchored)
        root = _readable(event) if isinstance(event, dict) and not known_plain(event) else event
        strings_at: dict[Path, list[str]] = {}

        def strings(path: Path) -> list[str]:
            found = strings_at.get(path)
            if found is None:
                found = list(dict.fromkeys(v for v in values_at(root, path) if v.__class__ is str))
                strings_at[path] = found
            return found

        for signature, group in self._groups.items():
            columns = []
            for path in signature:
                column = strings(path)
                if not column:
                    break
                columns.append(column)
            else:
                if math.prod(len(column) for column in columns) > MAX_EVENT_KEYS:
                    # Pathologically wide events: fall back to testing the whole group.
                    for by_requirement in group.values():
                        for filed in by_requirement.values():
                            chosen |= filed
                    continue
                for key in itertools.product(*columns):
                    for requirement, filed in group.get(key, {}).items():
                        if requirement is None or any(
                            value.startswith(requirement[1]) for value in strings(requirement[0])
                        ):
                            chosen |= filed
        for path, table in self._prefixes.items():
            lengths = self._prefix_lengths[path]
            for value in values_at(root, path):
                if value.__class__ is str:
                    for length in lengths:
                        names = table.get(value[:length])
                        if names:
                            chosen |= names
        return chosen

    def route(self, event: dict[str, Any]) -> list[str]:
        """Names of the rules whose patterns match `event`."""
        patterns = self._patterns
        matched = [name for name in self.candidates(event) if patterns[name].matches(event)]
        matched.sort(key=self._order.__getitem__)
        return matched
