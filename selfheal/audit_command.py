"""`selfheal audit`: who changed the environment's resources, from CloudTrail's event history.

    selfheal audit [--env dev|prod] [--target local|aws] [--resource NAME] [--event NAME] [--max N]

Without options it answers "who deleted (or changed) the endpoint?": the management calls that
named the environment's endpoint, newest first, one line each (time, call, principal, source IP).
It asks CloudTrail's LookupEvents, which the embedded cloud answers from the calls it recorded
and AWS from its 90 days of event history (no trail needed for the history itself).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from deploy.calls import ClientFactory
from environments.project import environment_argument

# LookupEvents pages hold at most 50 events; the answer reads at most this many pages.
MAX_PAGES = 20


def lookup(
    clients: ClientFactory, resource: str, event_name: str | None, limit: int
) -> list[dict[str, Any]]:
    """The CloudTrail records of calls naming `resource` (and called `event_name`), newest first."""
    cloudtrail = clients("cloudtrail")
    request: dict[str, Any] = {
        "LookupAttributes": [{"AttributeKey": "ResourceName", "AttributeValue": resource}],
        "MaxResults": 50,
    }
    records: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        page = cloudtrail.lookup_events(**request)
        for event in page.get("Events", []):
            record = json.loads(event["CloudTrailEvent"])
            if event_name is None or record.get("eventName") == event_name:
                records.append(record)
        if len(records) >= limit or not page.get("NextToken"):
            break
        request["NextToken"] = page["NextToken"]
    return records[:limit]


def describe(record: dict[str, Any]) -> str:
    identity = record.get("userIdentity") or {}
    who = identity.get("arn") or identity.get("principalId") or identity.get("type", "?")
    request = json.dumps(record.get("requestParameters"))
    return (
        f"{record.get('eventTime')}  {record.get('eventName')}  by {who}  "
        f"from {record.get('sourceIPAddress')}  request {request}"
    )


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="selfheal audit", description=__doc__.split("\n")[0])
    parser.add_argument("--env", default="dev", type=environment_argument)
    parser.add_argument("--target", default="local", choices=("local", "aws"))
    parser.add_argument("--resource", help="the resource's name (default: the endpoint's)")
    parser.add_argument("--event", help="only calls of this name, e.g. DeleteEndpoint")
    parser.add_argument("--max", type=int, default=20, help="at most this many lines (20)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from deploy.clients import TargetError, aws_clients
    from environments.settings import SettingsError, load_settings
    from selfheal.deploy_commands import local_clients

    args = parse(argv)
    try:
        settings = load_settings(args.env)
    except SettingsError as error:
        print(f"audit: {error}", file=sys.stderr)
        return 1
    resource = args.resource or settings.endpoint.name
    try:
        clients = aws_clients(settings) if args.target == "aws" else local_clients(settings)
        records = lookup(clients, resource, args.event, args.max)
    except TargetError as error:
        print(f"audit: {error}")
        return 1
    what = f"{args.event} calls" if args.event else "calls"
    if not records:
        print(f"no {what} on {resource} in CloudTrail's event history")
        return 0
    print(f"{what} on {resource}, newest first:")
    for record in records:
        print(f"  {describe(record)}")
    return 0
