"""How the demo follows an execution: quick polls while states change, gentler ones while a job
runs, never slower than a bound; each poll reads only the new events."""

from __future__ import annotations

from typing import Any

import pytest
from localcloud_helpers import THREE_PASSES, create_machine

from localcloud import LocalCloud
from selfheal.demo_progress import FIRST_POLL_SECONDS, SLOWEST_POLL_SECONDS, Pacing, events_after


def test_polls_slow_down_while_nothing_changes_and_speed_up_after_a_change() -> None:
    pacing = Pacing()
    quiet = [pacing.after(changed=False) for _ in range(6)]
    assert quiet == sorted(quiet) and quiet[0] > FIRST_POLL_SECONDS
    assert quiet[-1] == SLOWEST_POLL_SECONDS  # bounded: a state is never printed much later
    assert pacing.after(changed=True) == FIRST_POLL_SECONDS


def test_a_poll_reads_only_the_events_after_the_last_one_seen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from selfheal import demo_progress

    monkeypatch.setattr(demo_progress, "FIRST_PAGE", 2)
    monkeypatch.setattr(demo_progress, "NEWEST_PAGE", 3)
    with LocalCloud() as cloud:
        sfn = cloud.client("stepfunctions")
        machine = create_machine(cloud, THREE_PASSES)
        execution = cloud.start_and_wait(machine, {})["executionArn"]
        everything = cloud.history_events(execution)
        assert len(everything) == 8
        read: list[dict[str, Any]] = []

        def count(params: dict[str, Any], **_: Any) -> None:
            read.append(dict(params))

        sfn.meta.events.register("provide-client-params.sfn.GetExecutionHistory", count)

        def pages(last_id: int) -> list[int]:
            read.clear()
            found = events_after(sfn, execution, last_id)
            assert found == everything[last_id:]
            assert all(params["reverseOrder"] for params in read)
            return [params["maxResults"] for params in read]

        # A burst: the small first page is all new, so it is read again in larger pages.
        assert pages(0) == [2, 3, 3, 3]
        assert pages(5) == [2, 3, 3]  # ids 8-7, then 8-6 and 5-3: the last one seen ends it
        assert pages(7) == [2]  # most polls: one small page
        assert pages(8) == [2]
