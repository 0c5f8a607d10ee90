"""A definition's problems as AWS words them: ValidateStateMachineDefinition's diagnostics and
CreateStateMachine's InvalidDefinition message, both from the one validator."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from asl_validation.definition_text import bounds_problem, strict_json_loads
from asl_validation.problems import INVALID_JSON_DESCRIPTION, SCHEMA_VALIDATION_FAILED, Problem

_REQUIRED = "These fields are required: ["
_TOKEN_END = re.compile(r"[\s,:\[\]{}\"]")


@dataclass(frozen=True)
class Diagnostic:
    """One entry of ValidateStateMachineDefinition's ``diagnostics`` (all are errors)."""

    code: str
    message: str
    location: str | None
    severity: str = "ERROR"

    def as_dict(self) -> dict[str, str]:
        found = {"severity": self.severity, "code": self.code, "message": self.message}
        if self.location is not None:
            found["location"] = self.location
        return found


def definition_diagnostics(text: str) -> list[Diagnostic]:
    """The diagnostics AWS reports for a definition given as JSON text; empty when valid."""
    # A text nested deeper than any parser should follow is refused before it is parsed (the
    # embedded cloud answers CreateStateMachine with it instead of failing with a recursion error).
    beyond = bounds_problem(text)
    if beyond is not None:
        return _merge([beyond])
    try:
        definition: Any = strict_json_loads(text)
    except json.JSONDecodeError as error:
        if not text.strip():
            return [
                Diagnostic(SCHEMA_VALIDATION_FAILED, "Definition must be a valid JSON object", None)
            ]
        return [Diagnostic(INVALID_JSON_DESCRIPTION, _parser_words(text, error), None)]
    if not isinstance(definition, dict):
        return [
            Diagnostic(SCHEMA_VALIDATION_FAILED, "Definition must be a valid JSON object", None)
        ]
    from asl_validation.validator import validate_definition

    return _merge(validate_definition(definition))


def invalid_definition_message(diagnostics: list[Diagnostic]) -> str:
    """CreateStateMachine's InvalidDefinition message for the same diagnostics."""
    parts = []
    for diagnostic in diagnostics:
        where = f" at {diagnostic.location}" if diagnostic.location else ""
        parts.append(f"'{diagnostic.code}: {diagnostic.message}{where}'")
    return "Invalid State Machine Definition: " + ", ".join(parts)


def _merge(problems: list[Problem]) -> list[Diagnostic]:
    # AWS names every missing field of one object in one diagnostic, and a check that only
    # repeats "this field is missing" (the graph's missing StartAt) is not reported again.
    diagnostics: list[Diagnostic] = []
    missing: dict[str, list[str]] = {}
    for problem in problems:
        message = problem.aws_message or problem.message
        location = problem.aws_location or problem.pointer or "/"
        if message.startswith(_REQUIRED):
            if location not in missing:
                missing[location] = []
                diagnostics.append(Diagnostic(problem.code, _REQUIRED, location))
            missing[location].append(message[len(_REQUIRED) : -1])
            continue
        diagnostics.append(Diagnostic(problem.code, message, location))
    merged: list[Diagnostic] = []
    for diagnostic in diagnostics:
        if diagnostic.message == _REQUIRED and diagnostic.location is not None:
            fields = missing[diagnostic.location]
            words = f"{_REQUIRED}{', '.join(fields)}]"
            merged.append(Diagnostic(diagnostic.code, words, diagnostic.location))
        elif not _repeats_missing(diagnostic, missing):
            merged.append(diagnostic)
    return merged


def _repeats_missing(diagnostic: Diagnostic, missing: dict[str, list[str]]) -> bool:
    location = diagnostic.location or ""
    for holder, fields in missing.items():
        base = "" if holder == "/" else holder
        if any(location == f"{base}/{field}" for field in fields):
            return True
    return False


def _parser_words(text: str, error: json.JSONDecodeError) -> str:
    # The shape of AWS's (Jackson's) parser message, for the common case of a bare word.
    start = error.pos
    token_end = _TOKEN_END.search(text, start)
    end = token_end.start() if token_end else len(text)
    token = text[start:end] or text[start : start + 1]
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + len(token) + 1
    return (
        f"Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object or "
        f"token 'null', 'true' or 'false')\n at [Source: (String)\"{text}\"; line: {line}, "
        f"column: {column}]"
    )
