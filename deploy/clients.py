"""Client factories for the two kinds of target: an endpoint (the embedded cloud's server, or
another AWS-compatible endpoint) and AWS itself.

The deploy engine never starts a cloud: its caller decides where the clients point and hands
them over (``selfheal`` starts the embedded cloud's server when no endpoint is named).
Either way the region is the settings'.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3

from deploy.calls import ClientFactory
from environments.settings import Settings

# Any key signs for an endpoint that does not check them; the embedded cloud's server prints the
# ones it requires.
PLACEHOLDER_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class TargetError(RuntimeError):
    """The target cannot be reached or is not the one the settings describe."""


def endpoint_clients(
    settings: Settings, url: str, credentials: Mapping[str, str] | None = None
) -> ClientFactory:
    """Clients for the endpoint at ``url``, signed with ``credentials`` (boto3 keyword arguments),
    else with the environment's credentials, else with placeholders."""
    session = boto3.session.Session(region_name=settings.location.region)
    if credentials is None:
        credentials = PLACEHOLDER_CREDENTIALS if session.get_credentials() is None else {}
    keywords = dict(credentials)

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=url, **keywords)  # type: ignore[call-overload]

    return client


def aws_clients(settings: Settings) -> ClientFactory:
    """Clients for AWS from the standard environment, after checking the credentials' account."""
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
            f"environments/{settings.environment}.yaml or use other credentials"
        )

    def client(service: str) -> Any:
        return session.client(service)  # type: ignore[call-overload]

    return client
