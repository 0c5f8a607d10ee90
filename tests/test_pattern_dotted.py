"""Dotted keys, in patterns and in events, behave as EventBridge's matcher reads them.

AWS's source for this: Event Ruler (EventBridge's matching engine) joins keys with "." when
it compiles a pattern; its README says `{"detail": {"state": {"status": ["running"]}}}` and
`{"detail": {"state.status": ["running"]}}` compile to the same internal representation, and
`aws events test-event-pattern` answers `{"Result": true}` for pattern `{"detail.name": ["x"]}`
and an event with `"detail": {"name": "x"}` (checked against AWS in ministackorg/ministack
issue #1493). Ruler flattens events the same way, so an event key named `a.b` lands on the
same field as `a` -> `b`; its README calls that collision behaviour not to be relied upon,
but it is what AWS does. The reference matcher below follows Ruler's model: an event is a
list of (joined name, value, array positions) and a pattern matches when each of its names
finds a value whose array positions agree with the others'.
"""

from __future__ import annotations

import itertools
import json
import random
from typing import Any

import pytest

from event_rules.pattern import RuleIndex, compile_pattern, explain_pattern, matches
from event_rules.pattern_index import anchors

README_DOTTED = {"detail": {"state.status": ["running"]}}
README_NESTED = {"detail": {"state": {"status": ["running"]}}}


def event(**detail: Any) -> dict[str, Any]:
    return {"source": "test", "detail-type": "T", "detail": detail}


class TestPatternKeys:
    def test_dotted_key_equals_the_nested_form(self) -> None:
        for pattern in (README_DOTTED, README_NESTED, {"detail.state.status": ["running"]}):
            assert matches(pattern, event(state={"status": "running"}))
            assert not matches(pattern, event(state={"status": "stopped"}))
            assert not matches(pattern, event(status="running"))

    def test_the_case_verified_against_aws(self) -> None:
        assert matches({"detail.name": ["x"]}, event(name="x"))
        assert not matches({"detail.name": ["x"]}, event(name="y"))

    def test_siblings_sharing_a_prefix_are_merged(self) -> None:
        pattern = {"detail.a": ["1"], "detail": {"b": ["2"]}}
        assert matches(pattern, event(a="1", b="2"))
        assert not matches(pattern, event(a="1"))
        assert not matches(pattern, event(b="2"))
        # Merged, they are one object: both must hold in the same element of an array.
        assert matches(pattern, {"detail": [{"a": "1", "b": "2"}]})
        assert not matches(pattern, {"detail": [{"a": "1"}, {"b": "2"}]})

    def test_a_path_given_twice_keeps_its_last_value_list(self) -> None:
        # Ruler stores each joined path once and the later spelling replaces the earlier.
        assert matches({"detail.a": ["1"], "detail": {"a": ["2"]}}, event(a="2"))
        assert not matches({"detail.a": ["1"], "detail": {"a": ["2"]}}, event(a="1"))
        assert matches({"detail": {"a": ["2"]}, "detail.a": ["1"]}, event(a="1"))

    def test_dotted_keys_inside_or(self) -> None:
        pattern = {"$or": [{"detail.a": ["1"]}, {"detail": {"b.c": ["2"]}}]}
        assert matches(pattern, event(a="1"))
        assert matches(pattern, event(b={"c": "2"}))
        assert not matches(pattern, event(a="2", b={"c": "1"}))
        nested = {"detail": {"$or": [{"x.y": ["1"]}, {"z": ["2"]}]}, "detail.w": ["3"]}
        assert matches(nested, event(x={"y": "1"}, w="3"))
        assert not matches(nested, event(x={"y": "1"}))

    def test_dotted_keys_with_arrays(self) -> None:
        pattern = {"detail.items.kind": ["a"], "detail.items.size": ["big"]}
        assert matches(pattern, event(items=[{"kind": "b"}, {"kind": "a", "size": "big"}]))
        assert not matches(pattern, event(items=[{"kind": "a"}, {"kind": "b", "size": "big"}]))
        assert matches({"detail.tags": ["x"]}, event(tags=["w", "x"]))

    def test_operators_under_dotted_keys(self) -> None:
        assert matches({"detail.n": [{"numeric": [">", 5]}]}, event(n=6))
        assert matches({"detail.gone": [{"exists": False}]}, event(n=6))
        assert not matches({"detail.n": [{"exists": False}]}, event(n=6))

    def test_empty_segments_join_like_any_other(self) -> None:
        # From Ruler's source (it joins names with no check); whether EventBridge's own
        # validation rejects empty field names is not established, and they stay accepted.
        assert matches({"a..b": ["1"]}, {"a": {"": {"b": "1"}}})
        assert matches({"a..b": ["1"]}, {"a..b": "1"})
        assert matches({".a": ["1"]}, {"": {"a": "1"}})
        assert not matches({"a..b": ["1"]}, {"a": {"b": "1"}})

    def test_dotted_and_nested_forms_are_indexed_on_the_same_path(self) -> None:
        dotted = compile_pattern({"source": ["s"], "detail.bucket.name": ["b"]})
        nested = compile_pattern({"source": ["s"], "detail": {"bucket": {"name": ["b"]}}})
        assert anchors(dotted.tree) == anchors(nested.tree)
        assert ("detail", "bucket", "name") in anchors(dotted.tree)


