"""The modules with the longest tests start the run (tests/conftest.py, LONG_MODULES_FIRST), so
no core idles at the end while the other finishes a long test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import LONG_MODULES_FIRST, ROOT


def test_the_long_modules_are_collected_first_in_their_order_and_whole(
    request: pytest.FixtureRequest,
) -> None:
    modules = [Path(str(item.path)).relative_to(ROOT).as_posix() for item in request.session.items]
    runs = [m for i, m in enumerate(modules) if i == 0 or modules[i - 1] != m]
    assert len(runs) == len(set(runs)), "a module's tests were split apart"
    present = [m for m in LONG_MODULES_FIRST if m in modules]
    # Any selection of tests (-k, one file) keeps the rule for the modules it holds.
    assert runs[: len(present)] == present
    for module in LONG_MODULES_FIRST:
        assert (ROOT / module).is_file(), f"{module} no longer exists: update LONG_MODULES_FIRST"
