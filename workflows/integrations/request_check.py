"""Check a Task's request body against the service API's own model (botocore's service JSON).

Catches the mistakes that AWS would only report at run time: a misspelt or unknown member, a
missing required member, a value outside an enum, a number out of range, a wrong type. JSONata
expressions are checked by the validator, not here: their value is known only at run time.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from botocore.loaders import Loader, create_loader
from botocore.model import OperationModel, ServiceModel, Shape

from aws_naming import OPTIMIZED_BOTOCORE_SERVICES, botocore_operation, botocore_service
from workflows.expressions import is_jsonata

# Members that optimized integrations accept as JSON and serialise themselves.
JSON_MEMBERS = {
    ("lambda", "Invoke", "Payload"),
    ("stepfunctions", "StartExecution", "Input"),
    ("events", "PutEvents", "Detail"),
    ("sns", "Publish", "Message"),
}
_RESOURCE = re.compile(
    r"^arn:[a-z-]+:states:::(?:aws-sdk:(?P<sdk>[a-z0-9]+):(?P<sdk_action>[A-Za-z0-9]+)"
    r"|(?P<service>[a-z]+):(?P<action>[A-Za-z0-9]+)(?:\.(?:sync(?::2)?|waitForTaskToken))?)$"
)


@cache
def _loader() -> Loader:
    # The loader alone: a full botocore session costs far more to import and set up.
    return create_loader()


def operation_for(resource: str) -> tuple[str, str]:
    """(botocore service, operation) for a Step Functions integration resource ARN."""
    match = _RESOURCE.match(resource)
    if not match:
        raise ValueError(f"{resource!r} is not a Step Functions service-integration ARN")
    if match["sdk"]:
        service = botocore_service(match["sdk"])
        action = match["sdk_action"]
    else:
        service = OPTIMIZED_BOTOCORE_SERVICES.get(match["service"], match["service"])
        action = match["action"]
    return service, botocore_operation(action)


@cache
def _operation(service: str, operation: str) -> OperationModel:
    model = ServiceModel(_loader().load_service_model(service, "service-2"), service)
    return model.operation_model(operation)


def check_request(resource: str, arguments: Any) -> list[str]:
    """Problems with ``arguments`` as the request of ``resource``'s API call; [] when valid."""
    service, operation = operation_for(resource)
    try:
        shape = _operation(service, operation).input_shape
    except Exception as exc:  # botocore raises several unrelated types for unknown names
        return [f"{service} has no operation {operation} ({type(exc).__name__})"]
    if shape is None or is_jsonata(arguments):
        return []
    problems: list[str] = []
    _check(shape, arguments, operation, (service, operation), problems)
    return problems


def _check(shape: Shape, value: Any, path: str, op: tuple[str, str], out: list[str]) -> None:
    if is_jsonata(value):
        return
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            out.append(f"{path}: expected an object ({shape.name}), got {type(value).__name__}")
            return
        # Step Functions takes every request member in PascalCase, whatever the API's own case.
        members = {_pascal(k): m for k, m in shape.members.items()}  # type: ignore[attr-defined]
        for key, item in value.items():
            if key not in members:
                known = ", ".join(sorted(members))
                out.append(f"{path}.{key}: not a member of {shape.name}; members are {known}")
                continue
            if (op[0], op[1], key) in JSON_MEMBERS and isinstance(item, dict | list):
                continue
            _check(members[key], item, f"{path}.{key}", op, out)
        for key in map(_pascal, shape.required_members):
            if key not in value:
                out.append(f"{path}.{key}: required by {shape.name} but missing")
    elif kind == "list":
        if not isinstance(value, list):
            out.append(f"{path}: expected a list, got {type(value).__name__}")
            return
        _bounds(shape, len(value), path, "items", out)
        for index, item in enumerate(value):
            _check(shape.member, item, f"{path}[{index}]", op, out)  # type: ignore[attr-defined]
    elif kind == "map":
        if not isinstance(value, dict):
            out.append(f"{path}: expected an object (map), got {type(value).__name__}")
            return
        # CreateTrainingJob's HyperParameters, for one, take at most 100 entries, keys of at
        # most 256 characters: the map's and its key shape's bounds.
        _bounds(shape, len(value), path, "entries", out)
        key_shape: Shape = shape.key  # type: ignore[attr-defined]
        for key, item in value.items():
            _bounds(key_shape, len(key), f"{path}.{key}", "characters in the key", out)
            _check(shape.value, item, f"{path}.{key}", op, out)  # type: ignore[attr-defined]
    elif kind in {"string", "blob"}:
        if not isinstance(value, str):
            out.append(f"{path}: expected a string, got {type(value).__name__}")
            return
        enum: list[str] = getattr(shape, "enum", [])
        if enum and value not in enum:
            allowed = ", ".join(enum) if len(enum) <= 12 else f"the {shape.name} values"
            out.append(f"{path}: {value!r} is not one of {allowed}")
        _bounds(shape, len(value), path, "characters", out)
    elif kind in {"integer", "long"}:
        if not isinstance(value, int) or isinstance(value, bool):
            out.append(f"{path}: expected an integer, got {value!r}")
            return
        _bounds(shape, value, path, "", out)
    elif kind in {"double", "float"}:
        if not isinstance(value, int | float) or isinstance(value, bool):
            out.append(f"{path}: expected a number, got {value!r}")
            return
        _bounds(shape, value, path, "", out)
    elif kind == "boolean" and not isinstance(value, bool):
        out.append(f"{path}: expected true or false, got {value!r}")


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def _bounds(shape: Shape, size: float, path: str, unit: str, out: list[str]) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    what = f" {unit}" if unit else ""
    if low is not None and size < low:
        out.append(f"{path}: {size}{what} is below the minimum {low}")
    if high is not None and size > high:
        out.append(f"{path}: {size}{what} is above the maximum {high}")
