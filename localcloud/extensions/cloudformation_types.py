"""CloudFormation resource types that localcloud provisions itself, through the embedded cloud's
own APIs, so what a stack creates is where every other caller (the interpreter, Lambda, the deploy
engine's reads) finds it, and validated as the API validates it.

moto 5.2.5 resolves a resource type through `moto.cloudformation.parsing.resource_class_from_type`
and skips (with a warning) every type it has no model for. `cloudformation_types` puts
`PROVISIONERS` in front of moto's models; each `cloudformation_*` extension adds its types there.
A provisioner duck-types moto's `CloudFormationModel` (create/update/delete from the template's
properties, `Ref` as `physical_resource_id`, `Fn::GetAtt` through `get_cfn_attribute`) without
subclassing it: a subclass would join moto's model map for good, and removing the extension
would not take it out again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, ClassVar

from localcloud.extensions.patching import PatchSet

PROVISIONERS: dict[str, type[Provisioned]] = {}


def aws_client(service: str, region: str) -> Any:
    """A boto3 client on this embedded cloud (in-process or the server's own port), as the
    interpreter's integrations call it."""
    from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for

    return boto_client_for(region, service)


def api_tags(properties: dict[str, Any], key: str = "Key", value: str = "Value") -> list[Any]:
    """A template's `Tags` (a list of Key/Value) in the spelling an API takes."""
    return [{key: tag["Key"], value: tag["Value"]} for tag in properties.get("Tags", [])]


def json_text(document: Any) -> str:
    """A policy or definition as text: templates give it as an object or as a string."""
    return document if isinstance(document, str) else json.dumps(document)


def camel_keys(value: Any) -> Any:
    """A template's PascalCase structure in the camelCase an API (Step Functions) takes."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value


def generated_id(*parts: str) -> str:
    """A stable physical id for resources AWS names itself (policies)."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:16]


class ProvisioningError(Exception):
    """A resource the template asks for that cannot be created as asked; the stack rolls back
    with this text as the resource's reason."""


class Provisioned:
    """One resource a stack created. Subclasses set `TYPE` and `ATTRIBUTES` and implement
    `create` (returning the instance) and `remove`; `change` updates in place when the type
    allows it (the default replaces: remove, then create)."""

    TYPE: ClassVar[str]
    ATTRIBUTES: ClassVar[tuple[str, ...]] = ()

    def __init__(self, physical_id: str, region: str, **attributes: Any) -> None:
        self.physical_id = physical_id
        self.region = region
        self.attributes = attributes
        # moto sets both after creation; the stack's resource listing reads them.
        self.cf_resource_type = self.TYPE
        self.logical_resource_id = ""

    # -- what subclasses implement ----------------------------------------------------------
    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        raise NotImplementedError

    def remove(self) -> None:
        raise NotImplementedError

    def change(self, name: str, properties: dict[str, Any]) -> Provisioned:
        self.remove()
        return self.create(name, properties, self.region)

    # -- moto's CloudFormationModel protocol ------------------------------------------------
    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    def is_created(self) -> bool:
        return True

    @classmethod
    def has_cfn_attr(cls, attribute: str) -> bool:
        return attribute in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute not in self.ATTRIBUTES or attribute not in self.attributes:
            raise UnformattedGetAttTemplateException()
        return self.attributes[attribute]

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Provisioned:
        return cls.create(resource_name, cloudformation_json.get("Properties", {}), region_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Provisioned,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Provisioned:
        return original_resource.change(
            new_resource_name, cloudformation_json.get("Properties", {})
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        raise ProvisioningError(f"{cls.TYPE} {resource_name} is deleted through its instance")

    def delete(self, account_id: str, region_name: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.remove()
        except ClientError as error:
            # Already gone is deleted, as CloudFormation counts it: deleting a function takes
            # its versions and aliases with it, whichever the stack deletes first.
            code = str(error.response.get("Error", {}).get("Code", ""))
            gone = ("NotFoundException", "DoesNotExist", "NotFound", "NonExistentQueue")
            if not (code.endswith(gone) or code.startswith("NoSuch")):
                raise


def register(patches: PatchSet, *provisioners: type[Provisioned]) -> None:
    """Let the stack create these types through localcloud, until `patches` is undone."""
    for provisioner in provisioners:
        previous = PROVISIONERS.get(provisioner.TYPE)
        PROVISIONERS[provisioner.TYPE] = provisioner

        def restore(kind: str = provisioner.TYPE, old: Any = previous) -> None:
            if old is None:
                PROVISIONERS.pop(kind, None)
            else:
                PROVISIONERS[kind] = old

        patches.on_undo(restore)


def install(patches: PatchSet) -> None:
    from moto.cloudformation import parsing

    original = parsing.resource_class_from_type

    def resource_class_from_type(resource_type: str) -> Any:
        if resource_type in PROVISIONERS:
            return PROVISIONERS[resource_type]
        return original(resource_type)

    patches.replace(parsing, "resource_class_from_type", resource_class_from_type)
