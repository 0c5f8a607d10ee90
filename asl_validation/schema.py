"""Structural validation against ``asl.schema.json`` (JSON Schema Draft 2020-12).

jsonschema's Draft 2020-12 validator is the authority and words the problems: each schema error
becomes a :class:`Problem` that names the field and says what to write instead. Because it takes
about 15 ms on a 30-state machine, a definition is first checked by a fastjsonschema compilation
of the same schema (its keywords mean the same in draft-07), and only a definition that fails
there goes through jsonschema. That compilation costs about 0.2 s, the time of a dozen
jsonschema checks, so a process checks its first definitions (`COMPILE_AFTER`) with jsonschema
alone: a command checking the project's three machines never compiles it. Both validators are
built once, on first use; the schema itself is checked against its metaschema by the tests.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from asl_validation.problems import Problem, join_pointer

SCHEMA_FILE = "asl.schema.json"
# Definitions checked by jsonschema alone before the fast check is compiled (see above).
COMPILE_AFTER = 12
# How many definitions this process has checked (itertools.count: one step is atomic).
_checks = itertools.count()


@cache
def load_schema() -> dict[str, Any]:
    text = resources.files("asl_validation").joinpath(SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema())


@cache
def _fast_check() -> Callable[[Any], Any] | None:
    try:
        import fastjsonschema
    except ImportError:
        return None
    draft07 = {**load_schema(), "$schema": "http://json-schema.org/draft-07/schema#"}
    check: Callable[[Any], Any] = fastjsonschema.compile(draft07)
    return check


def passes_fast_check(definition: Mapping[str, Any]) -> bool:
    """True when the compiled fast validator accepts ``definition`` (False if unavailable)."""
    check = _fast_check()
    if check is None:
        return False
    try:
        check(definition)
    except Exception:  # fastjsonschema.JsonSchemaException, or a type it cannot handle
        return False
    return True


def check_schema(definition: Mapping[str, Any]) -> list[Problem]:
    """Return the structural problems of ``definition``."""
    if next(_checks) >= COMPILE_AFTER and passes_fast_check(definition):
        return []
    problems: list[Problem] = []
    for error in _validator().iter_errors(definition):
        problems.extend(_problems_of(error))
    return sorted(dict.fromkeys(problems), key=lambda problem: problem.pointer)


def _pointer(path: Iterable[Any]) -> str:
    return join_pointer("", *path)


def _describe(path: list[Any]) -> str:
    """Name the thing at ``path`` the way a reader of the definition would."""
    if not path:
        return "the state machine"
    if len(path) >= 2 and path[-2] == "States":
        return f'state "{path[-1]}"'
    name = path[-1]
    if isinstance(name, int):
        field = f"{path[-2]}[{name}]" if len(path) > 1 else f"item {name}"
        owner = _owner_state(path[:-2])
        return f"{field} of {owner}" if owner else field
    owner = _owner_state(path[:-1])
    return f"{name} of {owner}" if owner else str(name)


def _owner_state(path: list[Any]) -> str | None:
    for index in range(len(path) - 1, 0, -1):
        if path[index - 1] == "States" and isinstance(path[index], str):
            return f'state "{path[index]}"'
    return None


def _problems_of(error: ValidationError) -> list[Problem]:
    # For "an integer or a JSONata expression", the branch whose type matched says what is wrong.
    if error.validator == "anyOf" and error.context:
        specific = [sub for sub in error.context if sub.validator != "type"]
        if len(specific) == 1 and specific[0].validator != "pattern":
            return _problems_of(specific[0])
    path = list(error.absolute_path)
    pointer = _pointer(path)
    what = _describe(path)
    validator = error.validator
    instance = error.instance
    if validator == "additionalProperties" and isinstance(instance, Mapping):
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        allowed = set(schema.get("properties", {}))
        extra = sorted(key for key in instance if key not in allowed)
        kind = _state_kind(instance, path)
        return [
            Problem(
                join_pointer(pointer, key),
                f'{kind} does not allow the field "{key}"; remove it or correct its spelling',
            )
            for key in extra
        ]
    if validator == "required":
        missing = _quoted_property(error.message)
        return [
            Problem(
                pointer,
                f'{what} is missing the required field "{missing}"; add it',
                aws_message=f"These fields are required: [{missing}]",
                aws_location=pointer or "/",
            )
        ]
    if validator == "type":
        return [Problem(pointer, f"{what} must be {_type_words(error.validator_value)}")]
    if validator in {"enum", "const"}:
        expected: Any = error.validator_value
        allowed_values = list(expected) if validator == "enum" else [expected]
        choices = ", ".join(json.dumps(value) for value in allowed_values)
        return [Problem(pointer, f"{what} is {json.dumps(instance)}; use one of {choices}")]
    if validator in {"minimum", "maximum"}:
        bound = "at least" if validator == "minimum" else "at most"
        return [
            Problem(pointer, f"{what} is {instance}; it must be {bound} {error.validator_value}")
        ]
    if validator in {"minItems", "minProperties"}:
        return [Problem(pointer, f"{what} is empty; give it at least one entry")]
    if validator == "minLength":
        return [Problem(pointer, f"{what} is an empty string; give it a value")]
    if validator == "maxLength":
        return [
            Problem(
                pointer,
                f"{what} is longer than {error.validator_value} characters; shorten it",
            )
        ]
    if validator == "anyOf":
        return [Problem(pointer, f"{what} has {json.dumps(instance)}, {_any_of_words(error)}")]
    return [Problem(pointer, f"{what}: {error.message}")]


def _state_kind(instance: Mapping[str, Any], path: list[Any]) -> str:
    if len(path) >= 2 and path[-2] == "States":
        state_type = instance.get("Type")
        return f'{state_type} state "{path[-1]}"' if state_type else f'state "{path[-1]}"'
    return _describe(path)


def _quoted_property(message: str) -> str:
    # jsonschema words it as "'Name' is a required property".
    return message.split("'")[1] if message.count("'") >= 2 else message


_TYPE_WORDS = {
    "object": "a JSON object",
    "array": "a JSON array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def _type_words(expected: Any) -> str:
    if isinstance(expected, list):
        return " or ".join(_TYPE_WORDS.get(item, str(item)) for item in expected)
    return _TYPE_WORDS.get(str(expected), str(expected))


def _any_of_words(error: ValidationError) -> str:
    options: list[str] = []
    for sub in error.context or ():
        if sub.validator == "type":
            options.append(_type_words(sub.validator_value))
        elif sub.validator == "pattern":
            options.append('a JSONata expression "{% ... %}"')
        elif sub.validator == "minimum":
            options.append(f"a number of at least {sub.validator_value}")
        elif sub.validator == "maximum":
            options.append(f"a number of at most {sub.validator_value}")
        elif sub.validator == "propertyNames":
            options.append("a CloudFormation intrinsic such as Ref or Fn::GetAtt")
    unique = list(dict.fromkeys(options))
    return "which is not allowed; use " + " or ".join(unique) if unique else "which is not allowed"
