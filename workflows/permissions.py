"""What IAM a Task needs, declared by the integration builder that made it.

A builder knows the API it calls and the names it puts in the request (a literal ARN, a job name
that starts ``churn-dev-prep-`` and ends with the run id) before any ASL is written. It records
them on the Task as ``TaskPermissions``; ``iam`` turns that into policy statements. Nothing here
is emitted: ``Task.to_asl()`` never reads it.

The declaration is the grant's inputs, not IAM itself: which service API (so which actions) and,
for each request field a grant is scoped by, the names it can hold (so which resources). The
IAM rules (Describe/Stop for ``.sync``, the conditions, the ARN formats) stay in ``iam``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from workflows.base_state import Json
from workflows.expressions import is_jsonata

Pattern = Literal["request", "sync", "callback"]
# Where the first run-time part of a value comes from: the execution input, an earlier task's
# result, the context object. The SageMaker role scopes an S3 location it cannot name by it.
Origin = Literal["literal", "input", "result", "context", "unknown"]
FieldPath = tuple[str, ...]  # ("Entries", "*", "Source"): "*" stands for every item of a list


@dataclass(frozen=True)
class Name:
    """What is known of one value before the execution runs.

    ``exact``: ``text`` is the whole value. Otherwise ``text`` is how it starts (empty: nothing
    is known, e.g. an ARN from the execution input), and ``origin`` says where the rest comes
    from (an exact value is a literal, whatever ``origin`` says)."""

    text: str = ""
    exact: bool = False
    origin: Origin = "unknown"

    @classmethod
    def literal(cls, text: str) -> Name:
        return cls(text, True, "literal")

    @classmethod
    def prefix(cls, text: str, origin: Origin = "unknown") -> Name:
        return cls(text, False, origin)

    @classmethod
    def from_origin(cls, origin: Origin) -> Name:
        """Nothing known but where it comes from: ``Name.from_origin("input")``."""
        return cls("", False, origin)


UNKNOWN = Name()


@dataclass(frozen=True)
class Named:
    """A request value made at run time (``expression``, emitted in the ASL) and what its
    builder knows of it (``name``, never emitted). ``also``: what else it can be, for an
    expression with branches (``$exists(x) ? x : 'default'``)."""

    expression: str
    name: Name
    also: tuple[Name, ...] = ()

    @property
    def names(self) -> tuple[Name, ...]:
        return (self.name, *self.also)


def emitted(value: Json) -> Json:
    """The value as the ASL carries it (``Named`` values in objects and lists too)."""
    if isinstance(value, Named):
        return value.expression
    if isinstance(value, dict):
        return {k: emitted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [emitted(v) for v in value]
    return value


def at(value: Json, path: FieldPath) -> list[Json]:
    """The values at ``path`` in a request (``*``: every item of a list), as written."""
    found: list[Json] = [value]
    for step in path:
        if step == "*":
            found = [item for node in found if isinstance(node, list) for item in node]
        else:
            found = [node[step] for node in found if isinstance(node, dict) and step in node]
    return found


def known(value: Json) -> tuple[Name, ...]:
    """What a builder knows of a request value: a plain string is itself; a ``Named`` says what
    it knows; anything else (an expression no one described, an object) is unknown."""
    if isinstance(value, Named):
        return value.names
    if isinstance(value, str) and not is_jsonata(value):
        return (Name.literal(value),)
    return (UNKNOWN,)


@dataclass(frozen=True)
class TaskPermissions:
    """The IAM inputs of one Task: the integration it calls and the names its request holds.

    ``names``: request field path -> the values it can hold. A field in ``names`` is present in
    the request (``Tags`` with no values: present, and not a scope)."""

    service: str  # as in the integration ARN: "sagemaker", or the SDK service ("s3")
    api: str  # camelCase, as in the integration ARN
    sdk: bool
    pattern: Pattern
    sync_version: int  # 2 for ``.sync:2``, 1 for ``.sync``, 0 otherwise
    names: Mapping[FieldPath, tuple[Name, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, integration: str, names: Mapping[FieldPath, Json | list[Json]]) -> TaskPermissions:
        """``integration`` as the builder passes it to ``Location.integration``
        (``sagemaker:createProcessingJob.sync``, ``aws-sdk:s3:getObject``); ``names`` maps a
        field to its value (or a list of the values it can take)."""
        sdk = integration.startswith("aws-sdk:")
        service, _, call = integration.removeprefix("aws-sdk:").partition(":")
        api, _, suffix = call.partition(".")
        pattern: Pattern = (
            "sync" if suffix.startswith("sync") else "callback" if suffix else "request"
        )
        return cls(
            service=service,
            api=api,
            sdk=sdk,
            pattern=pattern,
            sync_version=2 if suffix == "sync:2" else 1 if suffix == "sync" else 0,
            names={
                path: tuple(
                    n for v in (value if isinstance(value, list) else [value]) for n in known(v)
                )
                for path, value in names.items()
            },
        )
