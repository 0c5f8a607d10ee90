"""Visit every state of a definition with its pointer and effective query language."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from asl_validation.problems import join_pointer

JSONPATH, JSONATA = "JSONPath", "JSONata"


@dataclass(frozen=True)
class StateVisit:
    name: str
    state: Mapping[str, Any]
    pointer: str
    language: str  # the state's effective QueryLanguage
    inherited: str  # the language of the enclosing scope
    machine: str  # the top-level QueryLanguage of the whole state machine


def query_language(declared: Any, inherited: str) -> str:
    return declared if declared in {JSONPATH, JSONATA} else inherited


def iter_states(definition: Mapping[str, Any]) -> Iterator[StateVisit]:
    """Yield every state, outermost first; nested scopes inherit the enclosing state's language."""
    top = query_language(definition.get("QueryLanguage"), JSONPATH)
    yield from _scope(definition, "", top, top)


def _scope(
    machine: Mapping[str, Any], pointer: str, inherited: str, top: str
) -> Iterator[StateVisit]:
    states = machine.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        state_pointer = join_pointer(pointer, "States", name)
        language = query_language(state.get("QueryLanguage"), inherited)
        yield StateVisit(name, state, state_pointer, language, inherited, top)
        branches = state.get("Branches")
        if state.get("Type") == "Parallel" and isinstance(branches, list):
            for index, branch in enumerate(branches):
                if isinstance(branch, Mapping):
                    branch_pointer = join_pointer(state_pointer, "Branches", index)
                    yield from _scope(branch, branch_pointer, language, top)
        if state.get("Type") == "Map":
            for key in ("ItemProcessor", "Iterator"):
                processor = state.get(key)
                if isinstance(processor, Mapping):
                    processor_pointer = join_pointer(state_pointer, key)
                    yield from _scope(processor, processor_pointer, language, top)
