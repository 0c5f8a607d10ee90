"""What deploy-model creates at run time for the environment: the endpoint (the standing cost,
billed while it is InService), and the endpoint configs and models it was built from.

The deploy-model definition creates each with the project and environment tags, which is how
destroy finds them: by name prefix, then by both owner tags (ListTags), as every provider's
``owned`` does. They are no desired resources of a deploy, so a deploy never plans, updates or
prunes them (the endpoint is the running service); only destroy deletes them, the endpoint
first, then the configs, then the models.

Deleting an endpoint also deregisters its variant from Application Auto Scaling (SageMaker does
this for a caller allowed ``application-autoscaling:DeregisterScalableTarget``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from deploy.calls import Clients
from deploy.model import Kind
from deploy.providers.base import OWNER_TAGS, tag_dict
from environments.settings import Settings


class Served:
    """One run-time kind: its listing, and its delete."""

    kind: ClassVar[Kind]
    paginator: ClassVar[str]  # the listing operation, as boto3 names its paginator
    listed: ClassVar[str]  # the key of the listed items in a page
    field: ClassVar[str]  # the item's name is ``<field>Name``, its ARN ``<field>Arn``

    def __init__(self, clients: Clients, settings: Settings) -> None:
        self.clients = clients
        self.settings = settings

    @property
    def sagemaker(self) -> Any:
        return self.clients("sagemaker")

    def owns(self, tags: Mapping[str, str]) -> bool:
        mine = self.settings.all_tags()
        return all(tags.get(k) == mine[k] for k in OWNER_TAGS)

    def owned(self) -> list[str]:
        names = []
        prefix = self.settings.prefix
        for page in self.sagemaker.get_paginator(self.paginator).paginate(NameContains=prefix):
            for item in page.get(self.listed, []):
                name = item[f"{self.field}Name"]
                # NameContains also matches a name with the prefix inside it, and a neighbour's
                # (``churn-dev2-...``): not ours to read. The endpoint may be the bare prefix.
                if not (name == prefix or name.startswith(prefix + "-")):
                    continue
                tags = self.sagemaker.list_tags(ResourceArn=item[f"{self.field}Arn"])
                if self.owns(tag_dict(tags.get("Tags", []))):
                    names.append(name)
        return sorted(names)

    def holds_data(self, name: str) -> str | None:
        return None

    def delete(self, name: str) -> None:
        raise NotImplementedError


class EndpointDeleter(Served):
    kind = Kind.ENDPOINT
    paginator, listed, field = "list_endpoints", "Endpoints", "Endpoint"

    def delete(self, name: str) -> None:
        self.sagemaker.delete_endpoint(EndpointName=name)


class EndpointConfigDeleter(Served):
    kind = Kind.ENDPOINT_CONFIG
    paginator, listed, field = "list_endpoint_configs", "EndpointConfigs", "EndpointConfig"

    def delete(self, name: str) -> None:
        self.sagemaker.delete_endpoint_config(EndpointConfigName=name)


class ModelDeleter(Served):
    kind = Kind.MODEL
    paginator, listed, field = "list_models", "Models", "Model"

    def delete(self, name: str) -> None:
        self.sagemaker.delete_model(ModelName=name)


# Deletion order: what serves before what it was built from.
SERVED: tuple[type[Served], ...] = (EndpointDeleter, EndpointConfigDeleter, ModelDeleter)


def served(clients: Clients, settings: Settings) -> list[Served]:
    return [cls(clients, settings) for cls in SERVED]
