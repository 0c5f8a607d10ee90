"""Where the console reads from: a boto3 client per service, and, when the console runs in the
same process as an embedded cloud, what that cloud records but AWS offers no API to read back
(the events EventBridge delivered, the messages SNS published)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

ClientFactory = Callable[[str], Any]


class Recordings(Protocol):
    def deliveries(self, rule: str | None = None) -> list[dict[str, Any]]: ...

    def sns_messages(self, topic: str) -> list[dict[str, Any]]: ...


@dataclass
class Sources:
    client: ClientFactory
    description: str  # what the page footer says it reads: an endpoint URL, a region
    recordings: Recordings | None = None
    # Forms that write carry it; a page from another site cannot read it, so cannot forge one.
    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
