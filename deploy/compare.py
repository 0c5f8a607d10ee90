"""Comparing desired properties with what AWS reads back, and describing the difference.

Only what the desired state declares is compared: AWS adds defaults and read-only fields
(creation dates, default retry policies, ...), which are not drift. Policy documents are put in
a canonical form first, because services reorder and reshape them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from deploy.model import Json

MAX_VALUE_CHARS = 100
_LIST_KEYS = ("Action", "NotAction", "Resource", "NotResource")


def canonical_policy(document: Json) -> dict[str, Json]:
    """An IAM-style policy document with lists sorted and single values as lists."""
    doc = json.loads(document) if isinstance(document, str) else dict(document)
    statements = doc.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    canonical = [_canonical_statement(s) for s in statements]
    result: dict[str, Json] = {k: v for k, v in doc.items() if k not in ("Statement", "Id")}
    result["Statement"] = sorted(canonical, key=lambda s: (str(s.get("Sid", "")), json.dumps(s)))
    return result


def _as_sorted_list(value: Json) -> list[Json]:
    items = value if isinstance(value, list) else [value]
    return sorted(set(items), key=str) if all(isinstance(i, str) for i in items) else items


def _canonical_statement(statement: Mapping[str, Json]) -> dict[str, Json]:
    out: dict[str, Json] = {}
    for key, value in statement.items():
        if key in _LIST_KEYS:
            out[key] = _as_sorted_list(value)
        elif key in ("Principal", "NotPrincipal") and isinstance(value, Mapping):
            out[key] = {k: _as_sorted_list(v) for k, v in value.items()}
        elif key == "Condition" and isinstance(value, Mapping):
            out[key] = {
                op: {k: _as_sorted_list(v) for k, v in block.items()} for op, block in value.items()
            }
        else:
            out[key] = value
    return out


def project(current: Json, desired: Json) -> Json:
    """``current`` cut down to the shape of ``desired`` (extra keys dropped, recursively)."""
    if isinstance(desired, Mapping) and isinstance(current, Mapping):
        return {k: project(current[k], v) for k, v in desired.items() if k in current}
    if isinstance(desired, list) and isinstance(current, list) and len(desired) == len(current):
        return [project(c, d) for c, d in zip(current, desired, strict=True)]
    return current


def _show(value: Json) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."


def differences(desired: Json, current: Json, path: str = "") -> list[str]:
    """Readable lines, one per differing leaf: ``~ path: old -> new`` or ``+ path: new``."""
    if isinstance(desired, Mapping) and isinstance(current, Mapping):
        lines: list[str] = []
        for key, value in desired.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in current:
                lines.append(f"+ {where}: {_show(value)}")
            else:
                lines.extend(differences(value, current[key], where))
        return lines
    if (
        isinstance(desired, list)
        and isinstance(current, list)
        and len(desired) == len(current)
        and desired
    ):
        lines = []
        for index, (d, c) in enumerate(zip(desired, current, strict=True)):
            lines.extend(differences(d, c, f"{path}[{index}]"))
        return lines
    if project(current, desired) == desired:
        return []
    return [f"~ {path or '(value)'}: {_show(current)} -> {_show(desired)}"]
