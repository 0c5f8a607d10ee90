"""A definition file's JSON text, read and parsed within bounds before any check walks it.

Each bound turns input that would otherwise crash the checks (or run without end) into a
problem with its pointer:

* length: AWS refuses a definition over 1,048,576 characters (1 MiB, a hard quota;
  CreateStateMachine's ``definition`` member has that maximum length), so a longer text is
  refused before it is parsed;
* nesting: objects and arrays deeper than 500 levels, the default limit of Jackson (the JSON
  parser of AWS's Java services) since 2.18, are refused, which also keeps every recursive
  check within Python's recursion limit;
* numbers longer than 1,000 characters, Jackson's default limit (Python itself cannot read
  integers of more than 4,300 digits);
* lone surrogates (``"\\ud800"`` with no partner): not Unicode characters, not writable as
  UTF-8, and of undefined meaning in JSON (RFC 8259, section 8.2);
* keys given more than once in one object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from asl_validation.problems import Problem, join_pointer

MAX_DEFINITION_LENGTH = 1_048_576
MAX_NESTING_DEPTH = 500
MAX_NUMBER_LENGTH = 1_000

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]')
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class UnreadableDefinition(Exception):
    """The file cannot be read or is not JSON."""


class _Object(dict[str, Any]):
    """A parsed JSON object that remembers keys given more than once."""

    duplicates: list[str]


class _LongNumber(str):
    """A number too long to read, kept as its text so that its pointer can be reported."""


@dataclass
class ParsedDefinition:
    """The parsed document and the problems found in its text. ``checkable`` is False when
    the document must not be walked further (over the size limit, too deep, a number too
    long): ``document`` is then None or holds values the checks cannot read."""

    document: Any
    problems: list[Problem] = field(default_factory=list)
    checkable: bool = True


def read_bounded(stream: TextIO) -> str:
    """Read at most one character more than the limit: enough to know the text is too long,
    without holding a file of any size in memory."""
    return stream.read(MAX_DEFINITION_LENGTH + 1)


_CONSTANT_OR_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


def strict_json_loads(text: str, **hooks: Any) -> Any:
    """json.loads without Python's extensions: NaN and Infinity are not JSON, and AWS's parser
    refuses them; they fail here as any other unknown token does, at their position."""

    def refuse(_: str) -> Any:
        raise _NonJsonConstant

    try:
        return json.loads(text, parse_constant=refuse, **hooks)
    except _NonJsonConstant:
        for found in _CONSTANT_OR_STRING.finditer(text):
            if found.group(1):
                raise json.JSONDecodeError("Expecting value", text, found.start(1)) from None
        raise json.JSONDecodeError("Expecting value", text, 0) from None


class _NonJsonConstant(Exception):
    pass


def bounds_problem(text: str) -> Problem | None:
    """The problem of a text too long or nested too deep to be parsed at all, if it is."""
    if len(text) > MAX_DEFINITION_LENGTH:
        return _too_long()
    return _too_deep(text)


def parse_definition(text: str) -> ParsedDefinition:
    """Parse a definition's text within the bounds above; raise UnreadableDefinition when it
    is not JSON."""
    beyond = bounds_problem(text)
    if beyond is not None:
        return ParsedDefinition(None, [beyond], checkable=False)
    try:
        document = strict_json_loads(
            text,
            object_pairs_hook=_object_from_pairs,
            parse_int=_integer,
            parse_float=_float,
        )
    except json.JSONDecodeError as error:
        raise UnreadableDefinition(
            f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from error
    problems = list(_text_problems(document, ""))
    return ParsedDefinition(document, problems, checkable=not _holds_long_number(document))


def _too_long() -> Problem:
    return Problem(
        "",
        f"the definition is longer than {MAX_DEFINITION_LENGTH:,} characters, Step Functions' "
        "limit for a state machine definition (1 MiB, a hard quota); it was not checked "
        "further: move large values out of it (into the execution input, or S3)",
    )


def _too_deep(text: str) -> Problem | None:
    """The first place objects and arrays nest deeper than the limit, found by scanning the
    text's brackets, keys and commas (no parse, so any depth is safe to scan)."""
    # One frame per open container: whether it is an object, its current key or index, and
    # the last string seen in it (the key, once a colon follows).
    stack: list[tuple[bool, str | int | None, str | None]] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == '"':
            if stack:
                is_object, current, _ = stack[-1]
                stack[-1] = (is_object, current, token)
        elif first in "[{":
            if len(stack) == MAX_NESTING_DEPTH:
                return _too_deep_problem(stack)
            stack.append((first == "{", None if first == "{" else 0, None))
        elif first in "]}":
            if stack:
                stack.pop()
        elif stack:
            is_object, current, last = stack[-1]
            if first == "," and not is_object and isinstance(current, int):
                stack[-1] = (is_object, current + 1, last)
            elif first == ":" and is_object and last is not None:
                stack[-1] = (is_object, _key(last), last)
    return None


