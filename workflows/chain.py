"""Chains of states, as in AWS CDK: ``Chain.start(a).next(b).next(c)``."""

from __future__ import annotations

from workflows.base_state import OpenEnd, State


class Chain:
    """A start state and the states whose Next is still open."""

    def __init__(self, start_state: State, ends: list[OpenEnd]) -> None:
        self.start_state = start_state
        self._ends = ends

    @staticmethod
    def start(state: State | Chain) -> Chain:
        return Chain(state.start_state, state.ends())

    @staticmethod
    def sequence(*states: State | Chain) -> Chain:
        if not states:
            raise ValueError("Chain.sequence needs at least one state")
        chain = Chain.start(states[0])
        for state in states[1:]:
            chain = chain.next(state)
        return chain

    def ends(self) -> list[OpenEnd]:
        return list(self._ends)

    def next(self, then: State | Chain) -> Chain:
        follower = Chain.start(then)
        if not self._ends:
            raise ValueError(
                f'cannot chain "{follower.start_state.name}" after "{self.start_state.name}": '
                "the chain has no open end (it ends in Succeed, Fail or Choice); "
                "attach it to a Choice branch instead"
            )
        for end in self._ends:
            end.set_next(follower.start_state)
        return Chain(self.start_state, follower.ends())
