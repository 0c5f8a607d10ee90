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

from typing import Any

from event_rules.pattern_compiled import Pattern, compile_pattern
from event_rules.pattern_errors import REASON_PREFIX, InvalidEventPattern
from event_rules.pattern_explain import Mismatch
from event_rules.pattern_index import RuleIndex

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


def matches(pattern: dict[str, Any] | str | Pattern, event: dict[str, Any]) -> bool:
    """Compile `pattern` (unless already compiled) and test one event against it."""
    return compile_pattern(pattern).matches(event)


def explain_pattern(
    pattern: dict[str, Any] | str | Pattern, event: dict[str, Any]
) -> Mismatch | None:
    """Why `event` does not match `pattern`: the first failing field path, or None on a match."""
    return compile_pattern(pattern).explain(event)
