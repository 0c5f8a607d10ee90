"""Validation and compilation of an event pattern into a matcher tree.

Checks run in document order and stop at the first problem, with the reason text EventBridge
returns for it, so a pattern accepted here is one the service accepts.
"""

from __future__ import annotations

import json
from typing import Any

from event_rules.pattern_errors import reject
from event_rules.pattern_tree import (
    Condition,
    LeafNode,
    ObjectNode,
    leaf_matcher,
    object_node,
)
from event_rules.pattern_values import (
    LeafTest,
    cidr_test,
    comparable_operand,
    equals_ignore_case_test,
    exact_test,
    is_number,
    numeric_test,
    prefix_test,
    string_test,
    suffix_test,
)
from event_rules.pattern_wildcard import Token, check_complexity, parse_wildcard, wildcard_matcher

Path = tuple[str, ...]
OR = "$or"
# Field names the service keeps for operators; they cannot name fields inside `$or`.
RESERVED_IN_OR = frozenset(
    [
        "exactly",
        "equals-ignore-case",
        "prefix",
        "suffix",
        "anything-but",
        "exists",
        "wildcard",
        "numeric",
        "cidr",
        "=",
        "<",
        "<=",
        ">",
        ">=",
        "regex",
        "not-wildcard",
        "not-equals-ignore-case",
        "date-after",
        "date-on-or-after",
        "date-before",
        "date-on-or-before",
        "in-date-range",
        "ip-address-in-range",
        "ip-address-not-in-range",
    ]
)
ONLY_ONE_KEY = "Only one key allowed in match expression"
TOO_MANY = "Too many elements in numeric expression"
ANYTHING_BUT_VALUE = "Value of anything-but must be an array or single string/number value."
NUMERIC_OPERATORS = ("=", ">", ">=", "<", "<=")
# Compiling and matching recurse once or twice per level of fields (a dotted key's parts and
# `$or` branches count too);
# EventBridge documents no depth limit, and its 4,096-character pattern limit allows about 800
# levels, past Python's stack. 100 levels is far beyond any real pattern.
MAX_PATTERN_DEPTH = 100


def too_deep_reason(where: str) -> str:
    if len(where) > 200:
        where = where[:200] + "..."
    return (
        f"the pattern nests more than {MAX_PATTERN_DEPTH} levels deep (fields, parts of dotted "
        f"keys and $or branches) at {where or 'its top level'}; "
        f"this tool checks patterns up to {MAX_PATTERN_DEPTH} levels (a bound of its own: "
        "EventBridge documents none)"
    )


