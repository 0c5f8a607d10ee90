"""Which deploy a CloudFormation rollback undoes (`selfheal.stack_commands.rollback_target`): the
newest recorded deploy not rolled back yet, as the boto3 engine's rollback chooses."""

from __future__ import annotations

from typing import Any

import pytest

from selfheal.stack_commands import StackRefused, rollback_target


def deploy(name: str) -> dict[str, Any]:
    return {"template": name, "parameters": {}}


def rollback(name: str, undid: int) -> dict[str, Any]:
    return {**deploy(name), "undid": undid}


def test_a_rollback_returns_to_what_was_current_before_the_newest_deploy() -> None:
    assert rollback_target("s", [deploy("v1"), deploy("v2")]) == (1, deploy("v1"))


def test_after_rollback_and_a_new_deploy_it_returns_to_what_was_current_before_that() -> None:
    # deploy v1, v2, rollback (v1 current), deploy v3, rollback: v1, not v2.
    history = [deploy("v1"), deploy("v2"), rollback("v1", 1), deploy("v3")]
    assert rollback_target("s", history) == (3, rollback("v1", 1))


def test_a_second_rollback_in_a_row_walks_further_back() -> None:
    # deploy v1, v2, v3, rollback (v2), rollback: v1, not v3 again.
    history = [deploy("v1"), deploy("v2"), deploy("v3"), rollback("v2", 2)]
    assert rollback_target("s", history) == (1, deploy("v1"))


@pytest.mark.parametrize(
    "history",
    [
        [],
        [deploy("v1")],
        [deploy("v1"), deploy("v2"), rollback("v1", 1)],
    ],
    ids=["nothing recorded", "only the first deploy", "everything rolled back"],
)
def test_nothing_left_to_undo_is_refused(history: list[dict[str, Any]]) -> None:
    with pytest.raises(StackRefused, match="stack s: no recorded deploy"):
        rollback_target("s", history)


def test_histories_written_before_rollbacks_were_marked_read_as_deploys() -> None:
    # Entries without "undid" are deploys: a stack's older history keeps working.
    history = [{"template": "a", "parameters": {"P": "1"}}, {"template": "b", "parameters": {}}]
    assert rollback_target("s", history) == (1, history[0])
