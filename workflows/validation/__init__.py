"""Amazon States Language validation: structure, graph, expressions and semantic rules."""

from __future__ import annotations

from workflows.validation.graph import check_graph
from workflows.validation.problems import Problem

__all__ = ["Problem", "check_graph"]