class TestEventKeys:
    def test_dotted_event_key_reaches_the_nested_path(self) -> None:
        for pattern in (README_NESTED, README_DOTTED):
            assert matches(pattern, event(**{"state.status": "running"}))
            assert matches(pattern, {"detail.state": {"status": "running"}})
            assert matches(pattern, {"detail.state.status": "running"})
            assert not matches(pattern, event(**{"state.status": "stopped"}))

    def test_both_spellings_hold_values_for_the_same_field(self) -> None:
        pattern = {"detail": {"state": {"status": ["running"], "code": [16]}}}
        both = event(state={"status": "stopped", "code": 16}, **{"state.status": "running"})
        assert matches(pattern, both)
        assert matches(pattern, event(state={"code": 16}, **{"state.status": "running"}))
        assert not matches(pattern, event(**{"state.status": "running"}))
        # A value outside the array sits with any element; two elements never combine.
        inside = event(state=[{"code": 16, "status": "x"}, {"code": 0}], **{"state.status": "y"})
        assert not matches(pattern, inside)
        assert matches(pattern, {**inside, "detail.state.status": "running"})
        assert not matches(pattern, event(state=[{"code": 16}, {"status": "running"}]))

    def test_dotted_event_keys_inside_arrays(self) -> None:
        pattern = {"detail": {"items": {"a": {"b": ["1"]}, "c": ["2"]}}}
        assert matches(pattern, event(items=[{"c": "1"}, {"a.b": "1", "c": "2"}]))
        assert not matches(pattern, event(items=[{"a.b": "1"}, {"c": "2"}]))

    def test_absence_sees_dotted_event_keys(self) -> None:
        pattern = {"detail": {"a": {"b": [{"exists": False}]}}}
        assert matches(pattern, event(**{"a.c": 1}))
        assert not matches(pattern, event(**{"a.b": 1}))
        assert not matches(pattern, event(a={}, **{"a.b": 1}))
        assert not matches(pattern, {"detail.a.b": 1})

    def test_explain_prints_dotted_paths(self) -> None:
        mismatch = explain_pattern({"detail.bucket.name": ["x"]}, event(bucket={"name": "y"}))
        assert str(mismatch) == 'detail.bucket.name: expected ["x"], found "y"'
        mismatch = explain_pattern(README_NESTED, event(**{"state.status": "stopped"}))
        assert mismatch is not None and mismatch.path == "detail.state.status"
        assert explain_pattern(README_DOTTED, event(**{"state.status": "running"})) is None


# Reference: Event Ruler's model of matching, written independently of the engine.


def ruler_fields(event: dict[str, Any]) -> list[tuple[str, Any, dict[int, int]]]:
    """(joined name, scalar, {array id: index}); scalars in an array get no index of it."""
    fields: list[tuple[str, Any, dict[int, int]]] = []
    ids = itertools.count()

    def walk(value: Any, steps: tuple[str, ...], where: dict[int, int]) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, (*steps, key), where)
        elif isinstance(value, list):
            array = next(ids)
            for index, element in enumerate(value):
                inner = {**where, array: index} if isinstance(element, dict | list) else where
                walk(element, steps, inner)
        else:
            fields.append((".".join(steps), value, where))

    walk(event, (), {})
    return fields


def ruler_rule(pattern: dict[str, Any], steps: tuple[str, ...] = ()) -> dict[str, list[Any]]:
    rule: dict[str, list[Any]] = {}
    for key, value in pattern.items():
        if isinstance(value, dict):
            rule.update(ruler_rule(value, (*steps, key)))
        else:
            rule[".".join((*steps, key))] = value
    return rule


