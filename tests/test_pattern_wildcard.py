"""Wildcard matching: the same answers as the plain definition of `*`, for values of any length.

`*` matches any run of characters (newlines included), `\\*` a literal star and `\\\\` a literal
backslash; the whole value must match (EventBridge user guide, "Wildcard matching").
"""

from __future__ import annotations

import random
from functools import cache

import pytest

from event_rules.pattern import InvalidEventPattern, compile_pattern, matches
from event_rules.pattern_wildcard import Token, parse_wildcard, wildcard_matcher

# 100 KB: far past S3's 1,024-character keys, at the size of a whole event.
LONG = 100_000
CRAFTED = "*a*a*a*a*a"


def reference(tokens: tuple[Token, ...], value: str) -> bool:
    """The definition, as a memoised recursion over (token, character) positions."""

    @cache
    def from_here(token: int, char: int) -> bool:
        if token == len(tokens):
            return char == len(value)
        if tokens[token] is None:
            return from_here(token + 1, char) or (char < len(value) and from_here(token, char + 1))
        return char < len(value) and value[char] == tokens[token] and from_here(token + 1, char + 1)

    return from_here(0, 0)


def test_the_crafted_wildcard_is_one_the_service_accepts() -> None:
    compile_pattern({"k": [{"wildcard": CRAFTED}]})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a" * LONG + "b", False),
        ("a" * LONG, True),
        ("a" * LONG + "b" + "a", True),
        ("b" * LONG + "a" * 4, False),
        ("ab" * (LONG // 2) + "a", True),
    ],
    ids=["near-miss", "all-a", "b-inside", "too-few-a", "alternating"],
)
def test_a_100_kb_value_against_the_crafted_wildcard(value: str, expected: bool) -> None:
    # With a backtracking regex the near-miss retries every way of splitting 100,000 characters
    # among five stars: this test would not finish.
    pattern = {"detail": {"k": [{"wildcard": CRAFTED}]}}
    assert matches(pattern, {"detail": {"k": value}}) is expected
    excluded = {"detail": {"k": [{"anything-but": {"wildcard": [CRAFTED, "x*y"]}}]}}
    assert matches(excluded, {"detail": {"k": value}}) is not expected


def test_runs_between_stars_are_found_in_order_without_overlapping() -> None:
    match = wildcard_matcher(parse_wildcard("*aba*aba*"))
    assert match("abaaba")
    assert not match("ababa")  # the two runs would share the middle `a`
    head_and_tail = wildcard_matcher(parse_wildcard("ab*ba"))
    assert not head_and_tail("aba")  # head and tail may not share characters either
    assert head_and_tail("abba")
    assert head_and_tail("ab\nba")


def test_escapes_stay_literal_between_stars() -> None:
    match = wildcard_matcher(parse_wildcard("*\\**\\\\*"))
    assert match("x*y\\z")
    assert not match("x\\y*z")
    assert wildcard_matcher(parse_wildcard(""))("")
    assert not wildcard_matcher(parse_wildcard(""))("a")


_PATTERN_PIECES = ["a", "b", "*", "\\*", "\\\\", "ab", "."]
_VALUE_CHARS = "ab*\\.\n"


def _random_operand(rng: random.Random) -> str:
    return "".join(rng.choice(_PATTERN_PIECES) for _ in range(rng.randint(0, 8)))


def _instance(tokens: tuple[Token, ...], rng: random.Random) -> str:
    """A value the tokens match: each star replaced by random text."""
    return "".join(
        "".join(rng.choice(_VALUE_CHARS) for _ in range(rng.randint(0, 3)))
        if token is None
        else token
        for token in tokens
    )


def test_agrees_with_the_definition_on_generated_pairs() -> None:
    rng = random.Random(20240611)
    outcomes: list[bool] = []
    checked = 0
    while checked < 4000:
        try:
            tokens = parse_wildcard(_random_operand(rng))
        except InvalidEventPattern:
            continue  # consecutive stars: rejected before any matching
        match = wildcard_matcher(tokens)
        values = [
            "".join(rng.choice(_VALUE_CHARS) for _ in range(rng.randint(0, 10))),
            _instance(tokens, rng),
        ]
        # A near miss: one character of a matching value changed, dropped or added.
        near = list(_instance(tokens, rng))
        spot = rng.randint(0, len(near))
        near[spot:spot] = rng.choice(["", "a", "b"]) if not near or rng.random() < 0.5 else []
        if near and rng.random() < 0.5:
            del near[rng.randrange(len(near))]
        values.append("".join(near))
        for value in values:
            expected = reference(tokens, value)
            assert match(value) is expected, (tokens, value)
            outcomes.append(expected)
        checked += 1
    # Both answers are well represented, so agreement is not agreement on `False` alone.
    assert outcomes.count(True) > 3000
    assert outcomes.count(False) > 3000
