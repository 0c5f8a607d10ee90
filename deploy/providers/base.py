"""What every resource provider does: read current, create, update, list owned, delete, and
say why an owned resource the deploy no longer wants must be kept."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from botocore.exceptions import ClientError

from deploy.calls import Clients
from deploy.model import Json, Kind, Resource
from environments.settings import Settings

OWNER_TAGS = ("project", "environment")


@dataclass
class Current:
    """A resource as read back: ``properties`` in the desired shape, its tags, and facts the
    provider needs to update it (``context``), which are never compared."""

    properties: dict[str, Json]
    tags: dict[str, str]
    context: dict[str, Any] = field(default_factory=dict)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_not_found(error: ClientError, *codes: str) -> bool:
    code = error_code(error)
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    missing = ("NotFound", "NotFoundException", "DoesNotExist")
    return code in codes or code.endswith(missing) or status == 404


T = TypeVar("T")


def unless_missing(call: Callable[[], T], *codes: str) -> T | None:
    """The call's answer, or None when AWS answers that the resource does not exist."""
    try:
        return call()
    except ClientError as error:
        if is_not_found(error, *codes):
            return None
        raise


def tag_list(
    tags: Mapping[str, str], key: str = "Key", value: str = "Value"
) -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in sorted(tags.items())]


def tag_dict(
    tags: list[Mapping[str, str]], key: str = "Key", value: str = "Value"
) -> dict[str, str]:
    return {t[key]: t[value] for t in tags}


class Provider(ABC):
    kind: ClassVar[Kind]

    def __init__(self, clients: Clients, settings: Settings) -> None:
        self.clients = clients
        self.settings = settings

    @property
    def name_prefix(self) -> str:
        """What every name of the environment's starts with: the prefix and its delimiter, so
        ``churn-dev`` never takes ``churn-devops-admin`` or environment ``dev2``'s
        ``churn-dev2-...`` for its own (the deployer's policy grants ``churn-dev-*`` only)."""
        return self.settings.prefix + "-"

    def is_own_name(self, name: str) -> bool:
        """For the kinds where the environment names one resource the bare prefix (its dashboard,
        schedule group and endpoint): that name, or a delimited one."""
        return name == self.settings.prefix or name.startswith(self.name_prefix)

    def owns(self, tags: Mapping[str, str]) -> bool:
        """True when ``tags`` mark the resource as this project's, in this environment."""
        mine = self.settings.all_tags()
        return all(tags.get(k) == mine[k] for k in OWNER_TAGS)

    def left_by_a_stopped_create(self, resource: Resource, current: Current) -> bool:
        """True when ``current``, found without the owner tags, is what this environment's own
        create left when the deploy died before tagging it, so the deploy finishes it."""
        return False

    def tags_differ(self, resource: Resource, current: Current) -> bool:
        return any(current.tags.get(k) != v for k, v in resource.tags.items())

    @abstractmethod
    def read(self, resource: Resource) -> Current | None:
        """The resource as it is, or None when it does not exist."""

    def read_all(self, resources: Sequence[Resource]) -> list[Current | None]:
        """``read`` of each of ``resources``, in order. A kind whose one listing answers for
        many of them overrides it, so a plan makes one call where it would make one each."""
        return [self.read(resource) for resource in resources]

    @abstractmethod
    def create(self, resource: Resource) -> str:
        """Create it with every desired property; return a one-line note of what was done."""

    @abstractmethod
    def update(self, resource: Resource, current: Current) -> str:
        """Bring an existing resource to the desired properties and tags."""

    @abstractmethod
    def owned(self, known: Collection[str] = ()) -> list[str]:
        """Names of existing resources of this kind carrying both owner tags, leaving out the
        ``known`` names (those a plan already accounts for) without reading their tags."""

    @abstractmethod
    def delete(self, name: str) -> None:
        """Delete one owned resource (and whatever AWS requires to be removed first)."""

    def owned_name(self, resource: Resource) -> str:
        """How ``owned`` names ``resource``."""
        return resource.name

    def holds_data(self, name: str) -> str | None:
        """What user data the resource holds, which destroy keeps unless told to delete data
        (``--delete-data``), or None."""
        return None

    def keep_reason(self, name: str, referenced: Mapping[str, str]) -> str | None:
        """Why a deploy must not delete ``name``, owned but no longer desired, or None.
        ``referenced``: every ARN the desired state refers to -> the resource referring to it.
        Destroy does not ask: deleting everything is what it is for."""
        return None


# A role or policy created a moment ago may not yet be usable by the service that assumes it
# (IAM is eventually consistent); these errors are retried a bounded number of times.
PROPAGATION_ATTEMPTS = 8
PROPAGATION_DELAY_SECONDS = 2.0


def retry_while_propagating(call: Any, *markers: str) -> Any:
    """Run ``call()``; retry when it fails with an error whose message contains a marker."""
    for attempt in range(1, PROPAGATION_ATTEMPTS + 1):
        try:
            return call()
        except ClientError as error:
            message = str(error.response.get("Error", {}).get("Message", ""))
            if attempt == PROPAGATION_ATTEMPTS or not any(m in message for m in markers):
                raise
            time.sleep(PROPAGATION_DELAY_SECONDS * attempt)
    raise AssertionError("unreachable")
