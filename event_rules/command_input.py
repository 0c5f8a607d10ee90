"""What the `python -m event_rules` commands share: their exit codes and how they read input
files, each failure an `InputError` naming the file and what is wrong with it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXIT_MATCH = 0
EXIT_NO_MATCH = 1
EXIT_ERROR = 2
# What a shell reports for a process ended by SIGPIPE (128 + 13), as `cat` or `grep` would be.
EXIT_BROKEN_PIPE = 141


class InputError(Exception):
    """An input file that cannot be read or is not the JSON the command needs."""


# TestEventPattern's limit on the pattern's length, in characters (a rule's pattern: 2,048 by
# default, 4,096 with a quota increase).
MAX_PATTERN_LENGTH = 4096


def read_pattern_text(path: str) -> str:
    """A pattern file's text, refused past the length EventBridge accepts."""
    text = read_text(path)
    if len(text) > MAX_PATTERN_LENGTH:
        raise InputError(
            f"{path}: the pattern is {len(text):,} characters long; EventBridge accepts at most "
            f"{MAX_PATTERN_LENGTH:,} (TestEventPattern's limit; a rule's pattern is limited to "
            "2,048 by default, 4,096 with a quota increase): shorten it"
        )
    return text


def read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read file: {error}") from error


def read_event(path: str) -> dict[str, Any]:
    """An event file: one JSON object."""
    text = read_text(path)
    try:
        event = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path}: not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from error
    except RecursionError as error:
        raise InputError(
            f"{path}: objects and arrays nest too deeply to read (past Python's stack, about "
            "1,000 levels); flatten the event"
        ) from error
    except ValueError as error:
        # An integer of more digits than Python converts (4,300 by default).
        raise InputError(f"{path}: holds a number too long to read: {error}") from error
    if not isinstance(event, dict):
        raise InputError(f"{path}: an event must be a JSON object, found {type(event).__name__}")
    return event
