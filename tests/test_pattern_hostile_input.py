"""`python -m event_rules test-pattern` on hostile input: a clear refusal (exit 2 with the reason),
never a traceback. Each case raised RecursionError, ValueError or UnicodeEncodeError, or (the
length limit) answered for a pattern EventBridge refuses, before its bound existed."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from event_rules.cli import main
from event_rules.command_input import MAX_PATTERN_LENGTH
from event_rules.pattern import InvalidEventPattern, compile_pattern
from event_rules.pattern_compile import MAX_PATTERN_DEPTH


def _nested(depth: int, leaf: str, key: str = "d") -> str:
    return f'{{"{key}":' * depth + leaf + "}" * depth


def _test_pattern(
    tmp_path: Path, pattern: str, event: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    pattern_file, event_file = tmp_path / "pattern.json", tmp_path / "event.json"
    pattern_file.write_text(pattern, encoding="utf-8")
    event_file.write_text(event, encoding="utf-8")
    status = main(["test-pattern", str(pattern_file), str(event_file)])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    "pattern",
    [
        _nested(600, '{"x": ["a"]}'),
        json.dumps({".".join(["a"] * 1_500): ["x"]}),
    ],
    ids=["600 nested objects", "a key of 1,500 dotted parts"],
)
def test_a_pattern_too_deep_is_refused(
    pattern: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _test_pattern(tmp_path, pattern, '{"x": "a"}', capsys)
    assert status == 2
    assert f"nests more than {MAX_PATTERN_DEPTH} levels deep" in out


def test_600_nested_or_branches_are_an_invalid_pattern() -> None:
    # Past the command's length limit as text; a pattern built in code reaches the compiler.
    pattern: dict[str, Any] = {"x": ["y"]}
    for _ in range(600):
        pattern = {"$or": [pattern, {"z": [1]}]}
    with pytest.raises(InvalidEventPattern, match=f"more than {MAX_PATTERN_DEPTH} levels"):
        compile_pattern(pattern)


def test_a_pattern_at_the_depth_bound_still_matches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pattern = _nested(MAX_PATTERN_DEPTH - 1, '{"x": ["a"]}')
    status, out, _ = _test_pattern(tmp_path, pattern, _nested(600, '{"x": "a"}'), capsys)
    assert (status, out) == (1, "no-match\n")
    event = _nested(MAX_PATTERN_DEPTH - 1, '{"x": "a"}')
    status, out, _ = _test_pattern(tmp_path, pattern, event, capsys)
    assert (status, out) == (0, "match\n")


def test_an_event_too_deep_to_read_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = '{"x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    status, _, err = _test_pattern(tmp_path, '{"x": ["a"]}', event, capsys)
    assert status == 2
    assert "event.json: objects and arrays nest too deeply to read" in err


def test_a_pattern_over_eventbridges_length_limit_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def pattern_of(length: int) -> str:
        text = json.dumps({"x": ["a"]})
        return text + " " * (length - len(text))

    status, out, _ = _test_pattern(tmp_path, pattern_of(MAX_PATTERN_LENGTH), '{"x": "a"}', capsys)
    assert (status, out) == (0, "match\n")
    status, _, err = _test_pattern(
        tmp_path, pattern_of(MAX_PATTERN_LENGTH + 1), '{"x": "a"}', capsys
    )
    assert status == 2
    assert "pattern.json: the pattern is 4,097 characters long" in err and "4,096" in err


def test_numbers_too_long_to_read_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = "9" * 5_000
    status, _, err = _test_pattern(tmp_path, '{"x": [1]}', '{"x": ' + huge + "}", capsys)
    assert status == 2 and "event.json: holds a number too long to read" in err


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"x": [' + "9" * 5_000 + "]}", "Filter holds a number too long to read"),
        ("[" * 100_000 + "]" * 100_000, "nests more than"),
    ],
    ids=["a 5,000-digit number", "100k nested arrays"],
)
def test_pattern_text_past_pythons_reader_is_an_invalid_pattern(text: str, words: str) -> None:
    # The command refuses such text by its length first; callers of the library get the
    # pattern error, not ValueError or RecursionError.
    with pytest.raises(InvalidEventPattern, match=words):
        compile_pattern(text)


def test_a_lone_surrogate_in_a_refused_key_is_written_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A strict UTF-8 stdout, as a terminal or pipe has: capsys would accept any str.
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    monkeypatch.setattr("sys.stdout", stdout)
    pattern_file, event_file = tmp_path / "pattern.json", tmp_path / "event.json"
    pattern_file.write_text('{"x\\ud800": "not a list"}')
    event_file.write_text("{}")
    assert main(["test-pattern", str(pattern_file), str(event_file)]) == 2
    stdout.seek(0)
    assert 'Reason: "x\\ud800" must be an object or an array' in stdout.read()
