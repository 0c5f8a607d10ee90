"""Agreement with every AWS-recorded case in ../shared/corpus/eventbridge-patterns/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from event_rules.pattern import InvalidEventPattern, compile_pattern

CORPUS = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "eventbridge-patterns"
)


def _cases() -> list[dict[str, Any]]:
    if not CORPUS.is_dir():
        return []
    return [json.loads(path.read_text()) for path in sorted(CORPUS.glob("*.json"))]


def _outcome(case: dict[str, Any]) -> tuple[str, str | None]:
    try:
        pattern = compile_pattern(case["pattern"])
    except InvalidEventPattern as error:
        return "invalid", str(error)
    return ("match" if pattern.matches(case["event"]) else "no-match"), None


def _agrees(case: dict[str, Any]) -> bool:
    outcome, error = _outcome(case)
    if outcome != case["expected"]:
        return False
    return outcome != "invalid" or error == case["error"]


def _require_corpus() -> list[dict[str, Any]]:
    cases = _cases()
    if not cases:
        pytest.skip(f"EventBridge pattern corpus not found at {CORPUS} (it is not in user clones)")
    return cases


def test_every_corpus_case_agrees_with_aws(capsys: pytest.CaptureFixture[str]) -> None:
    cases = _require_corpus()
    disagreeing = [case["name"] for case in cases if not _agrees(case)]
    per_kind = []
    for kind in ("match", "no-match", "invalid"):
        of_kind = [case for case in cases if case["expected"] == kind]
        agreeing = sum(1 for case in of_kind if case["name"] not in disagreeing)
        per_kind.append(f"{kind} {agreeing}/{len(of_kind)}")
    with capsys.disabled():
        print(
            f"\neventbridge corpus: {len(cases) - len(disagreeing)}/{len(cases)} agree"
            f" ({', '.join(per_kind)})"
        )
    assert not disagreeing, f"disagree with AWS: {disagreeing}"


def test_corpus_covers_all_three_outcomes() -> None:
    outcomes = {case["expected"] for case in _require_corpus()}
    assert outcomes == {"match", "no-match", "invalid"}


@pytest.mark.parametrize("case", _cases(), ids=lambda case: case["name"])
def test_corpus_case(case: dict[str, Any]) -> None:
    outcome, error = _outcome(case)
    assert outcome == case["expected"]
    if outcome == "invalid":
        assert error == case["error"]


def test_string_patterns_compile_like_dicts() -> None:
    for case in _require_corpus():
        if case["expected"] == "invalid":
            with pytest.raises(InvalidEventPattern) as raised:
                compile_pattern(json.dumps(case["pattern"]))
            assert str(raised.value) == case["error"]
        else:
            pattern = compile_pattern(json.dumps(case["pattern"]))
            assert pattern.matches(case["event"]) is (case["expected"] == "match")
