"""Patterns EventBridge rejects, with the reason text the service returns (first error wins)."""

from __future__ import annotations

from typing import Any

import pytest

from event_rules.pattern import REASON_PREFIX, InvalidEventPattern, compile_pattern

MIXED = (
    "Inside anything but list, either all values are number or string, mixed type is not supported"
)
REJECTED: list[tuple[Any, str]] = [
    ('["a"]', "Filter is not an object"),
    ({}, "Empty objects are not allowed"),
    ({"detail": {}}, "Empty objects are not allowed"),
    ({"int": 5}, '"int" must be an object or an array'),
    ({"source": "aws.s3"}, '"source" must be an object or an array'),
    ({"source": []}, "Empty arrays are not allowed"),
    ({"source": [["a"]]}, "Match value must be String, number, true, false, or null"),
    ({"source": [{}]}, "Match expression name not found"),
    ({"source": [{"prefix": "a", "suffix": "b"}]}, "Only one key allowed in match expression"),
    ({"source": [{"Prefix": "a"}]}, "Unrecognized match type Prefix"),
    ({"source": [{"regex": "a.*"}]}, "Unrecognized match type regex"),
    ({"source": [{"prefix": {"case": "a"}}]}, "Unsupported prefix pattern: case"),
    ({"source": [{"suffix": {}}]}, "Suffix expression name not found"),
    (
        {"source": [{"prefix": {"equals-ignore-case": 1}}]},
        "equals-ignore-case match pattern must be a string",
    ),
    ({"n": [{"numeric": []}]}, "Invalid member in numeric match: ]"),
    ({"n": [{"numeric": [5]}]}, "Invalid member in numeric match: 5"),
    ({"n": [{"numeric": ["!=", 5]}]}, "Unrecognized numeric range operator: !="),
    ({"n": [{"numeric": ["=", "5"]}]}, "Value of equals must be numeric"),
    ({"n": [{"numeric": [">=", True]}]}, "Value of >= must be numeric"),
    ({"n": [{"numeric": ["<"]}]}, "Value of < must be numeric"),
    ({"n": [{"numeric": ["<", 5, ">", 1]}]}, "Too many elements in numeric expression"),
    ({"n": [{"numeric": [">", 5, 10]}]}, "Bad value in numeric range: 10"),
    ({"n": [{"numeric": [">", 5, ">", 10]}]}, "Bad numeric range operator: >"),
    ({"n": [{"numeric": [">", 5, "<", "x"]}]}, "Value of < must be numeric"),
    ({"n": [{"numeric": [">", 5, "<", 10, 11]}]}, "Too many terms in numeric range expression"),
    ({"n": [{"numeric": [">", 10, "<", 5]}]}, "Bottom must be less than top"),
    ({"n": [{"numeric": [">=", 5, "<=", 5]}]}, "Bottom must be less than top"),
    ({"n": [{"numeric": [">", 6e9]}]}, "Value must be between -5.0E9 and 5.0E9, inclusive"),
    ({"n": [{"numeric": [">", 1], "exists": True}]}, "Too many elements in numeric expression"),
    (
        {"s": [{"anything-but": []}]},
        MIXED,
    ),
    (
        {"s": [{"anything-but": ["a", 1]}]},
        MIXED,
    ),
    (
        {"s": [{"anything-but": [True]}]},
        "Inside anything but list, start|null|boolean is not supported.",
    ),
    (
        {"s": [{"anything-but": False}]},
        "Value of anything-but must be an array or single string/number value.",
    ),
    ({"s": [{"anything-but": {}}]}, "Anything-But expression name not found"),
    ({"s": [{"anything-but": {"numeric": [">", 1]}}]}, "Unsupported anything-but pattern: numeric"),
    (
        {"s": [{"anything-but": {"prefix": "a", "suffix": "b"}}]},
        "Too many elements in numeric expression",
    ),
    ({"s": [{"anything-but": {"wildcard": ["a**"]}}]}, "Consecutive wildcard characters at pos 2"),
    ({"s": [{"exists": "yes"}]}, "exists match pattern must be either true or false."),
    ({"s": [{"exists": True, "prefix": "a"}]}, "Only one key allowed in match expression"),
    ({"$or": {"a": ["b"]}}, "It must be an Array followed with $or."),
    ({"$or": [{"a": ["b"]}]}, "There must have at least 2 Objects in $or relationship."),
    ({"$or": [{"a": ["b"]}, ["c"]]}, "Only JSON object is allowed in array of $or relationship."),
    (
        {"$or": [{"a": ["b"]}, {"numeric": ["c"]}]},
        "numeric is Ruler reserved fieldName which cannot be used inside $or.",
    ),
    ({"$or": [{"a": ["b"]}, {}]}, "Empty objects are not allowed"),
    ({"ip": [{"cidr": 10}]}, "prefix match pattern must be a string"),
    ({"ip": [{"cidr": "10.0.0.0/"}]}, "Malformed CIDR, one '/' required"),
    ({"ip": [{"cidr": "10.0.0.0/1/2"}]}, "Malformed CIDR, one '/' required"),
    ({"ip": [{"cidr": "10.0.0.0/-1"}]}, "Malformed CIDR, mask bits must not be negative"),
    ({"ip": [{"cidr": "10.0.0.0/32"}]}, "IPv4 mask bits must be < 32"),
    ({"ip": [{"cidr": "::/128"}]}, "IPv6 mask bits must be < 128"),
    ({"ip": [{"cidr": "10.0.0.999/8"}]}, "Invalid IP address: 10.0.0.999"),
    ({"w": [{"wildcard": "a\\b"}]}, "Invalid escape character at pos 2"),
    ({"w": [{"wildcard": "é**"}]}, "Consecutive wildcard characters at pos 3"),
    ({"w": [{"equals-ignore-case": None}]}, "equals-ignore-case match pattern must be a string"),
]


