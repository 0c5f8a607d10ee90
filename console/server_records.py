"""The embedded cloud's records read over HTTP, when the console talks to its server (`selfheal
local up`): the server's `/_localcloud/records` route, signed as the server requires of every
request (SigV4 with its access key). The console speaks HTTP to it; it never imports the
embedded cloud."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials, ReadOnlyCredentials

PATH = "/_localcloud/records"
TIMEOUT_SECONDS = 5.0
LIMIT = 200  # the console's own bound; the route refuses more than its maximum
_LOOPBACK = ("127.0.0.1", "localhost")


class RecordsUnavailable(RuntimeError):
    """The endpoint answers no records route (not the embedded cloud's server, or stopped)."""


def is_local_endpoint(url: str | None) -> bool:
    """Whether `url` names this machine over plain HTTP, as the embedded cloud's server does."""
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK


class ServerRecordings:
    """The console's `Recordings` over the route (newest `LIMIT` of each kind)."""

    def __init__(self, endpoint: str, credentials: Credentials | ReadOnlyCredentials) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.credentials = credentials

    def fetch(self, topic: str | None = None) -> dict[str, Any]:
        query = {"limit": str(LIMIT), **({"topic": topic} if topic else {})}
        url = f"{self.endpoint}{PATH}?{urlencode(query)}"
        request = AWSRequest(method="GET", url=url)
        # Any region and service name: the server checks the signing key, not the scope.
        SigV4Auth(self.credentials, "localcloud", "us-east-1").add_auth(request)
        prepared = urllib.request.Request(url, headers=dict(request.headers.items()))
        try:
            with urllib.request.urlopen(prepared, timeout=TIMEOUT_SECONDS) as response:
                document: dict[str, Any] = json.loads(response.read())
        except urllib.error.HTTPError as error:
            detail = error.read(2000).decode(errors="replace")
            raise RecordsUnavailable(
                f"{self.endpoint} answered {error.code} to {PATH}: {detail}"
            ) from None
        except (OSError, ValueError) as error:
            raise RecordsUnavailable(f"cannot read {self.endpoint}{PATH}: {error}") from None
        return document

    def deliveries(self, rule: str | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.fetch()["deliveries"]["items"]
        return [d for d in items if rule in (None, d.get("rule"))]

    def sns_messages(self, topic: str) -> list[dict[str, Any]]:
        found = self.fetch(topic)["topics"].get(topic) or {}
        messages: list[dict[str, Any]] = found.get("messages", [])
        return messages
