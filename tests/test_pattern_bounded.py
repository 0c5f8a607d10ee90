"""Shapes of pattern and event whose matching cost once grew faster than the event: each now
does a bounded amount of work per event value, with the same answers."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from event_rules import pattern_event, pattern_tree, pattern_values
from event_rules.pattern import explain_pattern, matches
from event_rules.pattern_event import expand
from event_rules.pattern_values import equals_ignore_case_test, prefix_test, suffix_test


def nested(depth: int, key: str, bottom: Any) -> Any:
    for _ in range(depth):
        bottom = {key: bottom}
    return bottom


def dotted_chain(depth: int, bottom: dict[str, Any]) -> dict[str, Any]:
    """An event `depth` objects deep under `a`, with a dotted key beside every `a`."""
    event = {**bottom, "x.y": 1}
    for _ in range(depth):
        event = {"a": event, "x.y": 1}
    return event


def wrapped_chain(depth: int, bottom: dict[str, Any]) -> dict[str, Any]:
    """Like `dotted_chain`, but the dotted key adds to the next object (`b.x` beside `b`),
    whose own child is the next level: splitting makes a new `b` holding the same child."""
    event = bottom
    for _ in range(depth):
        event = {"b": {"g": event}, "b.x": 1}
    return event


@pytest.fixture
def expansions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many objects matching splits into their dotted view (the real split is done)."""
    calls: list[int] = []

    def counted(event: dict[str, Any]) -> dict[str, Any]:
        calls.append(len(event))
        return expand(event)

    monkeypatch.setattr(pattern_tree, "expand", counted)
    return calls


# Trying each object as it is and again split, on failure, doubled the work per level: these
# counted 2^depth splits before each object was split once, up front.
DEPTH = 12


def test_a_dotted_key_at_every_level_is_split_once_per_level(expansions: list[int]) -> None:
    pattern = nested(DEPTH, "a", {"k": [1]})
    assert not matches(pattern, dotted_chain(DEPTH, {"k": 2}))
    assert len(expansions) <= DEPTH + 1
    assert matches(pattern, dotted_chain(DEPTH, {"k": 1}))


def test_a_dotted_key_that_adds_to_the_next_object_is_split_once(expansions: list[int]) -> None:
    pattern = {"k": [1]}
    for _ in range(DEPTH):
        pattern = {"b": {"g": pattern}}
    assert not matches(pattern, wrapped_chain(DEPTH, {"k": 2}))
    assert len(expansions) <= DEPTH + 1
    assert matches(pattern, wrapped_chain(DEPTH, {"k": 1}))


def test_or_at_every_level_with_dotted_keys_is_split_once_per_level(
    expansions: list[int],
) -> None:
    pattern: dict[str, Any] = {"k": [1]}
    for _ in range(DEPTH):
        pattern = {"a": {"$or": [pattern, {"z": [3]}]}}
    assert not matches(pattern, dotted_chain(DEPTH, {"k": 2}))
    assert len(expansions) <= 2 * (DEPTH + 1)
    assert matches(pattern, dotted_chain(DEPTH, {"k": 1}))


def test_deep_dotted_events_keep_their_answers() -> None:
    depth = 80
    pattern = nested(depth, "a", {"k": {"z": [1]}})
    # The field named by a dotted key at the bottom, and found under 80 dotted neighbours.
    assert matches(pattern, dotted_chain(depth, {"k.z": 1}))
    assert matches(pattern, dotted_chain(depth, {"k": {"z": 1}}))
    assert not matches(pattern, dotted_chain(depth, {"k.z": 2}))
    absent = nested(depth, "a", {"k": {"z": [{"exists": False}]}})
    assert not matches(absent, dotted_chain(depth, {"k.z": 1}))
    assert matches(absent, dotted_chain(depth, {"k.w": 1}))
    mismatch = explain_pattern(pattern, dotted_chain(depth, {"k.z": 2}))
    assert mismatch is not None
    assert mismatch.path == ".".join(["a"] * depth + ["k", "z"])


def colliding_levels(width: int, depth: int) -> dict[str, Any]:
    """`a.b` and `a` → `b` both spell one array of `width` objects, each holding arrays of
    `width` objects under `c`, `depth` levels down: every level collides with the other
    spelling's, and pairing elements at each level multiplies the pairs of the level above."""

    def level(remaining: int) -> dict[str, Any]:
        if not remaining:
            return {"e": 0}
        return {"c": [level(remaining - 1) for _ in range(width)]}

    return {
        "a": {"b": [level(depth) for _ in range(width)]},
        "a.b": [level(depth) for _ in range(width)],
    }


