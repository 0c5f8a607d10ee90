"""The unit every check reports: where in the definition, and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass, field

# AWS's diagnostic codes (ValidateStateMachineDefinition, and the prefix of CreateStateMachine's
# InvalidDefinition message) for the problems this package reports.
SCHEMA_VALIDATION_FAILED = "SCHEMA_VALIDATION_FAILED"
INVALID_JSON_DESCRIPTION = "INVALID_JSON_DESCRIPTION"
INVALID_RESOURCE = "INVALID_RESOURCE"
MISSING_END_STATE = "MISSING_END_STATE"
MISSING_TRANSITION_TARGET = "MISSING_TRANSITION_TARGET"
DUPLICATE_STATE_NAME = "DUPLICATE_STATE_NAME"
UNREACHABLE_STATE = "UNREACHABLE_STATE"
STATE_NAME_TOO_LONG = "STATE_NAME_TOO_LONG"


@dataclass(frozen=True, order=True)
class Problem:
    """One reason a definition is not valid ASL.

    ``pointer`` is an RFC 6901 JSON pointer into the definition (``""`` is the whole document);
    ``message`` is a sentence that names the state or field and says how to fix it.
    ``code`` is the diagnostic code AWS reports for it; ``aws_message`` and ``aws_location``,
    when set, are AWS's own wording and location where they differ from ``message`` and
    ``pointer`` (the embedded cloud answers with them). None of the three take part in equality.
    """

    pointer: str
    message: str
    code: str = field(default=SCHEMA_VALIDATION_FAILED, compare=False)
    aws_message: str | None = field(default=None, compare=False)
    aws_location: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


def escape_token(token: str | int) -> str:
    """Escape one reference token as RFC 6901 requires (``~`` first, then ``/``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: str | int) -> str:
    """Append reference tokens to a JSON pointer."""
    return base + "".join("/" + escape_token(token) for token in tokens)
