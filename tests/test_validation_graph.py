"""The graph check: transitions stay in their scope, every state is reachable and can finish."""

from __future__ import annotations

from typing import Any

import pytest

from asl_validation.graph import Problem, check_graph


def _pass(**fields: Any) -> dict[str, Any]:
    return {"Type": "Pass", **fields}


def _machine(states: dict[str, Any], start: str = "A") -> dict[str, Any]:
    return {"StartAt": start, "States": states}


def test_linear_machine_has_no_problems() -> None:
    machine = _machine({"A": _pass(Next="B"), "B": {"Type": "Succeed"}})
    assert check_graph(machine) == []


def test_misspelt_next_names_state_target_and_fix() -> None:
    machine = _machine({"Train": _pass(Next="Evalute"), "Evaluate": _pass(End=True)}, "Train")
    problems = check_graph(machine)
    assert (
        Problem(
            "/States/Train/Next",
            'state "Train" has Next "Evalute", which is not a state in this scope; '
            "name an existing state or add it",
        )
        in problems
    )


def test_start_at_must_name_a_state() -> None:
    problems = check_graph(_machine({"A": _pass(End=True)}, "Missing"))
    assert [p.pointer for p in problems] == ["/StartAt"]
    assert '"Missing"' in problems[0].message


def test_missing_start_at_is_reported() -> None:
    problems = check_graph({"States": {"A": _pass(End=True)}})
    assert [p.pointer for p in problems] == ["/StartAt"]


def test_choice_default_and_catch_targets_are_checked() -> None:
    machine = _machine(
        {
            "A": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Nope"}],
                "Next": "C",
            },
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "Gone"}],
                "Default": "Away",
            },
        }
    )
    pointers = {p.pointer for p in check_graph(machine)}
    assert {
        "/States/A/Catch/0/Next",
        "/States/C/Choices/0/Next",
        "/States/C/Default",
    } <= pointers


def test_transition_out_of_a_parallel_branch_is_rejected() -> None:
    branch = _machine({"In": _pass(Next="Out")}, "In")
    machine = _machine(
        {"P": {"Type": "Parallel", "Branches": [branch], "Next": "Out"}, "Out": _pass(End=True)},
        "P",
    )
    problems = check_graph(machine)
    assert "/States/P/Branches/0/States/In/Next" in {p.pointer for p in problems}


def test_map_item_processor_is_its_own_scope() -> None:
    processor = {"StartAt": "Work", "States": {"Work": _pass(Next="After")}}
    machine = _machine(
        {
            "M": {"Type": "Map", "ItemProcessor": processor, "Next": "After"},
            "After": _pass(End=True),
        },
        "M",
    )
    pointers = {p.pointer for p in check_graph(machine)}
    assert "/States/M/ItemProcessor/States/Work/Next" in pointers


def test_unreachable_state_is_reported() -> None:
    machine = _machine({"A": _pass(End=True), "Orphan": _pass(End=True)})
    problems = check_graph(machine)
    assert [p.pointer for p in problems] == ["/States/Orphan"]
    assert "never reached" in problems[0].message


def test_cycle_without_terminal_is_reported_once_for_the_scope() -> None:
    machine = _machine({"A": _pass(Next="B"), "B": _pass(Next="A")})
    problems = check_graph(machine)
    assert [p.pointer for p in problems] == ["/States"]
    assert "no terminal state" in problems[0].message


def test_loop_that_cannot_reach_the_end_is_reported_per_state() -> None:
    machine = _machine(
        {
            "A": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Loop1"}],
                "Default": "Done",
            },
            "Loop1": _pass(Next="Loop2"),
            "Loop2": _pass(Next="Loop1"),
            "Done": {"Type": "Succeed"},
        }
    )
    problems = check_graph(machine)
    assert sorted(p.pointer for p in problems) == ["/States/Loop1", "/States/Loop2"]


def test_poll_loop_with_exit_is_fine() -> None:
    machine = _machine(
        {
            "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "Done"}],
                "Default": "Wait",
            },
            "Done": {"Type": "Succeed"},
        },
        "Wait",
    )
    assert check_graph(machine) == []


def test_catch_path_counts_as_a_way_to_finish() -> None:
    machine = _machine(
        {
            "A": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
                "Next": "A",
            },
            "Failed": {"Type": "Fail"},
        }
    )
    assert check_graph(machine) == []


def test_duplicate_names_across_scopes_are_rejected() -> None:
    processor = {"StartAt": "Same", "States": {"Same": _pass(End=True)}}
    machine = _machine(
        {"M": {"Type": "Map", "ItemProcessor": processor, "Next": "Same"}, "Same": _pass(End=True)},
        "M",
    )
    problems = check_graph(machine)
    assert [p.pointer for p in problems] == ["/States/M/ItemProcessor/States/Same"]
    assert "/States/Same" in problems[0].message and "unique" in problems[0].message


def test_state_names_longer_than_80_characters_are_rejected() -> None:
    long_name = "S" * 81
    problems = check_graph(_machine({long_name: _pass(End=True)}, long_name))
    assert [p.pointer for p in problems] == [f"/States/{long_name}"]
    assert check_graph(_machine({"S" * 80: _pass(End=True)}, "S" * 80)) == []


def test_pointer_tokens_are_escaped() -> None:
    problems = check_graph(_machine({"a/b~c": _pass(Next="x")}, "a/b~c"))
    assert "/States/a~1b~0c/Next" in {p.pointer for p in problems}


@pytest.mark.parametrize(
    ("state", "pointer", "phrase"),
    [
        (_pass(Next="B", End=True), "/States/A/End", "both Next and End"),
        (_pass(), "/States/A", "neither Next nor"),
        (_pass(End=False), "/States/A/End", '"End": false'),
        ({"Type": "Succeed", "End": True}, "/States/A/End", "cannot have End"),
        ({"Type": "Fail", "Next": "B"}, "/States/A/Next", "cannot have Next"),
        (
            {"Type": "Choice", "Choices": [], "Default": "B", "Next": "B"},
            "/States/A/Next",
            "cannot have Next",
        ),
    ],
)
def test_next_and_end_follow_the_state_type(
    state: dict[str, Any], pointer: str, phrase: str
) -> None:
    problems = check_graph(_machine({"A": state, "B": _pass(End=True)}))
    assert any(p.pointer == pointer and phrase in p.message for p in problems), problems


def test_broken_structure_does_not_crash() -> None:
    assert check_graph({"StartAt": 3, "States": []}) == []
    assert check_graph(_machine({"A": "not an object"})) == []