def token_text(value: Any) -> str:
    """How the service's JSON parser prints a token in messages."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "["
    if isinstance(value, dict):
        return "{"
    return json.dumps(value)


class _Compiler:
    def __init__(self) -> None:
        # Complexity is judged once the whole pattern is known to be well formed.
        self.wildcards: list[tuple[Token, ...]] = []
        self.depth = 0

    def object(self, pattern: dict[str, Any], path: Path, in_or: bool) -> ObjectNode:
        self.depth += 1
        try:
            return self._object(pattern, path, in_or)
        finally:
            self.depth -= 1

    def _object(self, pattern: dict[str, Any], path: Path, in_or: bool) -> ObjectNode:
        if self.depth > MAX_PATTERN_DEPTH:
            reject(too_deep_reason(".".join(path)))
        fields: list[tuple[str, LeafNode | ObjectNode]] = []
        alternatives: list[tuple[ObjectNode, ...]] = []
        for key, value in pattern.items():
            if key == OR:
                alternatives.append(self.alternatives(value, path))
                continue
            if in_or and key in RESERVED_IN_OR:
                reject(f"{key} is Ruler reserved fieldName which cannot be used inside {OR}.")
            # The service joins keys with "." into one path, so a dotted key is a nested one.
            steps = key.split(".")
            if len(path) + len(steps) > MAX_PATTERN_DEPTH:
                reject(too_deep_reason(".".join((*path, *steps))))
            node: LeafNode | ObjectNode
            if isinstance(value, dict):
                node = self.object(value, (*path, *steps), in_or)
            elif isinstance(value, list):
                node = self.leaf(value, (*path, *steps))
            else:
                reject(f'"{key}" must be an object or an array')
            for depth in range(len(steps) - 1, 0, -1):
                node = object_node((*path, *steps[:depth]), [(steps[depth], node)], ())
            fields.append((steps[0], node))
        if not pattern:
            reject("Empty objects are not allowed")
        return object_node(path, fields, tuple(alternatives))

    def alternatives(self, value: Any, path: Path) -> tuple[ObjectNode, ...]:
        if not isinstance(value, list):
            reject(f"It must be an Array followed with {OR}.")
        branches: list[ObjectNode] = []
        for branch in value:
            if not isinstance(branch, dict):
                reject(f"Only JSON object is allowed in array of {OR} relationship.")
            branches.append(self.object(branch, path, True))
        if len(branches) < 2:
            reject(f"There must have at least 2 Objects in {OR} relationship.")
        return tuple(branches)

    def leaf(self, values: list[Any], path: Path) -> LeafNode:
        conditions: list[Condition] = []
        exact: list[Any] = []
        for value in values:
            if isinstance(value, dict):
                conditions.append(self.expression(value))
            elif isinstance(value, list):
                reject("Match value must be String, number, true, false, or null")
            else:
                exact.append(value)
        if not values:
            reject("Empty arrays are not allowed")
        if exact:
            conditions.insert(0, Condition("equals", tuple(exact), exact_test(exact)))
        condition_tuple = tuple(conditions)
        return LeafNode(path, values, condition_tuple, leaf_matcher(condition_tuple))

    def expression(self, expression: dict[str, Any]) -> Condition:
        if not expression:
            reject("Match expression name not found")
        (operator, operand), *extra = expression.items()
        condition, extra_message = self.operator(operator, operand)
        if extra:
            reject(extra_message)
        return condition

    def operator(self, operator: str, operand: Any) -> tuple[Condition, str]:
        if operator in ("prefix", "suffix"):
            return self.affix(operator, operand), ONLY_ONE_KEY
        if operator == "equals-ignore-case":
            if not isinstance(operand, str):
                reject("equals-ignore-case match pattern must be a string")
            return Condition(operator, operand, equals_ignore_case_test([operand])), ONLY_ONE_KEY
        if operator == "wildcard":
            if not isinstance(operand, str):
                reject("wildcard match pattern must be a string")
            return Condition(operator, operand, self.wildcard(operand)), ONLY_ONE_KEY
        if operator == "numeric":
            if not isinstance(operand, list):
                reject("Value of numeric must be an array.")
            return Condition(operator, operand, numeric(operand)), TOO_MANY
        if operator == "anything-but":
            return self.anything_but(operand), TOO_MANY
        if operator == "exists":
            if operand is not True and operand is not False:
                reject("exists match pattern must be either true or false.")
            return Condition(operator, operand), ONLY_ONE_KEY
        if operator == "cidr":
            if not isinstance(operand, str):
                # The service reuses the prefix message for a non-string CIDR.
                reject("prefix match pattern must be a string")
            return Condition(operator, operand, cidr_test(operand)), ONLY_ONE_KEY
        reject(f"Unrecognized match type {operator}")

    def affix(self, operator: str, operand: Any) -> Condition:
        build = prefix_test if operator == "prefix" else suffix_test
        if isinstance(operand, dict):
            title = operator.capitalize()
            if not operand:
                reject(f"{title} expression name not found")
            (inner, text), *extra = operand.items()
            if inner != "equals-ignore-case":
                reject(f"Unsupported {operator} pattern: {inner}")
            if not isinstance(text, str):
                reject("equals-ignore-case match pattern must be a string")
            if extra:
                reject(ONLY_ONE_KEY)
            return Condition(f"{operator}-equals-ignore-case", text, build(text, True))
        if not isinstance(operand, str):
            reject(f"{operator} match pattern must be a string")
        return Condition(operator, operand, build(operand, False))

    def wildcard(self, operand: str) -> LeafTest:
        tokens = parse_wildcard(operand)
        self.wildcards.append(tokens)
        return string_test(wildcard_matcher(tokens))

    def anything_but(self, operand: Any) -> Condition:
        if isinstance(operand, dict):
            if not operand:
                reject("Anything-But expression name not found")
            (inner, values), *extra = operand.items()
            if inner not in ("equals-ignore-case", "prefix", "suffix", "wildcard"):
                reject(f"Unsupported anything-but pattern: {inner}")
            if not (isinstance(values, list | str) or is_number(values)):
                reject(ANYTHING_BUT_VALUE)
            excluded = self.excluded_set(inner, values if isinstance(values, list) else [values])
            if extra:
                reject(TOO_MANY)
            return Condition(f"anything-but-{inner}", values, excluded)
        if not (isinstance(operand, list | str) or is_number(operand)):
            reject(ANYTHING_BUT_VALUE)
        if isinstance(operand, list):
            if any(not (isinstance(v, str) or is_number(v)) for v in operand):
                reject("Inside anything but list, start|null|boolean is not supported.")
            kinds = {isinstance(v, str) for v in operand}
            if len(kinds) != 1:
                reject(
                    "Inside anything but list, either all values are number or string, "
                    "mixed type is not supported"
                )
            values = operand
        else:
            values = [operand]
        for value in values:
            if is_number(value):
                comparable_operand(value)
        matches_excluded = exact_test(values)
        return Condition("anything-but", operand, lambda value: not matches_excluded(value))

    def excluded_set(self, inner: str, values: list[Any]) -> LeafTest:
        predicates: list[LeafTest] = []
        ignoring_case: list[str] = []
        for value in values:
            if not isinstance(value, str):
                if inner == "equals-ignore-case":
                    reject(
                        "Inside anything-but/equals-ignore-case list, "
                        "number|start|null|boolean is not supported."
                    )
                if inner == "wildcard":
                    reject("wildcard match pattern must be a string")
                reject("prefix/suffix match pattern must be a string")
            if inner in ("prefix", "suffix") and not value:
                reject("Null prefix/suffix not allowed")
            if inner == "prefix":
                predicates.append(prefix_test(value, False))
            elif inner == "suffix":
                predicates.append(suffix_test(value, False))
            elif inner == "equals-ignore-case":
                ignoring_case.append(value)
            else:
                predicates.append(self.wildcard(value))
        if ignoring_case:
            # One lowercasing of the value and one set lookup, however many operands.
            predicates.append(equals_ignore_case_test(ignoring_case))
        excluded = tuple(predicates)

        def test(value: Any) -> bool:
            # Values the operator cannot apply to (numbers, null, booleans) are never excluded.
            return value.__class__ is not str or not any(p(value) for p in excluded)

        return test


def numeric(terms: list[Any]) -> LeafTest:
    """A `numeric` operand: one comparison, or a lower bound followed by an upper bound."""

    def term(index: int) -> Any:
        return terms[index] if index < len(terms) else None

    def text(index: int) -> str:
        return token_text(terms[index]) if index < len(terms) else "]"

    def number_after(operator: str, index: int) -> float:
        if index >= len(terms) or not is_number(terms[index]):
            reject(f"Value of {'equals' if operator == '=' else operator} must be numeric")
        value: float = terms[index]
        return value

    first = term(0)
    if not isinstance(first, str):
        reject(f"Invalid member in numeric match: {text(0)}")
    if first not in NUMERIC_OPERATORS:
        reject(f"Unrecognized numeric range operator: {first}")
    value = number_after(first, 1)
    if first in ("=", "<", "<="):
        if len(terms) > 2:
            reject(TOO_MANY)
        fixed = comparable_operand(value)
        if first == "=":
            return numeric_test(fixed, False, fixed, False)
        return numeric_test(None, False, fixed, first == "<")
    if len(terms) == 2:
        return numeric_test(comparable_operand(value), first == ">", None, False)
    second = term(2)
    if not isinstance(second, str):
        reject(f"Bad value in numeric range: {text(2)}")
    if second not in ("<", "<="):
        reject(f"Bad numeric range operator: {second}")
    top = number_after(second, 3)
    if len(terms) > 4:
        reject("Too many terms in numeric range expression")
    low, high = comparable_operand(value), comparable_operand(top)
    if low >= high:
        reject("Bottom must be less than top")
    return numeric_test(low, first == ">", high, second == "<")


def compile_tree(pattern: dict[str, Any]) -> ObjectNode:
    """Validate a parsed pattern and build its matcher tree."""
    compiler = _Compiler()
    root = compiler.object(pattern, (), False)
    for tokens in compiler.wildcards:
        check_complexity(tokens)
    return root
