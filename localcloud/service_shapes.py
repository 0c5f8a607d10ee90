"""Key casing between Step Functions' service integrations and the services' own APIs.

A Task's `Arguments`/`Parameters` name request members the way the integration documents them
(`StateMachineArn`, `Input`), while some APIs spell them differently on the wire
(`stateMachineArn`, `input`). The integration's result is the API response with every member
name capitalised (`ExecutionArn`, `StartDate`). The API model from botocore says which members
exist, so only those are renamed.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape


def _folded(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


# Loading a service model parses its JSON; every integration call looks one up, so each is
# loaded once per process.
@cache
def _service_model(service: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


@cache
def _operation_shapes(service: str, operation: str) -> tuple[Shape | None, Shape | None]:
    operation_model = _service_model(service).operation_model(operation)
    return operation_model.input_shape, operation_model.output_shape


@cache
def _operation_name(service: str, action: str) -> str:
    """`start_execution` or `startExecution` -> the API model's `StartExecution`."""
    wanted = _folded(action)
    for name in _service_model(service).operation_names:
        if _folded(name) == wanted:
            return str(name)
    raise LookupError(f"{service} has no operation {action!r}")


def to_request(service: str, action: str, parameters: dict[str, Any]) -> None:
    """Rename `parameters` keys, in place, to the member names of the API's request."""
    shape, _ = _operation_shapes(service, _operation_name(service, action))
    if isinstance(shape, StructureShape):
        _rename_to_members(parameters, shape)


def _rename_to_members(value: dict[str, Any], shape: StructureShape) -> None:
    members = {_folded(name): (name, member) for name, member in shape.members.items()}
    for key in list(value):
        found = members.get(_folded(key))
        if found is None:
            continue
        name, member = found
        item = value.pop(key)
        if isinstance(member, StructureShape) and isinstance(item, dict):
            _rename_to_members(item, member)
        value[name] = item


def to_integration_result(service: str, action: str, response: Any) -> None:
    """Capitalise the member names of an API response, in place, as the integration does;
    timestamps become epoch milliseconds."""
    _, shape = _operation_shapes(service, _operation_name(service, action))
    if isinstance(shape, StructureShape) and isinstance(response, dict):
        converted = _converted(response, shape)
        response.clear()
        response.update(converted)


def _converted(value: Any, shape: Shape) -> Any:
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {
            (key[:1].upper() + key[1:] if key in shape.members else key): (
                _converted(item, shape.members[key]) if key in shape.members else item
            )
            for key, item in value.items()
        }
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_converted(item, shape.member) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {key: _converted(item, shape.value) for key, item in value.items()}
    if shape.type_name == "timestamp" and isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    return value
