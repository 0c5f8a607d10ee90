"""The error every pattern check raises, carrying EventBridge's own reason text."""

from __future__ import annotations

from typing import NoReturn

REASON_PREFIX = "Event pattern is not valid. Reason: "


class InvalidEventPattern(ValueError):
    """A pattern EventBridge would reject; `str(error)` is the text AWS returns.

    `reason` holds the part after `Event pattern is not valid. Reason: `, which names the
    offending field or operator.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(REASON_PREFIX + reason)
        self.reason = reason


def reject(reason: str) -> NoReturn:
    raise InvalidEventPattern(reason)
