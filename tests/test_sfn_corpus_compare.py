"""The corpus comparison rules (../shared/corpus/README.md): each would let a disagreement
through, or fail an agreement, if it were wrong."""

from __future__ import annotations

from typing import Any

from tests.sfn_corpus_compare import Normaliser, Outcome, agrees, matches, silent_pass

CASE: dict[str, Any] = {
    "replacements": [["exec-[0-9a-f]+", "<ExecArnPart_0idx>"], ["(unbalanced", "<x>"]],
    "ignore_keys": ["StartTime"],
    "expected": {"status": "SUCCEEDED", "output": {"a": 1}, "error": None},
}


def test_tokens_stand_for_any_value_or_any_text_in_a_string() -> None:
    assert matches("<uuid:1>", {"any": 1})
    assert matches("arn:<partition>:states:x:<ExecArnPart_0idx>", "arn:<partition>:states:x:e-9")
    assert not matches("arn:<partition>:states:x:<ExecArnPart_0idx>", "arn:aws:states:y:e-9")


def test_numbers_by_value_booleans_only_with_booleans() -> None:
    assert matches(1, 1.0)
    assert not matches(1, True)
    assert not matches(True, 1)
    assert not matches([1], [1, 2])
    assert not matches({"a": 1}, {"a": 1, "b": 2})


def test_date_words_match_anything_only_under_timestamp_keys() -> None:
    assert matches({"event_timestamp": "date"}, {"event_timestamp": 17})
    assert not matches({"when": "date"}, {"when": 17})


def test_ignored_keys_match_anything() -> None:
    assert matches(
        {"StartTime": "start-time"}, {"StartTime": "x"}, ignored=frozenset({"StartTime"})
    )


def test_lambda_error_causes_compare_type_and_message_only() -> None:
    recorded = (
        '{"errorMessage": "boom", "errorType": "Exception", "requestId":<r>", "stackTrace": []}'
    )
    ours = (
        '{"errorMessage": "boom", "errorType": "Exception", "requestId": "1", "stackTrace": ["x"]}'
    )
    assert matches(recorded, ours)
    assert not matches(recorded, ours.replace("boom", "bang"))


def test_the_engine_answer_is_normalised_as_the_recording_was() -> None:
    normalise = Normaliser(CASE, "123456789012", "eu-west-1")
    text = "arn:aws:states:eu-west-1:123456789012:execution:m:exec-ab12 at 2024-01-02T03:04:05.123Z"
    assert normalise.text(text) == (
        "arn:<partition>:states:<region>:111111111111:execution:m:<ExecArnPart_0idx> at date"
    )
    assert normalise.text("(unbalanced") == "<x>"  # a pattern that does not compile is literal


def test_status_output_and_error_decide_agreement() -> None:
    assert agrees(CASE, Outcome("SUCCEEDED", {"a": 1}))
    assert not agrees(CASE, Outcome("SUCCEEDED", {"a": 2}))
    failed = {**CASE, "expected": {"status": "FAILED", "output": None, "error": "E"}}
    assert agrees(failed, Outcome("FAILED", error="E"))
    assert not agrees(failed, Outcome("FAILED", error="F"))
    assert silent_pass(failed, Outcome("SUCCEEDED"))
    assert not silent_pass(CASE, Outcome("FAILED"))


def test_a_value_masked_by_its_key_name_is_a_wildcard_only_when_asked() -> None:
    recorded = {"HttpHeaders": {"x-amzn-RequestId": "x-amzn-RequestId", "Connection": "close"}}
    engine = {"HttpHeaders": {"x-amzn-RequestId": "5f0c-11", "Connection": "close"}}
    assert not matches(recorded, engine)
    assert matches(recorded, engine, key_masks=True)
    # Everything else still has to agree.
    engine["HttpHeaders"]["Connection"] = "keep-alive"
    assert not matches(recorded, engine, key_masks=True)
