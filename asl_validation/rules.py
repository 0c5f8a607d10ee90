"""Semantic rules a schema cannot express: field exclusivity, Retry/Catch, Map, Task, Wait."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeGuard

from asl_validation.choice import check_choice
from asl_validation.languages import check_languages
from asl_validation.problems import INVALID_RESOURCE, Problem, join_pointer
from asl_validation.resources import resource_error
from asl_validation.walk import JSONATA, StateVisit, iter_states

ALL_ERRORS = "States.ALL"
# The error names AWS predefines; other names starting "States." are reserved and never raised.
PREDEFINED_ERRORS = frozenset(
    {
        "States.ALL",
        "States.BranchFailed",
        "States.DataLimitExceeded",
        "States.ExceedToleratedFailureThreshold",
        "States.HeartbeatTimeout",
        "States.Http.Socket",
        "States.IntrinsicFailure",
        "States.ItemReaderFailed",
        "States.NoChoiceMatched",
        "States.ParameterPathFailure",
        "States.Permissions",
        "States.QueryEvaluationError",
        "States.ResultPathMatchFailure",
        "States.ResultWriterFailed",
        "States.Runtime",
        "States.TaskFailed",
        "States.Timeout",
    }
)

# Groups of fields of which a state may set at most one.
_EXCLUSIVE: dict[str, tuple[tuple[str, ...], ...]] = {
    "Task": (
        ("TimeoutSeconds", "TimeoutSecondsPath"),
        ("HeartbeatSeconds", "HeartbeatSecondsPath"),
    ),
    "Wait": (("Seconds", "SecondsPath", "Timestamp", "TimestampPath"),),
    "Fail": (("Error", "ErrorPath"), ("Cause", "CausePath")),
    "Map": (
        ("ItemProcessor", "Iterator"),
        ("ItemSelector", "Parameters"),
        ("Items", "ItemsPath"),
        ("MaxConcurrency", "MaxConcurrencyPath"),
        ("ToleratedFailureCount", "ToleratedFailureCountPath"),
        ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
    ),
}
_EXCLUSIVE_IN = {
    ("ItemBatcher",): (
        ("MaxItemsPerBatch", "MaxItemsPerBatchPath"),
        ("MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"),
    ),
    ("ItemReader", "ReaderConfig"): (("MaxItems", "MaxItemsPath"),),
}
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")
_TEMPLATE_PLACEHOLDER = re.compile(r"\$\{[^}]+\}")


def check_rules(definition: Mapping[str, Any]) -> list[Problem]:
    """Return the semantic problems of every state, in document order."""
    problems: list[Problem] = []
    for visit in iter_states(definition):
        problems.extend(check_languages(visit))
        problems.extend(_exclusive(visit))
        problems.extend(_errors(visit, "Retry"))
        problems.extend(_errors(visit, "Catch"))
        problems.extend(check_choice(visit))
        state_type = visit.state.get("Type")
        if state_type == "Task":
            problems.extend(_task(visit))
        elif state_type == "Wait":
            problems.extend(_wait(visit))
        elif state_type == "Map":
            problems.extend(_map(visit))
    return problems


def _exclusive(visit: StateVisit) -> list[Problem]:
    problems: list[Problem] = []
    groups = _EXCLUSIVE.get(str(visit.state.get("Type")), ())
    for group in groups:
        problems.extend(_at_most_one(visit.state, group, visit.pointer, visit.name))
    if visit.state.get("Type") == "Map":
        for location, inner_groups in _EXCLUSIVE_IN.items():
            holder: Any = visit.state
            for key in location:
                holder = holder.get(key) if isinstance(holder, Mapping) else None
            if isinstance(holder, Mapping):
                pointer = join_pointer(visit.pointer, *location)
                for group in inner_groups:
                    problems.extend(_at_most_one(holder, group, pointer, visit.name))
    return problems


def _at_most_one(
    holder: Mapping[str, Any], group: tuple[str, ...], pointer: str, name: str
) -> list[Problem]:
    present = [key for key in group if key in holder]
    if len(present) < 2:
        return []
    listed = " and ".join(present)
    return [
        Problem(
            join_pointer(pointer, present[1]),
            f'state "{name}" sets {listed}, which exclude each other; keep only one',
        )
    ]


def _errors(visit: StateVisit, field: str) -> list[Problem]:
    entries = visit.state.get(field)
    if not isinstance(entries, list):
        return []
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            continue
        names = entry.get("ErrorEquals")
        if not isinstance(names, list):
            continue
        pointer = join_pointer(visit.pointer, field, index, "ErrorEquals")
        if ALL_ERRORS in names and len(names) > 1:
            problems.append(
                Problem(
                    pointer,
                    f'{field}[{index}] of state "{visit.name}" lists States.ALL with other '
                    "errors; States.ALL must appear alone, so move the others to an earlier entry",
                )
            )
        if ALL_ERRORS in names and index != len(entries) - 1:
            problems.append(
                Problem(
                    pointer,
                    f'{field}[{index}] of state "{visit.name}" matches States.ALL but is not the '
                    f"last entry, so the entries after it can never match; move it to the end",
                )
            )
        for position, error_name in enumerate(names):
            if (
                isinstance(error_name, str)
                and error_name.startswith("States.")
                and error_name not in PREDEFINED_ERRORS
            ):
                problems.append(
                    Problem(
                        join_pointer(pointer, position),
                        f'"{error_name}" is not an error Step Functions raises; names starting '
                        '"States." are reserved, so use a predefined one such as '
                        "States.TaskFailed or States.Timeout, or your own error name",
                    )
                )
    return problems


def _task(visit: StateVisit) -> list[Problem]:
    problems: list[Problem] = []
    state, name = visit.state, visit.name
    resource = state.get("Resource")
    if (
        isinstance(resource, str)
        and not _TEMPLATE_PLACEHOLDER.search(resource)
        and not (visit.language == JSONATA and resource.startswith("{%"))
    ):
        error = resource_error(resource)
        if error is not None:
            problems.append(
                Problem(
                    join_pointer(visit.pointer, "Resource"),
                    f'state "{name}" has Resource {resource!r}, which {error}',
                    INVALID_RESOURCE,
                    f"The resource provided {resource} is not recognized. The value is not a "
                    "valid resource ARN, or the resource is not available in this region.",
                )
            )
    credentials = state.get("Credentials")
    if isinstance(credentials, Mapping) and not {"RoleArn", "RoleArn.$"} & set(credentials):
        pointer = join_pointer(visit.pointer, "Credentials")
        problems.append(
            Problem(
                pointer,
                f'Credentials of state "{name}" name no role; add "RoleArn" (or "RoleArn.$" '
                "with a path) naming the IAM role the task assumes",
                aws_message="The field 'RoleArn' is required but was missing",
                aws_location=pointer,
            )
        )
    timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
    if _is_int(timeout) and _is_int(heartbeat) and heartbeat >= timeout:
        problems.append(
            Problem(
                join_pointer(visit.pointer, "HeartbeatSeconds"),
                f'state "{name}" has HeartbeatSeconds {heartbeat}, not below TimeoutSeconds '
                f"{timeout}; a heartbeat must be shorter than the timeout",
            )
        )
    return problems


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _wait(visit: StateVisit) -> list[Problem]:
    state = visit.state
    if not any(key in state for key in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath")):
        return [
            Problem(
                visit.pointer,
                f'Wait state "{visit.name}" says neither how long nor until when; add one of '
                "Seconds, SecondsPath, Timestamp, TimestampPath",
            )
        ]
    timestamp = state.get("Timestamp")
    if (
        isinstance(timestamp, str)
        and not (visit.language == JSONATA and timestamp.startswith("{%"))
        and not _TIMESTAMP.match(timestamp)
    ):
        return [
            Problem(
                join_pointer(visit.pointer, "Timestamp"),
                f"Timestamp {timestamp!r} is not an RFC 3339 time; write it like "
                "2026-01-31T23:59:00Z",
            )
        ]
    return []


def _map(visit: StateVisit) -> list[Problem]:
    problems: list[Problem] = []
    state, name = visit.state, visit.name
    if "ItemProcessor" not in state and "Iterator" not in state:
        problems.append(
            Problem(
                visit.pointer,
                f'Map state "{name}" has no ItemProcessor; add one with StartAt and States for '
                "the work done on each item",
            )
        )
    processor = state.get("ItemProcessor", state.get("Iterator"))
    config = processor.get("ProcessorConfig") if isinstance(processor, Mapping) else None
    mode = config.get("Mode", "INLINE") if isinstance(config, Mapping) else "INLINE"
    if mode == "DISTRIBUTED" and isinstance(config, Mapping) and "ExecutionType" not in config:
        key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
        problems.append(
            Problem(
                join_pointer(visit.pointer, key, "ProcessorConfig"),
                f'distributed Map state "{name}" needs ProcessorConfig.ExecutionType, '
                '"STANDARD" or "EXPRESS", for its child workflow executions',
            )
        )
    return problems
