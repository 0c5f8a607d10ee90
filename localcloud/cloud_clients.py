"""The boto3 clients `LocalCloud.client` hands out: one per service and region for the process.

Building a client costs more than most calls, and moto starts every mock with a fresh boto3
session, so clients are kept across clouds (moto intercepts every botocore request in-process,
so a client reaches whichever cloud runs). What callers hang on a client's events (a recorder,
an injected failure, a deploy's call ledger) belongs to the cloud it was added under: each new
cloud gets the clients back with only the handlers botocore gave them. Kept, they piled up over
a process's clouds, each one running on every later call.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

import boto3

_clients: dict[tuple[str, str], tuple[Any, Any]] = {}  # key -> (client, its own handlers)
_lock = threading.Lock()


def shared_client(service: str, region: str) -> Any:
    key = (service, region)
    with _lock:
        if key not in _clients:
            client = boto3.client(service, region_name=region)  # type: ignore[call-overload]
            _clients[key] = (client, copy.copy(_emitter(client)))
        return _clients[key][0]


def drop_added_handlers() -> None:
    """Every shared client back to the event handlers it was built with."""
    with _lock:
        for client, pristine in _clients.values():
            state = copy.copy(pristine).__dict__
            # The lookup cache maps event names to handler lists; the copy shares the live one.
            state["_lookup_cache"] = {}
            _emitter(client).__dict__.update(state)


def _emitter(client: Any) -> Any:
    # client.meta.events is botocore's EventAliaser around the HierarchicalEmitter that holds
    # the handlers; the endpoint and signer hold the same objects, so they are reset in place.
    return client.meta.events._emitter
