"""API calls moto 5.2.5 lacks or answers incompletely, which the deploy code makes:
`PublishStateMachineVersion` and `ListStateMachineVersions` (`state_machine_versions`),
`DeleteModelPackage` and `DeleteModelPackageGroup` (`model_registry_deletes`),
`EventBridgeConfiguration` in GetBucketNotificationConfiguration (`bucket_eventbridge_config`),
and Scheduler's schedule groups as AWS keeps them (`schedule_groups`): CreateSchedule into a
group that does not exist and DeleteScheduleGroup of one are ResourceNotFoundException (moto:
KeyError), CreateScheduleGroup of an existing name is ConflictException (moto: replaces the group,
dropping its schedules), and a deleted group's tags go with it.
"""

from __future__ import annotations

from typing import Any

from localcloud.extensions.patching import PatchSet


def install_state_machine_versions(patches: PatchSet) -> None:
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    def publish_state_machine_version(self: Any) -> Any:
        backend = self.stepfunction_backend
        machine = backend.describe_state_machine(self._get_param("stateMachineArn"))
        latest = machine.latest_version
        # Publishing a revision that is already a version returns that version (idempotent).
        unchanged = latest is not None and (latest.definition, latest.roleArn) == (
            machine.definition,
            machine.roleArn,
        )
        if not unchanged:
            machine.publish(self._get_param("description"))
            latest = machine.latest_version
        return ActionResult(
            {"creationDate": latest.creation_date, "stateMachineVersionArn": latest.arn}
        )

    def list_state_machine_versions(self: Any) -> Any:
        machine = self.stepfunction_backend.describe_state_machine(
            self._get_param("stateMachineArn")
        )
        newest_first = sorted(machine.versions.values(), key=lambda v: v.version, reverse=True)
        return ActionResult(
            {
                "stateMachineVersions": [
                    {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date}
                    for v in newest_first
                ]
            }
        )

    patches.replace(
        StepFunctionResponse, "publish_state_machine_version", publish_state_machine_version
    )
    patches.replace(
        StepFunctionResponse, "list_state_machine_versions", list_state_machine_versions
    )


def install_model_registry_deletes(patches: PatchSet) -> None:
    from moto.core.responses import ActionResult, EmptyResult
    from moto.sagemaker.responses import SageMakerResponse

    def delete_model_package(self: Any) -> Any:
        backend = self.sagemaker_backend
        name = self._get_param("ModelPackageName")
        package = backend.describe_model_package(name)  # raises when it does not exist
        backend.model_packages.pop(package.arn, None)
        for key in [k for k, v in backend.model_package_name_mapping.items() if v == package.arn]:
            del backend.model_package_name_mapping[key]
        return EmptyResult()

    def delete_model_package_group(self: Any) -> Any:
        backend = self.sagemaker_backend
        name = self._get_param("ModelPackageGroupName")
        backend.describe_model_package_group(name)  # raises when it does not exist
        del backend.model_package_groups[name]
        return ActionResult({})

    patches.replace(SageMakerResponse, "delete_model_package", delete_model_package)
    patches.replace(SageMakerResponse, "delete_model_package_group", delete_model_package_group)


def install_bucket_eventbridge_config(patches: PatchSet) -> None:
    from moto.s3.responses import S3Response

    original = S3Response.get_bucket_notification

    def get_bucket_notification(self: Any) -> Any:
        response = original(self)
        configuration = self.backend.get_bucket_notification_configuration(self.bucket_name)
        if configuration is None or configuration.event_bridge is None:
            return response
        status, headers, body = response
        text = body.decode() if isinstance(body, bytes) else str(body)
        closing = "</NotificationConfiguration>"
        if closing in text:
            text = text.replace(closing, f"<EventBridgeConfiguration/>{closing}")
        else:  # moto answered with an empty result: no other configuration is set
            text = (
                '<?xml version="1.0" encoding="UTF-8"?><NotificationConfiguration '
                'xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                f"<EventBridgeConfiguration/>{closing}"
            )
        headers = {k: v for k, v in dict(headers).items() if k.lower() != "content-length"}
        return status, headers, text.encode()

    patches.replace(S3Response, "get_bucket_notification", get_bucket_notification)


def install_schedule_groups(patches: PatchSet) -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.scheduler.models import EventBridgeSchedulerBackend

    create_schedule = EventBridgeSchedulerBackend.create_schedule
    create_group = EventBridgeSchedulerBackend.create_schedule_group

    def create_schedule_in_existing_group(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.get_schedule_group(kwargs.get("group_name"))  # raises when it does not exist
        return create_schedule(self, *args, **kwargs)

    def create_schedule_group(self: Any, name: str, tags: Any) -> Any:
        if name in self.schedule_groups:
            raise JsonRESTError("ConflictException", f"Schedule group {name} already exists.")
        return create_group(self, name, tags)

    def delete_schedule_group(self: Any, name: str | None) -> None:
        group = self.get_schedule_group(name)  # raises when it does not exist
        del self.schedule_groups[group.name]
        # A group created again under the name must not inherit the deleted one's tags.
        self.tagger.delete_all_tags_for_resource(group.arn)

    patches.replace(
        EventBridgeSchedulerBackend, "create_schedule", create_schedule_in_existing_group
    )
    patches.replace(EventBridgeSchedulerBackend, "create_schedule_group", create_schedule_group)
    patches.replace(EventBridgeSchedulerBackend, "delete_schedule_group", delete_schedule_group)
