"""The SageMaker model package group (the model registry)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from botocore.exceptions import ClientError

from deploy.model import Kind, Resource
from deploy.providers.base import (
    Current,
    Provider,
    error_code,
    tag_dict,
    tag_list,
)

MAX_PACKAGE_PAGES = 100


class ModelPackageGroupProvider(Provider):
    """The model registry group. Its description cannot change after creation (SageMaker has
    no update call for it), so only tags are updated."""

    kind = Kind.MODEL_PACKAGE_GROUP

    @property
    def sagemaker(self) -> Any:
        return self.clients("sagemaker")

    def _arn(self, name: str) -> str:
        return self.settings.location.sagemaker("model-package-group", name)

    def read(self, resource: Resource) -> Current | None:
        try:
            group = self.sagemaker.describe_model_package_group(ModelPackageGroupName=resource.name)
        except ClientError as error:
            message = str(error.response.get("Error", {}).get("Message", ""))
            if error_code(error) == "ValidationException" and "does not exist" in message:
                return None
            raise
        tags = tag_dict(self.sagemaker.list_tags(ResourceArn=self._arn(resource.name))["Tags"])
        properties = {"ModelPackageGroupDescription": group.get("ModelPackageGroupDescription")}
        return Current(properties, tags)

    def create(self, resource: Resource) -> str:
        self.sagemaker.create_model_package_group(
            ModelPackageGroupName=resource.name,
            ModelPackageGroupDescription=resource.properties["ModelPackageGroupDescription"],
            Tags=tag_list(resource.tags),
        )
        return "created"

    def update(self, resource: Resource, current: Current) -> str:
        if self.tags_differ(resource, current):
            self.sagemaker.add_tags(
                ResourceArn=self._arn(resource.name), Tags=tag_list(resource.tags)
            )
        wanted = resource.properties["ModelPackageGroupDescription"]
        if current.properties.get("ModelPackageGroupDescription") != wanted:
            return "tagged; the description cannot be changed in place (destroy to recreate)"
        return "tagged"

    def owned(self, known: Collection[str] = ()) -> list[str]:
        names = []
        paginator = self.sagemaker.get_paginator("list_model_package_groups")
        for page in paginator.paginate(NameContains=self.name_prefix):
            for group in page.get("ModelPackageGroupSummaryList", []):
                name = group["ModelPackageGroupName"]
                # NameContains also matches a name with the prefix inside it: not ours to read.
                if name in known or not name.startswith(self.name_prefix):
                    continue
                tags = self.sagemaker.list_tags(ResourceArn=group["ModelPackageGroupArn"])
                if self.owns(tag_dict(tags.get("Tags", []))):
                    names.append(name)
        return names

    def holds_data(self, name: str) -> str | None:
        packages = self.sagemaker.list_model_packages(ModelPackageGroupName=name, MaxResults=1)
        if packages.get("ModelPackageSummaryList"):
            return "it holds registered model packages"
        return None

    def keep_reason(self, name: str, referenced: Mapping[str, str]) -> str | None:
        if self.holds_data(name):
            return (
                "it holds registered model packages, which a deploy never deletes; "
                "delete them to let one delete it"
            )
        return None

    def delete(self, name: str) -> None:
        """Delete the group's model packages first: SageMaker refuses to delete a group that
        still holds any."""
        for _ in range(MAX_PACKAGE_PAGES):
            packages = self.sagemaker.list_model_packages(
                ModelPackageGroupName=name, MaxResults=100
            ).get("ModelPackageSummaryList", [])
            if not packages:
                break
            for package in packages:
                self.sagemaker.delete_model_package(ModelPackageName=package["ModelPackageArn"])
        self.sagemaker.delete_model_package_group(ModelPackageGroupName=name)
