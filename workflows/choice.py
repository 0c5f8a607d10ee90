"""The Choice state and its conditions, in the style of CDK: ``Choice.when(c, a).otherwise(b)``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workflows.base_state import Json, State
from workflows.chain import Chain
from workflows.expressions import QueryLanguage, jsonata


@dataclass(frozen=True)
class Condition:
    """A Choice rule's test: a JSONata ``Condition``, or a JSONPath comparison rule."""

    expression: str | None = None
    rule: Mapping[str, Json] | None = None

    @staticmethod
    def jsonata(expression: str) -> Condition:
        return Condition(expression=jsonata(expression))

    @staticmethod
    def _compare(operator: str, variable: str, value: Json) -> Condition:
        if not variable.startswith("$"):
            raise ValueError(
                f"Condition variable {variable!r} must be a JSONPath starting with '$'"
            )
        return Condition(rule={"Variable": variable, operator: value})

    @staticmethod
    def string_equals(variable: str, value: str) -> Condition:
        return Condition._compare("StringEquals", variable, value)

    @staticmethod
    def is_present(variable: str, value: bool = True) -> Condition:
        return Condition._compare("IsPresent", variable, value)

    @staticmethod
    def and_(*conditions: Condition) -> Condition:
        return Condition(rule={"And": [c._rule() for c in conditions]})

    @staticmethod
    def not_(condition: Condition) -> Condition:
        return Condition(rule={"Not": condition._rule()})

    def _rule(self) -> dict[str, Json]:
        if self.rule is None:
            raise ValueError("a JSONata condition cannot be nested in a JSONPath And/Or/Not")
        return dict(self.rule)

    def to_asl(self, language: QueryLanguage) -> dict[str, Json]:
        if self.expression is not None:
            if language is not QueryLanguage.JSONATA:
                raise ValueError("Condition.jsonata(...) is for JSONata Choice states")
            return {"Condition": self.expression}
        if language is not QueryLanguage.JSONPATH:
            raise ValueError("JSONPath comparison rules are for JSONPath Choice states")
        return self._rule()


@dataclass
class _Branch:
    condition: Condition
    target: State
    assign: Mapping[str, Json] | None
    output: Json
    comment: str | None
    label: str | None


class Choice(State):
    """A Choice state. Each branch may carry a `label`, what taking it means ("approve",
    "drift"): pictures of the graph draw it on the branch's arrow; it is not part of the ASL."""

    type_name = "Choice"

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.branches: list[_Branch] = []
        self.default: State | None = None
        self.default_label: str | None = None

    def when(
        self,
        condition: Condition,
        then: State | Chain,
        *,
        assign: Mapping[str, Json] | None = None,
        output: Json = None,
        comment: str | None = None,
        label: str | None = None,
    ) -> Choice:
        self.branches.append(_Branch(condition, then.start_state, assign, output, comment, label))
        return self

    def otherwise(self, then: State | Chain, *, label: str | None = None) -> Choice:
        if self.default is not None:
            raise ValueError(f'Choice "{self.name}" already has a default ({self.default.name})')
        self.default = then.start_state
        self.default_label = label
        return self

    def branch_labels(self) -> dict[str, str]:
        """The label of each labelled branch, by its field in the ASL: `Choices[i]`, `Default`."""
        labels = {f"Choices[{i}]": b.label for i, b in enumerate(self.branches) if b.label}
        if self.default_label:
            labels["Default"] = self.default_label
        return labels

    def successors(self) -> list[State]:
        targets = [b.target for b in self.branches]
        return targets + ([self.default] if self.default is not None else [])

    def _body(self, language: QueryLanguage, default: QueryLanguage) -> dict[str, Json]:
        if not self.branches:
            raise ValueError(
                f'Choice "{self.name}" has no rules; add one with .when(condition, state)'
            )
        rules = []
        for branch in self.branches:
            rule = branch.condition.to_asl(language)
            if branch.comment:
                rule["Comment"] = branch.comment
            if branch.assign is not None:
                rule["Assign"] = dict(branch.assign)
            if branch.output is not None:
                rule["Output"] = branch.output
            rule["Next"] = branch.target.name
            rules.append(rule)
        out: dict[str, Json] = {"Choices": rules}
        if self.default is not None:
            out["Default"] = self.default.name
        return out
