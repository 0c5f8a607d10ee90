"""Copies of the JSON values an execution passes between states.

Step Functions hands each state its input as JSON: whatever a state does to the value it was
given, no other state sees it. The embedded engine keeps Python objects, so it copies them;
`copy.deepcopy` does that generically (a memo per call, a dispatch per object), and the engine
copies a state's data many times per state. The values are JSON almost always (dicts with string
keys, lists, strings, numbers, booleans, null), which a walk of their own copies several times
faster; anything else is left to `copy.deepcopy`.
"""

from __future__ import annotations

import copy
from typing import Any

# Immutable, so a copy may share them.
_ATOMIC: frozenset[type] = frozenset({str, int, float, bool, type(None)})


def independent_copy(value: Any) -> Any:
    """A copy of `value` that shares no mutable part with it (nor with itself: a dict that
    appears twice in `value` is copied twice, as two JSON documents would hold it)."""
    kind = type(value)
    if kind in _ATOMIC:
        return value
    if kind is dict:
        return {
            key: item if type(item) in _ATOMIC else independent_copy(item)
            for key, item in value.items()
        }
    if kind is list:
        return [item if type(item) in _ATOMIC else independent_copy(item) for item in value]
    return copy.deepcopy(value)
