"""The whole check of one definition: structure, graph, semantic rules (expressions among
them) and, when asked, each Task's request body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asl_validation.graph import check_graph
from asl_validation.problems import Problem
from asl_validation.rules import check_rules
from asl_validation.schema import check_schema


def validate_definition(
    definition: Mapping[str, Any], *, requests: bool = False, graph_checked: bool = False
) -> list[Problem]:
    """Return every problem of an ASL definition; an empty list means AWS would accept it.

    ``requests=True`` also checks each Task's request body against its API's model (a misspelt
    member, a missing required one): problems AWS reports only when the state runs, since
    CreateStateMachine accepts them. ``graph_checked=True`` says the caller has just run
    ``check_graph`` on this very definition and it found nothing (``StateMachine.to_asl()``
    does, raising otherwise), so it is not run a second time.

    CloudFormation placeholders in a Task's Resource (``"${FunctionArn}"``, ``{"Ref": ...}``,
    ``{"Fn::GetAtt": [...]}``) are accepted, since a template substitutes them before the
    definition reaches Step Functions.
    """
    if not isinstance(definition, Mapping):
        return [Problem("", "a state machine definition must be a JSON object")]
    found = [*check_schema(definition)]
    if not graph_checked:
        found += check_graph(definition)
    found += check_rules(definition)
    if requests:
        # botocore's models load on first use: only callers that ask pay for them.
        from asl_validation.requests import check_requests

        found += check_requests(definition)
    return list(dict.fromkeys(found))
