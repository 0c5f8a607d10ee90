"""explain_pattern names the first field (in pattern order) that keeps an event from matching."""

from __future__ import annotations

from typing import Any

from event_rules.pattern import Mismatch, compile_pattern, explain_pattern

S3_RULE: dict[str, Any] = {
    "source": ["aws.s3"],
    "detail-type": ["Object Created"],
    "detail": {"bucket": {"name": ["training-data"]}, "object": {"key": [{"prefix": "in/"}]}},
}


def s3_event(bucket: str = "training-data", key: str = "in/a.csv") -> dict[str, Any]:
    return {
        "source": "aws.s3",
        "detail-type": "Object Created",
        "detail": {"bucket": {"name": bucket}, "object": {"key": key, "size": 10}},
    }


def test_matching_event_has_no_mismatch() -> None:
    assert explain_pattern(S3_RULE, s3_event()) is None


def test_reports_the_failing_nested_path_with_expected_and_actual() -> None:
    mismatch = explain_pattern(S3_RULE, s3_event(bucket="other"))
    assert mismatch == Mismatch("detail.bucket.name", '["training-data"]', '"other"')
    assert str(mismatch) == 'detail.bucket.name: expected ["training-data"], found "other"'


def test_reports_the_first_failure_in_pattern_order() -> None:
    event = {**s3_event(bucket="other", key="out/x"), "source": "aws.ec2"}
    mismatch = explain_pattern(S3_RULE, event)
    assert mismatch is not None and mismatch.path == "source"


def test_operator_failures_and_absent_fields() -> None:
    mismatch = explain_pattern(S3_RULE, s3_event(key="out/a.csv"))
    assert mismatch == Mismatch("detail.object.key", '[{"prefix": "in/"}]', '"out/a.csv"')
    del_event = s3_event()
    del del_event["detail"]["bucket"]
    mismatch = explain_pattern(S3_RULE, del_event)
    assert mismatch == Mismatch("detail.bucket.name", '["training-data"]', "(absent)")


def test_or_reports_every_alternative() -> None:
    pattern = {"detail": {"$or": [{"a": ["1"]}, {"b": ["2"]}]}}
    mismatch = explain_pattern(pattern, {"detail": {"a": "x"}})
    assert mismatch is not None
    assert mismatch.path == "detail.a"
    assert mismatch.expected == 'one of: detail.a ["1"] or detail.b ["2"]'


def test_arrays_of_objects_report_an_element_path() -> None:
    pattern = {"detail": {"items": {"kind": ["a"]}}}
    mismatch = explain_pattern(pattern, {"detail": {"items": [{"kind": "b"}]}})
    assert mismatch == Mismatch("detail.items[0].kind", '["a"]', '"b"')


def test_explain_agrees_with_matches_on_many_events() -> None:
    pattern = compile_pattern(S3_RULE)
    events = [s3_event(b, k) for b in ("training-data", "x") for k in ("in/1", "out/1", "in")]
    for event in events:
        assert (pattern.explain(event) is None) is pattern.matches(event)
