"""A Lambda invocation's environment variables, seen by that invocation's thread alone.

On AWS each function runs in its own container with its own environment. In the embedded cloud
every function runs in this process, so the variables cannot simply be written into `os.environ`
for the call: every other thread (executions, jobs starting, other clouds' calls) would see
them, and restoring them afterwards removes keys under a thread that is iterating the
environment at that moment (`urllib`'s proxy lookup does, whenever botocore builds a client),
which fails that thread with a KeyError naming the variable.

So `os.environ` becomes, for as long as the process runs, an `os._Environ` whose reads consult the
calling thread's overlay first. Outside an invocation it behaves exactly as before; the C-level
environment (what a subprocess inherits) is never changed by an invocation.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_REMOVED = object()
_local = threading.local()


def _overlay() -> dict[str, Any] | None:
    stack: list[dict[str, Any]] | None = getattr(_local, "stack", None)
    return stack[-1] if stack else None


class _InvocationEnviron(os._Environ):  # type: ignore[type-arg]
    """os.environ, with the calling thread's invocation variables laid over it."""

    def __getitem__(self, key: str) -> str:
        overlay = _overlay()
        if overlay is not None and key in overlay:
            value = overlay[key]
            if value is _REMOVED:
                raise KeyError(key)
            return str(value)
        return str(super().__getitem__(key))

    def __setitem__(self, key: str, value: str) -> None:
        overlay = _overlay()
        if overlay is None:
            super().__setitem__(key, value)
        else:
            overlay[key] = str(value)

    def __delitem__(self, key: str) -> None:
        overlay = _overlay()
        if overlay is None:
            super().__delitem__(key)
            return
        if key not in self:
            raise KeyError(key)
        overlay[key] = _REMOVED

    def __iter__(self) -> Iterator[str]:
        overlay = _overlay()
        base = list(super().__iter__())
        if overlay is None:
            yield from base
            return
        for key in base:
            if overlay.get(key, None) is not _REMOVED:
                yield key
        for key, value in list(overlay.items()):
            if value is not _REMOVED and key not in base:
                yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def copy(self) -> dict[str, str]:
        return dict(self)


def install() -> None:
    """Make `os.environ` thread-aware (idempotent; same object, so `from os import environ`
    holders see it too)."""
    if not isinstance(os.environ, _InvocationEnviron):
        os.environ.__class__ = _InvocationEnviron


@contextmanager
def applied(variables: dict[str, str]) -> Iterator[None]:
    """`variables` set for the calling thread only, until the block ends (nested invocations
    on the same thread see their own, then the outer one's again)."""
    install()
    base = _overlay()
    stack: list[dict[str, Any]] = getattr(_local, "stack", None) or []
    _local.stack = stack
    stack.append({**(base or {}), **{key: str(value) for key, value in variables.items()}})
    try:
        yield
    finally:
        stack.pop()
