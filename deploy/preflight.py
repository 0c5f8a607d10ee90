"""Checks that run before the deploy makes any call: every definition must be valid ASL with
request bodies its APIs take (the check ``make asl`` runs) and every rule pattern one
EventBridge accepts. Nothing is written when one fails."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from asl_validation import validate_definition
from event_rules.pattern import InvalidEventPattern, compile_pattern
from workflows.machine import DefinitionError


class DeployRefused(ValueError):
    """The deploy did not start. Each line names the state machine or rule and the problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listing = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"deploy refused, nothing was changed:\n{listing}")


class BuildsDefinition(Protocol):
    def to_asl(self) -> dict[str, Any]:
        """The definition; raises DefinitionError when its graph is not valid, as
        ``StateMachine.to_asl()`` does, so the preflight does not check the graph again."""
        ...


class PutsRule(Protocol):
    @property
    def name(self) -> str: ...

    def to_put_rule(self) -> Any: ...


def build_definitions(
    machines: Mapping[str, BuildsDefinition], *, requests: bool = True
) -> dict[str, dict[str, Any]]:
    """Each machine's ASL, validated (with ``requests``, the service requests' bodies too).
    Raises DeployRefused naming every invalid machine."""
    definitions: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for name, machine in machines.items():
        try:
            definition = machine.to_asl()
        except DefinitionError as error:
            problems.extend(f"state machine {name}: {p}" for p in error.problems)
            continue
        # The same check as `make asl`, request bodies included: a misspelt member would be
        # accepted by CreateStateMachine and fail only when the state runs.
        found = validate_definition(definition, requests=requests, graph_checked=True)
        problems.extend(f"state machine {name}: {p}" for p in found)
        definitions[name] = definition
    if problems:
        raise DeployRefused(problems)
    return definitions


def check_rules(rules: Iterable[PutsRule]) -> None:
    """Compile every rule's pattern as it will be sent. Raises DeployRefused on any failure."""
    problems: list[str] = []
    for rule in rules:
        pattern = rule.to_put_rule().get("EventPattern")
        if pattern is None:
            continue
        try:
            compile_pattern(json.loads(pattern) if isinstance(pattern, str) else pattern)
        except InvalidEventPattern as error:
            problems.append(f"rule {rule.name}: EventPattern: {error}")
    if problems:
        raise DeployRefused(problems)
