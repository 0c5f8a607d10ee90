"""`python -m event_rules test-pattern`, run as a user would, checking output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "event_rules", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def files(tmp_path: Path) -> Any:
    def write(name: str, content: object) -> str:
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return str(path)

    return write


def test_match_no_match_and_invalid(files: Any) -> None:
    pattern = files("p.json", {"source": ["aws.s3"], "detail": {"size": [{"numeric": [">", 1]}]}})
    hit = files("hit.json", {"source": "aws.s3", "detail": {"size": 5}})
    miss = files("miss.json", {"source": "aws.s3", "detail": {"size": 0}})
    bad = files("bad.json", {"source": [{"prefix": ["a"]}]})

    result = run("test-pattern", pattern, hit)
    assert (result.returncode, result.stdout) == (0, "match\n")
    result = run("test-pattern", pattern, miss)
    assert (result.returncode, result.stdout) == (1, "no-match\n")
    result = run("test-pattern", bad, hit)
    assert result.returncode == 2
    assert (
        "Event pattern is not valid. Reason: prefix match pattern must be a string" in result.stdout
    )


def test_unreadable_or_malformed_input_exits_2_with_a_message(files: Any, tmp_path: Path) -> None:
    pattern = files("p.json", {"source": ["a"]})
    event = files("e.json", {"source": "a"})
    result = run("test-pattern", str(tmp_path / "missing.json"), event)
    assert result.returncode == 2 and "missing.json" in result.stderr
    result = run("test-pattern", pattern, files("broken.json", "{not json"))
    assert result.returncode == 2 and "not valid JSON" in result.stderr
    result = run("test-pattern", pattern, files("list.json", ["a"]))
    assert result.returncode == 2 and "must be a JSON object" in result.stderr


def test_bad_usage_exits_2() -> None:
    assert run().returncode == 2
    assert run("test-pattern", "only-one.json").returncode == 2
    assert run("no-such-command").returncode == 2


def test_help_lists_the_subcommands() -> None:
    result = run("--help")
    assert result.returncode == 0 and "test-pattern" in result.stdout


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    # As `python -m event_rules explain EVENT.json | head -1`, made certain: the read end is
    # closed before the command writes anything.
    sample = ROOT / "event_rules" / "samples" / "s3-object-created.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "event_rules", "explain", str(sample)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert (process.wait(timeout=60), stderr) == (141, "")
