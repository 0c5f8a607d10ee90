"""What a task argument is known to be before an execution runs.

IAM resources are scoped by names, and the project's names are JSONata concatenations such as
``'churn-dev-train-' & $runId & '-' & $string(...)``: the literal text up to the first
run-time part is a prefix every value shares. Variables are followed through every ``Assign``
in the definition; a conditional contributes both branches. What stays unknown is reported with
its origin (execution input, a task result, the context object), so the caller decides how to
scope it instead of falling back to ``*`` silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from asl_validation.walk import JSONATA, iter_states

Origin = Literal["literal", "input", "result", "context", "unknown"]
MAX_CANDIDATES = 32
_VARIABLE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")
_STRING = re.compile(r"""^(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")$""", re.DOTALL)
_OPEN, _CLOSE = "([{", ")]}"


@dataclass(frozen=True)
class Known:
    """One possible value: ``prefix`` is certain; ``exact`` says nothing follows it.

    ``origin`` names where the first unknown part comes from (``literal`` when exact).
    """

    prefix: str
    exact: bool
    origin: Origin


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


class Assignments:
    """Every value assigned to each variable anywhere in one definition."""

    def __init__(self, definition: Mapping[str, Any]) -> None:
        self._values: dict[str, list[tuple[Any, str]]] = {}
        for visit in iter_states(definition):
            self._collect(visit.state.get("Assign"), visit.language)
            for catcher in visit.state.get("Catch") or []:
                if isinstance(catcher, Mapping):
                    self._collect(catcher.get("Assign"), visit.language)

    def _collect(self, assign: Any, language: str) -> None:
        if isinstance(assign, Mapping):
            for name, value in assign.items():
                self._values.setdefault(str(name), []).append((value, language))

    def of(self, name: str) -> list[tuple[Any, str]]:
        return self._values.get(name, [])


def resolve(value: Any, language: str, scope: Assignments, *, path: bool = False) -> list[Known]:
    """Possible values of one argument. ``path``: the value came from a ``Key.$`` field."""
    return _dedupe(_resolve(value, language, scope, path, frozenset()))


def _resolve(
    value: Any, language: str, scope: Assignments, path: bool, seen: frozenset[str]
) -> Iterator[Known]:
    if path:
        yield from _json_path(str(value), scope, seen)
    elif is_expression(value) and language == JSONATA:
        yield from _expression(str(value)[2:-2].strip(), scope, seen)
    elif isinstance(value, str):
        yield Known(value, True, "literal")
    else:
        yield Known("", False, "unknown")


def _json_path(text: str, scope: Assignments, seen: frozenset[str]) -> Iterator[Known]:
    if text.startswith("$$"):
        yield Known("", False, "context")
    elif text == "$" or text.startswith(("$.", "$[")):
        yield Known("", False, "input")
    elif (match := _VARIABLE.match(text)) is not None:
        yield from _variable(match.group(1), scope, seen)
    else:
        yield Known("", False, "unknown")


def _expression(text: str, scope: Assignments, seen: frozenset[str]) -> list[Known]:
    text = _unwrap(text)
    branches = _conditional(text)
    if branches is not None:
        return [*_expression(branches[0], scope, seen), *_expression(branches[1], scope, seen)]
    candidates = [Known("", True, "literal")]
    for term in _split(text, "&"):
        options = _term(term.strip(), scope, seen)
        joined: list[Known] = []
        for known in candidates:
            if not known.exact:
                joined.append(known)
                continue
            joined += [Known(known.prefix + o.prefix, o.exact, o.origin) for o in options]
        candidates = _dedupe(joined)[:MAX_CANDIDATES]
    return candidates


def _term(term: str, scope: Assignments, seen: frozenset[str]) -> list[Known]:
    literal = _STRING.match(term)
    if literal is not None:
        raw = literal.group(1) if literal.group(1) is not None else literal.group(2)
        return [Known(re.sub(r"\\(.)", r"\1", raw), True, "literal")]
    if term.startswith("(") and term.endswith(")") and _balanced(term[1:-1]):
        return _expression(term[1:-1], scope, seen)
    variable = _VARIABLE.match(term)
    if variable is not None and variable.group(1) != "states":
        return list(_variable(variable.group(1), scope, seen))
    origins: tuple[Origin, ...] = ("input", "result", "context")
    for origin in origins:
        if term.startswith(f"$states.{origin}"):
            return [Known("", False, origin)]
    return [Known("", False, "unknown")]


def _variable(name: str, scope: Assignments, seen: frozenset[str]) -> Iterator[Known]:
    assigned = scope.of(name)
    if name in seen or not assigned:
        yield Known("", False, "unknown")
        return
    for value, language in assigned:
        yield from _resolve(value, language, scope, False, seen | {name})


def _dedupe(values: Iterator[Known] | list[Known]) -> list[Known]:
    return list(dict.fromkeys(values))


def _scan(text: str) -> Iterator[tuple[int, str, int]]:
    """(index, character, bracket depth) outside string literals."""
    depth, quote, escaped = 0, "", False
    for index, char in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
            continue
        if char in "'\"":
            quote = char
        elif char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        yield index, char, depth


def _balanced(text: str) -> bool:
    return all(depth >= 0 for _, _, depth in _scan(text))


def _unwrap(text: str) -> str:
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _split(text: str, operator: str) -> list[str]:
    parts, start = [], 0
    for index, char, depth in _scan(text):
        if char == operator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    return [*parts, text[start:]]


def _conditional(text: str) -> tuple[str, str] | None:
    """The two possible values of a top-level ``condition ? a : b``, of ``a ?: b`` (a unless
    falsy) and of ``a ?? b`` (a unless undefined); None when there is none."""
    question = next((i for i, c, d in _scan(text) if c == "?" and d == 0), None)
    if question is None:
        return None
    if text[question + 1 : question + 2] in ("?", ":"):
        return text[:question].strip(), text[question + 2 :].strip()
    rest = text[question + 1 :]
    colon = next((i for i, c, d in _scan(rest) if c == ":" and d == 0), None)
    if colon is None:
        return (rest.strip(), "")
    return rest[:colon].strip(), rest[colon + 1 :].strip()


def argument(body: Any, *path: str) -> list[tuple[Any, bool]]:
    """Values at ``path`` in a request body; ``*`` walks a list. The flag marks ``Key.$`` paths.

    JSONPath ``Parameters`` name dynamic fields ``Key.$``; both spellings are looked up.
    """
    found: list[tuple[Any, bool]] = [(body, False)]
    for step in path:
        following: list[tuple[Any, bool]] = []
        for node, _ in found:
            if step == "*":
                following += [(item, False) for item in node] if isinstance(node, list) else []
            elif isinstance(node, Mapping):
                if step in node:
                    following.append((node[step], False))
                elif f"{step}.$" in node:
                    following.append((node[f"{step}.$"], True))
        found = following
    return found
