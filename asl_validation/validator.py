"""The whole check of one definition: structure, graph, then semantic rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asl_validation.graph import check_graph
from asl_validation.problems import Problem
from asl_validation.rules import check_rules
from asl_validation.schema import check_schema


def validate_definition(definition: Mapping[str, Any]) -> list[Problem]:
    """Return every problem of an ASL definition; an empty list means AWS would accept it.

    CloudFormation placeholders in a Task's Resource (``"${FunctionArn}"``, ``{"Ref": ...}``,
    ``{"Fn::GetAtt": [...]}``) are accepted, since a template substitutes them before the
    definition reaches Step Functions.
    """
    if not isinstance(definition, Mapping):
        return [Problem("", "a state machine definition must be a JSON object")]
    found = [*check_schema(definition), *check_graph(definition), *check_rules(definition)]
    return list(dict.fromkeys(found))
