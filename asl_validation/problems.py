"""The unit every check reports: where in the definition, and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One reason a definition is not valid ASL.

    ``pointer`` is an RFC 6901 JSON pointer into the definition (``""`` is the whole document);
    ``message`` is a sentence that names the state or field and says how to fix it.
    """

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


def escape_token(token: str | int) -> str:
    """Escape one reference token as RFC 6901 requires (``~`` first, then ``/``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: str | int) -> str:
    """Append reference tokens to a JSON pointer."""
    return base + "".join("/" + escape_token(token) for token in tokens)