@pytest.mark.parametrize(("pattern", "reason"), REJECTED, ids=[r for _, r in REJECTED])
def test_rejected_with_the_service_reason(pattern: Any, reason: str) -> None:
    with pytest.raises(InvalidEventPattern) as raised:
        compile_pattern(pattern)
    assert str(raised.value) == REASON_PREFIX + reason
    assert raised.value.reason == reason


def test_the_first_problem_in_document_order_is_reported() -> None:
    with pytest.raises(InvalidEventPattern, match="Empty arrays are not allowed"):
        compile_pattern('{"a": [], "b": 5}')
    with pytest.raises(InvalidEventPattern, match='"b" must be an object'):
        compile_pattern('{"b": 5, "a": []}')


def test_complexity_is_judged_after_syntax() -> None:
    pattern = {"a": [{"wildcard": "*:*:*:*:*:*:x"}], "b": [{"prefix": 1}]}
    with pytest.raises(InvalidEventPattern, match="prefix match pattern must be a string"):
        compile_pattern(pattern)


def test_invalid_json_text_is_an_invalid_pattern() -> None:
    with pytest.raises(
        InvalidEventPattern, match=r"^Event pattern is not valid\. Reason: Filter is not valid JSON"
    ):
        compile_pattern('{"source": [')


def test_invalid_pattern_is_a_value_error() -> None:
    assert issubclass(InvalidEventPattern, ValueError)


ACCEPTED: list[dict[str, Any]] = [
    {"source": [{"prefix": ""}]},
    {"v": [{"wildcard": ""}]},
    {"v": [{"wildcard": "a\\*b"}]},
    {"v": [{"anything-but": {"prefix": ["a", "b"]}}]},
    {"v": [{"anything-but": {"wildcard": ["*/a/*", "*/b/*"]}}]},
    {"v": [{"equals-ignore-case": ""}]},
    {"n": [{"numeric": ["=", -5e9]}]},
    {"n": [{"numeric": [">=", 0, "<", 0.000001]}]},
    {"ip": [{"cidr": "10.0.0.0/0"}]},
    {"ip": [{"cidr": "2001:db8::/127"}]},
    {"a": {"$or": [{"b": ["1"]}, {"$or": [{"c": ["2"]}, {"d": ["3"]}]}]}},
    {"v": [None, True, False, 0, -1.5, "", "x", {"exists": False}]},
    {"v": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]},
    {"v": [{"wildcard": "*:*:*:*:*"}]},
]


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_accepted(pattern: dict[str, Any]) -> None:
    compile_pattern(pattern)


@pytest.mark.parametrize(
    "operand",
    ["*:*:*:*:*:*", "*aaaaaaaaaa", "*:*:*:*:*:event-bus/*", "*a*b*c*d*e*f*g*"],
)
def test_over_complex_wildcards_are_rejected(operand: str) -> None:
    with pytest.raises(InvalidEventPattern, match="Rule is too complex"):
        compile_pattern({"v": [{"wildcard": operand}]})
    with pytest.raises(InvalidEventPattern, match="Rule is too complex"):
        compile_pattern({"v": [{"anything-but": {"wildcard": operand}}]})
