"""A state machine definition: the top-level scope, emitted and checked in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asl_validation.graph import check_graph
from asl_validation.problems import Problem
from workflows.base_state import Json, State
from workflows.chain import Chain
from workflows.expressions import QueryLanguage
from workflows.scope import all_states, emit_scope
from workflows.strict_json import non_finite_problems


class DefinitionError(ValueError):
    """A definition failed its build-time graph check. Each problem names the state and the fix."""

    def __init__(self, machine: str, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p.pointer or '/'}: {p.message}" for p in problems)
        super().__init__(f"state machine {machine!r} is not valid:\n{lines}")


@dataclass
class StateMachine:
    name: str
    definition: State | Chain
    comment: str | None = None
    query_language: QueryLanguage = QueryLanguage.JSONATA
    timeout_seconds: int | None = None

    @property
    def start_state(self) -> State:
        return self.definition.start_state

    def to_asl(self) -> dict[str, Json]:
        """The ASL definition. Raises DefinitionError when the graph check finds a problem."""
        default = self.query_language
        # AWS lets JSONata states sit in a JSONPath machine, but not the reverse: a machine with
        # any JSONPath state is declared JSONPath, and its JSONata states say so themselves.
        mixed = default is QueryLanguage.JSONATA and any(
            s.language(default) is QueryLanguage.JSONPATH for s in all_states(self.start_state)
        )
        top = QueryLanguage.JSONPATH if mixed else default
        definition: dict[str, Any] = {}
        if self.comment:
            definition["Comment"] = self.comment
        definition["QueryLanguage"] = top.value
        if self.timeout_seconds is not None:
            definition["TimeoutSeconds"] = self.timeout_seconds
        definition.update(emit_scope(self.start_state, top, default))
        problems = non_finite_problems(definition) or check_graph(definition)
        if problems:
            raise DefinitionError(self.name, problems)
        return definition
