"""The build-time graph check: a bad graph fails with the state's name and the fix."""

from __future__ import annotations

import pytest

from workflows.chain import Chain
from workflows.concurrency import Parallel
from workflows.machine import DefinitionError, StateMachine
from workflows.scope import DuplicateStateName
from workflows.states import Fail, Pass, Succeed, Task

LAMBDA = "arn:aws:states:::lambda:invoke"


def test_two_states_with_one_name_in_a_scope():
    with pytest.raises(DuplicateStateName, match=r'named "Same".*rename one'):
        StateMachine("m", Chain.start(Pass("Same")).next(Pass("Same"))).to_asl()


def test_duplicate_names_across_nested_scopes():
    inner = Pass("Twin")
    machine = StateMachine("m", Chain.start(Parallel("P", branches=[inner])).next(Succeed("Twin")))
    with pytest.raises(DefinitionError) as error:
        machine.to_asl()
    assert "Twin" in str(error.value)


def test_state_name_over_80_characters():
    long_name = "N" * 81
    with pytest.raises(DefinitionError) as error:
        StateMachine("m", Pass(long_name)).to_asl()
    assert long_name in str(error.value)
    assert "80" in str(error.value)
    StateMachine("m", Pass("N" * 80)).to_asl()


def test_loop_without_a_way_out_has_no_terminal_state():
    a, b = Pass("A"), Pass("B")
    a.next(b)
    b.set_next(a)
    with pytest.raises(DefinitionError) as error:
        StateMachine("m", a).to_asl()
    assert "terminal" in str(error.value)
    assert "End" in str(error.value)


def test_catch_into_another_scope_is_an_unknown_target():
    """A state inside a Parallel branch cannot Catch into a state of the outer machine."""
    outer_handler = Fail("Handler")
    inner = Task("Inner", resource=LAMBDA, arguments={"FunctionName": "f"})
    inner.add_catch(outer_handler)
    parallel = Parallel("P", branches=[inner])
    parallel.add_catch(outer_handler)
    with pytest.raises(DefinitionError) as error:
        StateMachine("m", parallel).to_asl()
    assert "Handler" in str(error.value)


def test_error_lists_every_problem_with_a_pointer():
    long_name = "L" * 90
    a, b = Pass(long_name), Pass("B")
    a.next(b)
    b.set_next(a)
    with pytest.raises(DefinitionError) as error:
        StateMachine("m", a).to_asl()
    assert len(error.value.problems) >= 2
    assert all(p.pointer.startswith("/") or p.pointer == "" for p in error.value.problems)