def ruler_matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    wanted = list(ruler_rule(pattern).items())
    fields = ruler_fields(event)

    def search(index: int, where: dict[int, int]) -> bool:
        if index == len(wanted):
            return True
        name, values = wanted[index]
        for field_name, value, position in fields:
            if field_name != name or value not in values:
                continue
            agrees = all(where.get(array, at) == at for array, at in position.items())
            if agrees and search(index + 1, {**where, **position}):
                return True
        return False

    return search(0, {})


KEYS = ["a", "b", "c"]
VALUES = ["x", "y"]


def random_value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth >= 3 or roll < 0.35:
        return rng.choice(VALUES)
    if roll < 0.55:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(1, 3))]
    return {key: random_value(rng, depth + 1) for key in rng.sample(KEYS, rng.randint(1, 3))}


def random_pattern(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    pattern: dict[str, Any] = {}
    for key in rng.sample(KEYS, rng.randint(1, 2)):
        if depth < 2 and rng.random() < 0.5:
            pattern[key] = random_pattern(rng, depth + 1)
        else:
            pattern[key] = rng.sample(VALUES, rng.randint(1, 2))
    return pattern


def pattern_from(value: Any, rng: random.Random) -> Any:
    """A pattern drawn from an event's own content (so that many match), values sometimes off."""
    if isinstance(value, list):
        return pattern_from(rng.choice(value), rng)
    if isinstance(value, dict):
        keys = rng.sample(sorted(value), min(len(value), rng.randint(1, 2)))
        return {key: pattern_from(value[key], rng) for key in keys}
    return [value] if rng.random() < 0.8 else [rng.choice(VALUES)]


def respell(value: Any, rng: random.Random) -> Any:
    """The same content with some nested keys hoisted into dotted keys of their parent."""
    if isinstance(value, list):
        return [respell(element, rng) for element in value]
    if not isinstance(value, dict):
        return value
    spelled: dict[str, Any] = {}
    for key, child in value.items():
        child = respell(child, rng)
        if isinstance(child, dict) and rng.random() < 0.5:
            for inner, grandchild in child.items():
                spelled[f"{key}.{inner}"] = grandchild
        else:
            spelled[key] = child
    return spelled


def test_dotted_spellings_match_like_event_ruler() -> None:
    rng = random.Random(1493)
    outcomes = {True: 0, False: 0}
    for _ in range(3000):
        nested_event = {"detail": random_value(rng, 1)}
        drawn = pattern_from(nested_event["detail"], rng)
        nested_pattern = {"detail": drawn if rng.random() < 0.7 else random_pattern(rng)}
        expected = ruler_matches(nested_pattern, nested_event)
        assert matches(nested_pattern, nested_event) is expected, (nested_pattern, nested_event)
        pattern, spelled = respell(nested_pattern, rng), respell(nested_event, rng)
        case = json.dumps([pattern, spelled])
        assert ruler_matches(pattern, spelled) is expected, case
        assert matches(pattern, spelled) is expected, case
        assert (explain_pattern(pattern, spelled) is None) is expected, case
        outcomes[expected] += 1
    assert min(outcomes.values()) > 300, outcomes


def test_routing_dotted_rules_agrees_with_matching_every_rule() -> None:
    rng = random.Random(20260824)
    index = RuleIndex()
    rules = {}
    for i in range(200):
        rule = {"source": [rng.choice(["s1", "s2"])], "detail": random_pattern(rng)}
        rules[f"rule-{i}"] = index.add(f"rule-{i}", respell(rule, rng))
    routed = 0
    for _ in range(400):
        spelled = respell({"source": rng.choice(["s1", "s2"]), "detail": random_value(rng, 1)}, rng)
        expected = [name for name, pattern in rules.items() if pattern.matches(spelled)]
        assert index.route(spelled) == expected, spelled
        routed += len(expected)
    assert routed > 200


@pytest.mark.parametrize(
    ("rule", "spelled"),
    [
        ({"detail.bucket.name": ["b"]}, {"detail": {"bucket": {"name": "b"}}}),
        ({"detail": {"bucket": {"name": ["b"]}}}, {"detail.bucket": {"name": "b"}}),
        ({"detail": {"bucket.name": ["b"]}}, {"detail": [{"bucket.name": "b"}]}),
        ({"detail.bucket.name": ["b"]}, {"detail": {"bucket": {"name": "c"}, "bucket.name": "b"}}),
    ],
)
def test_router_finds_dotted_rules_through_any_spelling(rule: Any, spelled: Any) -> None:
    index = RuleIndex()
    index.add("r", rule)
    index.add("other", {"detail": {"bucket": {"name": ["c-only"]}}})
    assert index.route(spelled) == ["r"]
