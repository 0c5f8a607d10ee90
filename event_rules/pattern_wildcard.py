"""Wildcard operands: parsing with EventBridge's escape rules, matching, and complexity limits.

`*` matches zero or more characters; `\\*` is a literal star and `\\\\` a literal backslash.
EventBridge rejects wildcards whose automaton would keep too many states alive for one input
("fewer wildcard characters or fewer repeating character sequences after a wildcard").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from event_rules.pattern_errors import reject

TOO_COMPLEX = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
    "sequences after a wildcard character"
)

# The largest number of simultaneously live automaton states accepted. Calibrated on recorded
# service answers: `arn:aws:events:us-east-1:*:event-bus/*` (5) and
# `/Users/*/dir/dir/dir/dir/dir/doc.txt` (8) are accepted, `*:*:*:*:*:event-bus/*` (13) is not.
MAX_LIVE_STATES = 11
# Exploring more automaton states than this is itself a sign of a pathological operand.
_MAX_EXPLORED = 4096

_STAR = None
Token = str | None


def parse_wildcard(text: str) -> tuple[Token, ...]:
    """Split an operand into literal characters and stars (None), or reject it.

    Positions in messages count UTF-8 bytes from the opening quote of the JSON string, as the
    service reports them.
    """
    tokens: list[Token] = []
    chars = list(text)
    offsets: list[int] = []
    position = 1
    for char in chars:
        offsets.append(position)
        position += len(char.encode("utf-8"))
    index = 0
    while index < len(chars):
        char = chars[index]
        if char == "*":
            if index + 1 < len(chars) and chars[index + 1] == "*":
                reject(f"Consecutive wildcard characters at pos {offsets[index]}")
            tokens.append(_STAR)
        elif char == "\\":
            if index + 1 < len(chars) and chars[index + 1] in ("*", "\\"):
                tokens.append(chars[index + 1])
                index += 1
            else:
                reject(f"Invalid escape character at pos {offsets[index]}")
        else:
            tokens.append(char)
        index += 1
    return tuple(tokens)


def _closure(tokens: tuple[Token, ...], states: set[int]) -> frozenset[int]:
    result = set(states)
    pending = list(states)
    while pending:
        state = pending.pop()
        if state < len(tokens) and tokens[state] is _STAR and state + 1 not in result:
            result.add(state + 1)
            pending.append(state + 1)
    return frozenset(result)


@lru_cache(maxsize=4096)
def live_states(tokens: tuple[Token, ...]) -> int:
    """The most automaton states any single input keeps alive at once (subset construction)."""
    alphabet = {token for token in tokens if token is not None} | {"\x00"}
    start = _closure(tokens, {0})
    seen = {start}
    pending = [start]
    most = len(start)
    while pending:
        current = pending.pop()
        for char in alphabet:
            following: set[int] = set()
            for state in current:
                if state < len(tokens):
                    token = tokens[state]
                    if token is _STAR:
                        following.add(state)
                    elif token == char:
                        following.add(state + 1)
            reached = _closure(tokens, following)
            if reached and reached not in seen:
                if len(seen) >= _MAX_EXPLORED:
                    return _MAX_EXPLORED
                seen.add(reached)
                pending.append(reached)
                most = max(most, len(reached))
    return most


def check_complexity(tokens: tuple[Token, ...]) -> None:
    stars = tokens.count(_STAR)
    # Reading the literal characters in order reaches every star, and a star never dies, so the
    # star count alone is a lower bound that spares the search for long operands.
    if stars > MAX_LIVE_STATES or (stars and live_states(tokens) > MAX_LIVE_STATES):
        reject(TOO_COMPLEX)


def wildcard_matcher(tokens: tuple[Token, ...]) -> Callable[[str], bool]:
    """A full-string matcher for parsed tokens."""
    regex = "".join(".*" if token is _STAR else re.escape(token) for token in tokens)
    fullmatch = re.compile(regex, re.DOTALL).fullmatch

    def matches(value: str) -> bool:
        return fullmatch(value) is not None

    return matches
