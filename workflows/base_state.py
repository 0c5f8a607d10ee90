"""The base every ASL state extends, and what a Chain needs of a state.

`states.py` builds the concrete states on it, `chain.py` links them, `errors.py` points a Catch
at one; all three import this module, so none of them imports another to know what a state is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

from workflows.expressions import QueryLanguage

Json = Any


class OpenEnd(Protocol):
    """A state whose Next is still open: where a Chain attaches what follows it."""

    def set_next(self, then: State) -> None: ...


class State:
    """Fields every state may carry. Subclasses add theirs in `_body()`."""

    type_name: ClassVar[str]

    def __init__(
        self,
        name: str,
        *,
        comment: str | None = None,
        query_language: QueryLanguage | None = None,
        assign: Mapping[str, Json] | None = None,
        output: Json = None,
        input_path: str | None = None,
        output_path: str | None = None,
    ) -> None:
        self.name = name
        self.comment = comment
        self.query_language = query_language
        self.assign = dict(assign) if assign is not None else None
        self.output = output
        self.input_path = input_path
        self.output_path = output_path

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    def language(self, default: QueryLanguage) -> QueryLanguage:
        return self.query_language or default

    @property
    def start_state(self) -> State:
        """The state a chain starting here begins with: this one, as for a Chain's first state
        (CDK's ``IChainable``), so builders take ``State | Chain`` without telling them apart."""
        return self

    def successors(self) -> list[State]:
        """States this one can move to, in emission order."""
        return []

    def ends(self) -> list[OpenEnd]:
        """States of this one's chain whose Next is still open."""
        return []

    def nested_starts(self) -> list[State]:
        """Start states of the scopes this state runs (Parallel branches, a Map processor)."""
        return []

    def _body(self, language: QueryLanguage, default: QueryLanguage) -> dict[str, Json]:
        return {}

    def _transitions(self) -> dict[str, Json]:
        return {}

    def to_asl(self, inherited: QueryLanguage, default: QueryLanguage) -> dict[str, Json]:
        """This state's ASL. ``inherited`` is the enclosing scope's language (what an absent
        QueryLanguage field means); ``default`` is the language of states that declare none."""
        out: dict[str, Json] = {"Type": self.type_name}
        if self.comment:
            out["Comment"] = self.comment
        language = self.language(default)
        if language is not inherited:
            out["QueryLanguage"] = language.value
        if self.input_path is not None:
            out["InputPath"] = self.input_path
        out.update(self._body(language, default))
        if self.assign is not None:
            out["Assign"] = self.assign
        if self.output is not None:
            out["Output"] = self.output
        if self.output_path is not None:
            out["OutputPath"] = self.output_path
        out.update(self._transitions())
        return out
