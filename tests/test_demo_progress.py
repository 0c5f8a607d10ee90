"""How the demo follows an execution: quick polls while states change, gentler ones while a job
runs, never slower than a bound."""

from __future__ import annotations

from selfheal.demo_progress import FIRST_POLL_SECONDS, SLOWEST_POLL_SECONDS, Pacing


def test_polls_slow_down_while_nothing_changes_and_speed_up_after_a_change() -> None:
    pacing = Pacing()
    quiet = [pacing.after(changed=False) for _ in range(6)]
    assert quiet == sorted(quiet) and quiet[0] > FIRST_POLL_SECONDS
    assert quiet[-1] == SLOWEST_POLL_SECONDS  # bounded: a state is never printed much later
    assert pacing.after(changed=True) == FIRST_POLL_SECONDS
