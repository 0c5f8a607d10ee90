"""Syntax of the three expression languages found in ASL strings.

* JSONata, written ``"{% <expression> %}"`` in JSONata states: ``asl_validation.jsonata_syntax``.
* JSONPath paths (``$.a.b``, ``$$.Execution.Id``, ``$variable.field``) in JSONPath states; a
  Reference Path is the restricted form that names a single node (no ``..``, ``*``, filters).
* Intrinsic functions (``States.Format('{}', $.x)``), JSONPath states only.

Each check returns ``None`` when the text is valid, otherwise a sentence saying what is wrong.
Parse results are cached by expression text, because generated machines repeat expressions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

# AWS's intrinsic functions with (minimum, maximum) argument counts; None means unbounded.
INTRINSIC_ARITY: dict[str, tuple[int, int | None]] = {
    "Format": (1, None),
    "StringToJson": (1, 1),
    "JsonToString": (1, 1),
    "Array": (0, None),
    "ArrayPartition": (2, 2),
    "ArrayContains": (2, 2),
    "ArrayRange": (3, 3),
    "ArrayGetItem": (2, 2),
    "ArrayLength": (1, 1),
    "ArrayUnique": (1, 1),
    "Base64Encode": (1, 1),
    "Base64Decode": (1, 1),
    "Hash": (2, 2),
    "JsonMerge": (3, 3),
    "MathRandom": (2, 3),
    "MathAdd": (2, 2),
    "StringSplit": (2, 2),
    "UUID": (0, 0),
}
# The characters AWS lets a backslash escape inside an intrinsic function's 'string' argument;
# any other escape (such as \") makes CreateStateMachine reject the definition.
_ESCAPABLE = frozenset({"'", "{", "}", "\\"})
# Functions whose arguments are numbers: a string literal there is always an error.
_NUMERIC_ARGUMENTS = {"MathAdd", "MathRandom", "ArrayRange"}


# --- JSONPath -------------------------------------------------------------------------------

_ROOT = re.compile(r"\$\$|\$[A-Za-z_][A-Za-z0-9_]*|\$")
_NAME = re.compile(r"[^.\[\]\s()'\",]+")
_INDEX_OR_NAME = re.compile(r"\s*(?:-?\d+|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\s*")


@dataclass(frozen=True)
class _PathShape:
    error: str | None
    is_reference: bool  # names exactly one node: no descent, wildcards, filters or slices
    root: str = "$"  # "$" (state input), "$$" (context object) or "$name" (a variable)


@lru_cache(maxsize=4096)
def _parse_path(text: str) -> _PathShape:
    root = _ROOT.match(text)
    if not text.startswith("$") or root is None:
        return _PathShape(
            f"{text!r} is not a JSONPath; a path starts with $ (input), $$ (context object) "
            "or $name (a variable)",
            False,
        )
    position, reference = root.end(), True
    while position < len(text):
        char = text[position]
        if text.startswith("..", position):
            reference = False
            position += 2
            if position < len(text) and text[position] == "[":
                continue
            name = _NAME.match(text, position) or re.compile(r"\*").match(text, position)
            if name is None:
                return _PathShape(f"{text!r} has '..' without a field name after it", False)
            position = name.end()
        elif char == ".":
            position += 1
            if text.startswith("*", position):
                reference, position = False, position + 1
                continue
            name = _NAME.match(text, position)
            if name is None:
                return _PathShape(
                    f"{text!r} has '.' at character {position} without a field name after it",
                    False,
                )
            position = name.end()
        elif char == "[":
            end = _closing_bracket(text, position)
            if end is None:
                return _PathShape(f"{text!r} has a '[' that is never closed", False)
            content = text[position + 1 : end]
            if not content.strip():
                return _PathShape(f"{text!r} has an empty [] at character {position}", False)
            if not _INDEX_OR_NAME.fullmatch(content):
                reference = False
            position = end + 1
        else:
            return _PathShape(
                f"{text!r} has an unexpected {char!r} at character {position}; join field "
                "names with '.' or '[...]'",
                False,
            )
    return _PathShape(None, reference, root.group())


def _outside_quotes(text: str, start: int) -> Iterator[tuple[int, str]]:
    """(index, character) of every character from ``start`` that is not inside a quoted string."""
    quote, index = "", start
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        else:
            yield index, char
        index += 1


def _closing_bracket(text: str, start: int) -> int | None:
    depth = 0
    for index, char in _outside_quotes(text, start):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
            if depth == 0:
                return index if char == "]" else None
            if depth < 0:
                return None
    return None


def path_error(text: str) -> str | None:
    """Check a Path (InputPath, OutputPath, a ``.$`` value, a ``*Path`` field)."""
    return _parse_path(text).error


def reference_path_error(text: str) -> str | None:
    """Check a Reference Path (ResultPath, ItemsPath, a Choice rule's Variable)."""
    shape = _parse_path(text)
    if shape.error is not None:
        return shape.error
    if not shape.is_reference:
        return (
            f"{text!r} is not a Reference Path: it may only name a single node, so use no "
            "'..', '*', filters, slices or unions"
        )
    return None


def result_path_error(text: str) -> str | None:
    """Check a ResultPath: a Reference Path into the state input, never a variable or ``$$``.

    ResultPath says where in the state input the result is placed (AWS developer guide,
    "Specifying state output using ResultPath"), so it can only start at ``$``: a variable is
    written with Assign, and the context object is read-only.
    """
    error = reference_path_error(text)
    if error is not None:
        return error
    root = _parse_path(text).root
    if root == "$$":
        return (
            f"{text!r} points into the context object, which is read-only; ResultPath places "
            "the result in the state input, so write $ or a path starting with $."
        )
    if root != "$":
        return (
            f"{text!r} names the variable {root}; ResultPath places the result in the state "
            "input, so write $ or a path starting with $. (to keep the result in a variable, "
            f'use "Assign": {{"{root[1:]}.$": "$"}} instead)'
        )
    return None


# The intrinsic functions AWS accepts in a Fail state's ErrorPath and CausePath (those that
# return a string, listed in the developer guide's "Fail workflow state").
_STRING_INTRINSICS = "Format JsonToString ArrayGetItem Base64Encode Base64Decode Hash UUID"
FAIL_PATH_INTRINSICS = tuple(_STRING_INTRINSICS.split())
_OUTER_FUNCTION = re.compile(r"States\.([A-Za-z0-9]+)\(")


def fail_path_error(text: str) -> str | None:
    """Check a Fail state's ErrorPath or CausePath: a Reference Path or a string intrinsic."""
    if not is_intrinsic(text):
        return reference_path_error(text)
    error = intrinsic_error(text)
    if error is not None:
        return error
    outer = _OUTER_FUNCTION.match(text)
    if outer is not None and outer.group(1) not in FAIL_PATH_INTRINSICS:
        allowed = ", ".join(f"States.{name}" for name in FAIL_PATH_INTRINSICS)
        return (
            f"{text!r} calls States.{outer.group(1)}, which does not return a string; use a "
            f"reference path or one of {allowed}"
        )
    return None


# --- intrinsic functions --------------------------------------------------------------------


def is_intrinsic(text: str) -> bool:
    return text.startswith("States.")


class _IntrinsicSyntaxError(Exception):
    pass


@dataclass
class _Argument:
    kind: str  # "string" | "number" | "literal" | "path" | "call"


class _IntrinsicParser:
    """Recursive descent over ``States.Name(arg, ...)``."""

    _NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
    _FUNCTION = re.compile(r"States\.([A-Za-z0-9]+)\(")
    _LITERAL = re.compile(r"(?:null|true|false)\b")
    _PATH_CHARS = re.compile(r"[^,()\s]+")

    def __init__(self, text: str) -> None:
        self.text, self.position = text, 0

    def parse(self) -> None:
        self._call()
        self._skip_spaces()
        if self.position != len(self.text):
            raise _IntrinsicSyntaxError(
                f"unexpected text {self.text[self.position :]!r} after the closing parenthesis"
            )

    def _skip_spaces(self) -> None:
        while self.position < len(self.text) and self.text[self.position] == " ":
            self.position += 1

    def _call(self) -> _Argument:
        match = self._FUNCTION.match(self.text, self.position)
        if match is None:
            raise _IntrinsicSyntaxError(f"expected States.<Function>( at character {self.position}")
        name = match.group(1)
        if name not in INTRINSIC_ARITY:
            known = ", ".join(f"States.{known}" for known in INTRINSIC_ARITY)
            raise _IntrinsicSyntaxError(f"States.{name} is not an intrinsic function; use {known}")
        self.position = match.end()
        arguments: list[_Argument] = []
        self._skip_spaces()
        if self.text.startswith(")", self.position):
            self.position += 1
        else:
            while True:
                self._skip_spaces()
                arguments.append(self._argument())
                self._skip_spaces()
                if self.text.startswith(",", self.position):
                    self.position += 1
                    continue
                if self.text.startswith(")", self.position):
                    self.position += 1
                    break
                raise _IntrinsicSyntaxError(
                    f"States.{name} needs ',' or ')' at character {self.position}"
                )
        self._check_arguments(name, arguments)
        return _Argument("call")

    def _check_arguments(self, name: str, arguments: list[_Argument]) -> None:
        low, high = INTRINSIC_ARITY[name]
        if len(arguments) < low or (high is not None and len(arguments) > high):
            expected = str(low) if low == high else f"{low} to {high}" if high else f"{low}+"
            raise _IntrinsicSyntaxError(
                f"States.{name} takes {expected} argument(s), not {len(arguments)}"
            )
        if name in _NUMERIC_ARGUMENTS:
            for index, argument in enumerate(arguments):
                if argument.kind not in {"number", "path", "call"}:
                    raise _IntrinsicSyntaxError(
                        f"argument {index + 1} of States.{name} is a {argument.kind}; its "
                        "arguments must be numbers or paths"
                    )
        if name == "Format" and arguments[0].kind not in {"string", "path", "call"}:
            raise _IntrinsicSyntaxError(
                "the first argument of States.Format must be the template string"
            )

    def _argument(self) -> _Argument:
        text, position = self.text, self.position
        if text.startswith("'", position):
            index = position + 1
            while index < len(text):
                if text[index] == "\\":
                    escaped = text[index + 1 : index + 2]
                    if escaped not in _ESCAPABLE:
                        raise _IntrinsicSyntaxError(
                            f"the string starting at character {position} escapes "
                            f"{escaped!r}; inside an intrinsic function's string only ', {{, }} "
                            "and \\ may follow a backslash (write a double quote unescaped)"
                        )
                    index += 2
                    continue
                if text[index] == "'":
                    self.position = index + 1
                    return _Argument("string")
                index += 1
            raise _IntrinsicSyntaxError(f"string starting at character {position} is not closed")
        if text.startswith("States.", position):
            return self._call()
        if text.startswith("$", position):
            end = self._path_end(position)
            error = path_error(text[position:end])
            if error is not None:
                raise _IntrinsicSyntaxError(error)
            self.position = end
            return _Argument("path")
        for kind, pattern in (("number", self._NUMBER), ("literal", self._LITERAL)):
            match = pattern.match(text, position)
            if match is not None:
                self.position = match.end()
                return _Argument(kind)
        raise _IntrinsicSyntaxError(
            f"unexpected {text[position : position + 10]!r} at character {position}; an "
            "argument is a 'string', a number, null, true, false, a path or another function"
        )

    def _path_end(self, start: int) -> int:
        # A path ends at the ',' or ')' that is outside its brackets and quotes.
        depth = 0
        for index, char in _outside_quotes(self.text, start):
            if char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    return index
                depth -= 1
            elif char == "," and depth == 0:
                return index
        return len(self.text)


@lru_cache(maxsize=4096)
def intrinsic_error(text: str) -> str | None:
    """Check an intrinsic function call such as ``States.Format('{}', $.name)``."""
    try:
        _IntrinsicParser(text).parse()
    except _IntrinsicSyntaxError as error:
        return f"invalid intrinsic function {text!r}: {error}"
    return None


def path_or_intrinsic_error(text: str) -> str | None:
    """Check a value that may be a Path or an intrinsic function (a ``.$`` value, ErrorPath)."""
    return intrinsic_error(text) if is_intrinsic(text) else path_error(text)
