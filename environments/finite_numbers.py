"""Every number in a settings document must be finite: YAML reads ``.nan``, ``.inf`` and
``1e999`` as floats, JSON Schema's ranges let NaN through (every comparison with it is false), and
a threshold of NaN or infinity would make the quality gate approve anything and the drift check
flag nothing, while the definitions built from it would not be JSON."""

from __future__ import annotations

import math
from typing import Any

from environments.settings_yaml import shorten


def non_finite_numbers(document: Any, source: str, skip: frozenset[str] = frozenset()) -> list[str]:
    """One line per NaN or infinite number in ``document``, naming its key path; top-level
    sections in ``skip`` are left to a check of their own."""
    problems: list[str] = []
    top = document.items() if isinstance(document, dict) else []
    # Iterative, so even a document nested past the recursion limit costs no traceback.
    pending: list[tuple[str, Any]] = [(str(k), v) for k, v in top if k not in skip]
    while pending:
        path, value = pending.pop()
        if isinstance(value, float) and not math.isfinite(value):
            key = shorten(path, 120) or "(top level)"
            problems.append(
                f"{source}: {key}: {value} is not a finite number; write a number "
                "(YAML reads .nan, .inf and numbers beyond 1.8e308 as not-a-number or infinity)"
            )
        elif isinstance(value, dict):
            pending.extend((f"{path}.{k}" if path else str(k), v) for k, v in value.items())
        elif isinstance(value, list):
            pending.extend((f"{path}.{i}", v) for i, v in enumerate(value))
    return sorted(problems)