def test_nested_collisions_make_at_most_max_merged_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    # The limit once held per array: an 11 KB event of this shape made 8^6 merged objects and
    # took seconds to match. It now holds for the whole split view.
    merges: list[int] = []
    real = pattern_event._merge

    def counted(objects: tuple[dict[str, Any], ...], *rest: Any) -> dict[str, Any]:
        if len(objects) > 1:
            merges.append(len(objects))
        return real(objects, *rest)

    monkeypatch.setattr(pattern_event, "_merge", counted)
    event = colliding_levels(8, 2)
    assert not matches({"a": {"b": {"c": {"c": {"e": [1]}}}}}, event)
    assert 0 < len(merges) <= pattern_event.MAX_MERGED
    assert matches({"a": {"b": {"c": {"c": {"e": [0]}}}}}, event)


# Ignore-case tests lowercase only as many characters of the value as the operand has (or none,
# for equality with a longer value). Python's own lowercasing of the whole value is the
# definition they must agree with, on characters whose lowercase form is longer (İ), depends
# on its neighbours (Σ, with the case-ignorable ' and U+00AD between), or is a different letter
# (the Kelvin sign).
_CHARS = ["a", "A", "b", "Σ", "\u03c3", "ς", "İ", "i", "\u0307", "ß", "'", "\u00ad", "\u212a", "k"]


def _text(rng: random.Random, most: int) -> str:
    return "".join(rng.choice(_CHARS) for _ in range(rng.randint(0, most)))


def test_ignore_case_operators_agree_with_lowercasing_the_whole_value() -> None:
    rng = random.Random(1729)
    answers: dict[str, list[bool]] = {"prefix": [], "suffix": [], "equals": []}
    for _ in range(6000):
        operand, value = _text(rng, 4), _text(rng, 9)
        if rng.random() < 0.5:  # values that share the operand's letters, in another case
            cased = operand.swapcase()
            value = cased + value if rng.random() < 0.5 else value + cased
        folded_value, folded_operand = value.lower(), operand.lower()
        expected = {
            "prefix": folded_value.startswith(folded_operand),
            "suffix": folded_value.endswith(folded_operand),
            "equals": folded_value == folded_operand,
        }
        assert prefix_test(operand, True)(value) is expected["prefix"], (operand, value)
        assert suffix_test(operand, True)(value) is expected["suffix"], (operand, value)
        assert equals_ignore_case_test([operand])(value) is expected["equals"], (operand, value)
        for name, answer in expected.items():
            answers[name].append(answer)
    for name, given in answers.items():
        assert given.count(True) > 100 and given.count(False) > 100, name


def test_ignore_case_operators_on_a_100_kb_value() -> None:
    # Lowercased, every capital sigma but the last is medial, the last one final.
    long = "Σ" + "xΣ" * 50_000
    assert matches({"k": [{"prefix": {"equals-ignore-case": "ΣXΣx"}}]}, {"k": long})
    assert matches({"k": [{"suffix": {"equals-ignore-case": "XΣ"}}]}, {"k": long})
    assert matches({"k": [{"suffix": {"equals-ignore-case": "xς"}}]}, {"k": long})
    assert not matches({"k": [{"suffix": {"equals-ignore-case": "x\u03c3"}}]}, {"k": long})
    operands = [f"value-{i}" for i in range(200)]
    excluded = {"k": [{"anything-but": {"equals-ignore-case": operands}}]}
    assert matches(excluded, {"k": "VALUE-" * 20_000})
    assert not matches(excluded, {"k": "VALUE-199"})
    assert not matches({"k": [{"equals-ignore-case": "ab"}]}, {"k": "AB" * 50_000})


def test_ip_operators_on_a_100_kb_value_of_colons() -> None:
    # Telling an IP address from other text once backtracked over every colon: 12 s for
    # 20,000 colons, minutes for this.
    colons = ":" * 100_000
    assert not matches({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": colons + "g"})
    assert not matches({"ip": ["::1"]}, {"ip": colons})
    assert matches({"ip": [{"anything-but": "::1"}]}, {"ip": colons + "1"})
    assert matches({"ip": ["::1"]}, {"ip": "0:0:0:0:0:0:0:1"})
    assert matches({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "2001:DB8::7"})


def test_ipv6_shape_agrees_with_its_regular_expression() -> None:
    shape = re.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*")
    rng = random.Random(31)
    for _ in range(3000):
        text = "".join(rng.choice("0aF:g.") for _ in range(rng.randint(0, 8)))
        assert pattern_values._ipv6_shaped(text) is (shape.fullmatch(text) is not None), text
