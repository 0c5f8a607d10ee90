"""Query languages and the JSONata expression syntax of Step Functions."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class QueryLanguage(StrEnum):
    JSONATA = "JSONata"
    JSONPATH = "JSONPath"


def jsonata(expression: str) -> str:
    """Wrap a JSONata expression as Step Functions wants it: ``{% expr %}``, with inner spaces."""
    body = expression.strip()
    if body.startswith("{%") or body.endswith("%}"):
        raise ValueError(
            f"pass the bare expression, not {expression!r}: jsonata() adds the {{% %}}"
        )
    return "{% " + body + " %}"


def is_jsonata(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def jsonata_string(value: str) -> str:
    """A JSONata string literal for ``value``: single-quoted, quotes and backslashes escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
