"""AWS clients for one deploy, and a ledger of every API call they make.

Calls are counted through botocore's ``before-call`` event, so paginators and waiters count too.
A read is an operation named Get*, Describe*, List* or Head*; everything else is a write.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ClientFactory = Callable[[str], Any]
READ_PREFIXES = ("Get", "Describe", "List", "Head")


def is_read(operation: str) -> bool:
    return operation.startswith(READ_PREFIXES)


@dataclass
class CallLedger:
    """Counts of API calls by service and operation."""

    reads: Counter[str] = field(default_factory=Counter)
    writes: Counter[str] = field(default_factory=Counter)

    def record(self, service: str, operation: str) -> None:
        (self.reads if is_read(operation) else self.writes)[f"{service}:{operation}"] += 1

    @property
    def read_count(self) -> int:
        return sum(self.reads.values())

    @property
    def write_count(self) -> int:
        return sum(self.writes.values())


class Clients:
    """One client per service from ``factory``, each reporting its calls to ``ledger``."""

    def __init__(self, factory: ClientFactory, ledger: CallLedger | None = None) -> None:
        self._factory = factory
        self.ledger = ledger if ledger is not None else CallLedger()
        self._clients: dict[str, Any] = {}

    def __call__(self, service: str) -> Any:
        client = self._clients.get(service)
        if client is None:
            client = self._factory(service)
            client.meta.events.register("before-call", self._on_call)
            self._clients[service] = client
        return client

    def _on_call(self, model: Any, **_: Any) -> None:
        self.ledger.record(model.service_model.service_name, model.name)
