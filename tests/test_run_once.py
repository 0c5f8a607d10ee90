"""once_per_run: the first request computes, every later one (any worker of the run) reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.run_once import once_per_run


def test_a_result_is_computed_once_and_read_back_equal(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    calls: list[str] = []

    def compute() -> dict[str, list[object]]:
        calls.append("computed")
        return {"a.json": ["line", b"\x00zip"], "b.json": [datetime(2026, 1, 1, tzinfo=UTC)]}

    first = once_per_run(tmp_path_factory, "test-run-once", compute)
    again = once_per_run(tmp_path_factory, "test-run-once", compute)
    assert first == again == compute()
    assert calls == ["computed", "computed"]  # the first request, and the comparison's own
    # Another name is another result.
    assert once_per_run(tmp_path_factory, "test-run-once-other", lambda: [1]) == [1]


def test_a_failed_computation_leaves_nothing_for_the_next_request(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    def fail() -> object:
        raise RuntimeError("tool crashed")

    with pytest.raises(RuntimeError, match="tool crashed"):
        once_per_run(tmp_path_factory, "test-run-once-failing", fail)
    assert once_per_run(tmp_path_factory, "test-run-once-failing", lambda: "ok") == "ok"
