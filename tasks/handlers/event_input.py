"""The handlers' parse edge: an event (or a document a handler reads) is checked here, before any
code reaches into it, and a malformed one is refused with the field it got wrong.

Lambda hands a handler whatever JSON it was invoked with: `null`, a string where an object
belongs (`"state": "ALARM"`), an object where an ARN belongs, or nesting deep enough to exhaust
Python's recursion. Each becomes an `InvalidEventError` naming the field and what it held, never a
TypeError, AttributeError or RecursionError from the middle of the handler.
"""

from __future__ import annotations

from typing import Any, TypeVar

from aws_lambda_powertools.utilities.parser import parse
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

# Deeper than any AWS event or project document (an alarm event nests 7 levels); far below the
# depth at which json or pydantic would exhaust the interpreter's recursion limit.
MAX_DEPTH = 64
_SHOWN = 80  # characters of a refused value echoed back


class InvalidEventError(ValueError):
    """The input is not shaped as the handler needs; the message names the field."""


def type_name(value: Any) -> str:
    names = {type(None): "null", dict: "an object", list: "an array", str: "a string"}
    return names.get(type(value), "a boolean" if isinstance(value, bool) else "a number")


def check_depth(value: Any, what: str) -> None:
    """Refuse `value` when it nests deeper than MAX_DEPTH; iterative, so depth cannot hurt it."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidEventError(
                f"{what} nests deeper than {MAX_DEPTH} levels of objects and arrays; refused "
                "(no AWS event or project document nests so deep)"
            )
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def require_object(value: Any, what: str = "event") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidEventError(f"{what} must be a JSON object, got {type_name(value)}")
    check_depth(value, what)
    return value


def parse_event(event: Any, model: type[M], what: str = "event") -> M:
    """`event` as `model` (a Powertools parser model); the first wrong field is named."""
    require_object(event, what)
    try:
        return parse(event=event, model=model)
    except ValidationError as exc:
        raise InvalidEventError(_first_error(exc, what)) from None
    except RecursionError:  # check_depth bounds nesting; a model's own recursion still ends here
        raise InvalidEventError(f"{what} nests too deeply to read; refused") from None


def _first_error(exc: ValidationError, what: str) -> str:
    errors = exc.errors(include_url=False)
    error = errors[0]
    where = ".".join(str(part) for part in (what, *error["loc"]))
    got = error.get("input")
    shown = repr(got) if len(repr(got)) <= _SHOWN else repr(got)[: _SHOWN - 3] + "..."
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    if error["type"] == "missing":
        return f"{where} is missing{more}"
    return f"{where}: {error['msg']}, got {type_name(got)} {shown}{more}"
