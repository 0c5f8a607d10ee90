"""Attribute replacements on moto that can be undone, one set per extension."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class _Patch:
    target: Any
    attribute: str
    original: Any
    existed: bool


class PatchSet:
    """The replacements one extension made, and anything else it must undo."""

    def __init__(self) -> None:
        self._patches: list[_Patch] = []
        self._undo: list[Callable[[], None]] = []

    def replace(self, target: Any, attribute: str, value: Any) -> None:
        # A class attribute is read from the class's own namespace, so an inherited method is
        # recorded as absent and deleted on undo instead of being copied onto the subclass.
        own = isinstance(target, type)
        existed = attribute in vars(target) if own else hasattr(target, attribute)
        original = vars(target).get(attribute) if own else getattr(target, attribute, None)
        self._patches.append(_Patch(target, attribute, original, existed))
        setattr(target, attribute, value)

    def on_undo(self, action: Callable[[], None]) -> None:
        """Run `action` when this set is undone (after the attribute replacements)."""
        self._undo.append(action)

    def undo(self) -> None:
        for patch in reversed(self._patches):
            if patch.existed:
                setattr(patch.target, patch.attribute, patch.original)
            else:
                delattr(patch.target, patch.attribute)
        self._patches.clear()
        for action in reversed(self._undo):
            action()
        self._undo.clear()


# The patch sets in force, by extension name, in the order applied. The registry
# (`localcloud.extensions`) fills it; it lives here, beneath the registry, so an extension can ask
# which others are in force without importing the registry that imports it.
APPLIED: dict[str, PatchSet] = {}


def applied_names() -> list[str]:
    return list(APPLIED)