def _key(token: str) -> str:
    try:
        key = json.loads(token)
    except json.JSONDecodeError:
        return token[1:-1]
    return key if isinstance(key, str) else token[1:-1]


def _too_deep_problem(stack: list[tuple[bool, str | int | None, str | None]]) -> Problem:
    pointer = join_pointer("", *(current for _, current, _ in stack if current is not None))
    return Problem(
        pointer,
        f"objects and arrays nest more than {MAX_NESTING_DEPTH} levels deep here, the default "
        "limit of Jackson (the JSON parser of AWS's Java services); the definition was not "
        "checked further: flatten this value, or pass it in the execution input",
    )


def _object_from_pairs(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object()
    result.duplicates = []
    for key, value in pairs:
        if key in result:
            result.duplicates.append(key)
        result[key] = value
    return result


def _integer(text: str) -> int | _LongNumber:
    return _LongNumber(text) if len(text) > MAX_NUMBER_LENGTH else int(text)


def _float(text: str) -> float | _LongNumber:
    return _LongNumber(text) if len(text) > MAX_NUMBER_LENGTH else float(text)


def _holds_long_number(value: Any) -> bool:
    if isinstance(value, _LongNumber):
        return True
    if isinstance(value, dict):
        return any(_holds_long_number(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_long_number(item) for item in value)
    return False


def _text_problems(value: Any, pointer: str) -> Iterator[Problem]:
    # Recursion is safe here: the nesting was bounded before parsing.
    if isinstance(value, _LongNumber):
        yield Problem(
            pointer,
            f"this number is {len(value):,} characters long, more than the {MAX_NUMBER_LENGTH:,} "
            "JSON parsers such as Jackson read by default; the definition was not checked "
            "further: write the value as a string",
        )
    elif isinstance(value, str):
        yield from _surrogates(value, pointer, "string")
    elif isinstance(value, dict):
        for key in getattr(value, "duplicates", ()):
            yield Problem(
                join_pointer(pointer, key),
                f'the key "{key}" appears more than once in this object; JSON parsers keep '
                "only one, so remove the duplicate",
            )
        for key, item in value.items():
            item_pointer = join_pointer(pointer, key)
            yield from _surrogates(key, item_pointer, "key")
            yield from _text_problems(item, item_pointer)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _text_problems(item, join_pointer(pointer, index))


def _surrogates(text: str, pointer: str, what: str) -> Iterator[Problem]:
    found = _LONE_SURROGATE.search(text)
    if found:
        code = f"\\u{ord(found.group()):04x}"
        yield Problem(
            pointer,
            f"this {what} holds a lone surrogate ({code}), which is not a Unicode character "
            "and cannot be written as UTF-8: replace it with the character meant (a pair "
            'such as "\\ud83d\\ude00" is one character, and is fine)',
        )
