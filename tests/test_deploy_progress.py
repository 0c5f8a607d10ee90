"""A deploy's terminal output: one progress line with counts (in place on a terminal, a line per
phase in a log), `-v` for a line per resource."""

from __future__ import annotations

import io
import re

import pytest

from deploy.progress import ProgressLine
from localcloud import LocalCloud
from selfheal import deploy_commands as deploy_cli


def _steps(progress: ProgressLine) -> None:
    progress.line("deploy p: 3 to create, 1 to update, 0 unchanged, 1 to delete")
    progress.step("p", 1, 5, "create", "s3-bucket a")
    progress.step("p", 2, 5, "create", "s3-bucket b")
    progress.step("p", 3, 5, "create", "state-machine c")
    progress.step("p", 4, 5, "update", "rule d")
    progress.step("p", 5, 5, "delete", "schedule e")
    progress.line("deploy p: recorded what is live")


def test_without_a_terminal_a_line_per_phase_and_the_final_counts() -> None:
    stream = io.StringIO()
    _steps(ProgressLine(stream, tty=False))
    assert stream.getvalue().splitlines() == [
        "deploy p: 3 to create, 1 to update, 0 unchanged, 1 to delete",
        "deploy p: 0/5 create ...",
        "deploy p: 3/5 (3 created) update ...",
        "deploy p: 4/5 (3 created, 1 updated) delete ...",
        "deploy p: 5/5 (3 created, 1 updated, 1 deleted)",
        "deploy p: recorded what is live",
    ]
    assert "\r" not in stream.getvalue()  # a log file gets no carriage returns


def test_on_a_terminal_one_line_rewritten_in_place() -> None:
    stream = io.StringIO()
    _steps(ProgressLine(stream, tty=True))
    text = stream.getvalue()
    # What a terminal shows: the last text after each carriage return of each line.
    shown = [line.rsplit("\r", 1)[-1].rstrip() for line in text.split("\n")]
    assert shown == [
        "deploy p: 3 to create, 1 to update, 0 unchanged, 1 to delete",
        "deploy p: 5/5 (3 created, 1 updated, 1 deleted)",
        "deploy p: recorded what is live",
        "",
    ]
    assert "\rdeploy p: 3/5 (3 created) update rule d" in text


def test_a_deploy_that_stops_keeps_the_step_it_stopped_at_on_screen() -> None:
    stream = io.StringIO()
    progress = ProgressLine(stream, tty=True)
    progress.step("p", 1, 3, "create", "s3-bucket a")
    progress.step("p", 2, 3, "create", "state-machine b")
    progress.close()  # the deploy raised
    assert stream.getvalue().endswith("deploy p: 1/3 (1 created) create state-machine b\n")


def test_a_whole_line_in_the_middle_clears_the_line_in_place_first() -> None:
    stream = io.StringIO()
    progress = ProgressLine(stream, tty=True)
    progress.step("p", 1, 2, "delete", "s3-bucket a")
    progress.line("s3-bucket a: kept: it holds objects")
    before, _, after = stream.getvalue().rpartition("\r")
    assert after == "s3-bucket a: kept: it holds objects\n"
    assert before.endswith(" " * len("deploy p: 0/2 delete s3-bucket a"))


@pytest.mark.parametrize("verbose", [False, True], ids=["progress", "verbose"])
def test_selfheal_deploy_prints_counts_or_with_v_a_line_per_resource(
    localcloud: LocalCloud,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    verbose: bool,
) -> None:
    monkeypatch.setattr(deploy_cli, "local_clients", lambda s: localcloud.client)
    assert deploy_cli.main(["apply", *(["-v"] if verbose else [])]) == 0
    lines = capsys.readouterr().out.splitlines()
    planned = re.fullmatch(r"deploy churn-dev: (\d+) to create, 0 to update, 0 unchanged", lines[0])
    assert planned, lines[0]
    total = int(planned.group(1))
    assert total > 50
    per_resource = [line for line in lines if re.match(r"\[\d+/\d+\] create ", line)]
    if verbose:
        assert len(per_resource) == total
        return
    # Captured output is no terminal: a line per phase, then the counts, the record, the calls.
    assert per_resource == []
    assert lines[1:3] == [
        f"deploy churn-dev: 0/{total} create ...",
        f"deploy churn-dev: {total}/{total} ({total} created)",
    ]
    assert lines[3].startswith("deploy churn-dev: recorded what is live in s3://")
    assert re.fullmatch(r"deploy churn-dev: done in [\d.]+ s, \d+ write calls, \d+ reads", lines[4])
    assert len(lines) == 5
