"""EventBridge event patterns: validation with AWS's reasons, and matching.

    pattern = compile_pattern({"source": ["aws.s3"], "detail": {"bucket": {"name": ["in"]}}})
    pattern.matches(event)                      # -> bool
    matches(pattern_dict_or_json, event)        # compile and match once
    explain_pattern(pattern, event)             # -> Mismatch | None: the first field that failed
    RuleIndex: add(name, pattern); route(event) -> names of the matching rules

A pattern is compiled once into a tree of matcher closures; matching never re-reads the
pattern. Invalid patterns raise `InvalidEventPattern`, whose message is the text EventBridge
returns, e.g. `Event pattern is not valid. Reason: "int" must be an object or an array`.
"""

from __future__ import annotations

import json
from typing import Any

from event_rules.pattern_compile import compile_tree
from event_rules.pattern_errors import REASON_PREFIX, InvalidEventPattern, reject
from event_rules.pattern_explain import Mismatch, explain_tree
from event_rules.pattern_index import RuleIndex
from event_rules.pattern_tree import ObjectNode

__all__ = [
    "REASON_PREFIX",
    "InvalidEventPattern",
    "Mismatch",
    "Pattern",
    "RuleIndex",
    "compile_pattern",
    "explain_pattern",
    "matches",
]


class Pattern:
    """A validated, compiled event pattern."""

    __slots__ = ("_match", "source", "tree")

    def __init__(self, source: dict[str, Any], tree: ObjectNode) -> None:
        self.source = source
        self.tree = tree
        self._match = tree.match_dict

    def matches(self, event: dict[str, Any]) -> bool:
        """True when EventBridge would deliver `event` to a rule with this pattern."""
        return isinstance(event, dict) and self._match(event)

    def explain(self, event: dict[str, Any]) -> Mismatch | None:
        """The first field that keeps the event from matching, or None when it matches."""
        return explain_tree(self.tree, event)

    def __repr__(self) -> str:
        return f"Pattern({json.dumps(self.source, sort_keys=True)})"


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        reject(f"Filter is not valid JSON: {error.msg} (line {error.lineno} column {error.colno})")


def compile_pattern(pattern: dict[str, Any] | str | Pattern) -> Pattern:
    """Validate and compile a pattern given as a dict or as JSON text.

    Raises InvalidEventPattern with EventBridge's reason when the service would reject it.
    """
    if isinstance(pattern, Pattern):
        return pattern
    source = _parse(pattern) if isinstance(pattern, str) else pattern
    if not isinstance(source, dict):
        reject("Filter is not an object")
    return Pattern(source, compile_tree(source))


def matches(pattern: dict[str, Any] | str | Pattern, event: dict[str, Any]) -> bool:
    """Compile `pattern` (unless already compiled) and test one event against it."""
    return compile_pattern(pattern).matches(event)


def explain_pattern(
    pattern: dict[str, Any] | str | Pattern, event: dict[str, Any]
) -> Mismatch | None:
    """Why `event` does not match `pattern`: the first failing field path, or None on a match."""
    return compile_pattern(pattern).explain(event)
