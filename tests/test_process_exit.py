"""A command's process ends without the interpreter collecting garbage over what it built."""

from __future__ import annotations

import gc
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from commandline.process_exit import exit_with

REPO = Path(__file__).resolve().parent.parent


def test_exit_with_freezes_what_the_command_built_and_exits_with_its_code() -> None:
    built = [[] for _ in range(1000)]
    try:
        with pytest.raises(SystemExit) as ended:
            exit_with(3)
        assert ended.value.code == 3
        # Frozen: the shutdown collections skip them.
        assert gc.get_freeze_count() >= len(built)
    finally:
        gc.unfreeze()


def test_every_entry_point_ends_through_exit_with() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"selfheal": "selfheal.cli:command"}
    for entry in [
        "selfheal/__main__.py",
        "workflows/__main__.py",
        "event_rules/__main__.py",
        "scripts/bench.py",
        "scripts/deploy.py",
    ]:
        assert "exit_with(" in (REPO / entry).read_text(), entry


def test_the_console_entry_point_exits_with_the_commands_code() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", "from selfheal.cli import command; command()", "--env", "../x"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert completed.returncode == 2, completed.stderr
