"""``python -m workflows validate FILE...``: check Amazon States Language files.

Exit 0 when every definition is valid, 1 when any is invalid (one ``FILE: POINTER: MESSAGE``
line per problem on stdout), 2 on usage errors or unreadable input (one line on stderr). ``-``
reads a definition from standard input.

Valid means AWS would accept the definition, so request bodies are not checked by default:
CreateStateMachine accepts a misspelt request member, which fails only when the state runs.
``--requests`` checks them too, as ``make asl`` and the deploy do.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from asl_validation.problems import Problem, join_pointer
from asl_validation.validator import validate_definition

USAGE = (
    "usage: python -m workflows validate [--requests] FILE... (- reads standard input)\n"
    "  --requests  also check each Task's request body against its API (as make asl does)\n"
)
REQUESTS = "--requests"


class _Object(dict[str, Any]):
    """A parsed JSON object that remembers keys given more than once."""

    duplicates: list[str]


def _object_from_pairs(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object()
    result.duplicates = []
    for key, value in pairs:
        if key in result:
            result.duplicates.append(key)
        result[key] = value
    return result


class UnreadableDefinition(Exception):
    """The file cannot be read or is not JSON."""


def load_definition(name: str) -> tuple[Any, list[Problem]]:
    """Parse a definition file (``-``: standard input); return it with a problem for every
    repeated key."""
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise UnreadableDefinition(f"cannot read the file: {reason}") from error
    try:
        document = json.loads(text, object_pairs_hook=_object_from_pairs)
    except json.JSONDecodeError as error:
        raise UnreadableDefinition(
            f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from error
    return document, list(_duplicate_keys(document, ""))


def _duplicate_keys(value: Any, pointer: str) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(value, _Object):
        problems.extend(
            Problem(
                join_pointer(pointer, key),
                f'the key "{key}" appears more than once in this object; JSON parsers keep '
                "only one, so remove the duplicate",
            )
            for key in value.duplicates
        )
        for key, item in value.items():
            problems.extend(_duplicate_keys(item, join_pointer(pointer, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems.extend(_duplicate_keys(item, join_pointer(pointer, index)))
    return problems


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        (sys.stdout if argv else sys.stderr).write(USAGE)
        return 0 if argv else 2
    requests = REQUESTS in argv
    argv = [arg for arg in argv if arg != REQUESTS]
    unknown = [arg for arg in argv if arg.startswith("-") and arg != "-"]
    if unknown:
        sys.stderr.write(f"unknown option {unknown[0]}\n{USAGE}")
        return 2
    if not argv:
        sys.stderr.write(USAGE)
        return 2
    status = 0
    for name in argv:
        try:
            document, problems = load_definition(name)
        except UnreadableDefinition as error:
            sys.stderr.write(f"{name}: {error}\n")
            status = 2
            continue
        problems += validate_definition(document, requests=requests)
        for problem in problems:
            sys.stdout.write(f"{name}: {problem.pointer}: {problem.message}\n")
        if problems and status == 0:
            status = 1
    return status
