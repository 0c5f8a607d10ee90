"""EventBridge Scheduler: the environment's schedule group and the schedules in it.

Scheduler can tag schedule groups only, never a schedule, so the group carries the project and
environment tags and a schedule is the project's because its group is. A group has no property
but its tags. A schedule's properties are its CreateSchedule request without Name.

Destroy deletes the schedules of every tagged group, then the groups. AWS deletes a group's
schedules with it (asynchronously, the group showing DELETING meanwhile); deleting them first
keeps destroy's report complete and its result the same wherever the group's deletion is not
cascaded.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from deploy.model import Kind, Resource
from deploy.providers.base import (
    Current,
    Provider,
    retry_while_propagating,
    tag_dict,
    tag_list,
    unless_missing,
)

SCHEDULE_READ_ONLY = ("Arn", "Name", "CreationDate", "LastModificationDate", "ResponseMetadata")
# A role created moments ago may not be assumable by Scheduler yet.
ROLE_NOT_READY = ("assume",)
DELETING = "DELETING"


class _SchedulerProvider(Provider):
    @property
    def scheduler(self) -> Any:
        return self.clients("scheduler")

    def _tags(self, arn: str) -> dict[str, str]:
        return tag_dict(self.scheduler.list_tags_for_resource(ResourceArn=arn).get("Tags", []))

    def owned_groups(self, known: Collection[str] = ()) -> list[str]:
        """Groups carrying both owner tags, except those already being deleted and ``known``."""
        names = []
        paginator = self.scheduler.get_paginator("list_schedule_groups")
        for page in paginator.paginate(NamePrefix=self.settings.prefix):
            for group in page["ScheduleGroups"]:
                name = group["Name"]
                if group.get("State") == DELETING or name in known or not self.is_own_name(name):
                    continue
                if self.owns(self._tags(group["Arn"])):
                    names.append(group["Name"])
        return names


class ScheduleGroupProvider(_SchedulerProvider):
    kind = Kind.SCHEDULE_GROUP

    def read(self, resource: Resource) -> Current | None:
        group = unless_missing(
            lambda: self.scheduler.get_schedule_group(Name=resource.name),
            "ResourceNotFoundException",
        )
        if group is None:
            return None
        if group.get("State") == DELETING:
            # Its schedules could not be created in it, and the name is taken until it is gone.
            raise RuntimeError(
                f"schedule group {resource.name} is being deleted (a destroy ran moments ago); "
                "deploy again once it is gone"
            )
        return Current({}, self._tags(group["Arn"]), {"arn": group["Arn"]})

    def create(self, resource: Resource) -> str:
        self.scheduler.create_schedule_group(Name=resource.name, Tags=tag_list(resource.tags))
        return "created"

    def update(self, resource: Resource, current: Current) -> str:
        self.scheduler.tag_resource(
            ResourceArn=current.context["arn"], Tags=tag_list(resource.tags)
        )
        return "tagged"

    def owned(self, known: Collection[str] = ()) -> list[str]:
        return self.owned_groups(known)

    def delete(self, name: str) -> None:
        self.scheduler.delete_schedule_group(Name=name)


class ScheduleProvider(_SchedulerProvider):
    kind = Kind.SCHEDULE

    def read(self, resource: Resource) -> Current | None:
        # Not found is also what a schedule whose group does not exist yet reads as.
        schedule = unless_missing(
            lambda: self.scheduler.get_schedule(
                Name=resource.name, GroupName=resource.properties["GroupName"]
            ),
            "ResourceNotFoundException",
        )
        if schedule is None:
            return None
        properties = {k: v for k, v in schedule.items() if k not in SCHEDULE_READ_ONLY}
        return Current(properties, {})

    def _request(self, resource: Resource) -> dict[str, Any]:
        return {"Name": resource.name, **resource.properties}

    def create(self, resource: Resource) -> str:
        request = self._request(resource)
        retry_while_propagating(lambda: self.scheduler.create_schedule(**request), *ROLE_NOT_READY)
        return f"created ({resource.properties.get('ScheduleExpression')})"

    def update(self, resource: Resource, current: Current) -> str:
        # UpdateSchedule replaces the whole schedule: send every desired field.
        request = self._request(resource)
        retry_while_propagating(lambda: self.scheduler.update_schedule(**request), *ROLE_NOT_READY)
        return "updated"

    def owned(self, known: Collection[str] = ()) -> list[str]:
        """``<group>/<schedule>`` for every schedule in a tagged group."""
        names: list[str] = []
        paginator = self.scheduler.get_paginator("list_schedules")
        for group in self.owned_groups():
            for page in paginator.paginate(GroupName=group):
                names.extend(f"{group}/{s['Name']}" for s in page["Schedules"])
        return [name for name in names if name not in known]

    def owned_name(self, resource: Resource) -> str:
        return f"{resource.properties['GroupName']}/{resource.name}"

    def delete(self, name: str) -> None:
        group, _, schedule = name.partition("/")
        self.scheduler.delete_schedule(Name=schedule, GroupName=group)
