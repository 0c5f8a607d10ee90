"""Choice rules: JSONPath comparisons with And/Or/Not nesting, or a JSONata ``Condition``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asl_validation.expressions import (
    is_intrinsic,
    path_error,
)
from asl_validation.jsonata_syntax import jsonata_error
from asl_validation.problems import Problem, join_pointer
from asl_validation.walk import JSONATA, StateVisit

_BASE_OPERATORS = {
    "StringEquals": str,
    "StringLessThan": str,
    "StringGreaterThan": str,
    "StringLessThanEquals": str,
    "StringGreaterThanEquals": str,
    "StringMatches": str,
    "NumericEquals": float,
    "NumericLessThan": float,
    "NumericGreaterThan": float,
    "NumericLessThanEquals": float,
    "NumericGreaterThanEquals": float,
    "BooleanEquals": bool,
    "TimestampEquals": str,
    "TimestampLessThan": str,
    "TimestampGreaterThan": str,
    "TimestampLessThanEquals": str,
    "TimestampGreaterThanEquals": str,
}
_TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
COMPARISON_OPERATORS: dict[str, type] = {
    **_BASE_OPERATORS,
    **{f"{name}Path": str for name in _BASE_OPERATORS if name != "StringMatches"},
    **dict.fromkeys(_TYPE_TESTS, bool),
}
_BOOLEAN_OPERATORS = ("And", "Or", "Not")
_TOP_LEVEL_EXTRAS = {"Next", "Comment", "Assign", "Output"}
_TYPE_WORDS = {str: "a string", float: "a number", bool: "true or false"}


def check_choice(visit: StateVisit) -> list[Problem]:
    choices = visit.state.get("Choices")
    if visit.state.get("Type") != "Choice" or not isinstance(choices, list):
        return []
    problems: list[Problem] = []
    for index, rule in enumerate(choices):
        if not isinstance(rule, Mapping):
            continue
        pointer = join_pointer(visit.pointer, "Choices", index)
        if "Next" not in rule:
            problems.append(
                Problem(
                    pointer,
                    f'Choices[{index}] of state "{visit.name}" has no Next; every top-level '
                    "Choice rule names the state to go to",
                )
            )
        if visit.language == JSONATA:
            problems.extend(_jsonata_rule(rule, pointer, visit.name, index))
        else:
            problems.extend(_jsonpath_rule(rule, pointer, top_level=True))
    return problems


def _jsonata_rule(rule: Mapping[str, Any], pointer: str, name: str, index: int) -> list[Problem]:
    problems: list[Problem] = []
    for key in rule:
        if key not in {"Condition", *_TOP_LEVEL_EXTRAS}:
            problems.append(
                Problem(
                    join_pointer(pointer, key),
                    f'Choices[{index}] of JSONata state "{name}" cannot use {key}; a JSONata '
                    'Choice rule tests "Condition": "{% <expression> %}"',
                )
            )
    condition = rule.get("Condition")
    if "Condition" not in rule:
        problems.append(
            Problem(
                pointer,
                f'Choices[{index}] of JSONata state "{name}" has no Condition; add '
                '"Condition": "{% <boolean expression> %}"',
            )
        )
    elif isinstance(condition, str):
        error = jsonata_error(condition)
        if error is not None:
            problems.append(Problem(join_pointer(pointer, "Condition"), error))
    elif not isinstance(condition, bool):
        problems.append(
            Problem(
                join_pointer(pointer, "Condition"),
                'Condition must be a JSONata expression "{% ... %}" or true/false',
            )
        )
    return problems


def _jsonpath_rule(rule: Mapping[str, Any], pointer: str, *, top_level: bool) -> list[Problem]:
    problems: list[Problem] = []
    extras = _TOP_LEVEL_EXTRAS - {"Output"} if top_level else {"Comment"}
    operators = [key for key in rule if key in COMPARISON_OPERATORS]
    booleans = [key for key in rule if key in _BOOLEAN_OPERATORS]
    unknown = [
        key
        for key in rule
        if key not in COMPARISON_OPERATORS
        and key not in _BOOLEAN_OPERATORS
        and key not in extras
        and key != "Variable"
    ]
    for key in unknown:
        where = "a top-level Choice rule" if top_level else "a nested Choice rule"
        fix = (
            "Next belongs only on top-level rules"
            if key == "Next"
            else "use Variable with one comparison operator, or And, Or, Not"
        )
        problems.append(
            Problem(join_pointer(pointer, key), f'"{key}" is not allowed in {where}; {fix}')
        )
    if len(operators) + len(booleans) != 1:
        found = ", ".join(operators + booleans) or "none"
        problems.append(
            Problem(
                pointer,
                "a Choice rule needs exactly one comparison operator (such as StringEquals or "
                f"NumericGreaterThan) or one of And, Or, Not; found {found}",
            )
        )
        return problems
    if booleans:
        if "Variable" in rule:
            problems.append(
                Problem(
                    join_pointer(pointer, "Variable"),
                    f"a rule with {booleans[0]} has no Variable; put Variable in its inner rules",
                )
            )
        problems.extend(_boolean_rule(rule, booleans[0], pointer))
        return problems
    operator = operators[0]
    problems.extend(_variable(rule, pointer))
    problems.extend(_operand(rule, operator, pointer))
    return problems


def _boolean_rule(rule: Mapping[str, Any], operator: str, pointer: str) -> list[Problem]:
    value = rule[operator]
    operand_pointer = join_pointer(pointer, operator)
    if operator == "Not":
        if not isinstance(value, Mapping):
            return [Problem(operand_pointer, "Not takes a single Choice rule object")]
        return _jsonpath_rule(value, operand_pointer, top_level=False)
    if not isinstance(value, list) or not value:
        return [Problem(operand_pointer, f"{operator} takes a non-empty array of Choice rules")]
    problems: list[Problem] = []
    for index, inner in enumerate(value):
        inner_pointer = join_pointer(operand_pointer, index)
        if not isinstance(inner, Mapping):
            problems.append(Problem(inner_pointer, f"{operator}[{index}] must be a Choice rule"))
        else:
            problems.extend(_jsonpath_rule(inner, inner_pointer, top_level=False))
    return problems


def _variable(rule: Mapping[str, Any], pointer: str) -> list[Problem]:
    variable = rule.get("Variable")
    variable_pointer = join_pointer(pointer, "Variable")
    if variable is None:
        return [Problem(pointer, "a comparison needs Variable, the path of the value to test")]
    if not isinstance(variable, str):
        return [Problem(variable_pointer, "Variable must be a path string such as $.status")]
    if is_intrinsic(variable):
        return [
            Problem(
                variable_pointer,
                f"Variable {variable!r} is an intrinsic function; Variable must be a path such "
                "as $.status (compute the value in an earlier state's Parameters)",
            )
        ]
    error = path_error(variable)
    return [Problem(variable_pointer, f"Variable {error}")] if error else []


def _operand(rule: Mapping[str, Any], operator: str, pointer: str) -> list[Problem]:
    value = rule[operator]
    operand_pointer = join_pointer(pointer, operator)
    if operator.endswith("Path") and operator not in _TYPE_TESTS:
        if not isinstance(value, str):
            return [Problem(operand_pointer, f"{operator} must be a path string")]
        error = path_error(value)
        return [Problem(operand_pointer, f"{operator} {error}")] if error else []
    expected = COMPARISON_OPERATORS[operator]
    matches = (
        isinstance(value, (int, float)) and not isinstance(value, bool)
        if expected is float
        else isinstance(value, expected)
    )
    if not matches:
        return [
            Problem(
                operand_pointer,
                f"{operator} compares with {_TYPE_WORDS[expected]}, not {value!r}",
            )
        ]
    return []
