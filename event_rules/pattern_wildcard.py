"""Wildcard operands: parsing with EventBridge's escape rules, matching, and complexity limits.

`*` matches zero or more characters; `\\*` is a literal star and `\\\\` a literal backslash.
EventBridge rejects wildcards whose automaton would keep too many states alive for one input
("fewer wildcard characters or fewer repeating character sequences after a wildcard").
"""

from __future__ import annotations

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


def literal_runs(tokens: tuple[Token, ...]) -> list[str]:
    """The literal text between the stars: one run more than there are stars (runs may be empty)."""
    runs = [""]
    for token in tokens:
        if token is _STAR:
            runs.append("")
        else:
            runs[-1] += token
    return runs


def wildcard_matcher(tokens: tuple[Token, ...]) -> Callable[[str], bool]:
    """A full-string matcher for parsed tokens, in time bounded by the value's length.

    A value matches `head*r1*...*rk*tail` when it starts with `head`, ends with `tail`, and the
    runs `r1..rk` occur in order, without overlapping, in what lies between. Taking each run's
    leftmost occurrence is never worse than any later one (it leaves the most room for the rest),
    so one left-to-right pass decides: each search starts where the previous run ended, and the
    searched stretches never overlap. The cost is at most len(value) * len(longest run) character
    comparisons (CPython's str.find is linear on long values), whatever the number of stars; a
    backtracking regex such as `.*a.*a.*a` would instead retry every split of the value.
    """
    runs = literal_runs(tokens)
    if len(runs) == 1:
        exact = runs[0]
        return exact.__eq__
    head, *middle, tail = runs
    shortest = sum(len(run) for run in runs)
    start, tail_length = len(head), len(tail)
    inner = tuple(run for run in middle if run)

    def matches(value: str) -> bool:
        if len(value) < shortest or not value.startswith(head) or not value.endswith(tail):
            return False
        position, end = start, len(value) - tail_length
        for run in inner:
            found = value.find(run, position, end)
            if found < 0:
                return False
            position = found + len(run)
        return True

    return matches
