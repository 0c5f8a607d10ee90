"""The metric math of CloudWatch alarms, over the periods an alarm evaluates.

A time series is the value of each period that has one (a missing period has no key); a scalar
is a number. As CloudWatch's metric math does: arithmetic and comparisons between two series keep
the periods both have, a series and a scalar combine period by period, comparisons and AND/OR
give 1 or 0, a division by zero gives no datapoint, `FILL(m, value)` gives every period of the
evaluated range (the missing ones at `value`), and `IF(condition, a, b)` takes a's value where the
condition is non-zero and b's elsewhere (no datapoint where the condition has none). Any other
function raises `Unsupported`: the alarm is then not evaluated locally (localcloud/README.md).
"""

from __future__ import annotations

import datetime
import operator
import re
from collections.abc import Callable, Mapping, Sequence

Series = dict[datetime.datetime, float]
Value = float | Series

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>>=|<=|==|!=|&&|\|\||[-+*/^(),<>]))"
)
_BINARY: dict[str, Callable[[float, float], float | None]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": lambda a, b: None if b == 0 else a / b,
    "^": lambda a, b: _power(a, b),
    ">": lambda a, b: float(a > b),
    "<": lambda a, b: float(a < b),
    ">=": lambda a, b: float(a >= b),
    "<=": lambda a, b: float(a <= b),
    "==": lambda a, b: float(a == b),
    "!=": lambda a, b: float(a != b),
    "AND": lambda a, b: float(bool(a) and bool(b)),
    "OR": lambda a, b: float(bool(a) or bool(b)),
}


def _power(base: float, exponent: float) -> float | None:
    if (base == 0 and exponent < 0) or (base < 0 and not float(exponent).is_integer()):
        return None  # no real value: no datapoint, as a division by zero
    return float(base**exponent)


# Loosest first: each level's operators bind tighter than the one before.
_LEVELS: tuple[tuple[str, ...], ...] = (
    ("OR", "||"),
    ("AND", "&&"),
    (">", "<", ">=", "<=", "==", "!="),
    ("+", "-"),
    ("*", "/"),
    ("^",),
)
_ALIASES = {"||": "OR", "&&": "AND"}


class Unsupported(ValueError):
    """An expression the embedded cloud does not evaluate (a function it does not know)."""


def _tokens(expression: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    text = expression.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise Unsupported(f"cannot read {text[position:]!r} in {expression!r}")
        tokens.append(match.group(match.lastgroup or "op"))
        position = match.end()
    return tokens


def _combine(op: str, left: Value, right: Value) -> Value:
    apply = _BINARY[_ALIASES.get(op, op)]
    if isinstance(left, float) and isinstance(right, float):
        result = apply(left, right)
        return {} if result is None else result
    if isinstance(left, float):
        assert isinstance(right, dict)
        pairs = {start: (left, v) for start, v in right.items()}
    elif isinstance(right, float):
        pairs = {start: (v, right) for start, v in left.items()}
    else:
        pairs = {start: (v, right[start]) for start, v in left.items() if start in right}
    series: Series = {}
    for start, (a, b) in pairs.items():
        value = apply(a, b)
        if value is not None:
            series[start] = value
    return series


class _Parser:
    def __init__(
        self, expression: str, series: Mapping[str, Series], starts: Sequence[datetime.datetime]
    ) -> None:
        self.expression = expression
        self.tokens = _tokens(expression)
        self.position = 0
        self.series = series
        self.starts = starts

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> str:
        token = self._peek()
        if token is None or (expected is not None and token != expected):
            raise Unsupported(f"expected {expected or 'more'} in {self.expression!r}")
        self.position += 1
        return token

    def parse(self) -> Value:
        value = self._level(0)
        if self._peek() is not None:
            raise Unsupported(f"unexpected {self._peek()!r} in {self.expression!r}")
        return value

    def _level(self, depth: int) -> Value:
        if depth == len(_LEVELS):
            return self._unary()
        value = self._level(depth + 1)
        while (token := self._peek()) is not None and token.upper() in _LEVELS[depth]:
            self._take()
            right = self._level(depth + 1)
            value = _combine(token.upper(), value, right)
        return value

    def _unary(self) -> Value:
        if self._peek() == "-":
            self._take()
            return _combine("*", -1.0, self._unary())
        return self._primary()

    def _primary(self) -> Value:
        token = self._take()
        if token == "(":
            value = self._level(0)
            self._take(")")
            return value
        if token[0].isdigit() or token[0] == ".":
            return float(token)
        if self._peek() == "(":
            return self._call(token)
        if token not in self.series:
            raise Unsupported(f"{token!r} names no metric of the alarm in {self.expression!r}")
        return dict(self.series[token])

    def _arguments(self) -> list[Value]:
        self._take("(")
        arguments = [self._level(0)]
        while self._peek() == ",":
            self._take()
            arguments.append(self._level(0))
        self._take(")")
        return arguments

    def _call(self, name: str) -> Value:
        function = name.upper()
        if function not in ("FILL", "IF", "ABS"):
            raise Unsupported(f"not evaluated locally: {name}() in {self.expression!r}")
        arguments = self._arguments()
        if function == "ABS" and len(arguments) == 1:
            return _abs(arguments[0])
        if function == "FILL" and len(arguments) == 2 and isinstance(arguments[1], float):
            return _fill(arguments[0], arguments[1], self.starts)
        if function == "IF" and len(arguments) in (2, 3):
            otherwise: Value = arguments[2] if len(arguments) == 3 else {}
            return _if(arguments[0], arguments[1], otherwise, self.starts)
        raise Unsupported(f"not evaluated locally: {name}() with these arguments")


def _abs(value: Value) -> Value:
    if isinstance(value, float):
        return abs(value)
    return {start: abs(v) for start, v in value.items()}


def _fill(value: Value, fill: float, starts: Sequence[datetime.datetime]) -> Value:
    if isinstance(value, float):
        return value
    return {start: value.get(start, fill) for start in starts}


def _at(value: Value, start: datetime.datetime) -> float | None:
    return value if isinstance(value, float) else value.get(start)


def _if(
    condition: Value, then: Value, otherwise: Value, starts: Sequence[datetime.datetime]
) -> Value:
    if isinstance(condition, float):
        return then if condition else otherwise
    series: Series = {}
    for start in starts:
        if start not in condition:
            continue
        chosen = _at(then if condition[start] else otherwise, start)
        if chosen is not None:
            series[start] = chosen
    return series


def evaluate(
    expression: str, series: Mapping[str, Series], starts: Sequence[datetime.datetime]
) -> Series:
    """The expression's value in each period of `starts` that has one; `series` are the alarm's
    other queries by id. A scalar result holds in every period."""
    value = _Parser(expression, series, starts).parse()
    if isinstance(value, float):
        return dict.fromkeys(starts, value)
    return {start: v for start, v in value.items() if start in starts}
