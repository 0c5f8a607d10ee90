"""UpdateModelPackage as SageMaker applies it: a field the request leaves out keeps its value.

moto 5.2.5 assigns every field from the request, so an approval (which sends only the status)
wipes the package's CustomerMetadataProperties and ApprovalDescription, and a metadata
update (which sends no status) wipes its approval status. SageMaker merges the
metadata given into the package's (CustomerMetadataPropertiesToRemove is how keys go) and keeps
an approval description that is not sent again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def install(replace: Callable[[Any, str, Any], None]) -> None:
    from moto.sagemaker.models import SageMakerModelBackend

    original = SageMakerModelBackend.update_model_package

    def update_model_package(
        self: Any,
        model_package_arn: str,
        model_approval_status: str | None,
        approval_description: str | None,
        customer_metadata_properties: dict[str, str] | None,
        *args: Any,
        **kwargs: Any,
    ) -> str:
        name = self.model_package_name_mapping.get(model_package_arn, model_package_arn)
        package = self.model_packages.get(name)
        if package is not None:
            kept = dict(getattr(package, "customer_metadata_properties", None) or {})
            customer_metadata_properties = {**kept, **(customer_metadata_properties or {})}
            if model_approval_status is None:
                model_approval_status = getattr(package, "model_approval_status", None)
            if approval_description is None:
                approval_description = getattr(package, "approval_description", None)
        arn: str = original(
            self,
            model_package_arn,
            model_approval_status,
            approval_description,
            customer_metadata_properties or None,
            *args,
            **kwargs,
        )
        return arn

    replace(SageMakerModelBackend, "update_model_package", update_model_package)
