"""A compiled event pattern, and the one way to make one: `compile_pattern`.

`pattern` re-exports both as the public API; the rule index builds on this module directly, so
that the facade can offer the index too without the two importing each other.
"""

from __future__ import annotations

import json
from typing import Any

from event_rules.pattern_compile import compile_tree, too_deep_reason
from event_rules.pattern_errors import reject
from event_rules.pattern_explain import Mismatch, explain_tree
from event_rules.pattern_tree import ObjectNode


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
    except RecursionError:
        # Nested past Python's stack: far past the depth the compiler accepts anyway.
        reject(too_deep_reason(""))
    except ValueError as error:
        # An integer of more digits than Python converts (4,300 by default).
        reject(f"Filter holds a number too long to read: {error}")


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
