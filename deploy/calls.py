"""AWS clients for one deploy, and a ledger of every API call they make.

Calls are counted through botocore's ``before-call`` event, so paginators and waiters count too.
A read is an operation named Get*, Describe*, List* or Head*; everything else is a write. The
environment lock's own writes (lock.py) are counted apart, so "write calls" stays the count of
changes to the environment's resources and an up-to-date deploy still makes none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ClientFactory = Callable[[str], Any]
READ_PREFIXES = ("Get", "Describe", "List", "Head")
# The deploy writes SSM parameters for nothing but the environment lock.
LOCK_OPERATIONS = frozenset({("ssm", "PutParameter"), ("ssm", "DeleteParameter")})


def is_read(operation: str) -> bool:
    return operation.startswith(READ_PREFIXES)


def is_lock_call(service: str, operation: str) -> bool:
    return (service, operation) in LOCK_OPERATIONS


@dataclass
class CallLedger:
    """Counts of API calls by service and operation."""

    reads: Counter[str] = field(default_factory=Counter)
    writes: Counter[str] = field(default_factory=Counter)
    lock: Counter[str] = field(default_factory=Counter)  # taking and releasing the lock

    def record(self, service: str, operation: str) -> None:
        if is_lock_call(service, operation):
            self.lock[f"{service}:{operation}"] += 1
            return
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
