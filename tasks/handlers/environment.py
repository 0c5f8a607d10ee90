"""How a handler reads its environment: one typed reader over a declaration.

A handler's environment is a frozen dataclass whose fields are `variable(...)`s: the field
`topic_arn` is the variable `TOPIC_ARN`, its metadata says what it means and who sets it, and a
field without a default is required. `read_environment` fills one from `os.environ` (or any
mapping), stripping blanks, and names the missing variable when a required one is unset or blank.

Standard library only: this module ships in the handlers' zips.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

SetBy = Literal["deploy", "runtime"]
E = TypeVar("E", bound="DataclassInstance")


class MissingVariableError(RuntimeError):
    """A required environment variable is unset or blank."""


@dataclasses.dataclass(frozen=True)
class Variable:
    """One declared environment variable, as the docs and the deploy see it."""

    name: str
    meaning: str
    required: bool
    default: str
    set_by: SetBy  # "deploy": the function's configuration; "runtime": Lambda or boto3's own


def variable(meaning: str, *, default: str | None = None, set_by: SetBy = "deploy") -> Any:
    """A field of an environment dataclass; without `default` the variable is required."""
    metadata = {"meaning": meaning, "set_by": set_by}
    if default is None:
        return dataclasses.field(metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def variable_name(field: dataclasses.Field[Any]) -> str:
    return field.name.upper()


def declared(environment: type[DataclassInstance]) -> tuple[Variable, ...]:
    """The variables an environment dataclass declares, in field order."""
    found = []
    for field in dataclasses.fields(environment):
        required = field.default is dataclasses.MISSING
        found.append(
            Variable(
                variable_name(field),
                str(field.metadata.get("meaning", "")),
                required,
                "" if required else str(field.default),
                field.metadata.get("set_by", "deploy"),
            )
        )
    return tuple(found)


def read_environment(
    environment: type[E], environ: Mapping[str, str] | None = None, handler: str = ""
) -> E:
    """An `environment` filled from `environ` (default: the process environment).

    Blank counts as unset: an optional variable then takes its default, a required one fails."""
    source = os.environ if environ is None else environ
    values: dict[str, str] = {}
    for field in dataclasses.fields(environment):
        name = variable_name(field)
        value = source.get(name, "").strip()
        if value:
            values[field.name] = value
        elif field.default is dataclasses.MISSING:
            owner = f" of tasks.handlers.{handler}" if handler else ""
            raise MissingVariableError(
                f"environment variable {name}{owner} is not set; configure it on the function"
            )
    return environment(**values)
