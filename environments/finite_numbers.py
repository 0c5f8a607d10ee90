"""Every number in a settings document must be finite: YAML reads ``.nan``, ``.inf`` and
``1e999`` as floats, JSON Schema's ranges let NaN through (every comparison with it is false), and
a threshold of NaN or infinity would make the quality gate approve anything and the drift check
flag nothing, while the definitions built from it would not be JSON."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from environments.settings_yaml import shorten


def non_finite_values(
    document: Any, skip: frozenset[str] = frozenset()
) -> Iterator[tuple[tuple[str | int, ...], float]]:
    """Each NaN or infinite number in ``document`` with the keys and indices leading to it; the
    top-level keys in ``skip`` are not entered."""
    # Iterative, so even a document nested past the recursion limit costs no traceback.
    pending: list[tuple[tuple[str | int, ...], Any]] = [((), document)]
    while pending:
        keys, value = pending.pop()
        if isinstance(value, float) and not math.isfinite(value):
            yield keys, value
        elif isinstance(value, dict):
            pending.extend(
                ((*keys, str(k)), v) for k, v in value.items() if keys or str(k) not in skip
            )
        elif isinstance(value, list):
            pending.extend(((*keys, i), v) for i, v in enumerate(value))


def non_finite_numbers(document: Any, source: str, skip: frozenset[str] = frozenset()) -> list[str]:
    """One line per NaN or infinite number in ``document``, naming its key path; top-level
    sections in ``skip`` are left to a check of their own."""
    if not isinstance(document, dict):
        return []
    return sorted(
        f"{source}: {shorten('.'.join(map(str, keys)), 120) or '(top level)'}: {value} is not a "
        "finite number; write a number (YAML reads .nan, .inf and numbers beyond 1.8e308 as "
        "not-a-number or infinity)"
        for keys, value in non_finite_values(document, skip)
    )
