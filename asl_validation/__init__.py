"""Amazon States Language validation: structure, graph, expressions, semantic rules and, when
asked, Task request bodies. ``validate_definition`` is the one entry point: ``make asl``, the
deploy's preflight and ``python -m workflows validate`` all call it.

``check_graph`` is light to import (the builders call it at build time);
``validate_definition`` loads the JSON Schema validator on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asl_validation.graph import check_graph
from asl_validation.problems import Problem


def validate_definition(
    definition: Mapping[str, Any], *, requests: bool = False, graph_checked: bool = False
) -> list[Problem]:
    """Return every problem of an ASL definition; an empty list means AWS would accept it.
    See ``asl_validation.validator.validate_definition`` for ``requests`` and ``graph_checked``."""
    from asl_validation.validator import validate_definition as validate

    return validate(definition, requests=requests, graph_checked=graph_checked)


__all__ = ["Problem", "check_graph", "validate_definition"]
