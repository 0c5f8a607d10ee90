"""Definitions are JSON, and JSON has no NaN or infinity: Python's json module writes them as the
bare words NaN and Infinity, which AWS refuses and a JSON parser elsewhere may read differently.
A number that is not finite is refused where the builders emit it, naming where it is."""

from __future__ import annotations

import math
from typing import Any

from asl_validation.problems import Problem, join_pointer


def non_finite_problems(definition: Any) -> list[Problem]:
    """One problem per NaN or infinite number in ``definition``, at its JSON pointer."""
    problems: list[Problem] = []
    pending: list[tuple[str, Any]] = [("", definition)]
    while pending:  # iterative: a deep definition costs no RecursionError
        pointer, value = pending.pop()
        if isinstance(value, float) and not math.isfinite(value):
            problems.append(
                Problem(
                    pointer,
                    f"{value} is not a finite number, which JSON cannot hold; "
                    "check the settings value it comes from",
                )
            )
        elif isinstance(value, dict):
            pending.extend((join_pointer(pointer, str(k)), v) for k, v in value.items())
        elif isinstance(value, list):
            pending.extend((join_pointer(pointer, i), v) for i, v in enumerate(value))
    return sorted(problems)


def finite_argument(value: float, name: str) -> str:
    """``value`` as a job's command-line argument; ValueError naming ``name`` when it is not
    a finite number (the job would read "nan" or "inf" as one)."""
    if not math.isfinite(value):
        raise ValueError(f"{name}: {value} is not a finite number; set a number in the settings")
    return repr(float(value))
