"""Definitions are JSON, and JSON has no NaN or infinity: Python's json module writes them as the
bare words NaN and Infinity, which AWS refuses and a JSON parser elsewhere may read differently.
A number that is not finite is refused where the builders emit it, naming where it is."""

from __future__ import annotations

import math
from typing import Any

from asl_validation.problems import Problem, join_pointer
from environments.finite_numbers import non_finite_values


def non_finite_problems(definition: Any) -> list[Problem]:
    """One problem per NaN or infinite number in ``definition``, at its JSON pointer."""
    return sorted(
        Problem(
            join_pointer("", *keys),
            f"{value} is not a finite number, which JSON cannot hold; "
            "check the settings value it comes from",
        )
        for keys, value in non_finite_values(definition)
    )


def finite_argument(value: float, name: str) -> str:
    """``value`` as a job's command-line argument; ValueError naming ``name`` when it is not
    a finite number (the job would read "nan" or "inf" as one)."""
    if not math.isfinite(value):
        raise ValueError(f"{name}: {value} is not a finite number; set a number in the settings")
    return repr(float(value))
