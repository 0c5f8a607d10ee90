"""Reading an event the way EventBridge does: array elements, and keys that contain dots.

EventBridge's matcher (Event Ruler) flattens an event into field names by joining keys with
".", so a key literally named `state.status` inside `detail` lands on the same name as `detail`
→ `state` → `status`. Splitting every key on "." reproduces that exactly, empty segments
included (`a..b` is `a`, ``, `b` either way). When two spellings land on the same field, the
field holds the values of both, and fields taken from different spellings are independent,
since they come from different places in the event.

Events rarely hold dotted keys, so matching reads the event as it is and only asks for the
split view (`expand`) of an object that has one.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

# Colliding arrays of objects are merged element by element with each other. Past this many
# merged objects in one split view, nested levels included (only a crafted event gets there),
# each element is read on its own instead: the answer then ignores patterns that need fields
# from two spellings at once, and absence tests may see one spelling only. The limit is for the
# whole view, not each array: nested collisions multiply, and arrays of 8 colliding at three
# levels of an 11 KB event would otherwise make 8^6 merged objects.
MAX_MERGED = 1024


def objects_of(value: list[Any]) -> list[Any]:
    """The elements of an event array at any depth, for object patterns to be tried against."""
    found: list[Any] = []
    for element in value:
        if element.__class__ is list:
            found.extend(objects_of(element))
        else:
            found.append(element)
    return found


# Key names already seen without a dot. A non-match has to prove the event holds no dotted key
# where one could have helped, and events repeat their key names, so a set lookup per key
# answers most of those proofs at half the cost of scanning the names. Bounded, and only short
# names are kept, so crafted events cannot make it grow without limit.
_PLAIN: set[str] = set()
_PLAIN_LIMIT = 4096
_PLAIN_NAME_LENGTH = 128


# True when every key of an object is a name known to hold no dot. Hot paths call this first,
# and `has_dotted_key` only when it says False.
known_plain = _PLAIN.issuperset


def has_dotted_key(event: dict[str, Any]) -> bool:
    """True when some key of this object (not of nested ones) contains a dot."""
    if known_plain(event):
        return False
    try:
        # One C-level pass; keys from JSON are always strings.
        dotted = "." in "".join(event)
    except TypeError:
        return any(key.__class__ is str and "." in key for key in event)
    if not dotted and len(_PLAIN) < _PLAIN_LIMIT:
        _PLAIN.update(key for key in event if len(key) <= _PLAIN_NAME_LENGTH)
    return dotted


def expand(event: dict[str, Any]) -> dict[str, Any]:
    """The object with each dotted key split at its first dot (deeper dots wait for the next
    level), merged with the keys it collides with."""
    return _merge((event,), [MAX_MERGED])


def _merge(objects: tuple[dict[str, Any], ...], budget: list[int]) -> dict[str, Any]:
    """`budget` holds how many more merged objects this split view may make."""
    spellings: dict[str, list[Any]] = {}
    for obj in objects:
        for key, value in obj.items():
            if key.__class__ is str and "." in key:
                key, _, rest = key.partition(".")
                value = {rest: value}
            spellings.setdefault(key, []).append(value)
    return {
        key: values[0] if len(values) == 1 else _combine(values, budget)
        for key, values in spellings.items()
    }


def _combine(values: list[Any], budget: list[int]) -> list[Any]:
    """One field spelled several ways, as an array: every scalar of every spelling, then the
    objects, merged so that a pattern may take fields from each spelling (one element of each
    spelling's array at a time, as sibling fields of one array element must be)."""
    scalars: list[Any] = []
    choices: list[list[dict[str, Any]]] = []
    for value in values:
        elements = objects_of(value) if value.__class__ is list else [value]
        scalars.extend(e for e in elements if e.__class__ is not dict)
        objects = [e for e in elements if e.__class__ is dict]
        if objects:
            choices.append(objects)
    combinations = math.prod(len(objects) for objects in choices)
    if combinations > budget[0]:
        merged = [_merge((obj,), budget) for objects in choices for obj in objects]
    else:
        budget[0] -= combinations
        merged = [_merge(combination, budget) for combination in itertools.product(*choices)]
    return scalars + merged
