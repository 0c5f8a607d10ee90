"""Amazon States Language validation: structure, graph, expressions and semantic rules.

``check_graph`` is light to import (the builders call it at build time);
``validate_definition`` loads the JSON Schema validator on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asl_validation.graph import check_graph
from asl_validation.problems import Problem


def validate_definition(definition: Mapping[str, Any]) -> list[Problem]:
    """Return every problem of an ASL definition; an empty list means it is valid."""
    from asl_validation.validator import validate_definition as validate

    return validate(definition)


__all__ = ["Problem", "check_graph", "validate_definition"]
