"""`parsed_definitions` on disk: a definition parsed in one process is not parsed again in the
next, the kept program runs as the parsed one does, and the folder is used only when trusted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from localcloud_helpers import counting_calls, create_machine

from localcloud import LocalCloud, parsed_programs
from localcloud.extensions import apply_extensions, extensions_disabled, remove_extensions

_MACHINE = {
    "StartAt": "Strings",
    "States": {
        "Strings": {
            "Type": "Pass",
            "QueryLanguage": "JSONata",
            "Output": "{% {'values': $states.input.values ~> $map($string)} %}",
            "Next": "Total",
        },
        "Total": {
            "Type": "Pass",
            "Parameters": {"total.$": "States.MathAdd(1, 2)", "values.$": "$.values"},
            "End": True,
        },
    },
}
_EXPECTED = {"total": 3, "values": ["1", "2", "3"]}


def _run(cloud: LocalCloud, name: str) -> dict[str, object]:
    described = cloud.start_and_wait(create_machine(cloud, _MACHINE, name), {"values": [1, 2, 3]})
    assert described["status"] == "SUCCEEDED", described
    output: dict[str, object] = json.loads(described["output"])
    return output


def _as_a_new_process() -> None:
    # A new process starts with no programs in memory: the extensions, installed afresh, have
    # forgotten every parse.
    remove_extensions()
    apply_extensions()


def test_a_program_parsed_once_is_read_back_by_the_next_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from moto.stepfunctions.parser.asl.antlr.runtime.ASLParser import ASLParser

    monkeypatch.setenv("LOCALCLOUD_DEFINITIONS_CACHE", str(tmp_path / "programs"))
    _as_a_new_process()
    with LocalCloud() as cloud:
        assert _run(cloud, "first") == _EXPECTED
        assert len(list((tmp_path / "programs").glob("*.pickle"))) == 1
        _as_a_new_process()
        with counting_calls(monkeypatch, ASLParser, "state_machine") as parses:
            assert _run(cloud, "second") == _EXPECTED
    assert parses == []


def test_without_a_folder_every_process_parses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from moto.stepfunctions.parser.asl.antlr.runtime.ASLParser import ASLParser

    monkeypatch.setenv("LOCALCLOUD_DEFINITIONS_CACHE", "off")
    _as_a_new_process()
    with LocalCloud() as cloud:
        _run(cloud, "first")
        _as_a_new_process()
        with counting_calls(monkeypatch, ASLParser, "state_machine") as parses:
            assert _run(cloud, "second") == _EXPECTED
    assert len(parses) == 1


def test_a_folder_others_can_write_to_is_not_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("LOCALCLOUD_DEFINITIONS_CACHE", str(shared))
    assert parsed_programs.folder() is None
    parsed_programs.store("{}", [], {"program": 1})
    assert list(shared.iterdir()) == []
    linked = tmp_path / "linked"
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    linked.symlink_to(private)
    monkeypatch.setenv("LOCALCLOUD_DEFINITIONS_CACHE", str(linked))
    assert parsed_programs.folder() is None


def test_a_damaged_entry_is_parsed_again_and_replaced(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LOCALCLOUD_DEFINITIONS_CACHE", str(tmp_path))
    _as_a_new_process()
    with LocalCloud() as cloud:
        _run(cloud, "first")
        [entry] = tmp_path.glob("*.pickle")
        entry.write_bytes(entry.read_bytes()[:100])
        _as_a_new_process()
        assert _run(cloud, "second") == _EXPECTED
    assert entry.stat().st_size > 100


def test_entries_are_named_by_what_shapes_the_program() -> None:
    name = parsed_programs.entry_name("{}", ["a", "b"])
    assert parsed_programs.entry_name("{}", ["b", "a"]) == name
    assert parsed_programs.entry_name("{}", ["a"]) != name  # another set of extensions
    assert parsed_programs.entry_name("{ }", ["a", "b"]) != name


def test_the_kept_program_follows_the_extensions_applied(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LOCALCLOUD_DEFINITIONS_CACHE", str(tmp_path))
    _as_a_new_process()
    text = json.dumps(_MACHINE)
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    AmazonStateLanguageParser.parse(text)
    with extensions_disabled("assign_string_literals"):
        AmazonStateLanguageParser.parse(text)
    assert len(list(tmp_path.glob("*.pickle"))) == 2
    assert os.stat(tmp_path).st_mode & 0o077 == 0


def test_the_folder_is_bounded_oldest_entries_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LOCALCLOUD_DEFINITIONS_CACHE", str(tmp_path))
    monkeypatch.setattr(parsed_programs, "ENTRIES_KEPT", 4)
    monkeypatch.setattr(parsed_programs, "PRUNE_EVERY", 1)
    for number in range(10):
        parsed_programs.store(f'{{"n": {number}}}', [], {"program": number})
        os.utime(tmp_path / parsed_programs.entry_name(f'{{"n": {number}}}', []), (number, number))
        assert len(list(tmp_path.glob("*.pickle"))) <= 4
    assert parsed_programs.load('{"n": 9}', []) == {"program": 9}
    assert parsed_programs.load('{"n": 0}', []) is None
