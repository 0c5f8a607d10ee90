"""The settings file's shape, checked against ``settings.schema.json``: one line per problem,
naming the file, the key, the value and what is allowed."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from environments.settings_yaml import shorten

if TYPE_CHECKING:
    import jsonschema

SCHEMA_PATH = Path(__file__).with_name("settings.schema.json")


@cache
def _validator() -> jsonschema.protocols.Validator:
    # jsonschema takes a quarter of a second to import: only commands that load settings pay it.
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text())
    cls = jsonschema.validators.validator_for(schema)
    # The schema is this package's own file: the tests check it against its metaschema
    # (tests/test_settings.py), which cost every process that loads settings a quarter second.
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


def _describe(error: jsonschema.ValidationError, source: str) -> str:
    # Keys and values are the file's own: echoed, they are cut so a huge one stays one line.
    key = shorten(".".join(str(p) for p in error.absolute_path), 120) or "(top level)"
    hint = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator == "enum":
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = ", ".join(repr(v) for v in schema.get("enum", []))
        return (
            f"{source}: {key}: {shorten(repr(error.instance))} is not allowed; use one of {allowed}"
        )
    line = f"{source}: {key}: {shorten(error.message, 300)}"
    return f"{line} (expected {hint})" if hint else line


def schema_problems(document: Any, source: str) -> list[str]:
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    return [_describe(e, source) for e in errors]
