"""RuleIndex routes exactly like testing every rule in turn, while testing far fewer."""

from __future__ import annotations

import random
from typing import Any

import pytest

from event_rules.pattern import InvalidEventPattern, RuleIndex, compile_pattern

SOURCES = ["aws.s3", "aws.sagemaker", "aws.cloudwatch", "app.retrain", "app.drift"]
TYPES = ["Object Created", "Job State Change", "Alarm State Change", "Drift Detected"]
STATES = ["Completed", "Failed", "InProgress", "Stopped"]
REGIONS = ["us-east-1", "eu-west-1", "2001:db8::1"]


def _condition(rng: random.Random, pool: list[str]) -> list[Any]:
    choice = rng.randrange(7)
    if choice <= 2:
        return rng.sample(pool, rng.randint(1, 2))
    if choice == 3:
        return [{"prefix": rng.choice(pool)[:3]}]
    if choice == 4:
        return [{"anything-but": rng.choice(pool)}]
    if choice == 5:
        return [{"exists": rng.random() < 0.5}]
    return [{"equals-ignore-case": rng.choice(pool).upper()}, rng.choice(pool)]


def random_rule(rng: random.Random) -> dict[str, Any]:
    rule: dict[str, Any] = {}
    if rng.random() < 0.8:
        rule["source"] = _condition(rng, SOURCES)
    if rng.random() < 0.6:
        rule["detail-type"] = _condition(rng, TYPES)
    if rng.random() < 0.2:
        rule["region"] = _condition(rng, REGIONS)
    detail: dict[str, Any] = {}
    if rng.random() < 0.5:
        detail["state"] = _condition(rng, STATES)
    if rng.random() < 0.3:
        detail["size"] = [{"numeric": [">", rng.randint(0, 50)]}]
    if rng.random() < 0.2:
        detail["$or"] = [{"state": rng.sample(STATES, 1)}, {"size": [rng.randint(0, 5)]}]
    if detail:
        rule["detail"] = detail
    if rng.random() < 0.15:
        rule["$or"] = [{"source": rng.sample(SOURCES, 2)}, {"region": ["us-east-1"]}]
    return rule or {"source": [{"exists": True}]}


def random_event(rng: random.Random) -> dict[str, Any]:
    event: dict[str, Any] = {}
    if rng.random() < 0.95:
        event["source"] = rng.choice(SOURCES)
    if rng.random() < 0.9:
        event["detail-type"] = rng.choice(TYPES)
    if rng.random() < 0.7:
        region = rng.choice(REGIONS)
        event["region"] = "2001:0db8:0:0:0:0:0:1" if region.startswith("2001") else region
    if rng.random() < 0.1:
        event["source"] = rng.sample(SOURCES, 2)
    detail: dict[str, Any] = {}
    if rng.random() < 0.8:
        detail["state"] = rng.choice(STATES)
    if rng.random() < 0.6:
        detail["size"] = rng.randint(0, 60)
    event["detail"] = [detail, {"state": rng.choice(STATES)}] if rng.random() < 0.1 else detail
    return event


def test_routing_agrees_with_matching_every_rule() -> None:
    rng = random.Random(20240611)
    rules = {f"rule-{i}": random_rule(rng) for i in range(300)}
    index = RuleIndex()
    compiled = {name: index.add(name, rule) for name, rule in rules.items()}
    checked_matches = 0
    for _ in range(400):
        event = random_event(rng)
        expected = [name for name, pattern in compiled.items() if pattern.matches(event)]
        assert index.route(event) == expected, event
        checked_matches += len(expected)
    # The comparison is only meaningful if events really do match a good share of rules.
    assert checked_matches > 400


def test_anchored_rules_are_not_all_tested() -> None:
    index = RuleIndex()
    for i, source in enumerate(SOURCES * 40):
        index.add(f"r{i}", {"source": [source], "detail-type": [TYPES[i % len(TYPES)]]})
    event = {"source": "aws.s3", "detail-type": "Object Created"}
    candidates = index.candidates(event)
    assert 0 < len(candidates) <= 40
    assert set(index.route(event)) == set(candidates)


def test_rules_without_exact_values_are_always_candidates() -> None:
    index = RuleIndex()
    index.add("prefix", {"source": [{"prefix": "aws."}]})
    index.add("exact", {"source": ["app"]})
    assert index.route({"source": "aws.s3"}) == ["prefix"]
    assert index.route({"source": "app"}) == ["exact"]


def test_required_prefixes_narrow_rules_without_exact_values() -> None:
    index = RuleIndex()
    index.add("aws", {"source": [{"prefix": "aws."}]})
    index.add("app", {"source": [{"prefix": "app."}, {"prefix": "application."}]})
    index.add("any", {"source": [{"prefix": ""}]})
    assert index.candidates({"source": "aws.s3"}) == {"aws", "any"}
    assert index.route({"source": "application.x"}) == ["app", "any"]
    index.remove("app")
    assert index.route({"source": "application.x"}) == ["any"]
    index.add("app", {"source": [{"prefix": "app."}]})
    assert index.route({"source": "app.x"}) == ["app", "any"]


def test_a_prefix_required_beside_exact_values_narrows_those_rules_too() -> None:
    index = RuleIndex()
    bucket = {"bucket": {"name": ["data"]}}
    index.add("incoming", {"detail": {**bucket, "object": {"key": [{"prefix": "incoming/"}]}}})
    index.add("labels", {"detail": {**bucket, "object": {"key": [{"prefix": "labels/"}]}}})
    index.add("any-key", {"detail": bucket})
    event = {"detail": {"bucket": {"name": "data"}, "object": {"key": "incoming/a.csv"}}}
    assert index.candidates(event) == {"incoming", "any-key"}
    assert index.route(event) == ["incoming", "any-key"]
    # Keys in an array: one of them holding the prefix is enough, as for matching.
    keys = {"detail": {"bucket": {"name": "data"}, "object": [{"key": "x"}, {"key": "labels/b"}]}}
    assert index.route(keys) == ["labels", "any-key"]
    index.remove("incoming")
    assert index.candidates(event) == {"any-key"}
    index.remove("any-key")
    index.remove("labels")
    assert index.candidates(keys) == set() and len(index) == 0


def test_anchor_values_inside_event_arrays_are_found() -> None:
    index = RuleIndex()
    index.add("nested", {"detail": {"items": {"kind": ["a"]}}})
    assert index.route({"detail": {"items": [{"kind": "b"}, {"kind": "a"}]}}) == ["nested"]
    assert index.route({"detail": {"items": [{"kind": "b"}]}}) == []


def test_add_replaces_and_remove_forgets() -> None:
    index = RuleIndex()
    index.add("r", {"source": ["a"]})
    index.add("s", {"source": ["a"]})
    index.add("r", {"source": ["b"]})
    assert index.route({"source": "a"}) == ["s"]
    assert index.route({"source": "b"}) == ["r"]
    index.remove("r")
    assert index.route({"source": "b"}) == []
    assert len(index) == 1 and "s" in index


def test_invalid_rules_are_rejected_and_not_indexed() -> None:
    index = RuleIndex()
    with pytest.raises(InvalidEventPattern):
        index.add("bad", {"source": "a"})
    assert "bad" not in index


def test_route_returns_names_in_insertion_order() -> None:
    index = RuleIndex()
    for name in ["z", "a", "m"]:
        index.add(name, compile_pattern({"source": ["x"]}))
    assert index.route({"source": "x"}) == ["z", "a", "m"]
