"""JSONata evaluation as Step Functions does it: JSONata 2.x plus the service's own functions.

Step Functions adds `$partition`, `$range`, `$hash`, `$random` (with an optional seed), `$uuid`
and `$parse` to standard JSONata. They are registered here as Python functions so their results
follow the documented semantics rather than approximations written in JSONata.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import random
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from jsonata import Jsonata  # type: ignore[import-untyped]
from jsonata.utils import Utils  # type: ignore[import-untyped]

_HASH_ALGORITHMS: dict[str, str] = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


class JSONataEvaluationError(Exception):
    """A JSONata expression failed to parse or evaluate."""


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def sfn_partition(array: Any, chunk_size: Any) -> list[list[Any]]:
    """Split `array` into chunks of `chunk_size`; the last chunk may be shorter."""
    if not isinstance(array, list):
        raise JSONataEvaluationError("$partition: the first argument must be an array")
    if not isinstance(chunk_size, int | float) or chunk_size < 1 or chunk_size != int(chunk_size):
        raise JSONataEvaluationError("$partition: the chunk size must be a positive integer")
    size = int(chunk_size)
    return [list(array[i : i + size]) for i in range(0, len(array), size)]


def sfn_range(start: Any, end: Any, step: Any = 1) -> list[int | float] | int | float:
    """Values from `start` to `end` inclusive, `step` apart (a negative step counts down).

    A range of one value is that value, not an array of it (`$range(1, 9, 9)` is `1` on AWS,
    as JSONata unwraps a sequence of one item)."""
    for name, value in (("start", start), ("end", end), ("step", step)):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise JSONataEvaluationError(f"$range: {name} must be a number")
    if step == 0:
        raise JSONataEvaluationError("$range: step must not be 0")
    if (end - start) * step < 0:
        return []
    count = math.floor((end - start) / step) + 1
    values = [_number(start + i * step) for i in range(count)]
    return values[0] if len(values) == 1 else values


def sfn_hash(value: Any, algorithm: Any = "SHA-256") -> str:
    """Hex digest of a string with MD5, SHA-1, SHA-256, SHA-384 or SHA-512."""
    if not isinstance(value, str):
        raise JSONataEvaluationError("$hash: the value to hash must be a string")
    name = _HASH_ALGORITHMS.get(str(algorithm))
    if name is None:
        supported = ", ".join(_HASH_ALGORITHMS)
        raise JSONataEvaluationError(f"$hash: algorithm must be one of {supported}")
    return hashlib.new(name, value.encode("utf-8")).hexdigest()


def sfn_random(seed: Any = None) -> float:
    """A number in [0, 1); the same seed always gives the same number."""
    if seed is None:
        return random.random()
    return random.Random(seed).random()


def sfn_uuid() -> str:
    """A version 4 UUID."""
    return str(uuid.uuid4())


def sfn_parse(text: Any) -> Any:
    """Deserialise a JSON string (Step Functions' replacement for `$eval`)."""
    if not isinstance(text, str):
        raise JSONataEvaluationError("$parse: the argument must be a JSON string")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise JSONataEvaluationError(f"$parse: not valid JSON: {error}") from error


STEP_FUNCTIONS_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "partition": sfn_partition,
    "range": sfn_range,
    "hash": sfn_hash,
    "random": sfn_random,
    "uuid": sfn_uuid,
    "parse": sfn_parse,
}


_COMPILED_EXPRESSIONS = 4096


@lru_cache(maxsize=_COMPILED_EXPRESSIONS)
def _compiled(expression: str) -> Jsonata:
    try:
        compiled = Jsonata(expression)
    except Exception as error:
        raise JSONataEvaluationError(str(error)) from error
    for name, function in STEP_FUNCTIONS_FUNCTIONS.items():
        compiled.register_lambda(name, function)
    compiled.set_output_convert_nulls(False)
    return compiled


def _to_jsonata(value: Any) -> Any:
    """JSON values as jsonata-python holds them: `null` is its NULL_VALUE, not None (which it
    reads as undefined)."""
    if value is None:
        return Utils.NULL_VALUE
    if isinstance(value, dict):
        return {key: _to_jsonata(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_to_jsonata(item) for item in value]
    return value


def json_to_jsonata(value: Any) -> Any:
    """`value` as its JSON text would hold it (dates as ISO text, tuples as arrays, other
    objects as their text, keys as strings), in jsonata-python's form (`_to_jsonata`): one walk
    for what a JSON round trip and then `_to_jsonata` would do."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool:
        return value
    if value is None:
        return Utils.NULL_VALUE
    if kind is dict and all(type(key) is str for key in value):
        return {key: json_to_jsonata(item) for key, item in value.items()}
    if kind is list:
        return [json_to_jsonata(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _to_jsonata(json.loads(json.dumps(value, default=_json_text)))


def _json_text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def evaluate_defined(
    expression: str,
    bindings: dict[str, Any] | None = None,
    *,
    converted: dict[str, Any] | None = None,
) -> tuple[bool, Any]:
    """(False, None) when the expression is undefined, else (True, its JSON value).

    `converted` are bindings already in jsonata-python's form (`json_to_jsonata`).

    An expression is compiled once; each evaluation runs on a shallow copy of the compiled
    expression, because jsonata-python keeps the evaluation's input and environment on the
    instance (and finds it through a thread-local), so concurrent executions must not share one.
    """
    # What `copy.copy` makes, without its generic reduce-and-reconstruct round.
    instance = Jsonata.__new__(Jsonata)
    instance.__dict__.update(_compiled(expression).__dict__)
    Jsonata.CURRENT.jsonata = instance
    values = {name: _to_jsonata(value) for name, value in (bindings or {}).items()}
    values.update(converted or {})
    try:
        # Bindings (even none) give the evaluation its own frame; the compiled one stays clean.
        raw = instance.evaluate(None, values)
    except JSONataEvaluationError:
        raise
    except Exception as error:
        raise JSONataEvaluationError(str(error)) from error
    if raw is None:
        return False, None
    return True, Utils.convert_nulls(raw)


def evaluate(expression: str, bindings: dict[str, Any] | None = None) -> Any:
    """Evaluate a JSONata expression with Step Functions' functions available.

    JSONata `undefined` and `null` both come back as None.
    """
    return evaluate_defined(expression, bindings)[1]
