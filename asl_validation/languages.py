"""Rules that depend on a state's query language (JSONPath or JSONata).

JSONata states use ``Arguments`` and ``Output`` (plus ``Assign``) and write expressions as
``"{% ... %}"``; they have none of the JSONPath fields (InputPath, Parameters, ResultSelector,
ResultPath, OutputPath, ``*Path`` fields, ``.$`` keys). JSONPath states have none of the JSONata
fields (Arguments, Output, Items, Condition). A machine whose top level is JSONPath may convert
single states to JSONata, and a state inside such a JSONata state back to JSONPath (AWS accepts
both); a machine whose top level is JSONata may not contain JSONPath states.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from asl_validation.expressions import (
    fail_path_error,
    path_error,
    path_or_intrinsic_error,
    reference_path_error,
    result_path_error,
)
from asl_validation.jsonata_syntax import jsonata_error, looks_like_jsonata
from asl_validation.problems import Problem, join_pointer
from asl_validation.walk import JSONATA, JSONPATH, StateVisit

JSONPATH_ONLY_FIELDS = (
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "Result",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "ErrorPath",
    "CausePath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
)
JSONATA_ONLY_FIELDS = ("Arguments", "Output", "Items")
_JSONATA_REPLACEMENT = {
    "Parameters": "Arguments",
    "ResultSelector": "Output",
    "OutputPath": "Output",
    "InputPath": "$states.input inside Arguments",
    "ResultPath": "Assign or Output",
    "Result": "Output",
    "ItemsPath": "Items",
}
_JSONPATH_REPLACEMENT = {"Arguments": "Parameters", "Output": "OutputPath", "Items": "ItemsPath"}

# Fields whose values may hold JSONata expressions in a JSONata state.
_JSONATA_VALUE_FIELDS = (
    "Arguments",
    "Output",
    "Assign",
    "Items",
    "ItemSelector",
    "Credentials",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "Seconds",
    "Timestamp",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
    "Error",
    "Cause",
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
)
# Payload templates of JSONPath states: keys ending in ".$" take a path or intrinsic function.
_PAYLOAD_TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector", "Credentials", "Assign")
_NESTED_PAYLOAD_TEMPLATES = (("ItemReader", "Parameters"), ("ResultWriter", "Parameters"))
_PATH_FIELDS = (
    "InputPath",
    "OutputPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
)
_REFERENCE_PATH_FIELDS = ("ItemsPath",)
_FAIL_PATH_FIELDS = ("ErrorPath", "CausePath")
# Numeric fields that a JSONata state may give as an expression and a JSONPath state may not.
_EXPRESSION_NUMBERS = (
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "Seconds",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
)
_SUB_OBJECT_PATHS = {
    "ItemBatcher": ("MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"),
    "ItemReader": (),
}


def check_languages(visit: StateVisit) -> list[Problem]:
    problems: list[Problem] = []
    state, pointer = visit.state, visit.pointer
    if visit.machine == JSONATA and state.get("QueryLanguage") == JSONPATH:
        problems.append(
            Problem(
                join_pointer(pointer, "QueryLanguage"),
                f'state "{visit.name}" sets QueryLanguage "JSONPath" inside a JSONata scope; AWS '
                "lets JSONPath machines convert single states to JSONata but not the reverse, so "
                'write this state in JSONata or set the top-level QueryLanguage to "JSONPath"',
                aws_message="'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole "
                "state machine",
                aws_location=join_pointer(pointer, "QueryLanguage"),
            )
        )
    if visit.language == JSONATA:
        problems.extend(_jsonata_state(visit))
    else:
        problems.extend(_jsonpath_state(visit))
    return problems


def _jsonata_state(visit: StateVisit) -> list[Problem]:
    problems: list[Problem] = []
    state, pointer, name = visit.state, visit.pointer, visit.name
    for key in JSONPATH_ONLY_FIELDS:
        if key in state:
            instead = _JSONATA_REPLACEMENT.get(key, "a JSONata expression in the matching field")
            problems.append(
                Problem(
                    join_pointer(pointer, key),
                    f'state "{name}" uses QueryLanguage JSONata, which has no {key}; use '
                    f"{instead} instead",
                )
            )
    for sub, keys in (
        ("ItemReader", ("Parameters",)),
        ("ResultWriter", ("Parameters",)),
        ("ItemBatcher", ("MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath")),
    ):
        holder = state.get(sub)
        if isinstance(holder, Mapping):
            for key in keys:
                if key in holder:
                    problems.append(
                        _jsonpath_field_in_jsonata(visit, join_pointer(pointer, sub), key)
                    )
    reader = state.get("ItemReader")
    config = reader.get("ReaderConfig") if isinstance(reader, Mapping) else None
    if isinstance(config, Mapping) and "MaxItemsPath" in config:
        config_pointer = join_pointer(pointer, "ItemReader", "ReaderConfig")
        problems.append(_jsonpath_field_in_jsonata(visit, config_pointer, "MaxItemsPath"))
    for index, catcher in _catchers(state):
        if "ResultPath" in catcher:
            catch_pointer = join_pointer(pointer, "Catch", index)
            problems.append(_jsonpath_field_in_jsonata(visit, catch_pointer, "ResultPath"))
        for key in ("Output", "Assign"):
            if key in catcher:
                problems.extend(
                    _jsonata_values(catcher[key], join_pointer(pointer, "Catch", index, key))
                )
    for key in _JSONATA_VALUE_FIELDS:
        if key in state:
            problems.extend(_jsonata_values(state[key], join_pointer(pointer, key)))
    return problems


def _jsonpath_field_in_jsonata(visit: StateVisit, holder: str, key: str) -> Problem:
    return Problem(
        join_pointer(holder, key),
        f'state "{visit.name}" uses QueryLanguage JSONata, which has no {key}; give the value '
        'as a JSONata expression "{% ... %}" in the matching field instead',
    )


def _catchers(state: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    catchers = state.get("Catch")
    if isinstance(catchers, list):
        for index, catcher in enumerate(catchers):
            if isinstance(catcher, Mapping):
                yield index, catcher


def _jsonata_values(value: Any, pointer: str) -> list[Problem]:
    """Check every string that looks like a JSONata expression, and forbid ``.$`` keys."""
    problems: list[Problem] = []
    if isinstance(value, str):
        if looks_like_jsonata(value):
            error = jsonata_error(value)
            if error is not None:
                problems.append(Problem(pointer, error))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            item_pointer = join_pointer(pointer, key)
            if isinstance(key, str) and key.endswith(".$"):
                problems.append(
                    Problem(
                        item_pointer,
                        f'key "{key}" ends in ".$", which JSONata states do not use; name the '
                        f'key "{key[:-2]}" and give its value as "{{% <expression> %}}"',
                    )
                )
            problems.extend(_jsonata_values(item, item_pointer))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems.extend(_jsonata_values(item, join_pointer(pointer, index)))
    return problems


def _jsonpath_state(visit: StateVisit) -> list[Problem]:
    problems: list[Problem] = []
    state, pointer, name = visit.state, visit.pointer, visit.name
    for key in JSONATA_ONLY_FIELDS:
        if key in state:
            problems.append(
                Problem(
                    join_pointer(pointer, key),
                    f'state "{name}" uses QueryLanguage JSONPath, which has no {key}; use '
                    f'{_JSONPATH_REPLACEMENT[key]}, or set "QueryLanguage": "JSONata" on the state',
                )
            )
    for key in _EXPRESSION_NUMBERS:
        value = state.get(key)
        if isinstance(value, str):
            problems.append(
                Problem(
                    join_pointer(pointer, key),
                    f'state "{name}" gives {key} as a string, which only JSONata states may do; '
                    f"write a number, or use {key}Path with a path",
                )
            )
    for key in _PATH_FIELDS:
        problems.extend(_path_value(state, key, pointer, path_error))
    for key in _REFERENCE_PATH_FIELDS:
        problems.extend(_path_value(state, key, pointer, reference_path_error))
    problems.extend(_path_value(state, "ResultPath", pointer, result_path_error))
    for key in _FAIL_PATH_FIELDS:
        problems.extend(_path_value(state, key, pointer, fail_path_error))
    for sub, keys in _SUB_OBJECT_PATHS.items():
        holder = state.get(sub)
        if isinstance(holder, Mapping):
            for key in keys:
                problems.extend(_path_value(holder, key, join_pointer(pointer, sub), path_error))
    reader = state.get("ItemReader")
    config = reader.get("ReaderConfig") if isinstance(reader, Mapping) else None
    if isinstance(config, Mapping):
        config_pointer = join_pointer(pointer, "ItemReader", "ReaderConfig")
        problems.extend(_path_value(config, "MaxItemsPath", config_pointer, path_error))
    for key in _PAYLOAD_TEMPLATE_FIELDS:
        if key in state:
            problems.extend(payload_template_problems(state[key], join_pointer(pointer, key)))
    for sub, key in _NESTED_PAYLOAD_TEMPLATES:
        holder = state.get(sub)
        if isinstance(holder, Mapping) and key in holder:
            problems.extend(payload_template_problems(holder[key], join_pointer(pointer, sub, key)))
    for index, catcher in _catchers(state):
        catch_pointer = join_pointer(pointer, "Catch", index)
        if "Output" in catcher:
            problems.append(
                Problem(
                    join_pointer(catch_pointer, "Output"),
                    f'a Catch of JSONPath state "{name}" cannot have Output; use ResultPath',
                )
            )
        problems.extend(_path_value(catcher, "ResultPath", catch_pointer, result_path_error))
        if "Assign" in catcher:
            problems.extend(
                payload_template_problems(catcher["Assign"], join_pointer(catch_pointer, "Assign"))
            )
    return problems


def _path_value(holder: Mapping[str, Any], key: str, pointer: str, check: Any) -> list[Problem]:
    value = holder.get(key)
    if not isinstance(value, str):
        return []  # absent, null where allowed, or a type error the schema reports
    error = check(value)
    return [Problem(join_pointer(pointer, key), f"{key} {error}")] if error else []


def payload_template_problems(value: Any, pointer: str) -> list[Problem]:
    """Check a JSONPath payload template: ``.$`` values and keys that collide once ``.$`` goes."""
    problems: list[Problem] = []
    if isinstance(value, Mapping):
        seen: dict[str, str] = {}
        for key, item in value.items():
            item_pointer = join_pointer(pointer, key)
            if not isinstance(key, str):
                continue
            bare = key[:-2] if key.endswith(".$") else key
            if bare in seen:
                problems.append(
                    Problem(
                        item_pointer,
                        f'field "{key}" and field "{seen[bare]}" both produce "{bare}" once ".$" '
                        "is removed; keep only one of them",
                    )
                )
            else:
                seen[bare] = key
            if key.endswith(".$"):
                if not isinstance(item, str):
                    problems.append(
                        Problem(
                            item_pointer,
                            f'"{key}" ends in ".$", so its value must be a path or an intrinsic '
                            "function string",
                            aws_message=_dollar_key_words(key),
                            aws_location=pointer,
                        )
                    )
                    continue
                error = path_or_intrinsic_error(item)
                if error is not None:
                    problems.append(
                        Problem(
                            item_pointer,
                            f'"{key}": {error}',
                            aws_message=_dollar_key_words(key),
                            aws_location=pointer,
                        )
                    )
            else:
                problems.extend(payload_template_problems(item, item_pointer))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems.extend(payload_template_problems(item, join_pointer(pointer, index)))
    return problems


def _dollar_key_words(key: str) -> str:
    # AWS reports a bad ".$" value at the object holding the key, naming the key.
    return (
        f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic "
        "function call"
    )
