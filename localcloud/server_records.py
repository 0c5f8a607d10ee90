"""`GET /_localcloud/records`: what the server recorded of EventBridge deliveries and SNS
messages, as JSON, for tools outside its process (the console) that AWS gives no API to read
them back with.

It sits behind `RequestGuard` on the server's one listener, so it answers only what every other
request must be: addressed to 127.0.0.1 or localhost, sent by no web page, signed with the
server's access key. It only reads, and it is bounded: the newest `limit` deliveries and the
newest `limit` messages of each topic (`limit` at most `MAX_LIMIT`), with the totals, so a
reader knows when it sees a part.

Query: `limit` (1..MAX_LIMIT, default DEFAULT_LIMIT); `topic`: one topic's ARN, else every topic.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

from localcloud import recorder
from localcloud.request_guard import Environ, StartResponse, WSGIApp

PATH = "/_localcloud/records"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class BadQuery(ValueError):
    pass


def _limit(query: dict[str, list[str]]) -> int:
    text = query.get("limit", [str(DEFAULT_LIMIT)])[0]
    try:
        limit = int(text)
    except ValueError:
        raise BadQuery(f"limit {text!r} is not a whole number; give 1 to {MAX_LIMIT}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadQuery(f"limit {limit} is out of range; give 1 to {MAX_LIMIT}")
    return limit


def _topics() -> Iterable[Any]:
    """Every SNS topic of every account and region the server holds. The backends are read
    through dict's own methods: moto's would create a backend for each region they name."""
    from moto.sns.models import sns_backends

    for account in list(dict.values(sns_backends)):
        for backend in list(dict.values(account)):
            yield from list(backend.topics.values())


def snapshot(limit: int, topic: str | None = None) -> dict[str, Any]:
    """The newest `limit` deliveries and messages per topic, oldest first, with their totals."""
    deliveries = recorder.current().deliveries.items()
    topics: dict[str, Any] = {}
    for found in _topics():
        if topic not in (None, found.arn):
            continue
        sent = list(found.sent_notifications)
        topics[found.arn] = {
            "total": len(sent),
            "messages": [
                {"MessageId": item[0], "Message": item[1], "Subject": item[2]}
                for item in sent[-limit:]
            ],
        }
    return {
        "limit": limit,
        "deliveries": {"total": len(deliveries), "items": deliveries[-limit:]},
        "topics": topics,
    }


def _json(start_response: StartResponse, status: str, document: Any) -> list[bytes]:
    body = json.dumps(document, default=str).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]


class RecordsRoute:
    """WSGI middleware: answers `PATH`, passes every other request to `app`."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH:
            return self.app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "GET":
            return _json(start_response, "405 Method Not Allowed", {"error": f"{PATH}: GET only"})
        query = parse_qs(str(environ.get("QUERY_STRING") or ""))
        try:
            limit = _limit(query)
        except BadQuery as error:
            return _json(start_response, "400 Bad Request", {"error": str(error)})
        topic = query.get("topic", [None])[0]
        document = snapshot(limit, topic)
        if topic is not None and topic not in document["topics"]:
            return _json(start_response, "404 Not Found", {"error": f"no SNS topic {topic}"})
        return _json(start_response, "200 OK", document)
