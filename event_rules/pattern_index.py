"""Routing one event to many rules without testing every rule in turn.

Each rule is indexed on its anchors: fields that must hold (not inside `$or`) and whose value
list is plain strings, such as `source` and `detail-type`. An event looks up its own values at
the indexed paths; only rules whose every anchor was hit, plus rules without anchors, are then
matched in full. Anchors only narrow the candidates, so the answer equals testing every rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from event_rules.pattern_tree import MISSING, LeafNode, ObjectNode, leaves_of
from event_rules.pattern_values import parse_ip

if TYPE_CHECKING:
    from event_rules.pattern import Pattern

Path = tuple[str, ...]


def anchors(root: ObjectNode) -> dict[Path, frozenset[str]]:
    """Required fields of a pattern whose every condition is an exact string."""
    found: dict[Path, frozenset[str]] = {}
    pending = [root]
    while pending:
        node = pending.pop()
        for _, child in node.fields:
            if isinstance(child, ObjectNode):
                pending.append(child)
                continue
            values = _exact_strings(child)
            if values is not None:
                found[child.path] = values
    return found


def _exact_strings(leaf: LeafNode) -> frozenset[str] | None:
    if len(leaf.conditions) != 1 or leaf.conditions[0].kind != "equals":
        return None
    values = leaf.conditions[0].operand
    # IP literals also equal other spellings of the same address: leave them to full matching.
    if not all(isinstance(v, str) and parse_ip(v) is None for v in values):
        return None
    return frozenset(values)


def values_at(event: Any, path: Path) -> list[Any]:
    """Every scalar an event holds at a path, through arrays at any level."""
    current = [event]
    for key in path:
        following = []
        for value in current:
            if isinstance(value, dict):
                following.append(value.get(key, MISSING))
            elif isinstance(value, list):
                following.extend(element.get(key, MISSING) for element in _dicts(value))
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

    `add` replaces a rule of the same name; `route` returns matching names in the order the
    rules were first added.
    """

    def __init__(self) -> None:
        self._patterns: dict[str, Pattern] = {}
        self._order: dict[str, int] = {}
        self._anchor_count: dict[str, int] = {}
        self._tables: dict[Path, dict[str, set[str]]] = {}
        self._unanchored: set[str] = set()

    def __len__(self) -> int:
        return len(self._patterns)

    def __contains__(self, name: object) -> bool:
        return name in self._patterns

    def add(self, name: str, pattern: dict[str, Any] | str | Pattern) -> Pattern:
        """Compile (raising InvalidEventPattern) and index a rule; returns the compiled pattern."""
        from event_rules.pattern import compile_pattern

        compiled = compile_pattern(pattern)
        if name in self._patterns:
            self.remove(name)
        self._patterns[name] = compiled
        self._order.setdefault(name, len(self._order))
        found = anchors(compiled.tree)
        self._anchor_count[name] = len(found)
        if not found:
            self._unanchored.add(name)
        for path, values in found.items():
            table = self._tables.setdefault(path, {})
            for value in values:
                table.setdefault(value, set()).add(name)
        return compiled

    def remove(self, name: str) -> None:
        """Forget a rule; unknown names are ignored."""
        if self._patterns.pop(name, None) is None:
            return
        self._unanchored.discard(name)
        self._anchor_count.pop(name, None)
        for path in list(self._tables):
            table = self._tables[path]
            for value in list(table):
                table[value].discard(name)
                if not table[value]:
                    del table[value]
            if not table:
                del self._tables[path]

    def candidates(self, event: dict[str, Any]) -> list[str]:
        """Rules that may match: every anchor hit, or no anchors at all."""
        hits: dict[str, int] = {}
        for path, table in self._tables.items():
            hit_here: set[str] = set()
            for value in values_at(event, path):
                if value.__class__ is str:
                    names = table.get(value)
                    if names:
                        hit_here |= names
            for name in hit_here:
                hits[name] = hits.get(name, 0) + 1
        counts = self._anchor_count
        chosen = [name for name, count in hits.items() if count == counts[name]]
        chosen.extend(self._unanchored)
        return chosen

    def route(self, event: dict[str, Any]) -> list[str]:
        """Names of the rules whose patterns match `event`."""
        patterns = self._patterns
        matched = [name for name in self.candidates(event) if patterns[name].matches(event)]
        matched.sort(key=self._order.__getitem__)
        return matched
