"""`python -m workflows validate` on hostile input: every file gets a problem with its pointer
(exit 1) or a usage error (exit 2), never a traceback, and the files after it are still checked.

Each case crashed the command before its bound existed (RecursionError, ValueError,
UnicodeEncodeError), or, for the size limit, passed a definition AWS refuses.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from asl_validation.cli import main
from asl_validation.definition_text import (
    MAX_DEFINITION_LENGTH,
    MAX_NESTING_DEPTH,
    MAX_NUMBER_LENGTH,
    UnreadableDefinition,
    parse_definition,
)
from asl_validation.diagnostics import definition_diagnostics
from asl_validation.jsonata_syntax import jsonata_error

# A definition with one fault, checked after each hostile file to show the run went on.
BROKEN_AFTER = {"StartAt": "Missing", "States": {"S": {"Type": "Pass", "End": True}}}


def _pass(**fields: Any) -> dict[str, Any]:
    return {"StartAt": "S", "States": {"S": {"Type": "Pass", "End": True, **fields}}}


def _jsonata_output(expression: str) -> dict[str, Any]:
    return _pass(QueryLanguage="JSONata", Output="{% " + expression + " %}")


def _run(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """Validate `text`, then a broken file; return the exit code and the hostile file's lines."""
    hostile = tmp_path / "hostile.json"
    hostile.write_text(text, encoding="utf-8")
    after = tmp_path / "after.json"
    after.write_text(json.dumps(BROKEN_AFTER))
    status = main([str(hostile), str(after)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and err == ""
    lines = out.splitlines()
    assert any(line.startswith(f"{after}: /StartAt: ") for line in lines), "the run stopped"
    return status, [line for line in lines if line.startswith(f"{hostile}: ")]


def _nested_arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_100k_nested_arrays_get_a_problem_at_the_depth_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines = _run(tmp_path, _nested_arrays(100_000), capsys)
    assert status == 1
    (line,) = lines
    pointer = line.split(": ")[1]
    assert pointer == "/0" * MAX_NESTING_DEPTH
    assert f"more than {MAX_NESTING_DEPTH} levels" in line and "Jackson" in line


def test_the_depth_bound_points_into_the_definition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # StartAt's string and a key holding "/" and "~" must not confuse the pointer.
    value: Any = []
    for _ in range(MAX_NESTING_DEPTH):
        value = {"a/b~": value}
    status, lines = _run(tmp_path, json.dumps(_pass(Result=["x", value])), capsys)
    assert status == 1
    (line,) = lines
    expected = "/States/S/Result/1" + "/a~1b~0" * (MAX_NESTING_DEPTH - 4)
    assert line.split(": ")[1] == expected


def test_nesting_up_to_the_bound_is_checked_as_usual(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Definition, States, S and Result's arrays: exactly the bound, which AWS's parser allows.
    result = json.loads(_nested_arrays(MAX_NESTING_DEPTH - 3))
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(_pass(Result=result)))
    assert main([str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_3329_nested_parentheses_in_jsonata_get_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expression = "(" * 3329 + "1" + ")" * 3329
    status, lines = _run(tmp_path, json.dumps(_jsonata_output(expression)), capsys)
    assert status == 1
    (line,) = lines
    assert line.startswith(f"{tmp_path / 'hostile.json'}: /States/S/Output: ")
    assert "3,329 deep" in line and "up to 200 levels" in line


def test_a_jsonata_expression_that_exhausts_the_stack_gets_a_problem() -> None:
    # The JSONata library raises the recursion limit to 10,000 when imported; under Python's
    # default of 1,000 a sum of 3,000 terms (within the length bound) exhausts the stack.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1_000)
    try:
        error = jsonata_error("{% " + "+".join(["2"] * 3_000) + " %}")
    finally:
        sys.setrecursionlimit(limit)
    assert error is not None and "nests too deeply to be parsed" in error


def test_a_50k_term_jsonata_sum_is_refused_before_parsing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expression = "+".join(["1"] * 50_000)
    status, lines = _run(tmp_path, json.dumps(_jsonata_output(expression)), capsys)
    assert status == 1
    (line,) = lines
    assert "/States/S/Output: " in line and "up to 10,000 characters" in line


@pytest.mark.parametrize("number", ["9" * 5_000, "1." + "5" * 5_000, "-" + "7" * 1_001])
def test_numbers_too_long_to_read_get_a_problem(
    number: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = '{"StartAt": "S", "States": {"S": {"Type": "Pass", "End": true, "Result": [%s]}}}'
    status, lines = _run(tmp_path, text % number, capsys)
    assert status == 1
    (line,) = lines
    assert "/States/S/Result/0: " in line and f"{MAX_NUMBER_LENGTH:,}" in line


def test_a_long_number_within_the_bound_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "long.json"
    path.write_text(json.dumps(_pass(Result=int("9" * MAX_NUMBER_LENGTH))))
    assert main([str(path)]) == 0


def test_lone_surrogates_get_problems_and_the_output_stays_writable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A strict UTF-8 stdout, as a terminal or pipe has: capsys would accept any str.
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    monkeypatch.setattr("sys.stdout", stdout)
    hostile = tmp_path / "surrogates.json"
    hostile.write_text(
        '{"StartAt": "A\\ud800", "States": {"A\\ud800": {"Type": "Pass", "Result": "x\\udc00",'
        ' "Next": "B"}}}'
    )
    after = tmp_path / "after.json"
    after.write_text(json.dumps(BROKEN_AFTER))
    assert main([str(hostile), str(after)]) == 1
    stdout.seek(0)
    out = stdout.read()
    assert f"{hostile}: /StartAt: this string holds a lone surrogate (\\ud800)" in out
    assert f"{hostile}: /States/A\\ud800: this key holds a lone surrogate (\\ud800)" in out
    assert f"{hostile}: /States/A\\ud800/Result: this string holds a lone surrogate (\\udc00)" in (
        out
    )
    assert f"{after}: /StartAt: " in out


def test_a_file_name_that_is_not_utf8_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python hands such a name to the program with surrogates standing for its bytes.
    stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    monkeypatch.setattr("sys.stderr", stderr)
    assert main([str(tmp_path / "x\udcff.json")]) == 2
    stderr.seek(0)
    assert "x\\udcff.json: cannot read the file" in stderr.read()


def test_a_definition_over_the_1_mib_limit_is_refused_unparsed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Not even JSON past its start: the limit is reported, not a parse error (exit 2).
    text = '{"StartAt": "S", "Comment": "' + "x" * MAX_DEFINITION_LENGTH
    status, lines = _run(tmp_path, text, capsys)
    assert status == 1
    (line,) = lines
    assert line.startswith(f"{tmp_path / 'hostile.json'}: : ")
    assert "1,048,576 characters" in line and "1 MiB" in line


def test_a_definition_of_exactly_1_mib_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = json.dumps(_pass())
    path = tmp_path / "full.json"
    path.write_text(text + " " * (MAX_DEFINITION_LENGTH - len(text)))
    assert main([str(path)]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(constant: str) -> None:
    # Python's json module reads them; AWS's parser (and JSON) does not.
    text = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "NaN", "End": true}}}'
    parse_definition(text)  # inside a string it is only text
    with pytest.raises(UnreadableDefinition, match="Expecting value at line 1, column 61"):
        parse_definition(text.replace('"NaN"', constant))
    diagnostics = definition_diagnostics(text.replace('"NaN"', constant))
    assert [d.code for d in diagnostics] == ["INVALID_JSON_DESCRIPTION"]
    assert f"Unrecognized token '{constant}'" in diagnostics[0].message
