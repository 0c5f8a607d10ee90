"""``python -m workflows validate FILE...``: check Amazon States Language files.

Exit 0 when every definition is valid, 1 when any is invalid (one ``FILE: POINTER: MESSAGE``
line per problem on stdout), 2 on usage errors or unreadable input (one line on stderr). ``-``
reads a definition from standard input. Input that cannot be checked safely (over AWS's 1 MiB
definition limit, nested too deeply, numbers too long) gets a problem naming the bound, and the
files after it are still checked (``asl_validation.definition_text``).

Valid means AWS would accept the definition, so request bodies are not checked by default:
CreateStateMachine accepts a misspelt request member, which fails only when the state runs.
``--requests`` checks them too, as ``make asl`` and the deploy do.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from asl_validation.definition_text import (
    ParsedDefinition,
    UnreadableDefinition,
    parse_definition,
    read_bounded,
)
from asl_validation.validator import validate_definition

USAGE = (
    "usage: python -m workflows validate [--requests] FILE... (- reads standard input)\n"
    "  --requests  also check each Task's request body against its API (as make asl does)\n"
)
REQUESTS = "--requests"


def load_definition(name: str) -> ParsedDefinition:
    """Read and parse a definition file (``-``: standard input) within the bounds
    ``definition_text`` sets."""
    try:
        if name == "-":
            text = read_bounded(sys.stdin)
        else:
            with Path(name).open(encoding="utf-8") as stream:
                text = read_bounded(stream)
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise UnreadableDefinition(f"cannot read the file: {reason}") from error
    return parse_definition(text)


def _write(stream: TextIO, line: str) -> None:
    # A lone surrogate (from the definition, or a file name that is not UTF-8) cannot be
    # written as UTF-8: it is written as its escape instead of ending the run.
    stream.write(line.encode("utf-8", "backslashreplace").decode("utf-8"))


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
            parsed = load_definition(name)
        except UnreadableDefinition as error:
            _write(sys.stderr, f"{name}: {error}\n")
            status = 2
            continue
        problems = parsed.problems
        if parsed.checkable:
            problems += validate_definition(parsed.document, requests=requests)
        for problem in problems:
            _write(sys.stdout, f"{name}: {problem.pointer}: {problem.message}\n")
        if problems and status == 0:
            status = 1
    return status
