"""The local server's records route (`/_localcloud/records`): the EventBridge deliveries and SNS
messages it recorded, as JSON, bounded, under the trust rules of every other request; and the
console's Events page reading them over it, as `selfheal console` does beside
`selfheal local up`."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from werkzeug.test import Client

from console.app import ConsoleApp
from console.server import boto3_sources
from console.server_records import RecordsUnavailable, ServerRecordings
from console.sources import Sources
from localcloud import server
from localcloud.server_records import MAX_LIMIT, PATH
from selfheal.console_command import find_sources
from tests.localcloud_helpers import free_port, serving

HOSTILE = "<script>alert('x')</script>"
EVENTS = 3
MESSAGES = 4  # published directly, after the events' copies reach the topic


def _client(info: server.ServerInfo, service: str) -> Any:
    return boto3.client(service, region_name="us-east-1", **info.client_credentials())  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("records-server")


@pytest.fixture(scope="module")
def running(workdir: Path) -> Iterator[server.ServerInfo]:
    with serving(workdir) as info:
        yield info


@pytest.fixture(scope="module")
def topic(running: server.ServerInfo) -> str:
    """A rule delivering `EVENTS` events to a topic, then `MESSAGES` messages published to it."""
    arn: str = _client(running, "sns").create_topic(Name="console-ops")["TopicArn"]
    events = _client(running, "events")
    events.put_rule(Name="to-ops", EventPattern=json.dumps({"source": ["selfheal.test"]}))
    events.put_targets(Rule="to-ops", Targets=[{"Id": "ops", "Arn": arn}])
    for n in range(EVENTS):
        events.put_events(
            Entries=[{"Source": "selfheal.test", "DetailType": "Ping", "Detail": f'{{"n":{n}}}'}]
        )
    for n in range(MESSAGES):
        _client(running, "sns").publish(TopicArn=arn, Subject=HOSTILE, Message=f"message {n}")
    return arn


def _recordings(info: server.ServerInfo) -> ServerRecordings:
    keys = Credentials(str(info.access_key_id), str(info.secret_access_key))
    return ServerRecordings(info.url, keys)


def _get(info: server.ServerInfo, query: str, host: str | None = None) -> tuple[int, Any]:
    """The route, signed with the server's key as the console signs it, under `host`."""
    recordings = _recordings(info)
    url = f"{info.url}{PATH}?{query}"
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(recordings.credentials, "localcloud", "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    if host is not None:
        headers["Host"] = host
    connection = http.client.HTTPConnection("127.0.0.1", info.port, timeout=10)
    try:
        connection.request("GET", f"{PATH}?{query}", headers=headers)
        response = connection.getresponse()
        body = response.read().decode()
        # A refusal by the guard is in the AWS error shape (XML), the route's answers JSON.
        return response.status, json.loads(body) if body.startswith("{") else body
    finally:
        connection.close()


def test_the_route_returns_the_deliveries_and_messages_newest_last(
    running: server.ServerInfo, topic: str
) -> None:
    status, document = _get(running, "limit=50")
    assert status == 200
    deliveries = document["deliveries"]
    assert deliveries["total"] == EVENTS
    assert [(d["rule"], d["target"]) for d in deliveries["items"]] == [("to-ops", topic)] * EVENTS
    published = document["topics"][topic]
    assert published["total"] == EVENTS + MESSAGES
    assert [m["Message"] for m in published["messages"][-MESSAGES:]] == [
        f"message {n}" for n in range(MESSAGES)
    ]
    assert published["messages"][-1]["Subject"] == HOSTILE


def test_the_route_keeps_to_its_limit_and_refuses_one_past_the_maximum(
    running: server.ServerInfo, topic: str
) -> None:
    status, document = _get(running, "limit=2")
    assert status == 200
    assert len(document["deliveries"]["items"]) == 2
    assert [m["Message"] for m in document["topics"][topic]["messages"]] == [
        "message 2",
        "message 3",
    ]
    assert document["topics"][topic]["total"] == EVENTS + MESSAGES  # says it shows a part
    for bad in (f"limit={MAX_LIMIT + 1}", "limit=0", "limit=many"):
        status, refused = _get(running, bad)
        assert status == 400, bad
        assert f"give 1 to {MAX_LIMIT}" in refused["error"]


def test_the_route_refuses_a_foreign_host_and_a_foreign_key(
    running: server.ServerInfo, topic: str
) -> None:
    status, refused = _get(running, "limit=5", host=f"evil.example:{running.port}")
    assert status == 403
    assert "does not name this server" in refused
    stranger = ServerRecordings(running.url, Credentials("LOCALSTRANGER0000000", "secret"))
    with pytest.raises(RecordsUnavailable, match="answered 403"):
        stranger.deliveries()


def test_the_console_events_page_over_the_server_shows_them(
    running: server.ServerInfo, topic: str
) -> None:
    def client(service: str) -> Any:
        return _client(running, service)

    sources = Sources(client, running.url, recordings=_recordings(running))
    page = Client(ConsoleApp(sources)).get("/events", headers={"Host": "127.0.0.1:8321"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert text.count("<td>to-ops</td>") == EVENTS
    assert "SNS messages on console-ops" in text
    assert "message 3" in text
    assert HOSTILE not in text  # a recorded subject stays text


def test_the_events_page_says_so_when_the_endpoint_has_no_records_route(
    running: server.ServerInfo,
) -> None:
    port = free_port()  # nothing listens there
    dead = ServerRecordings(f"http://127.0.0.1:{port}", Credentials("a", "b"))
    sources = Sources(lambda service: _client(running, service), "x", recordings=dead)
    page = Client(ConsoleApp(sources)).get("/events", headers={"Host": "127.0.0.1:8321"})
    assert page.status_code == 200
    assert "no records to show: cannot read" in page.get_data(as_text=True)


def test_the_console_command_reads_the_records_of_the_server_it_finds_or_is_pointed_at(
    running: server.ServerInfo, topic: str, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workdir)  # `selfheal local up` ran here: its state file names the server
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    found = find_sources().recordings
    assert found is not None and len(found.deliveries("to-ops")) == EVENTS
    # `eval "$(selfheal local up)"` exports the endpoint and the server's keys instead.
    monkeypatch.chdir(workdir.parent)
    for line in running.exports():
        name, _, value = line.removeprefix("export ").partition("=")
        monkeypatch.setenv(name, value)
    exported = boto3_sources().recordings
    assert exported is not None and len(exported.sns_messages(topic)) == EVENTS + MESSAGES
    # Over an account (no local endpoint) there is nothing to read them from.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://states.us-east-1.amazonaws.com")
    assert boto3_sources().recordings is None
