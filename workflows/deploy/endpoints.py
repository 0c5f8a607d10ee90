"""Client factories for the two targets: the embedded cloud's local server, and AWS.

``local`` uses ``AWS_ENDPOINT_URL`` when it is set, else starts or reuses the server with
``python -m localcloud up`` and uses the endpoint and credentials it prints (the server refuses
other keys). ``aws`` uses the standard AWS environment (profile, credentials; boto3 honours
``AWS_ENDPOINT_URL`` too) and checks that the credentials belong to the account the settings
name. Either way the region is the settings'.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from workflows.deploy.calls import ClientFactory
from workflows.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT_SECONDS = 60
_EXPORT = re.compile(r"^export (AWS_[A-Z_]+)=(\S+)$", re.MULTILINE)
LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class TargetError(RuntimeError):
    """The target cannot be reached or is not the one the settings describe."""


@dataclass(frozen=True)
class LocalServer:
    url: str
    credentials: dict[str, str]  # boto3 client keyword arguments


def parse_local_server(stdout: str) -> LocalServer | None:
    """The endpoint and credentials from the `export` lines `python -m localcloud up` prints."""
    exports = dict(_EXPORT.findall(stdout))
    if "AWS_ENDPOINT_URL" not in exports:
        return None
    credentials = {
        keyword: exports[name]
        for keyword, name in (
            ("aws_access_key_id", "AWS_ACCESS_KEY_ID"),
            ("aws_secret_access_key", "AWS_SECRET_ACCESS_KEY"),
        )
        if name in exports
    }
    return LocalServer(exports["AWS_ENDPOINT_URL"], credentials)


def start_local_server() -> LocalServer:
    """Start (or reuse) the embedded cloud's server; return its endpoint and credentials."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "localcloud", "up"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=SERVER_START_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise TargetError("the embedded cloud did not start within a minute") from error
    found = parse_local_server(done.stdout)
    if done.returncode != 0 or found is None:
        detail = (done.stderr or done.stdout).strip()
        raise TargetError(f"python -m localcloud up failed: {detail}")
    return found


def local_clients(settings: Settings, endpoint: str | None = None) -> ClientFactory:
    session = boto3.session.Session(region_name=settings.location.region)
    url = endpoint or os.environ.get("AWS_ENDPOINT_URL")
    if url:
        credentials = LOCAL_CREDENTIALS if session.get_credentials() is None else {}
    else:
        server = start_local_server()
        url, credentials = server.url, server.credentials

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=url, **credentials)  # type: ignore[call-overload]

    return client


def aws_clients(settings: Settings) -> ClientFactory:
    session = boto3.session.Session(region_name=settings.location.region)
    if session.get_credentials() is None:
        raise TargetError(
            "no AWS credentials: set a profile (AWS_PROFILE) or credentials in the environment"
        )
    account = session.client("sts").get_caller_identity()["Account"]
    if account != settings.location.account:
        raise TargetError(
            f"the credentials are for account {account}, but the {settings.environment} "
            f"settings name account {settings.location.account}; set location.account in "
            f"workflows/environments/{settings.environment}.yaml or use other credentials"
        )

    def client(service: str) -> Any:
        return session.client(service)  # type: ignore[call-overload]

    return client
