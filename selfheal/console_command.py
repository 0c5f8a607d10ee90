"""`selfheal console`: the console over AWS_ENDPOINT_URL or the standard AWS environment, or,
when neither names an endpoint and the embedded cloud's server runs for this directory
(`selfheal local up`, `make deploy-workflow`), over that server with the credentials it requires."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from botocore.credentials import Credentials

from console.server import boto3_sources
from console.server import main as console_main
from console.server_records import ServerRecordings
from console.sources import Sources
from localcloud import server as local_server


def find_sources() -> Sources:
    info = None if os.environ.get("AWS_ENDPOINT_URL") else local_server.running(Path.cwd())
    if info is None:
        return boto3_sources()
    import boto3

    session = boto3.session.Session(region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    keywords = info.client_credentials()

    def client(service: str) -> Any:
        return session.client(service, **keywords)  # type: ignore[call-overload]

    recordings = None
    if info.access_key_id and info.secret_access_key:
        recordings = ServerRecordings(
            info.url, Credentials(info.access_key_id, info.secret_access_key)
        )
    return Sources(
        client=client, description=f"the embedded cloud at {info.url}", recordings=recordings
    )


def main(argv: list[str]) -> int:
    return console_main(argv, find_sources=find_sources)
