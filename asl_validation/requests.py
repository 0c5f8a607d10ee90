"""Check a Task's request body against the service API's own model (botocore's service JSON).

Catches the mistakes that AWS would only report at run time: a misspelt or unknown member, a
missing required member, a value outside an enum, a number out of range, a wrong type.
CreateStateMachine checks none of this, so a definition with such a problem is still one AWS
accepts: ``validate_definition`` runs this check only when asked (``requests=True``).
JSONata expressions and JSONPath ``"Member.$"`` values are checked by the other rules, not
here: their value is known only at run time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import botocore.loaders
from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel, Shape

from asl_validation.problems import Problem
from asl_validation.walk import iter_states
from aws_naming import OPTIMIZED_BOTOCORE_SERVICES, botocore_operation, botocore_service

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


def is_jsonata(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def check_requests(definition: Mapping[str, Any]) -> list[Problem]:
    """A problem for every Task whose request body its API would refuse, at the Task's pointer.

    Tasks whose Resource is not a service integration (a Lambda or activity ARN, a template
    placeholder) are skipped, as are optimized integrations botocore has no model for
    (``http:invoke``, ``eks:call``): their bodies are Step Functions' own, not an API's.
    """
    problems: list[Problem] = []
    for visit in iter_states(definition):
        resource = visit.state.get("Resource")
        if visit.state.get("Type") != "Task" or not isinstance(resource, str):
            continue
        if not _RESOURCE.match(resource):
            continue
        # A Task without a body sends an empty request: its required members are missing.
        body = visit.state.get("Arguments", visit.state.get("Parameters", {}))
        found = check_request(resource, body, unknown_optimized=False)
        problems.extend(Problem(visit.pointer, message) for message in found)
    return problems


@cache
def _loader() -> Loader:
    # The loader alone: a full botocore session costs far more to import and set up. One per
    # process: a loader caches the models it parsed (SageMaker's alone is 3 MB of JSON). Looked
    # up in botocore's module when first needed, so a process that shares one loader among its
    # sessions (the embedded cloud does) shares it here too.
    return botocore.loaders.create_loader()


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


def check_request(resource: str, arguments: Any, *, unknown_optimized: bool = True) -> list[str]:
    """Problems with ``arguments`` as the request of ``resource``'s API call; [] when valid.

    ``unknown_optimized=False`` accepts an optimized integration botocore has no operation for.
    """
    service, operation = operation_for(resource)
    try:
        shape = _operation(service, operation).input_shape
    except Exception as exc:  # botocore raises several unrelated types for unknown names
        if not unknown_optimized and ":aws-sdk:" not in resource:
            return []
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
        given: set[str] = set()
        for key, item in value.items():
            # A JSONPath "Member.$" takes its value from a path at run time.
            dynamic = key.endswith(".$")
            name = key[:-2] if dynamic else key
            given.add(name)
            if name not in members:
                known = ", ".join(sorted(members))
                out.append(f"{path}.{key}: not a member of {shape.name}; members are {known}")
                continue
            if dynamic or ((op[0], op[1], key) in JSON_MEMBERS and isinstance(item, dict | list)):
                continue
            _check(members[key], item, f"{path}.{key}", op, out)
        for key in map(_pascal, shape.required_members):
            if key not in given:
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
