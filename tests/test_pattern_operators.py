"""Matching semantics of each operator family, from the EventBridge user guide's examples
("Content filtering in Amazon EventBridge event patterns", "Arrays in ... event patterns",
"Matching events on null values and empty strings") and AWS's recorded behaviour."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from event_rules.pattern import compile_pattern, matches

EC2_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"},
}


def detail(**fields: Any) -> dict[str, Any]:
    return {"source": "test", "detail": fields}


def test_user_guide_ec2_termination_example() -> None:
    pattern = {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
        "detail": {"state": ["terminated"]},
    }
    assert matches(pattern, EC2_EVENT)
    running = {**EC2_EVENT, "detail": {**EC2_EVENT["detail"], "state": "running"}}
    assert not matches(pattern, running)


class TestExactValues:
    def test_value_list_is_an_or(self) -> None:
        assert matches({"source": ["aws.ec2", "aws.fargate"]}, {"source": "aws.fargate"})
        assert not matches({"source": ["aws.ec2", "aws.fargate"]}, {"source": "aws.s3"})

    def test_numbers_compare_numerically_but_never_equal_strings(self) -> None:
        assert matches({"n": [5]}, {"n": 5.0})
        assert matches({"n": [5.0]}, {"n": 5})
        assert matches({"n": [301.8]}, {"n": 3.018e2})
        assert not matches({"n": [5]}, {"n": "5"})
        assert not matches({"n": ["5"]}, {"n": 5})

    def test_numbers_beyond_the_numeric_range_still_match_exactly(self) -> None:
        assert matches({"account": [123456789012]}, {"account": 123456789012})
        assert not matches({"account": [123456789012]}, {"account": 123456789013})

    def test_booleans_are_not_numbers(self) -> None:
        assert matches({"b": [True]}, {"b": True})
        assert not matches({"b": [True]}, {"b": 1})
        assert not matches({"b": [1]}, {"b": True})
        assert not matches({"b": [False]}, {"b": 0})

    def test_null_and_empty_string_are_not_interchangeable(self) -> None:
        event = detail(eventVersion="", responseElements=None)
        assert matches({"detail": {"eventVersion": [""]}}, event)
        assert matches({"detail": {"responseElements": [None]}}, event)
        assert not matches({"detail": {"eventVersion": [None]}}, event)
        assert not matches({"detail": {"responseElements": [""]}}, event)

    def test_null_pattern_does_not_match_a_missing_field(self) -> None:
        assert not matches({"detail": {"gone": [None]}}, detail(other=1))

    def test_ip_literals_compare_as_addresses(self) -> None:
        pattern = {"ip": ["2001:db8::1"]}
        assert matches(pattern, {"ip": "2001:0db8:0000:0000:0000:0000:0000:0001"})
        assert not matches(pattern, {"ip": "2001:db8::2"})

    def test_key_names_are_case_sensitive(self) -> None:
        assert not matches({"Source": ["a"]}, {"source": "a"})


class TestArrays:
    PATTERN: ClassVar[dict[str, Any]] = {
        "resources": [
            "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
        ]
    }

    def test_event_array_matches_when_the_intersection_is_not_empty(self) -> None:
        event = {
            "resources": [
                "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x",
                "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
            ]
        }
        assert matches(self.PATTERN, event)

    def test_empty_event_array_matches_no_value(self) -> None:
        assert not matches(self.PATTERN, {"resources": []})
        assert not matches({"resources": [{"anything-but": "x"}]}, {"resources": []})

    def test_operators_apply_to_each_array_element(self) -> None:
        assert matches({"tags": [{"prefix": "env-"}]}, {"tags": ["team-a", "env-prod"]})
        assert matches({"n": [{"numeric": [">", 10]}]}, {"n": [1, 2, 30]})

    def test_sibling_fields_must_match_in_the_same_array_element(self) -> None:
        pattern = {"items": {"name": ["a"], "size": [2]}}
        assert matches(pattern, {"items": [{"name": "a", "size": 2}, {"name": "b", "size": 1}]})
        assert not matches(pattern, {"items": [{"name": "a", "size": 1}, {"name": "b", "size": 2}]})

    def test_objects_nested_in_arrays_are_reached(self) -> None:
        event = {"detail": {"records": [{"s3": {"key": "x.csv"}}, {"s3": {"key": "y.txt"}}]}}
        assert matches({"detail": {"records": {"s3": {"key": [{"suffix": ".txt"}]}}}}, event)


class TestPrefixSuffix:
    def test_prefix(self) -> None:
        pattern = {"time": [{"prefix": "2017-10-02"}]}
        assert matches(pattern, {"time": "2017-10-02T18:43:48Z"})
        assert not matches(pattern, {"time": "2017-10-03T18:43:48Z"})

    def test_prefix_only_applies_to_strings(self) -> None:
        assert not matches({"n": [{"prefix": "1"}]}, {"n": 123})

    def test_prefix_ignoring_case(self) -> None:
        pattern = {"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}
        assert matches(pattern, detail(service="eventbridge"))
        assert matches(pattern, detail(service="EVENTBRIDGE"))
        assert not matches(pattern, detail(service="Event"))

    def test_suffix_and_suffix_ignoring_case(self) -> None:
        assert matches({"FileName": [{"suffix": ".png"}]}, {"FileName": "image.png"})
        assert not matches({"FileName": [{"suffix": ".png"}]}, {"FileName": "image.PNG"})
        pattern = {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}
        assert matches(pattern, {"FileName": "image.PNG"})
        assert not matches(pattern, {"FileName": "image.jpg"})


class TestEqualsIgnoreCase:
    def test_matches_any_casing(self) -> None:
        pattern = {"name": [{"equals-ignore-case": "alice"}]}
        assert matches(pattern, {"name": "ALICE"})
        assert matches(pattern, {"name": "Alice"})
        assert not matches(pattern, {"name": "Alicia"})
        assert not matches(pattern, {"name": None})


class TestWildcard:
    def test_star_matches_zero_or_more_characters(self) -> None:
        pattern = {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}
        assert matches(pattern, {"EventBusArn": "arn:aws:events:us-east-1:1:event-bus/bus"})
        assert matches(pattern, {"EventBusArn": "arn:aws:events:us-east-1::event-bus/"})
        assert not matches(pattern, {"EventBusArn": "arn:aws:events:eu-west-1:1:event-bus/b"})

    def test_user_guide_png_in_dir_example(self) -> None:
        pattern = {"FilePath": [{"wildcard": "dir/*.png"}]}
        assert matches(pattern, {"FilePath": "dir/a/b.png"})
        assert not matches(pattern, {"FilePath": "other/a.png"})
        assert not matches(pattern, {"FilePath": "dir/a.png.txt"})

    def test_escaped_star_and_backslash_are_literal(self) -> None:
        pattern = {"v": [{"wildcard": "a\\*b\\\\c"}]}
        assert matches(pattern, {"v": "a*b\\c"})
        assert not matches(pattern, {"v": "axb\\c"})

    def test_only_strings_match(self) -> None:
        assert not matches({"v": [{"wildcard": "*"}]}, {"v": 5})
        assert matches({"v": [{"wildcard": "*"}]}, {"v": ""})


class TestAnythingBut:
    def test_single_values_and_lists(self) -> None:
        assert matches({"s": [{"anything-but": "initializing"}]}, {"s": "running"})
        assert not matches({"s": [{"anything-but": "initializing"}]}, {"s": "initializing"})
        assert matches({"x": [{"anything-but": [100, 200, 300]}]}, {"x": 150})
        assert not matches({"x": [{"anything-but": [100, 200, 300]}]}, {"x": 200.0})

    def test_other_json_types_are_never_excluded(self) -> None:
        assert matches({"x": [{"anything-but": [100]}]}, {"x": "100"})
        assert matches({"s": [{"anything-but": "a"}]}, {"s": None})
        assert matches({"s": [{"anything-but": "a"}]}, {"s": True})

    def test_a_missing_field_never_matches(self) -> None:
        assert not matches({"s": [{"anything-but": "a"}]}, {"other": "b"})

    def test_user_guide_source_not_aws_example(self) -> None:
        pattern = {"source": [{"anything-but": {"prefix": "aws."}}]}
        assert matches(pattern, {"source": "my.app"})
        assert not matches(pattern, {"source": "aws.s3"})

    def test_nested_suffix_equals_ignore_case_and_wildcard(self) -> None:
        assert not matches({"f": [{"anything-but": {"suffix": [".png", ".jpg"]}}]}, {"f": "a.jpg"})
        assert matches({"f": [{"anything-but": {"suffix": ".png"}}]}, {"f": "a.PNG"})
        ignore_case = {"s": [{"anything-but": {"equals-ignore-case": ["stopped", "x"]}}]}
        assert not matches(ignore_case, {"s": "STOPPED"})
        assert matches(ignore_case, {"s": "running"})
        wildcard = {"p": [{"anything-but": {"wildcard": "*/lib/*"}}]}
        assert not matches(wildcard, {"p": "/usr/lib/x"})
        assert matches(wildcard, {"p": "/usr/bin/x"})

    def test_array_matches_when_any_element_is_not_excluded(self) -> None:
        assert matches({"s": [{"anything-but": "a"}]}, {"s": ["a", "b"]})
        assert not matches({"s": [{"anything-but": "a"}]}, {"s": ["a", "a"]})


class TestNumeric:
    PATTERN: ClassVar[dict[str, Any]] = {
        "detail": {
            "c-count": [{"numeric": [">", 0, "<=", 5]}],
            "d-count": [{"numeric": ["<", 10]}],
            "x-limit": [{"numeric": ["=", 3.018e2]}],
        }
    }

    def test_user_guide_example_all_fields_must_hold(self) -> None:
        assert matches(self.PATTERN, detail(**{"c-count": 5, "d-count": 9.5, "x-limit": 301.8}))
        assert not matches(self.PATTERN, detail(**{"c-count": 0, "d-count": 9, "x-limit": 301.8}))
        assert not matches(self.PATTERN, detail(**{"c-count": 1, "d-count": 10, "x-limit": 301.8}))

    @pytest.mark.parametrize(
        ("terms", "inside", "outside"),
        [
            ([">=", 1], [1, 1.5], [0.999999]),
            ([">", 1], [1.000001], [1]),
            (["<", 1], [0.999999, -5e9], [1]),
            (["<=", 1], [1, -3], [1.000001]),
            ([">=", 0, "<", 1], [0, 0.5], [1, -0.000001]),
            ([">", -1.5, "<=", 2], [2, -1.499999], [-1.5, 2.000001]),
        ],
    )
    def test_bounds(self, terms: list[Any], inside: list[float], outside: list[float]) -> None:
        pattern = compile_pattern({"n": [{"numeric": terms}]})
        assert all(pattern.matches({"n": value}) for value in inside)
        assert not any(pattern.matches({"n": value}) for value in outside)

    def test_precision_is_six_decimal_places(self) -> None:
        assert matches({"n": [{"numeric": ["=", 1.5]}]}, {"n": 1.5000000001})

    def test_values_outside_the_supported_range_never_match(self) -> None:
        assert not matches({"n": [{"numeric": [">", 0]}]}, {"n": 6e9})

    def test_only_json_numbers_match(self) -> None:
        pattern = {"n": [{"numeric": [">", 0]}]}
        assert not matches(pattern, {"n": "300"})
        assert not matches(pattern, {"n": True})
        assert not matches(pattern, {"n": None})


class TestCidr:
    def test_ipv4(self) -> None:
        pattern = {"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}
        assert matches(pattern, detail(sourceIPAddress="10.0.0.255"))
        assert matches(pattern, detail(sourceIPAddress="10.0.0.0"))
        assert not matches(pattern, detail(sourceIPAddress="10.0.1.0"))
        assert not matches(pattern, detail(sourceIPAddress="not-an-ip"))

    def test_ipv6(self) -> None:
        pattern = {"ip": [{"cidr": "2001:db8:1234:1a00::/64"}]}
        assert matches(pattern, {"ip": "2001:db8:1234:1a00:ffff::1"})
        assert not matches(pattern, {"ip": "2001:db8:1234:1a01::"})

    def test_address_families_do_not_mix(self) -> None:
        assert not matches({"ip": [{"cidr": "0.0.0.0/0"}]}, {"ip": "::1"})


class TestExists:
    def test_exists_true_and_false(self) -> None:
        assert matches({"detail": {"d": [{"exists": True}]}}, detail(d="x"))
        assert not matches({"detail": {"d": [{"exists": True}]}}, detail(e="x"))
        assert matches({"detail": {"d": [{"exists": False}]}}, detail(e="x"))
        assert not matches({"detail": {"d": [{"exists": False}]}}, detail(d="x"))

    def test_null_is_a_present_value(self) -> None:
        assert matches({"d": [{"exists": True}]}, {"d": None})

    def test_exists_only_works_on_leaf_nodes(self) -> None:
        event = detail(state="running", **{"c-count": {"c1": 100}})
        assert matches({"detail": {"c-count": [{"exists": False}]}}, event)
        assert not matches({"detail": {"c-count": [{"exists": True}]}}, event)

    def test_empty_arrays_count_as_absent(self) -> None:
        assert matches({"r": [{"exists": False}]}, {"r": []})
        assert not matches({"r": [{"exists": True}]}, {"r": []})
        assert matches({"r": [{"exists": True}]}, {"r": ["x"]})

    def test_missing_parent_means_absent_leaf(self) -> None:
        assert matches({"a": {"b": {"c": [{"exists": False}]}}}, {"x": 1})
        assert matches({"a": {"b": [{"exists": False}]}}, {"a": "scalar"})


class TestOr:
    def test_or_at_the_top_level(self) -> None:
        pattern = {"source": ["aws.ec2"], "$or": [{"region": ["us-east-1"]}, {"account": ["1"]}]}
        assert matches(pattern, {"source": "aws.ec2", "region": "eu-west-1", "account": "1"})
        assert not matches(pattern, {"source": "aws.ec2", "region": "eu-west-1", "account": "2"})
        assert not matches(pattern, {"source": "aws.s3", "region": "us-east-1"})

    def test_nested_or_inside_or(self) -> None:
        pattern = {
            "detail": {
                "$or": [
                    {"a": ["1"]},
                    {"$or": [{"b": ["2"]}, {"c": {"d": ["3"]}}]},
                ]
            }
        }
        assert matches(pattern, detail(c={"d": "3"}))
        assert matches(pattern, detail(a="1"))
        assert not matches(pattern, detail(c={"d": "4"}, b="1"))

    def test_or_with_exists_false_in_a_value_list(self) -> None:
        pattern = {"s": [{"anything-but": ["roses"]}, {"exists": False}]}
        assert matches(pattern, {"other": 1})
        assert matches(pattern, {"s": "tulips"})
        assert not matches(pattern, {"s": "roses"})


class TestStructure:
    def test_dotted_keys_are_nested_paths(self) -> None:
        # EventBridge joins keys with "." (Event Ruler); tests/test_pattern_dotted.py has more.
        assert matches({"detail": {"a.b": ["x"]}}, detail(**{"a.b": "x"}))
        assert matches({"detail": {"a.b": ["x"]}}, detail(a={"b": "x"}))
        assert matches({"detail": {"a": {"b": ["x"]}}}, detail(**{"a.b": "x"}))
        assert not matches({"detail": {"a.b": ["x"]}}, detail(a={"c": "x"}))

    def test_nested_json_in_a_string_is_not_parsed(self) -> None:
        assert not matches({"detail": {"k": ["v"]}}, {"detail": '{"k": "v"}'})

    def test_non_object_events_never_match(self) -> None:
        pattern = compile_pattern({"a": ["b"]})
        assert not pattern.matches(["a"])  # type: ignore[arg-type]

    def test_compiled_patterns_are_reused(self) -> None:
        pattern = compile_pattern('{"source": ["a"]}')
        assert compile_pattern(pattern) is pattern
        assert [pattern.matches({"source": s}) for s in ("a", "b", "a")] == [True, False, True]


def test_patterns_listing_values_python_calls_equal_keep_their_own_types() -> None:
    # Exact tests are shared between patterns listing the same values: true and 1 must not be.
    one, true = compile_pattern({"a": [1]}), compile_pattern({"a": [True]})
    assert one.matches({"a": 1}) and one.matches({"a": 1.0}) and not one.matches({"a": True})
    assert true.matches({"a": True}) and not true.matches({"a": 1})
