"""`make help` lists every verb of the Makefile with one line each, and `make` alone still sets
up the clone (the default goal it always had)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _phony_targets() -> list[str]:
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    found = re.search(r"^\.PHONY:(.*)$", text, re.M)
    assert found
    return found.group(1).split()


def test_make_help_lists_every_verb_with_one_line() -> None:
    done = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = done.stdout.splitlines()
    listed = {}
    for line in lines:
        matched = re.fullmatch(r"  make (\S+) +(\S.*)", line)
        assert matched, f"not a verb and its line: {line!r}"
        listed[matched.group(1)] = matched.group(2)
    assert sorted(listed) == sorted(_phony_targets())
    assert len(lines) == len(listed)  # each once
    assert "PORT=N" in listed["local-up"]
    assert "V=1" in listed["deploy-workflow"]


def test_make_alone_is_still_setup() -> None:
    # make's own database says which goal `make` alone runs (-n: nothing is run).
    done = subprocess.run(
        ["make", "-pn", "help"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert re.search(r"^\.DEFAULT_GOAL := setup$", done.stdout, re.M)
