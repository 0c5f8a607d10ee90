"""SageMaker: jobs that run (`sagemaker_sync`), UpdateEndpoint (`update_endpoint`), model
package state change events (`model_package_events`), UpdateModelPackage keeping the fields
it is not sent (`model_package_updates`) and the endpoint's state change events on
create and delete (`endpoint_state_events`)."""

from __future__ import annotations

from localcloud.extensions.patching import PatchSet


def install_jobs_and_sync(patches: PatchSet) -> None:
    from localcloud.sagemaker_jobs import install_job_runner, install_sync_integration

    install_job_runner(patches.replace)
    install_sync_integration(patches.replace)


def install_update_endpoint(patches: PatchSet) -> None:
    from localcloud.sagemaker_endpoints import install_update_endpoint as install

    install(patches.replace)


def install_model_package_events(patches: PatchSet) -> None:
    from localcloud.sagemaker_endpoints import install_model_package_events as install

    install(patches.replace)


def install_endpoint_state_events(patches: PatchSet) -> None:
    from localcloud.endpoint_events import install

    install(patches.replace)


def install_model_package_updates(patches: PatchSet) -> None:
    from localcloud.model_package_updates import install

    install(patches.replace)
